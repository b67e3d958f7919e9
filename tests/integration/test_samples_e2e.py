"""End to end: every generated sample, run as a user would run it, obtains a token.

Each test renders a sample for the oidc-provider test server (tests/oidc/server.mjs, started
by the ``oidc_provider`` fixture of tests/support/oidc.py), writes it to a temporary file and
runs it as a subprocess exactly as its header says (``bash x.sh``, ``python x.py``,
``node x.mjs``) with its environment variables set. Success means exit status 0 and the
sample's token summary (``access_token: ...``) on stdout; failures must exit non-zero with
the OAuth error on stderr.

Where the server side is test code rather than a real server feature, the test says so:
token exchange and the JWT bearer grant are grants the test server adds with
``registerGrantType`` (they check the sample's request, not a provider's behaviour); SAML 2.0
bearer, mutual TLS and the device flow's slow_down / expiry are checked against a scripted
token endpoint in this file; the FAPI sample runs against a second oidc-provider configured
for it (tests/integration/fapi_server.mjs), as the shared test server has no such client.

Slow, polling flows (device code, CIBA, slow_down) start in background threads when the
module starts, so their waiting overlaps with the other tests. Every subprocess has a
timeout of at most 30 seconds.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import re
import secrets
import shlex
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from advisor.core.vocabulary import LANGUAGES as LANGUAGE_SPECS
from advisor.samples.catalog import TEMPLATES
from advisor.samples.params import SampleParams
from support import fake_browser
from support.oidc import (
    CLIENT_ASSERTION_TYPE,
    TESTS_DIR,
    KeyInfo,
    OIDCProvider,
    client_assertion,
    drive_authorization,
    free_port,
    http_client,
    jwt_bearer_assertion,
    sign_jwt,
)
from support.samples import (
    BROWSER_DRIVER,
    LANGUAGES,
    Run,
    _require_pyjwt,
    _runner,
    make_pki,
    run,
    run_server,
    write_sample,
)

pytestmark = pytest.mark.integration

ENDPOINTS = (
    "authorization_endpoint",
    "token_endpoint",
    "device_authorization_endpoint",
    "backchannel_authentication_endpoint",
    "pushed_authorization_request_endpoint",
)
CONFIDENTIAL = ("client_secret_basic", "private_key_jwt")
"""What the confidential clients' samples run with: their default, and private_key_jwt."""
PKJWT_TWIN = {
    "web-app": "web-app-pkjwt",
    "ciba-client": "ciba-pkjwt",
    "exchange-client": "exchange-pkjwt",
    "jwt-bearer-client": "jwt-bearer-pkjwt",
}
"""The test provider's private_key_jwt twin of each client_secret_basic client (cc-pkjwt's key)."""


# --- running samples ---------------------------------------------------------------------------


def sample_env(provider: OIDCProvider, **values: str | Path) -> dict[str, str]:
    """The environment a user would have: theirs (without OAUTH_*), BROWSER, and ``values``."""
    env = {k: v for k, v in provider.sample_env().items() if not k.startswith("OAUTH_")}
    env.update({k: str(v) for k, v in values.items()})
    return env


def provider_params(provider: OIDCProvider, client_id: str, **values: Any) -> SampleParams:
    """Sample parameters with every endpoint the provider's discovery document lists."""
    endpoints = {name: getattr(provider, name) for name in ENDPOINTS}
    params = SampleParams(
        issuer=provider.issuer,
        client_id=client_id,
        discovered=frozenset(n for n, v in endpoints.items() if v),
        **endpoints,
    )
    return params.with_values(**values)


def client_for(client_id: str, client_auth: str) -> str:
    """The provider client to run a sample with ``client_auth`` as (see PKJWT_TWIN)."""
    return PKJWT_TWIN[client_id] if client_auth == "private_key_jwt" else client_id


def auth_env(
    provider: OIDCProvider,
    language: str,
    client_auth: str,
    client_id: str,
    *,
    audience: str | None = None,
    key: KeyInfo | None = None,
) -> dict[str, str]:
    """What a sample needs to authenticate as ``client_id``: the client secret; with
    private_key_jwt the key file (python, javascript) or, for curl, a client assertion the
    test signs, single use: call again for every run. ``key`` signs instead of cc-pkjwt's
    (under cc-pkjwt's kid); ``audience`` defaults to the provider's issuer."""
    if client_auth == "none":
        return {}
    if client_auth != "private_key_jwt":
        secret = provider.client(client_id).client_secret
        assert secret is not None
        return {"OAUTH_CLIENT_SECRET": secret}
    if language == "python":
        _require_pyjwt()
    registered = provider.cc_pkjwt_key
    key = key or registered
    if language != "curl":
        return {
            "OAUTH_PRIVATE_KEY_FILE": str(key.private_key_pem),
            "OAUTH_PRIVATE_KEY_ID": registered.kid,
        }
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience or provider.issuer,
        "iat": now,
        "exp": now + 60,
        "jti": secrets.token_urlsafe(16),
    }
    return {"OAUTH_CLIENT_ASSERTION": sign_jwt(claims, key.private_key_pem, kid=registered.kid)}


