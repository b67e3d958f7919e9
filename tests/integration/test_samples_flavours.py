"""End to end: every library flavour of a sample, run as a user would run it, obtains a token.

The flavours are the samples built on a client library instead of the standard library:
Authlib (python) and openid-client (javascript), ``--library`` on the command line. Each test
renders a flavour, writes it to a temporary folder and runs it as a subprocess as its header
says (``python x_authlib.py``, ``node x_openid_client.mjs``; for openid-client the folder's
``node_modules`` links to tests/node_modules, as ``npm install openid-client`` there would
make it), with its environment variables set. Success means exit status 0 and the token
summary (``access_token: ...``) on stdout; a failure must be exit status 1 with one
``error: ...`` line on stderr and no traceback or stack trace.

Two servers, as for the dependency-free samples:

- oidc-provider (``oidc_provider``, tests/oidc/server.mjs): every flavour. Token exchange
  there is a grant the test server adds itself (TEST CODE: it checks the sample's request).
- django-oauth-toolkit (``dot_server``, tests/dot/server.py): the flavours of the grants it
  has: client credentials (basic, post), authorization code with PKCE (loopback, web app),
  refresh with rotation, the device grant. It has no CIBA, token exchange or
  private_key_jwt.

A scripted token endpoint checks what neither server can: the device grant's slow_down and
expiry.

Slow, polling flows (device code, CIBA) start in background threads when the module starts,
so their waiting overlaps with the other tests.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from advisor.core.vocabulary import LIBRARIES
from advisor.samples.catalog import TEMPLATES
from advisor.samples.params import SampleParams
from support import dot_browser, fake_browser
from support.dot import DOTServer, dot_credentials, dot_params
from support.oidc import OIDCProvider, client_assertion, drive_authorization, free_port, http_client
from support.samples import Run, run, run_server, write_sample

pytestmark = pytest.mark.integration

FLAVOURS = tuple((spec.language, spec.id) for spec in LIBRARIES.values())
"""(language, library) of every flavour."""
IDS = [library for _, library in FLAVOURS]
SECRET_METHODS = ("client_secret_basic", "client_secret_post")
ENDPOINTS = (
    "authorization_endpoint",
    "token_endpoint",
    "device_authorization_endpoint",
    "backchannel_authentication_endpoint",
    "pushed_authorization_request_endpoint",
)
PKJWT_TWIN = {
    "web-app": "web-app-pkjwt",
    "ciba-client": "ciba-pkjwt",
    "exchange-client": "exchange-pkjwt",
}
"""The test provider's private_key_jwt twin of each client_secret_basic client."""


def assert_one_error_line(result: Run, *words: str) -> None:
    """Exit 1, one ``error:`` line on stderr containing ``words``, no traceback."""
    assert result.returncode == 1, str(result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), str(result)
    for word in words:
        assert word in lines[0], str(result)


# --- oidc-provider helpers ---------------------------------------------------------------------


def oidc_params(provider: OIDCProvider, client_id: str, **values: Any) -> SampleParams:
    """Sample parameters with every endpoint the provider's discovery document lists."""
    endpoints = {name: getattr(provider, name) for name in ENDPOINTS}
    params = SampleParams(
        issuer=provider.issuer,
        client_id=client_id,
        discovered=frozenset(n for n, v in endpoints.items() if v),
        **endpoints,
    )
    return params.with_values(**values)


def oidc_env(provider: OIDCProvider, **values: str | Path) -> dict[str, str]:
    """The environment a user would have: theirs (without OAUTH_*), BROWSER, ``values``."""
    env = {k: v for k, v in provider.sample_env().items() if not k.startswith("OAUTH_")}
    env.update({k: str(v) for k, v in values.items()})
    return env


def client_for(client_id: str, client_auth: str) -> str:
    return PKJWT_TWIN[client_id] if client_auth == "private_key_jwt" else client_id


def oidc_credentials(
    provider: OIDCProvider, client_id: str, client_auth: str, *, wrong: bool = False
) -> dict[str, str]:
    """What a flavour needs to authenticate as ``client_id`` (both libraries sign
    private_key_jwt assertions themselves, from the key file); ``wrong``: a wrong secret, or
    a key that is not the client's."""
    if client_auth == "none":
        return {}
    if client_auth == "private_key_jwt":
        registered = provider.cc_pkjwt_key
        key = provider.jwt_bearer_key if wrong else registered
        return {
            "OAUTH_PRIVATE_KEY_FILE": str(key.private_key_pem),
            "OAUTH_PRIVATE_KEY_ID": registered.kid,
        }
    secret = provider.client(client_id).client_secret
    assert secret is not None
    return {"OAUTH_CLIENT_SECRET": secret + ("x" if wrong else "")}


# --- django-oauth-toolkit helpers --------------------------------------------------------------


# --- client credentials ------------------------------------------------------------------------


@pytest.mark.parametrize("client_auth", SECRET_METHODS)
@pytest.mark.parametrize(("language", "library"), FLAVOURS, ids=IDS)
def test_client_credentials_oidc(
    oidc_provider: OIDCProvider, tmp_path: Path, language: str, library: str, client_auth: str
) -> None:
    """cc-basic's secret holds %, +, : and a space: only RFC 6749 §2.3.1 encoding works
    (Authlib's own client_secret_basic skips it; the flavour registers one that does not).
    The server rejects the other method (its strict check is test code)."""
    client_id = "cc-basic" if client_auth == "client_secret_basic" else "cc-post"
    params = oidc_params(oidc_provider, client_id, client_auth=client_auth)
    _, command = write_sample(tmp_path, "client_credentials", language, params, library)
    good = oidc_credentials(oidc_provider, client_id, client_auth)
    run(command, oidc_env(oidc_provider, **good)).assert_token()
    wrong = oidc_credentials(oidc_provider, client_id, client_auth, wrong=True)
    assert_one_error_line(run(command, oidc_env(oidc_provider, **wrong)), "invalid_client")
    missing = run(command, oidc_env(oidc_provider))
    assert_one_error_line(missing, "OAUTH_CLIENT_SECRET")


@pytest.mark.parametrize(("language", "library"), FLAVOURS, ids=IDS)
def test_client_credentials_private_key_jwt_oidc(
    oidc_provider: OIDCProvider, tmp_path: Path, language: str, library: str
) -> None:
    """The library signs the client assertion with the key file; twice (a reused jti would
    be refused); a key that is not the client's is refused."""
    params = oidc_params(oidc_provider, "cc-pkjwt")
    template = "client_credentials_private_key_jwt"
    _, command = write_sample(tmp_path, template, language, params, library)
    env = oidc_env(oidc_provider, **oidc_credentials(oidc_provider, "cc-pkjwt", "private_key_jwt"))
    run(command, env).assert_token()
    run(command, env).assert_token()
    wrong = oidc_credentials(oidc_provider, "cc-pkjwt", "private_key_jwt", wrong=True)
    assert_one_error_line(run(command, oidc_env(oidc_provider, **wrong)), "invalid_client")


@pytest.mark.parametrize("client_auth", SECRET_METHODS)
@pytest.mark.parametrize(("language", "library"), FLAVOURS, ids=IDS)
def test_client_credentials_dot(
    dot_server: DOTServer, tmp_path: Path, language: str, library: str, client_auth: str
) -> None:
    """The secret has %, +, :, / and a space; a wrong one fails cleanly."""
    params = dot_params(dot_server, "client_credentials", "service", client_auth=client_auth)
    _, command = write_sample(tmp_path, "client_credentials", language, params, library)
    good = dot_credentials(dot_server, "service", client_auth)
    result = run(command, dot_server.sample_env(**good))
    result.assert_token()
    assert "scope: read" in result.stdout, str(result)
    wrong = {"OAUTH_CLIENT_SECRET": good["OAUTH_CLIENT_SECRET"] + "x"}
    assert_one_error_line(run(command, dot_server.sample_env(**wrong)), "invalid_client")


@pytest.mark.parametrize(("language", "library"), FLAVOURS, ids=IDS)
def test_token_endpoint_redirect_is_reported_not_followed(
    dot_server: DOTServer, tmp_path: Path, language: str, library: str
) -> None:
    """Django answers POST /o/token with a 301 to /o/token/: the flavour must not follow it
    (the POST would become a GET) and must say where the endpoint is."""
    token_endpoint = dot_server.token_endpoint.rstrip("/")
    params = dot_params(dot_server, "client_credentials", "service", token_endpoint=token_endpoint)
    _, command = write_sample(tmp_path, "client_credentials", language, params, library)
    env = dot_server.sample_env(**dot_credentials(dot_server, "service", "client_secret_basic"))
    expected = f"HTTP 301 from the token endpoint, Location: {dot_server.token_endpoint}"
    assert_one_error_line(run(command, env), expected)