SIGNER = """\
# The signing tool a user of the curl CIBA sample names in OAUTH_CLIENT_ASSERTION_COMMAND:
# prints a fresh private_key_jwt client assertion. Arguments: tests folder, key file, kid,
# client id, audience.
import secrets
import sys
import time

sys.path.insert(0, sys.argv[1])
from support.oidc import sign_jwt

key, kid, client_id, audience = sys.argv[2:]
now = int(time.time())
claims = {"iss": client_id, "sub": client_id, "aud": audience, "iat": now, "exp": now + 60}
print(sign_jwt({**claims, "jti": secrets.token_urlsafe(16)}, key, kid=kid))
"""


def assertion_command(provider: OIDCProvider, folder: Path, client_id: str) -> str:
    """An OAUTH_CLIENT_ASSERTION_COMMAND that signs with cc-pkjwt's key for ``client_id``."""
    folder.mkdir(parents=True, exist_ok=True)
    signer = folder / "sign_client_assertion.py"
    signer.write_text(SIGNER, encoding="utf-8")
    key = provider.cc_pkjwt_key
    arguments = [str(TESTS_DIR), str(key.private_key_pem), key.kid, client_id, provider.issuer]
    return shlex.join([sys.executable, str(signer), *arguments])


def url_in(output: str) -> str:
    match = re.search(r"^(http://\S+)$", output, re.M)
    assert match, output
    return match.group(1)


# --- a scripted authorization server, for what the test provider cannot do ---------------------


@dataclass
class Stub:
    """A token endpoint (and friends) on loopback that answers with a script."""

    respond: Callable[[str, Mapping[str, str], dict[str, str], Any], tuple[int, dict[str, Any]]]
    tls: ssl.SSLContext | None = None
    requests: list[tuple[float, str, dict[str, str], dict[str, str]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                headers = {k.lower(): v for k, v in self.headers.items()}
                stub.requests.append((time.monotonic(), self.path, headers, form))
                peer = self.connection.getpeercert() if stub.tls else None  # type: ignore[attr-defined]
                status, body = stub.respond(self.path, headers, form, peer)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if self.tls:
            self.server.socket = self.tls.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.server.server_port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _token(**extra: Any) -> dict[str, Any]:
    return {
        "access_token": "stub-access-token-0123456789",
        "token_type": "Bearer",
        "expires_in": 60,
        **extra,
    }


def _form_decode(value: str) -> str:
    return urllib.parse.unquote_plus(value)


def _basic(headers: Mapping[str, str]) -> tuple[str, str] | None:
    """Client id and secret from an RFC 6749 §2.3.1 Basic header (form-decoded)."""
    auth = headers.get("authorization", "")
    if not auth.startswith("Basic "):
        return None
    user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
    return _form_decode(user), _form_decode(password)


# --- background runs of the slow, polling flows ------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def background(
    request: pytest.FixtureRequest, oidc_provider: OIDCProvider
) -> Iterator[dict[str, Future[Run]]]:
    """Starts the polling samples (device code, CIBA, slow_down, expiry) at module start, so
    their waiting overlaps with the other tests (autouse: it must start first). Only the runs
    that selected tests need are started."""
    selected = {item.name for item in request.session.items if item.module is request.module}
    pool = ThreadPoolExecutor(max_workers=12)
    folder = Path(tempfile.mkdtemp(prefix="samples-bg-"))
    jobs: dict[str, Callable[[], Run]] = {}
    for language in LANGUAGES:
        sub = folder / language
        jobs[f"test_device_code[{language}]"] = lambda sub=sub, lang=language: _device_run(
            oidc_provider, sub / "device", lang
        )
        for auth in CONFIDENTIAL:
            jobs[f"test_ciba[{language}-{auth}]"] = lambda sub=sub, lang=language, auth=auth: (
                _ciba_run(oidc_provider, sub / auth, lang, "alice", auth)
            )
        jobs[f"test_ciba_denied[{language}]"] = lambda sub=sub, lang=language: _ciba_run(
            oidc_provider, sub / "bob-denies", lang, "bob-denies", "client_secret_basic"
        )
        for scenario, test in (
            ("slow_down", "test_device_code_slow_down_then_denied"),
            ("expired", "test_device_code_expires"),
        ):
            jobs[f"{test}[{language}]"] = lambda sub=sub, lang=language, s=scenario: (
                _device_stub_run(sub / s, lang, s)
            )
    futures = {name: pool.submit(job) for name, job in jobs.items() if name in selected}
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)
    shutil.rmtree(folder, ignore_errors=True)


def _result(background: dict[str, Future[Run]], request: pytest.FixtureRequest) -> Run:
    """The background run of the calling test."""
    language = request.node.callspec.params["language"]
    _runner(language)  # skips (or fails on CI) when the language's runtime is missing
    return background[request.node.name].result(timeout=60)