# --- authorization code on a loopback redirect, then refresh --------------------------------------


def _refresh_twice(
    folder: Path,
    language: str,
    library: str,
    params: SampleParams,
    env: dict[str, str],
    refresh_file: Path,
) -> None:
    """The refresh_token flavour with the saved refresh token: the stored one must change
    (rotation); the old one must then be refused cleanly (with reuse detection that revokes
    the grant, so it comes last)."""
    first = refresh_file.read_text()
    assert first and refresh_file.stat().st_mode & 0o777 == 0o600
    _, refresh = write_sample(folder / "refresh", "refresh_token", language, params, library)
    rotated = run(refresh, env)
    rotated.assert_token()
    second = refresh_file.read_text()
    assert second and second != first, "the rotated refresh token was not stored"
    assert refresh_file.stat().st_mode & 0o777 == 0o600
    stale = folder / "stale_refresh_token"
    stale.write_text(first)
    reuse = run(refresh, {**env, "OAUTH_REFRESH_TOKEN_FILE": str(stale)})
    assert_one_error_line(reuse, "invalid_grant")
    assert stale.read_text() == first


@pytest.mark.parametrize(("language", "library"), FLAVOURS, ids=IDS)
def test_loopback_then_refresh_oidc(
    oidc_provider: OIDCProvider, tmp_path: Path, language: str, library: str
) -> None:
    """PKCE on a loopback redirect on a free port, the fake browser opened through $BROWSER;
    the refresh token saved, then rotated by the refresh_token flavour (public client)."""
    refresh_file = tmp_path / "refresh_token"
    params = oidc_params(oidc_provider, "native-app")
    template = "authorization_code_loopback"
    _, command = write_sample(tmp_path / "signin", template, language, params, library)
    env = oidc_env(oidc_provider, OAUTH_REFRESH_TOKEN_FILE=refresh_file)
    signin = run(command, env)
    signin.assert_token()
    assert "refresh_token: " in signin.stdout, str(signin)
    refresh_params = params.with_values(client_auth="none")
    _refresh_twice(tmp_path, language, library, refresh_params, env, refresh_file)


@pytest.mark.parametrize("tamper", ["state", "iss", "deny"])
@pytest.mark.parametrize(("language", "library"), FLAVOURS, ids=IDS)
def test_loopback_rejects_forged_or_denied_callbacks_oidc(
    oidc_provider: OIDCProvider, tmp_path: Path, language: str, library: str, tamper: str
) -> None:
    """Another state or another iss (RFC 9207) is refused before any token request; a user
    who declines gets access_denied."""
    params = oidc_params(oidc_provider, "native-app")
    template = "authorization_code_loopback"
    _, command = write_sample(tmp_path, template, language, params, library)
    if tamper == "deny":
        env = oidc_env(oidc_provider, FAKE_BROWSER_ACTION="deny")
    else:
        env = oidc_env(oidc_provider, FAKE_BROWSER_TAMPER=tamper)
    expected = {"state": "state", "iss": "issuer", "deny": "access_denied"}[tamper]
    assert_one_error_line(run(command, env), expected)


@pytest.mark.parametrize(("language", "library"), FLAVOURS, ids=IDS)
def test_loopback_with_a_browser_that_waits_oidc(
    oidc_provider: OIDCProvider, tmp_path: Path, language: str, library: str
) -> None:
    """The browser delivers the callback itself and exits only after the sample answered it
    (w3m, a wrapper script): the sample must already be serving when it opens the browser."""
    log = tmp_path / "browser.jsonl"
    params = oidc_params(oidc_provider, "native-app")
    template = "authorization_code_loopback"
    _, command = write_sample(tmp_path, template, language, params, library)
    env = oidc_env(oidc_provider, FAKE_BROWSER_WAIT="1", FAKE_BROWSER_LOG=log)
    run(command, env).assert_token()
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert events[-1]["event"] == "delivered" and events[-1]["status"] == 200, events


@pytest.mark.parametrize(("language", "library"), FLAVOURS, ids=IDS)
def test_loopback_then_refresh_dot(
    dot_server: DOTServer, tmp_path: Path, language: str, library: str
) -> None:
    """A public native client on django-oauth-toolkit (sign-in and consent on its pages),
    then the refresh_token flavour rotates the saved refresh token."""
    refresh_file = tmp_path / "refresh_token"
    params = dot_params(dot_server, "authorization_code_loopback", "native-app")
    template = "authorization_code_loopback"
    _, command = write_sample(tmp_path / "signin", template, language, params, library)
    env = dot_server.sample_env(OAUTH_REFRESH_TOKEN_FILE=refresh_file)
    signin = run(command, env)
    signin.assert_token()
    assert "refresh_token: " in signin.stdout and "id_token: " in signin.stdout, str(signin)
    refresh_params = dot_params(dot_server, "refresh_token", "native-app", client_auth="none")
    _refresh_twice(tmp_path, language, library, refresh_params, env, refresh_file)


@pytest.mark.parametrize(("language", "library"), FLAVOURS, ids=IDS)
def test_denied_sign_in_fails_cleanly_dot(
    dot_server: DOTServer, tmp_path: Path, language: str, library: str
) -> None:
    """The user signs in and presses Cancel on the toolkit's consent page."""
    params = dot_params(dot_server, "authorization_code_loopback", "native-app")
    template = "authorization_code_loopback"
    _, command = write_sample(tmp_path, template, language, params, library)
    result = run(command, dot_server.sample_env(FAKE_BROWSER_ACTION="deny"))
    assert_one_error_line(result, "access_denied")


# --- the confidential web app ------------------------------------------------------------------


def _browse_web_app(
    port: int, drive: Callable[[str], str], outcome: dict[str, Any], stop: threading.Event
) -> Callable[[str], None]:
    """Plays the browser of a web-app flavour once it listens: GET /login, sign in on the
    server's pages (``drive`` returns the callback URL), back to the app with the session
    cookie, GET /; then replays the callback, which must find no sign-in pending."""

    def browse(line: str) -> None:
        if not line.startswith("Listening on "):
            return
        try:
            with http_client() as browser:
                login = browser.get(f"http://127.0.0.1:{port}/login")
                assert login.status_code == 302, login.text
                assert "HttpOnly" in login.headers["set-cookie"]
                callback = drive(login.headers["location"])
                back = browser.get(callback)
                assert back.status_code == 302, back.text
                outcome["home"] = browser.get(f"http://127.0.0.1:{port}/").text
                outcome["replay"] = browser.get(callback)
        finally:
            stop.set()

    return browse


def _dot_drive(url: str) -> str:
    result = dot_browser.drive(url)
    assert isinstance(result, fake_browser.Redirect), result
    return result.url


@pytest.mark.parametrize("client_auth", ["client_secret_basic", "private_key_jwt"])
@pytest.mark.parametrize(("language", "library"), FLAVOURS, ids=IDS)
def test_web_app_oidc(
    oidc_provider: OIDCProvider, tmp_path: Path, language: str, library: str, client_auth: str
) -> None:
    """The flavour is a web server; the test is the browser. A replayed callback is refused
    (400) and reported on stderr."""
    client_id = client_for("web-app", client_auth)
    port = free_port()
    params = oidc_params(
        oidc_provider,
        client_id,
        client_auth=client_auth,
        redirect_uri=f"http://127.0.0.1:{port}/callback",
    )
    _, command = write_sample(tmp_path, "authorization_code_web", language, params, library)
    env = oidc_env(oidc_provider, **oidc_credentials(oidc_provider, client_id, client_auth))
    outcome: dict[str, Any] = {}
    stop = threading.Event()
    result = run_server(
        command, env, _browse_web_app(port, drive_authorization, outcome, stop), stop
    )
    assert "Signed in." in outcome.get("home", ""), f"{outcome}\n{result}"
    assert outcome["replay"].status_code == 400
    assert "signed in" in result.stdout and "access_token: " in result.stdout, str(result)
    assert "error: the state in the response does not match" in result.stderr, str(result)