def _device_run(provider: OIDCProvider, folder: Path, language: str) -> Run:
    params = provider_params(provider, "device-client", interval=1)
    _, command = write_sample(folder, "device_code", language, params)

    def approve(line: str) -> None:
        match = re.match(r"or open (\S+)", line)
        if match:
            provider.approve_device(match.group(1))

    env = sample_env(provider, OAUTH_REFRESH_TOKEN_FILE=folder / "refresh_token")
    return run(command, env, react=approve)


def _ciba_run(
    provider: OIDCProvider, folder: Path, language: str, hint: str, client_auth: str
) -> Run:
    client_id = client_for("ciba-client", client_auth)
    params = provider_params(
        provider, client_id, client_auth=client_auth, interval=1, scopes=("openid", "profile")
    )
    _, command = write_sample(folder, "ciba", language, params)
    if client_auth == "private_key_jwt" and language == "curl":
        # Several requests (backchannel request, polls): one fresh assertion each.
        credentials = {
            "OAUTH_CLIENT_ASSERTION_COMMAND": assertion_command(provider, folder, client_id)
        }
    else:
        credentials = auth_env(provider, language, client_auth, client_id)
    return run(command, sample_env(provider, OAUTH_LOGIN_HINT=hint, **credentials))


@dataclass
class DeviceStubRun:
    run: Run
    polls: list[float]
    started: float


def _device_stub_run(folder: Path, language: str, scenario: str) -> Run:
    def respond(path: str, headers: Mapping[str, str], form: dict[str, str], peer: Any) -> Any:
        if path == "/device":
            expires = 2 if scenario == "expired" else 60
            return 200, {
                "device_code": "dc-1",
                "user_code": "ABCD-EFGH",
                "expires_in": expires,
                "verification_uri": "http://127.0.0.1/device",
            }  # no interval: use ours
        polls = sum(1 for r in stub.requests if r[1] == "/token")
        if scenario == "slow_down" and polls == 1:
            return 400, {"error": "slow_down"}
        if scenario == "slow_down":
            return 400, {"error": "access_denied", "error_description": "the user said no"}
        return 400, {"error": "authorization_pending"}

    stub = Stub(respond)
    try:
        params = SampleParams(
            issuer=stub.url,
            client_id="tv",
            device_authorization_endpoint=stub.url + "/device",
            token_endpoint=stub.url + "/token",
            interval=1,
        )
        _, command = write_sample(folder, "device_code", language, params)
        started = time.monotonic()
        result = run(command, {k: v for k, v in os.environ.items() if not k.startswith("OAUTH_")})
        polls = [r[0] - started for r in stub.requests if r[1] == "/token"]
        result.stdout += f"\n[polls at {', '.join(f'{t:.2f}' for t in polls)} s]"
        return result
    finally:
        stub.close()


# --- client credentials ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_client_credentials(
    oidc_provider: OIDCProvider, tmp_path: Path, language: str, method: str
) -> None:
    """cc-basic's secret contains %, +, : and a space: only RFC 6749 §2.3.1 encoding works.
    The server also rejects the wrong method (its strict client auth check is test code)."""
    client_id = "cc-basic" if method == "client_secret_basic" else "cc-post"
    params = provider_params(oidc_provider, client_id, client_auth=method)
    _, command = write_sample(tmp_path, "client_credentials", language, params)
    secret = oidc_provider.client(client_id).client_secret
    assert secret is not None
    run(command, sample_env(oidc_provider, OAUTH_CLIENT_SECRET=secret)).assert_token()
    wrong = run(command, sample_env(oidc_provider, OAUTH_CLIENT_SECRET=secret + "x"))
    wrong.assert_error("invalid_client", "client authentication failed")
    missing = run(command, sample_env(oidc_provider))
    missing.assert_error("OAUTH_CLIENT_SECRET")


@pytest.mark.parametrize("language", LANGUAGES)
def test_client_credentials_private_key_jwt(
    oidc_provider: OIDCProvider, tmp_path: Path, language: str
) -> None:
    """python signs with PyJWT, javascript with node:crypto; curl sends a pre-made assertion."""
    if language == "python":
        _require_pyjwt()
    params = provider_params(oidc_provider, "cc-pkjwt")
    _, command = write_sample(tmp_path, "client_credentials_private_key_jwt", language, params)
    key = oidc_provider.cc_pkjwt_key
    if language == "curl":
        assertion = client_assertion(oidc_provider, audience=oidc_provider.issuer)
        env = sample_env(oidc_provider, OAUTH_CLIENT_ASSERTION=assertion)
    else:
        env = sample_env(
            oidc_provider, OAUTH_PRIVATE_KEY_FILE=key.private_key_pem, OAUTH_PRIVATE_KEY_ID=key.kid
        )
    run(command, env).assert_token()
    if language != "curl":
        # A second run signs a new assertion (a reused jti would be rejected).
        run(command, env).assert_token()


@pytest.mark.parametrize("language", LANGUAGES)
def test_client_credentials_federated(
    oidc_provider: OIDCProvider, tmp_path: Path, language: str
) -> None:
    """The "platform token" is a JWT the test signs with cc-pkjwt's key, as a workload
    identity platform would sign one the server trusts; the sample only reads the file."""
    token_file = tmp_path / "token"
    token_file.write_text(client_assertion(oidc_provider, audience=oidc_provider.issuer) + "\n")
    params = provider_params(oidc_provider, "cc-pkjwt")
    _, command = write_sample(tmp_path, "client_credentials_federated", language, params)
    env = sample_env(oidc_provider, OAUTH_FEDERATED_TOKEN_FILE=token_file)
    run(command, env).assert_token()


def test_client_credentials_mtls(tmp_path: Path) -> None:
    """Against a scripted TLS token endpoint that requires a client certificate (the test
    provider has no TLS): each sample must present the certificate and name the client."""
    pki = make_pki(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=pki["ca"])
    context.load_cert_chain(pki["server_cert"], pki["server_key"])
    context.verify_mode = ssl.CERT_REQUIRED

    def respond(path: str, headers: Mapping[str, str], form: dict[str, str], peer: Any) -> Any:
        subject = dict(x[0] for x in (peer or {}).get("subject", ()))
        if subject.get("commonName") != "mtls-client" or form.get("client_id") != "mtls-client":
            return 401, {"error": "invalid_client", "error_description": f"cert {subject}"}
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        return 200, _token()

    stub = Stub(respond, tls=context)
    try:
        params = SampleParams(issuer=stub.url, client_id="mtls-client", token_endpoint=stub.url)
        trust = {
            "REQUESTS_CA_BUNDLE": pki["ca"],
            "CURL_CA_BUNDLE": pki["ca"],
            "NODE_EXTRA_CA_CERTS": pki["ca"],
        }
        base = {k: v for k, v in os.environ.items() if not k.startswith("OAUTH_")}
        env = {
            **base,
            **trust,
            "OAUTH_CLIENT_CERT_FILE": pki["client_cert"],
            "OAUTH_CLIENT_KEY_FILE": pki["client_key"],
        }
        for language in LANGUAGES:
            _, command = write_sample(
                tmp_path / language, "client_credentials_mtls", language, params
            )
            run(command, env).assert_token()
        assert len(stub.requests) == 3
    finally:
        stub.close()


def _authorize_by_paste(
    tamper: str | None = None,
) -> Callable[[str], str | None]:
    """Plays the user of the curl samples: opens the printed URL, pastes the redirect."""
    state: dict[str, str] = {}

    def react(line: str) -> str | None:
        if line.startswith("http"):
            state["url"] = line.strip()
        if line.startswith("Then paste"):
            result = fake_browser.drive(state["url"])
            assert isinstance(result, fake_browser.Redirect), result
            if tamper:
                result = fake_browser.tamper(result, tamper)
            return result.url
        return None

    return react