@pytest.mark.parametrize("client_auth", SECRET_METHODS)
@pytest.mark.parametrize(("language", "library"), FLAVOURS, ids=IDS)
def test_web_app_dot(
    dot_server: DOTServer, tmp_path: Path, language: str, library: str, client_auth: str
) -> None:
    """The confidential web app on django-oauth-toolkit (sign-in and consent on its pages)."""
    port = free_port()
    params = dot_params(
        dot_server,
        "authorization_code_web",
        "web-app",
        client_auth=client_auth,
        redirect_uri=f"http://127.0.0.1:{port}/callback",
    )
    _, command = write_sample(tmp_path, "authorization_code_web", language, params, library)
    env = dot_server.sample_env(**dot_credentials(dot_server, "web-app", client_auth))
    outcome: dict[str, Any] = {}
    stop = threading.Event()
    result = run_server(command, env, _browse_web_app(port, _dot_drive, outcome, stop), stop)
    assert "Signed in." in outcome.get("home", ""), f"{outcome}\n{result}"
    assert "signed in" in result.stdout and "access_token: " in result.stdout, str(result)


# --- device code and CIBA ----------------------------------------------------------------------


def _approve_with(approve: Callable[[str], None]) -> Callable[[str], None]:
    def react(line: str) -> None:
        match = re.match(r"or open (\S+)", line)
        if match:
            approve(match.group(1))

    return react


@pytest.mark.parametrize(("language", "library"), FLAVOURS, ids=IDS)
def test_device_code_oidc(
    oidc_provider: OIDCProvider, tmp_path: Path, language: str, library: str
) -> None:
    """Polls at the override interval (1 s; the provider sends none) while the test approves
    the code on the provider's pages; saves the refresh token it gets."""
    params = oidc_params(oidc_provider, "device-client", interval=1)
    _, command = write_sample(tmp_path, "device_code", language, params, library)
    refresh_file = tmp_path / "refresh_token"
    env = oidc_env(oidc_provider, OAUTH_REFRESH_TOKEN_FILE=refresh_file)
    run(command, env, react=_approve_with(oidc_provider.approve_device)).assert_token()
    assert refresh_file.read_text(), "the device flow's refresh token was not saved"


@pytest.mark.parametrize("client_auth", ["none", *SECRET_METHODS])
@pytest.mark.parametrize(("language", "library"), FLAVOURS, ids=IDS)
def test_device_code_dot(
    dot_server: DOTServer, tmp_path: Path, language: str, library: str, client_auth: str
) -> None:
    """Approved on the toolkit's pages; oauthlib wants client_id in the device authorization
    request even with client_secret_basic and the bare form media type (no ;charset)."""
    client_id = "tv" if client_auth == "none" else "tv-confidential"
    params = dot_params(dot_server, "device_code", client_id, client_auth=client_auth)
    _, command = write_sample(tmp_path, "device_code", language, params, library)
    refresh_file = tmp_path / "refresh_token"
    env = dot_server.sample_env(
        OAUTH_REFRESH_TOKEN_FILE=refresh_file, **dot_credentials(dot_server, client_id, client_auth)
    )
    run(command, env, react=_approve_with(dot_server.approve_device)).assert_token()
    assert refresh_file.read_text(), "the device flow's refresh token was not saved"


@pytest.mark.parametrize(("language", "library"), FLAVOURS, ids=IDS)
def test_device_code_denied_dot(
    dot_server: DOTServer, tmp_path: Path, language: str, library: str
) -> None:
    params = dot_params(dot_server, "device_code", "tv", client_auth="none")
    _, command = write_sample(tmp_path, "device_code", language, params, library)

    def deny(uri: str) -> None:
        dot_server.approve_device(uri, deny=True)

    result = run(command, dot_server.sample_env(), react=_approve_with(deny))
    assert_one_error_line(result, "access_denied")


class _ScriptedDeviceServer:
    """A device authorization endpoint and a token endpoint on loopback that answer with a
    script (neither test server sends slow_down or lets a code expire in seconds), and record
    when each poll came."""

    def __init__(self, scenario: str) -> None:
        self.scenario = scenario
        self.polls: list[float] = []
        self.started = time.monotonic()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, body = stub.respond(self.path)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def respond(self, path: str) -> tuple[int, dict[str, Any]]:
        if path == "/device":
            self.started = time.monotonic()
            return 200, {
                "device_code": "dc-1",
                "user_code": "ABCD-EFGH",
                "expires_in": 3 if self.scenario == "expired" else 60,
                "verification_uri": "http://127.0.0.1/device",
            }  # no interval: the sample's (1 s)
        self.polls.append(time.monotonic() - self.started)
        if self.scenario == "slow_down":
            if len(self.polls) == 1:
                return 400, {"error": "slow_down"}
            return 400, {"error": "access_denied", "error_description": "the user said no"}
        return 400, {"error": "authorization_pending"}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("scenario", ["slow_down", "expired"])
@pytest.mark.parametrize(("language", "library"), FLAVOURS, ids=IDS)
def test_device_code_slow_down_and_expiry(
    tmp_path: Path, language: str, library: str, scenario: str
) -> None:
    """slow_down: the next poll waits interval + 5 s (RFC 8628 §3.5), then access_denied is
    reported. expired: a server that never decides; the flavour stops at expires_in (3 s)."""
    stub = _ScriptedDeviceServer(scenario)
    try:
        params = SampleParams(
            issuer=stub.url,
            client_id="tv",
            device_authorization_endpoint=stub.url + "/device",
            token_endpoint=stub.url + "/token",
            interval=1,
            client_auth="none",
        )
        _, command = write_sample(tmp_path, "device_code", language, params, library)
        env = {k: v for k, v in os.environ.items() if not k.startswith("OAUTH_")}
        result = run(command, env)
    finally:
        stub.close()
    if scenario == "slow_down":
        assert_one_error_line(result, "access_denied")
        assert len(stub.polls) == 2, (stub.polls, str(result))
        assert stub.polls[0] >= 0.9, "waited the interval before the first poll"
        assert stub.polls[1] - stub.polls[0] >= 5.9, "added 5 seconds after slow_down"
    else:
        assert_one_error_line(result, "expired_token")
        assert stub.polls and stub.polls[-1] < 3.5, stub.polls


@pytest.mark.parametrize("client_auth", ["client_secret_basic", "private_key_jwt"])
@pytest.mark.parametrize(("language", "library"), FLAVOURS, ids=IDS)
def test_ciba_oidc(
    oidc_provider: OIDCProvider, tmp_path: Path, language: str, library: str, client_auth: str
) -> None:
    """Poll mode; the test server approves login_hint alice after 1 s and denies
    bob-denies."""
    client_id = client_for("ciba-client", client_auth)
    params = oidc_params(
        oidc_provider, client_id, client_auth=client_auth, interval=1, scopes=("openid", "profile")
    )
    _, command = write_sample(tmp_path, "ciba", language, params, library)
    credentials = oidc_credentials(oidc_provider, client_id, client_auth)
    run(command, oidc_env(oidc_provider, OAUTH_LOGIN_HINT="alice", **credentials)).assert_token()
    denied = run(command, oidc_env(oidc_provider, OAUTH_LOGIN_HINT="bob-denies", **credentials))
    assert_one_error_line(denied, "access_denied")


# --- token exchange ----------------------------------------------------------------------------


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


@pytest.mark.parametrize("client_auth", ["client_secret_basic", "private_key_jwt"])
@pytest.mark.parametrize(("language", "library"), FLAVOURS, ids=IDS)
def test_token_exchange_oidc(
    oidc_provider: OIDCProvider, tmp_path: Path, language: str, library: str, client_auth: str
) -> None:
    """The provider's token exchange grant is TEST CODE (server.mjs): this checks the
    flavour's request (subject token, types, audience, scope, client auth), not a provider.
    A subject token the server does not know is refused cleanly."""
    client_id = client_for("exchange-client", client_auth)
    params = oidc_params(
        oidc_provider,
        client_id,
        client_auth=client_auth,
        audience=oidc_provider.other_api_resource,
        scopes=("other:read",),
    )
    _, command = write_sample(tmp_path, "token_exchange", language, params, library)
    credentials = oidc_credentials(oidc_provider, client_id, client_auth)
    subject = _access_token(oidc_provider)
    result = run(command, oidc_env(oidc_provider, OAUTH_SUBJECT_TOKEN=subject, **credentials))
    result.assert_token()
    assert "issued_token_type: urn:ietf:params:oauth:token-type:access_token" in result.stdout
    assert "scope: other:read" in result.stdout, str(result)
    bad = run(command, oidc_env(oidc_provider, OAUTH_SUBJECT_TOKEN="not-a-token", **credentials))
    assert_one_error_line(bad, "invalid_grant")