@pytest.mark.parametrize("client_auth", ["none", "private_key_jwt"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_sign_in_then_refresh_with_rotation(
    oidc_provider: OIDCProvider, tmp_path: Path, language: str, client_auth: str
) -> None:
    """Sign in with PKCE on a loopback redirect (python and javascript listen on 127.0.0.1
    on a free port and open $BROWSER, the fake browser; curl reads the pasted redirect URL),
    save the refresh token, refresh: the stored token must change (rotation). Reusing the old
    one must then fail; that revokes the whole grant, so it comes last.
    With private_key_jwt the confidential web-app-pkjwt signs in with the curl web sample
    (the one that reads the pasted redirect and saves the refresh token), then refreshes."""
    refresh_file = tmp_path / "refresh_token"
    public = client_auth == "none"
    client_id = "native-app" if public else "web-app-pkjwt"
    signin_template = "authorization_code_loopback" if public else "authorization_code_web"
    signin_language = language if public else "curl"
    redirect_uri = None if public else oidc_provider.loopback_redirect_uri()
    params = provider_params(
        oidc_provider, client_id, client_auth=client_auth, redirect_uri=redirect_uri
    )

    def env(lang: str, refresh_token_file: Path = refresh_file) -> dict[str, str]:
        credentials = auth_env(oidc_provider, lang, client_auth, client_id)
        return sample_env(oidc_provider, OAUTH_REFRESH_TOKEN_FILE=refresh_token_file, **credentials)

    _, command = write_sample(tmp_path / "signin", signin_template, signin_language, params)
    react = _authorize_by_paste() if signin_language == "curl" else None
    signin = run(command, env(signin_language), react=react)
    signin.assert_token()
    assert "refresh_token: " in signin.stdout, str(signin)
    first = refresh_file.read_text()
    assert refresh_file.stat().st_mode & 0o777 == 0o600

    _, refresh = write_sample(tmp_path / "refresh", "refresh_token", language, params)
    rotated = run(refresh, env(language))
    rotated.assert_token()
    second = refresh_file.read_text()
    assert second and second != first, "the rotated refresh token was not stored"
    assert refresh_file.stat().st_mode & 0o777 == 0o600

    stale = tmp_path / "stale_refresh_token"
    stale.write_text(first)
    reuse = run(refresh, env(language, stale))
    reuse.assert_error("invalid_grant")
    assert stale.read_text() == first


@pytest.mark.parametrize(
    ("language", "tamper"),
    # The curl sample only sees the URL the user pastes: a denial is just another error there.
    [
        (lang, t)
        for lang in LANGUAGES
        for t in ("state", "iss", "deny")
        if (lang, t) != ("curl", "deny")
    ],
)
def test_loopback_rejects_forged_or_denied_callbacks(
    oidc_provider: OIDCProvider, tmp_path: Path, language: str, tamper: str
) -> None:
    """A callback with another state or another iss (RFC 9207) is refused before any token
    request; a user who declines gets access_denied."""
    params = provider_params(oidc_provider, "native-app")
    _, command = write_sample(tmp_path, "authorization_code_loopback", language, params)
    if language == "curl":
        result = run(command, sample_env(oidc_provider), react=_authorize_by_paste(tamper))
    elif tamper == "deny":
        result = run(command, sample_env(oidc_provider, FAKE_BROWSER_ACTION="deny"))
    else:
        result = run(command, sample_env(oidc_provider, FAKE_BROWSER_TAMPER=tamper))
    expected = {"state": "state", "iss": "issuer", "deny": "access_denied"}[tamper]
    result.assert_error(expected)


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_loopback_with_a_browser_that_waits(
    oidc_provider: OIDCProvider, tmp_path: Path, language: str
) -> None:
    """With FAKE_BROWSER_WAIT=1 the browser delivers the callback itself and exits only after
    the sample has answered it, as w3m or a wrapper script does: webbrowser.open waits for
    it, so the sample must already be answering callbacks."""
    log = tmp_path / "browser.jsonl"
    params = provider_params(oidc_provider, "native-app")
    _, command = write_sample(tmp_path, "authorization_code_loopback", language, params)
    env = sample_env(oidc_provider, FAKE_BROWSER_WAIT="1", FAKE_BROWSER_LOG=log)
    run(command, env).assert_token()
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert events[-1]["event"] == "delivered" and events[-1]["status"] == 200, events


@pytest.mark.parametrize("client_auth", CONFIDENTIAL)
@pytest.mark.parametrize("language", LANGUAGES)
def test_web_app(
    oidc_provider: OIDCProvider, tmp_path: Path, language: str, client_auth: str
) -> None:
    """python and javascript are web servers: the test is the browser (GET /login, sign in
    on the provider's pages, follow the redirect back with the session cookie, GET /).
    The curl version is driven like the loopback one, with the client's credentials."""
    client_id = client_for("web-app", client_auth)
    port = free_port()
    params = provider_params(
        oidc_provider,
        client_id,
        client_auth=client_auth,
        redirect_uri=f"http://127.0.0.1:{port}/callback",
    )
    _, command = write_sample(tmp_path, "authorization_code_web", language, params)
    env = sample_env(oidc_provider, **auth_env(oidc_provider, language, client_auth, client_id))
    if language == "curl":
        run(command, env, react=_authorize_by_paste()).assert_token()
        return

    outcome: dict[str, Any] = {}

    def browse(line: str) -> None:
        if not line.startswith("Listening on "):
            return
        try:
            with http_client() as browser:
                login = browser.get(f"http://127.0.0.1:{port}/login")
                assert login.status_code == 302, login.text
                assert "HttpOnly" in login.headers["set-cookie"]
                callback = drive_authorization(login.headers["location"])
                back = browser.get(callback)
                assert back.status_code == 302, back.text
                outcome["home"] = browser.get(f"http://127.0.0.1:{port}/").text
                # A replayed callback finds no sign-in pending in the session.
                outcome["replay"] = browser.get(callback)
        finally:
            proc_stop.set()

    proc_stop = threading.Event()
    result = run_server(command, env, browse, proc_stop)
    assert "Signed in." in outcome.get("home", ""), f"{outcome}\n{result}"
    assert outcome["replay"].status_code == 400
    assert "signed in" in result.stdout and "access_token: " in result.stdout, str(result)
    assert "error: the state in the response does not match" in result.stderr


@pytest.fixture(scope="module")
def fapi_provider(oidc_provider: OIDCProvider) -> Iterator[dict[str, str]]:
    """A second oidc-provider with a FAPI-style client (see fapi_server.mjs), whose public
    key is cc-pkjwt's (so the samples sign with the harness's key file)."""
    node = shutil.which("node")
    assert node is not None
    env = {
        **os.environ,
        "OIDC_FAPI_CLIENT_KEY": str(oidc_provider.cc_pkjwt_key.public_key_pem),
        "NODE_NO_WARNINGS": "1",
    }
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [node, str(Path(__file__).with_name("fapi_server.mjs"))],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        ready: queue.Queue[str] = queue.Queue()
        threading.Thread(
            target=lambda: ready.put(proc.stdout.readline() if proc.stdout else ""), daemon=True
        ).start()
        try:
            line = ready.get(timeout=20)
            info = json.loads(line)
            with http_client() as client:
                metadata = client.get(info["issuer"] + "/.well-known/openid-configuration").json()
            yield {**info, **{k: v for k, v in metadata.items() if isinstance(v, str)}}
        except (queue.Empty, ValueError):
            log.seek(0)
            pytest.fail(f"the FAPI test server did not start:\n{log.read()}")
        finally:
            proc.terminate()
            proc.wait(timeout=5)


@pytest.mark.parametrize("wait", ["", "1"])
@pytest.mark.parametrize("language", ["python", "javascript"])
def test_fapi(
    oidc_provider: OIDCProvider,
    fapi_provider: dict[str, str],
    tmp_path: Path,
    language: str,
    wait: str,
) -> None:
    """PAR (required by the server), PKCE, private_key_jwt with PS256, a DPoP-bound token
    (token_type DPoP, code bound with dpop_jkt), iss required on the callback; also with a
    browser that waits (FAKE_BROWSER_WAIT=1, see test_loopback_with_a_browser_that_waits)."""
    if language == "python":
        _require_pyjwt()
    params = SampleParams(
        issuer=fapi_provider["issuer"],
        client_id=fapi_provider["client_id"],
        redirect_uri=fapi_provider["redirect_uri"],
        **{name: fapi_provider[name] for name in ENDPOINTS if name in fapi_provider},
    )
    _, command = write_sample(tmp_path, "authorization_code_fapi", language, params)
    key = oidc_provider.cc_pkjwt_key.private_key_pem
    env = sample_env(oidc_provider, OAUTH_PRIVATE_KEY_FILE=key, FAKE_BROWSER_WAIT=wait)
    result = run(command, env)
    result.assert_token()
    assert "token_type: DPoP" in result.stdout, str(result)
    assert "request_uri=" in url_in(result.stdout)
    tampered = run(
        command,
        sample_env(
            oidc_provider,
            OAUTH_PRIVATE_KEY_FILE=key,
            FAKE_BROWSER_TAMPER="drop-iss",
            FAKE_BROWSER_WAIT=wait,
        ),
    )
    tampered.assert_error("issuer")


@pytest.mark.parametrize("tamper", [None, "state"])
def test_browser_spa_module(
    oidc_provider: OIDCProvider, tmp_path: Path, tamper: str | None
) -> None:
    """The browser ES module cannot run in Node as is; here it runs with window.location,
    history and sessionStorage stubbed, and Node's own fetch and crypto.subtle. This checks
    its PKCE, state and token request against the real provider, not CORS or a real browser."""
    redirect = oidc_provider.loopback_redirect_uri()
    params = provider_params(oidc_provider, "native-app", redirect_uri=redirect)
    path, command = write_sample(tmp_path, "authorization_code_browser", "javascript", params)
    driver = tmp_path / "driver.mjs"
    driver.write_text(BROWSER_DRIVER, encoding="utf-8")

    def react(line: str) -> str | None:
        if not line.startswith("Open "):
            return None
        result = fake_browser.drive(line[5:].strip())
        assert isinstance(result, fake_browser.Redirect), result
        return (fake_browser.tamper(result, tamper) if tamper else result).url

    result = run([command[0], str(driver), str(path)], sample_env(oidc_provider), react=react)
    if tamper:
        result.assert_error("state")
    else:
        result.assert_token()


# --- device code and CIBA (run in the background, see the fixture) -----------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_device_code(
    background: dict[str, Future[Run]], request: pytest.FixtureRequest, language: str
) -> None:
    """Polls at the override interval (1 s; the provider sends none) while the test approves
    the code on the provider's pages; saves the refresh token it gets."""
    _result(background, request).assert_token()


@pytest.mark.parametrize("language", LANGUAGES)
def test_device_code_slow_down_then_denied(
    background: dict[str, Future[Run]], request: pytest.FixtureRequest, language: str
) -> None:
    """Scripted token endpoint (the provider never sends slow_down): the first poll gets
    slow_down, so the next must wait interval + 5 s (RFC 8628 §3.5); then access_denied."""
    result = _result(background, request)
    result.assert_error("access_denied")
    polls = [float(t) for t in re.findall(r"[\d.]+", result.stdout.rsplit("[polls at", 1)[1])]
    assert len(polls) == 2, str(result)
    assert polls[0] >= 0.9, "waited the interval before the first poll"
    assert polls[1] - polls[0] >= 5.9, "added 5 seconds after slow_down"


@pytest.mark.parametrize("language", LANGUAGES)
def test_device_code_expires(
    background: dict[str, Future[Run]], request: pytest.FixtureRequest, language: str
) -> None:
    """Scripted token endpoint that never decides: the sample stops at expires_in (2 s)."""
    result = _result(background, request)
    result.assert_error("expired_token")


@pytest.mark.parametrize("client_auth", CONFIDENTIAL)
@pytest.mark.parametrize("language", LANGUAGES)
def test_ciba(
    background: dict[str, Future[Run]],
    request: pytest.FixtureRequest,
    language: str,
    client_auth: str,
) -> None:
    """Poll mode; the test server approves login_hint alice after 1 s. With private_key_jwt
    the curl sample runs a signing command for each request (OAUTH_CLIENT_ASSERTION_COMMAND)."""
    _result(background, request).assert_token()


@pytest.mark.parametrize("language", LANGUAGES)
def test_ciba_denied(
    background: dict[str, Future[Run]], request: pytest.FixtureRequest, language: str
) -> None:
    """The test server denies login_hint bob-denies: the sample reports access_denied."""
    _result(background, request).assert_error("access_denied")


# --- token exchange and assertion grants ---------------------------------------------------------


def _access_token(provider: OIDCProvider) -> str:
    with http_client() as client:
        response = client.post(
            provider.token_endpoint,
            data={"grant_type": "client_credentials"},
            headers={"Authorization": provider.basic_auth("cc-basic")},
        )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def _token_exchange(
    provider: OIDCProvider, folder: Path, language: str, client_auth: str
) -> tuple[list[str], Callable[..., dict[str, str]]]:
    """The token exchange sample and ``env(subject_token, **auth_env options)``."""
    client_id = client_for("exchange-client", client_auth)
    params = provider_params(
        provider,
        client_id,
        client_auth=client_auth,
        audience=provider.other_api_resource,
        scopes=("other:read",),
    )
    _, command = write_sample(folder, "token_exchange", language, params)

    def env(subject_token: str, **options: Any) -> dict[str, str]:
        credentials = auth_env(provider, language, client_auth, client_id, **options)
        return sample_env(provider, OAUTH_SUBJECT_TOKEN=subject_token, **credentials)

    return command, env


@pytest.mark.parametrize("client_auth", CONFIDENTIAL)
@pytest.mark.parametrize("language", LANGUAGES)
def test_token_exchange(
    oidc_provider: OIDCProvider, tmp_path: Path, language: str, client_auth: str
) -> None:
    """The provider's token exchange grant is TEST CODE (server.mjs): this exercises the
    sample's request (subject token, types, audience, scope, client auth), not a provider."""
    command, env = _token_exchange(oidc_provider, tmp_path, language, client_auth)
    result = run(command, env(_access_token(oidc_provider)))
    result.assert_token()
    assert "issued_token_type: urn:ietf:params:oauth:token-type:access_token" in result.stdout
    assert "scope: other:read" in result.stdout
    bad = run(command, env("not-a-token"))
    bad.assert_error("invalid_grant")


def test_private_key_jwt_signed_with_another_key_fails(
    oidc_provider: OIDCProvider, tmp_path: Path
) -> None:
    """The provider really verifies the client assertion: one signed with a key that is not
    the client's (jwt-bearer's, under the registered key's kid) gets invalid_client."""
    command, env = _token_exchange(oidc_provider, tmp_path, "javascript", "private_key_jwt")
    subject = _access_token(oidc_provider)
    result = run(command, env(subject, key=oidc_provider.jwt_bearer_key))
    result.assert_error("invalid_client")
    run(command, env(subject)).assert_token()


@pytest.mark.parametrize("client_auth", CONFIDENTIAL)
@pytest.mark.parametrize("language", LANGUAGES)
def test_jwt_bearer(
    oidc_provider: OIDCProvider, tmp_path: Path, language: str, client_auth: str
) -> None:
    """The provider's JWT bearer grant is TEST CODE (server.mjs): this exercises the
    sample's request (grant type, assertion, client auth), not a provider."""
    client_id = client_for("jwt-bearer-client", client_auth)
    params = provider_params(
        oidc_provider, client_id, client_auth=client_auth, scopes=("api:read",)
    )
    _, command = write_sample(tmp_path, "jwt_bearer", language, params)
    assertion = jwt_bearer_assertion(oidc_provider, "alice", audience=oidc_provider.issuer)

    def env() -> dict[str, str]:
        credentials = auth_env(oidc_provider, language, client_auth, client_id)
        return sample_env(oidc_provider, OAUTH_ASSERTION=assertion, **credentials)

    run(command, env()).assert_token()
    run(command, env()).assert_error("invalid_grant", "already used")  # same jti again


def _b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _client_assertion_error(
    form: Mapping[str, str], client_id: str, key: KeyInfo, audience: str, seen: set[str]
) -> str | None:
    """What is wrong with a private_key_jwt client authentication (RFC 7523 §2.2, §3), for the
    scripted token endpoint: RS256 signature by ``key``, iss, sub, aud, exp, a new jti."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    if form.get("client_assertion_type") != CLIENT_ASSERTION_TYPE:
        return f"client_assertion_type {form.get('client_assertion_type')!r}"
    if form.get("client_id", client_id) != client_id:
        return f"client_id {form.get('client_id')!r}"
    parts = form.get("client_assertion", "").split(".")
    if len(parts) != 3:
        return "client_assertion is not a compact JWS"
    public_key = serialization.load_pem_public_key(key.public_key_pem.read_bytes())
    assert isinstance(public_key, rsa.RSAPublicKey)
    try:
        header = json.loads(_b64url_decode(parts[0]))
        public_key.verify(
            _b64url_decode(parts[2]),
            f"{parts[0]}.{parts[1]}".encode("ascii"),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (ValueError, InvalidSignature):
        return "bad client_assertion signature"
    claims = json.loads(_b64url_decode(parts[1]))
    if (
        header.get("alg") != "RS256"
        or claims.get("iss") != client_id
        or claims.get("sub") != client_id
    ):
        return f"alg, iss or sub: {header} {claims}"
    if claims.get("aud") not in (audience, [audience]) or claims.get("exp", 0) < time.time():
        return f"aud or exp: {claims}"
    if not claims.get("jti") or claims["jti"] in seen:
        return "client_assertion jti missing or reused"
    seen.add(claims["jti"])
    return None


@pytest.mark.parametrize("client_auth", CONFIDENTIAL)
def test_saml2_bearer(oidc_provider: OIDCProvider, tmp_path: Path, client_auth: str) -> None:
    """Against a scripted token endpoint (no test server does SAML): each sample must send
    grant_type saml2-bearer with the assertion base64url-encoded (raw XML is encoded for the
    user) and client_secret_basic encoded per RFC 6749 §2.3.1, or a private_key_jwt client
    assertion that the endpoint verifies with cc-pkjwt's public key (a wrong key fails)."""
    xml = (
        '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_1">'
        "ü</saml:Assertion>"
    )
    encoded = base64.urlsafe_b64encode(xml.encode()).decode().rstrip("=")
    secret = "s%m+l: secret/="
    jtis: set[str] = set()

    def respond(path: str, headers: Mapping[str, str], form: dict[str, str], peer: Any) -> Any:
        if client_auth == "private_key_jwt":
            key = oidc_provider.cc_pkjwt_key
            error = _client_assertion_error(form, "saml-client", key, stub.url, jtis)
            if error or "authorization" in headers:
                return 401, {"error": "invalid_client", "error_description": error}
        elif _basic(headers) != ("saml-client", secret):
            return 401, {"error": "invalid_client", "error_description": str(_basic(headers))}
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:saml2-bearer":
            return 400, {"error": "unsupported_grant_type"}
        if form.get("assertion") != encoded:
            return 400, {"error": "invalid_grant", "error_description": form.get("assertion")}
        return 200, _token(scope=form.get("scope", ""))

    stub = Stub(respond)
    try:
        params = SampleParams(
            issuer=stub.url,
            client_id="saml-client",
            token_endpoint=stub.url,
            scopes=("read",),
            client_auth=client_auth,
        )
        base = {k: v for k, v in os.environ.items() if not k.startswith("OAUTH_")}

        def credentials(language: str, *, wrong: bool = False) -> dict[str, str]:
            if client_auth != "private_key_jwt":
                return {"OAUTH_CLIENT_SECRET": "wrong" if wrong else secret}
            key = oidc_provider.jwt_bearer_key if wrong else None
            return auth_env(
                oidc_provider, language, client_auth, "saml-client", audience=stub.url, key=key
            )

        for language in LANGUAGES:
            _, command = write_sample(tmp_path / language, "saml2_bearer", language, params)
            for assertion in (xml, encoded):
                env = {**base, **credentials(language), "OAUTH_ASSERTION": assertion}
                run(command, env).assert_token()
            env = {**base, **credentials(language, wrong=True), "OAUTH_ASSERTION": encoded}
            run(command, env).assert_error("invalid_client")
    finally:
        stub.close()


def test_every_template_and_language_is_exercised() -> None:
    """Keeps this module honest: a new template or language needs a test here."""
    covered = (
        {("client_credentials", lang) for lang in LANGUAGES}
        | {
            (t, lang)
            for t in (
                "client_credentials_private_key_jwt",
                "client_credentials_federated",
                "client_credentials_mtls",
                "authorization_code_loopback",
                "refresh_token",
                "authorization_code_web",
                "device_code",
                "ciba",
                "token_exchange",
                "jwt_bearer",
                "saml2_bearer",
            )
            for lang in LANGUAGES
        }
        | {
            ("authorization_code_fapi", "python"),
            ("authorization_code_fapi", "javascript"),
            ("authorization_code_browser", "javascript"),
        }
    )
    shipped = {(t, lang) for t, info in TEMPLATES.items() for lang in info.languages}
    assert shipped == covered
    assert set(LANGUAGE_SPECS) == set(LANGUAGES)