# --- refresh as a confidential client ----------------------------------------------------------


def _paste_redirect(drive: Callable[[str], str]) -> Callable[[str], str | None]:
    """Plays the user of the curl web sample: opens the printed URL, pastes the redirect."""
    seen: dict[str, str] = {}

    def react(line: str) -> str | None:
        if line.startswith("http"):
            seen["url"] = line.strip()
        if line.startswith("Then paste"):
            return drive(seen["url"])
        return None

    return react


@pytest.mark.parametrize("client_auth", ["client_secret_basic", "private_key_jwt"])
@pytest.mark.parametrize(("language", "library"), FLAVOURS, ids=IDS)
def test_refresh_as_a_confidential_client_oidc(
    oidc_provider: OIDCProvider, tmp_path: Path, language: str, library: str, client_auth: str
) -> None:
    """The web app signs in with the curl web sample (the one that reads the pasted redirect
    and saves the refresh token); the refresh_token flavour then rotates it, authenticating
    as the same client."""
    client_id = client_for("web-app", client_auth)
    refresh_file = tmp_path / "refresh_token"
    params = oidc_params(
        oidc_provider,
        client_id,
        client_auth=client_auth,
        redirect_uri=oidc_provider.loopback_redirect_uri(),
    )
    _, signin = write_sample(tmp_path / "signin", "authorization_code_web", "curl", params)
    if client_auth == "private_key_jwt":
        # The curl sample sends a pre-made assertion: the harness signs one for it.
        assertion = client_assertion(oidc_provider, client_id, audience=oidc_provider.issuer)
        curl_auth = {"OAUTH_CLIENT_ASSERTION": assertion}
    else:
        curl_auth = oidc_credentials(oidc_provider, client_id, client_auth)
    env = oidc_env(oidc_provider, OAUTH_REFRESH_TOKEN_FILE=refresh_file, **curl_auth)
    run(signin, env, react=_paste_redirect(drive_authorization)).assert_token()
    flavour_env = oidc_env(
        oidc_provider,
        OAUTH_REFRESH_TOKEN_FILE=refresh_file,
        **oidc_credentials(oidc_provider, client_id, client_auth),
    )
    _refresh_twice(tmp_path, language, library, params, flavour_env, refresh_file)


@pytest.mark.parametrize("client_auth", SECRET_METHODS)
@pytest.mark.parametrize(("language", "library"), FLAVOURS, ids=IDS)
def test_refresh_as_a_confidential_client_dot(
    dot_server: DOTServer, tmp_path: Path, language: str, library: str, client_auth: str
) -> None:
    """As on oidc-provider: signed in with the curl web sample, rotated by the flavour."""
    refresh_file = tmp_path / "refresh_token"
    params = dot_params(
        dot_server,
        "authorization_code_web",
        "web-app",
        client_auth=client_auth,
        redirect_uri=f"http://127.0.0.1:{free_port()}/callback",
    )
    _, signin = write_sample(tmp_path / "signin", "authorization_code_web", "curl", params)
    env = dot_server.sample_env(
        OAUTH_REFRESH_TOKEN_FILE=refresh_file, **dot_credentials(dot_server, "web-app", client_auth)
    )
    run(signin, env, react=_paste_redirect(_dot_drive)).assert_token()
    refresh_params = dot_params(dot_server, "refresh_token", "web-app", client_auth=client_auth)
    _refresh_twice(tmp_path, language, library, refresh_params, env, refresh_file)


def test_every_flavour_is_exercised() -> None:
    """Keeps this module honest: a new flavour (template x library) needs a test here."""
    covered = {
        (template, library)
        for template in (
            "client_credentials",
            "client_credentials_private_key_jwt",
            "authorization_code_loopback",
            "authorization_code_web",
            "refresh_token",
            "device_code",
            "ciba",
            "token_exchange",
        )
        for _, library in FLAVOURS
    }
    shipped = {(t, lib) for t, info in TEMPLATES.items() for lib in info.libraries}
    assert shipped == covered
