"""pytest plugin: a real OpenID provider on loopback for integration tests, plus browser helpers.

Load it with ``pytest_plugins = ["support.oidc"]`` (``tests`` on ``pythonpath``) or
``-p support.oidc``.

The provider is ``tests/oidc/server.mjs`` (npm ``oidc-provider``, pinned in
``tests/package-lock.json``; install with ``npm ci --prefix tests``). Its header
comment documents the clients, profiles, CIBA login hints and the parts that are TEST CODE
(token exchange, JWT bearer, strict client auth, poll interval / slow_down, plain-pkce
metadata) rather than oidc-provider behaviour.

Fixtures
    ``oidc_provider`` (session)        an :class:`OIDCProvider` for the ``full`` profile
    ``oidc_provider_factory`` (function)  ``start(profile="full", **env) -> OIDCProvider``;
                                       everything it started is stopped after the test
    ``oidc_key_dir`` (session)         the directory holding the client test key pairs

If Node or ``tests/node_modules`` is missing, these fixtures skip the test with the reason
on a developer's machine and fail it when the ``CI`` environment variable is set.

Helpers (plain functions, usable from any test)
    :func:`basic_auth_header`, :func:`pkce_pair`, :func:`authorization_url`,
    :func:`drive_authorization`, :func:`parse_callback`, :func:`approve_device`,
    :func:`ciba_authenticate`, :func:`poll_token`, :func:`sign_jwt`,
    :func:`client_assertion`, :func:`jwt_bearer_assertion`, :func:`free_port`,
    :func:`http_client`, :func:`running_provider`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import queue
import secrets
import shutil
import socket
import stat
import subprocess
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import httpx
import pytest

from support import fake_browser

TESTS_DIR = Path(__file__).resolve().parent.parent
OIDC_DIR = TESTS_DIR / "oidc"
NODE_MODULES = TESTS_DIR / "node_modules"
"""Node packages for all test tools, from tests/package.json (`npm ci --prefix tests`)."""
SERVER_SCRIPT = OIDC_DIR / "server.mjs"
FAKE_BROWSER = Path(__file__).resolve().parent / "fake_browser.py"
PINNED_OIDC_PROVIDER = "9.13.3"

STARTUP_TIMEOUT = 20.0  # seconds; the server normally starts in well under a second
HTTP_TIMEOUT = 10.0

GRANT_DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code"
GRANT_CIBA = "urn:openid:params:grant-type:ciba"
GRANT_TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
GRANT_JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TOKEN_TYPE_ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token"
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientInfo:
    client_id: str
    client_secret: str | None
    token_endpoint_auth_method: str
    grant_types: tuple[str, ...]
    redirect_uris: tuple[str, ...]
    scope: str | None
    application_type: str


@dataclass(frozen=True)
class KeyInfo:
    """A client test key pair (RSA 2048, PEM files; private key is PKCS#8)."""

    private_key_pem: Path
    public_key_pem: Path
    kid: str
    alg: str


@dataclass(frozen=True)
class OIDCProvider:
    """A running test provider. Endpoint fields come from its discovery document."""

    issuer: str
    port: int
    pid: int
    profile: str
    metadata: Mapping[str, Any]
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    introspection_endpoint: str | None
    revocation_endpoint: str | None
    end_session_endpoint: str | None
    pushed_authorization_request_endpoint: str | None
    device_authorization_endpoint: str | None
    backchannel_authentication_endpoint: str | None
    clients: Mapping[str, ClientInfo]
    api_resource: str
    other_api_resource: str
    redirect_uri: str  # registered loopback redirect URI (any port is accepted)
    cc_pkjwt_key: KeyInfo
    jwt_bearer_key: KeyInfo
    jwt_bearer_issuer: str
    ciba_hints: Mapping[str, str]  # approve / deny / never -> login_hint
    poll_interval: int | None
    strict_client_auth: bool
    fake_browser: Path
    log_path: Path
    startup_seconds: float
    ready: Mapping[str, Any] = field(repr=False)

    def client(self, client_id: str) -> ClientInfo:
        try:
            return self.clients[client_id]
        except KeyError:
            raise KeyError(
                f"no client {client_id!r} in profile {self.profile!r}; have {sorted(self.clients)}"
            ) from None

    def basic_auth(self, client_id: str) -> str:
        """RFC 6749 §2.3.1 Authorization header value for a confidential client."""
        client = self.client(client_id)
        if client.client_secret is None:
            raise ValueError(f"{client_id} has no client secret")
        return basic_auth_header(client.client_id, client.client_secret)

    def loopback_redirect_uri(self, port: int | None = None) -> str:
        """The registered redirect URI with a port (a free one by default)."""
        parts = urllib.parse.urlsplit(self.redirect_uri)
        netloc = f"{parts.hostname}:{port if port is not None else free_port()}"
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))

    def browser_env(self, **fake_browser_settings: str) -> dict[str, str]:
        """Environment additions making a sample use the fake browser.

        Keyword arguments set ``FAKE_BROWSER_<NAME>`` variables, e.g. ``action="deny"``,
        ``login="bob"``, ``tamper="state"``, ``log="/tmp/fb.jsonl"``.
        """
        ensure_executable(self.fake_browser)
        env = {"BROWSER": str(self.fake_browser)}
        for key, value in fake_browser_settings.items():
            env[f"FAKE_BROWSER_{key.upper()}"] = str(value)
        return env

    def sample_env(self, **fake_browser_settings: str) -> dict[str, str]:
        """``os.environ`` plus BROWSER and a NO_PROXY covering loopback, for running samples."""
        env = dict(os.environ)
        env.update(self.browser_env(**fake_browser_settings))
        for name in ("NO_PROXY", "no_proxy"):
            existing = [p for p in env.get(name, "").split(",") if p]
            env[name] = ",".join([*existing, "127.0.0.1", "localhost", "::1"])
        return env

    def approve_device(self, user_code_or_uri: str, **kwargs: Any) -> None:
        """Approve a device authorization; accepts a bare user code or the complete URI."""
        if self.device_authorization_endpoint is None:
            raise RuntimeError(f"profile {self.profile!r} has no device flow")
        kwargs.setdefault("verification_uri", f"{self.issuer}/device")
        approve_device(user_code_or_uri, **kwargs)

    def log_text(self) -> str:
        """The server's stderr so far (for assertion messages)."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""


# --------------------------------------------------------------------------------------------
# Starting and stopping the server
# --------------------------------------------------------------------------------------------


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing_prerequisite() -> str | None:
    """Why the provider cannot run here, or None."""
    if shutil.which("node") is None:
        return "Node.js (`node`) is not on PATH; the oidc-provider integration tests need Node 20+"
    pkg = NODE_MODULES / "oidc-provider" / "package.json"
    if not pkg.is_file():
        return f"{NODE_MODULES} is not installed; run `npm ci --prefix tests`"
    try:
        version = json.loads(pkg.read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        version = None
    if version != PINNED_OIDC_PROVIDER:
        return (
            f"tests/node_modules has oidc-provider {version}, expected "
            f"{PINNED_OIDC_PROVIDER}; run `npm ci --prefix tests`"
        )
    return None


def require_provider_prerequisites() -> None:
    """Skip (developer machine) or fail (``CI`` set) when Node or node_modules is missing."""
    reason = missing_prerequisite()
    if reason is None:
        return
    if _ci():
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def ensure_executable(path: Path) -> None:
    mode = path.stat().st_mode
    want = stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH
    if mode & want != want:
        path.chmod(mode | want)


class ProviderStartError(RuntimeError):
    pass


class _ProviderProcess:
    def __init__(self, proc: subprocess.Popen[str], log_path: Path, log_file: Any) -> None:
        self.proc = proc
        self.log_path = log_path
        self._log_file = log_file
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def read_ready_line(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ProviderStartError(self._failure(f"no ready line within {timeout:.0f}s"))
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                self.proc.wait(timeout=5)
                raise ProviderStartError(
                    self._failure(f"server exited with status {self.proc.returncode}")
                )
            line = line.strip()
            if not line:
                continue
            try:
                data = json.loads(line)
            except ValueError:
                raise ProviderStartError(
                    self._failure(f"unexpected stdout line {line!r}")
                ) from None
            if not isinstance(data, dict) or "issuer" not in data:
                raise ProviderStartError(self._failure(f"unexpected ready line {line!r}"))
            return data

    def _failure(self, what: str) -> str:
        self._log_file.flush()
        log = self.log_path.read_text(encoding="utf-8", errors="replace")
        return f"oidc test server failed to start: {what}\n--- server stderr ---\n{log[-8000:]}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self._log_file.close()


def _fetch_discovery(issuer: str) -> dict[str, Any]:
    with http_client() as client:
        resp = client.get(f"{issuer}/.well-known/openid-configuration")
        resp.raise_for_status()
        data: dict[str, Any] = resp.json()
    return data


def _make_provider(
    ready: dict[str, Any], metadata: dict[str, Any], log_path: Path, startup: float
) -> OIDCProvider:
    clients = {
        cid: ClientInfo(
            client_id=c["client_id"],
            client_secret=c["client_secret"],
            token_endpoint_auth_method=c["token_endpoint_auth_method"],
            grant_types=tuple(c["grant_types"]),
            redirect_uris=tuple(c["redirect_uris"]),
            scope=c["scope"],
            application_type=c["application_type"],
        )
        for cid, c in ready["clients"].items()
    }

    def key(name: str) -> KeyInfo:
        k = ready["keys"][name]
        return KeyInfo(Path(k["private_key_pem"]), Path(k["public_key_pem"]), k["kid"], k["alg"])

    return OIDCProvider(
        issuer=ready["issuer"],
        port=ready["port"],
        pid=ready["pid"],
        profile=ready["profile"],
        metadata=MappingProxyType(metadata),
        authorization_endpoint=metadata["authorization_endpoint"],
        token_endpoint=metadata["token_endpoint"],
        jwks_uri=metadata["jwks_uri"],
        userinfo_endpoint=metadata.get("userinfo_endpoint"),
        introspection_endpoint=metadata.get("introspection_endpoint"),
        revocation_endpoint=metadata.get("revocation_endpoint"),
        end_session_endpoint=metadata.get("end_session_endpoint"),
        pushed_authorization_request_endpoint=metadata.get("pushed_authorization_request_endpoint"),
        device_authorization_endpoint=metadata.get("device_authorization_endpoint"),
        backchannel_authentication_endpoint=metadata.get("backchannel_authentication_endpoint"),
        clients=MappingProxyType(clients),
        api_resource=ready["api_resource"],
        other_api_resource=ready["other_api_resource"],
        redirect_uri=ready["redirect_uri"],
        cc_pkjwt_key=key("cc-pkjwt"),
        jwt_bearer_key=key("jwt-bearer"),
        jwt_bearer_issuer=ready["jwt_bearer_issuer"],
        ciba_hints=MappingProxyType(dict(ready["ciba_hints"])),
        poll_interval=ready["poll_interval"],
        strict_client_auth=ready["strict_client_auth"],
        fake_browser=FAKE_BROWSER,
        log_path=log_path,
        startup_seconds=startup,
        ready=MappingProxyType(ready),
    )


@contextlib.contextmanager
def running_provider(
    profile: str = "full",
    *,
    key_dir: Path | None = None,
    log_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
    startup_timeout: float = STARTUP_TIMEOUT,
) -> Iterator[OIDCProvider]:
    """Start ``node tests/oidc/server.mjs`` and yield an :class:`OIDCProvider`; stop it after.

    ``env`` adds server settings (``OIDC_TEST_POLL_INTERVAL``, ``OIDC_TEST_CIBA_DELAY_MS``, ...,
    see server.mjs). Raises :class:`ProviderStartError` (with the server's stderr) if it does
    not come up. Callers in tests should call :func:`require_provider_prerequisites` first.
    """
    node = shutil.which("node")
    if node is None:
        raise ProviderStartError("node is not on PATH")
    tmp_ctx: contextlib.AbstractContextManager[str | None] = contextlib.nullcontext()
    if key_dir is None or log_dir is None:
        tmp_ctx = tempfile.TemporaryDirectory(prefix="oidc-test-")
    with tmp_ctx as tmp:
        key_dir = key_dir or Path(str(tmp)) / "keys"
        log_dir = log_dir or Path(str(tmp))
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / f"oidc-server-{profile}-{uuid.uuid4().hex[:8]}.log"
        server_env = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_TEST_")}
        server_env.update(
            {
                "OIDC_TEST_PROFILE": profile,
                "OIDC_TEST_KEY_DIR": str(key_dir),
                "OIDC_TEST_EXIT_ON_STDIN_EOF": "1",
                "NODE_NO_WARNINGS": server_env.get("NODE_NO_WARNINGS", "1"),
            }
        )
        server_env.update(env or {})
        log_file = log_path.open("w", encoding="utf-8")
        t0 = time.monotonic()
        proc = subprocess.Popen(
            [node, str(SERVER_SCRIPT)],
            cwd=OIDC_DIR,
            env=server_env,
            stdin=subprocess.PIPE,  # closing it (or our death) makes the server exit
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
        )
        handle = _ProviderProcess(proc, log_path, log_file)
        try:
            ready = handle.read_ready_line(startup_timeout)
            startup = time.monotonic() - t0
            metadata = _fetch_discovery(ready["issuer"])
            yield _make_provider(ready, metadata, log_path, startup)
        finally:
            handle.stop()


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def oidc_key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("oidc-keys")


@pytest.fixture(scope="session")
def oidc_provider(
    oidc_key_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OIDCProvider]:
    """The ``full`` profile provider, one per test session."""
    require_provider_prerequisites()
    log_dir = tmp_path_factory.mktemp("oidc-logs")
    try:
        with running_provider("full", key_dir=oidc_key_dir, log_dir=log_dir) as provider:
            yield provider
    except ProviderStartError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def oidc_provider_factory(
    oidc_key_dir: Path, tmp_path: Path
) -> Iterator[Callable[..., OIDCProvider]]:
    """``start(profile="full", **env) -> OIDCProvider``; all started servers stop after the test.

    ``env`` keys are server settings, e.g. ``OIDC_TEST_POLL_INTERVAL="1"``.
    """
    require_provider_prerequisites()
    stack = contextlib.ExitStack()

    def start(profile: str = "full", **env: str) -> OIDCProvider:
        try:
            return stack.enter_context(
                running_provider(profile, key_dir=oidc_key_dir, log_dir=tmp_path, env=env)
            )
        except ProviderStartError as exc:
            pytest.fail(str(exc), pytrace=False)

    with stack:
        yield start


# --------------------------------------------------------------------------------------------
# HTTP helpers
# --------------------------------------------------------------------------------------------


def http_client(**kwargs: Any) -> httpx.Client:
    """An httpx client for loopback: timeouts on, proxies from the environment ignored."""
    kwargs.setdefault("timeout", HTTP_TIMEOUT)
    kwargs.setdefault("trust_env", False)
    kwargs.setdefault("follow_redirects", False)
    return httpx.Client(**kwargs)


def form_urlencode(value: str) -> str:
    """application/x-www-form-urlencoded encoding of one value (space -> '+')."""
    return urllib.parse.quote_plus(value, safe="")


def basic_auth_header(client_id: str, client_secret: str) -> str:
    """``Authorization`` value per RFC 6749 §2.3.1: form-urlencode id and secret, then Base64."""
    raw = f"{form_urlencode(client_id)}:{form_urlencode(client_secret)}"
    return "Basic " + base64.b64encode(raw.encode("utf-8")).decode("ascii")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def pkce_pair() -> tuple[str, str]:
    """A fresh (code_verifier, S256 code_challenge)."""
    verifier = _b64url(secrets.token_bytes(32))
    challenge = _b64url(hashlib.sha256(verifier.encode("ascii")).digest())
    return verifier, challenge


def authorization_url(
    provider: OIDCProvider,
    client_id: str,
    *,
    redirect_uri: str,
    code_challenge: str,
    state: str | None = None,
    scope: str = "openid profile offline_access",
    prompt: str | None = "consent",
    **extra: str,
) -> str:
    """An authorization request URL (response_type=code, PKCE S256).

    ``prompt=consent`` is the default because oidc-provider only issues refresh tokens for
    ``offline_access`` together with ``prompt=consent``. Extra keyword arguments become query
    parameters (``resource=...``, ``nonce=...``, ``login_hint=...``).
    """
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": state or secrets.token_urlsafe(16),
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    }
    if prompt:
        params["prompt"] = prompt
    params.update(extra)
    return f"{provider.authorization_endpoint}?{urllib.parse.urlencode(params)}"


def drive_authorization(
    url: str, *, login: str = "alice", deny: bool = False, timeout: float = HTTP_TIMEOUT
) -> str:
    """Play the user: sign in and consent (or abort with ``deny=True``) on the dev pages.

    Returns the final redirect URL to the client (with code, state, iss; or error) WITHOUT
    requesting it. Uses a fresh cookie jar, so every call is a new browser session.
    """
    result = fake_browser.drive(url, login=login, deny=deny, timeout=timeout)
    if isinstance(result, fake_browser.Redirect):
        if result.method != "GET":
            raise fake_browser.BrowserError(
                f"response came as {result.method} to {result.url} (form_post?); "
                "use fake_browser.drive() for that"
            )
        return result.url
    raise fake_browser.BrowserError(
        f"the provider did not redirect to the client; final page {result.status} "
        f"{result.title!r}: {result.text[:300]!r}"
    )


def parse_callback(url: str) -> dict[str, str]:
    """Query (or fragment) parameters of a callback URL as a dict."""
    parts = urllib.parse.urlsplit(url)
    raw = parts.query or parts.fragment
    return dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))


def approve_device(
    user_code_or_uri: str,
    *,
    verification_uri: str | None = None,
    login: str = "alice",
    deny: bool = False,
    timeout: float = HTTP_TIMEOUT,
) -> None:
    """Enter/confirm the user code, sign in and consent (or abort with ``deny=True``)."""
    fake_browser.approve_device(
        user_code_or_uri,
        verification_uri=verification_uri,
        login=login,
        deny=deny,
        timeout=timeout,
    )


def ciba_authenticate(
    provider: OIDCProvider,
    login_hint: str,
    *,
    client_id: str = "ciba-client",
    scope: str = "openid profile",
    **extra: str,
) -> httpx.Response:
    """POST a CIBA backchannel authentication request (client_secret_basic)."""
    if provider.backchannel_authentication_endpoint is None:
        raise RuntimeError(f"profile {provider.profile!r} has no CIBA")
    data = {"scope": scope, "login_hint": login_hint, **extra}
    with http_client() as client:
        return client.post(
            provider.backchannel_authentication_endpoint,
            data=data,
            headers={"Authorization": provider.basic_auth(client_id)},
        )


def poll_token(
    token_endpoint: str,
    data: Mapping[str, str],
    *,
    headers: Mapping[str, str] | None = None,
    interval: float = 0.1,
    timeout: float = 15.0,
    stop_on_first: bool = False,
) -> httpx.Response:
    """POST to the token endpoint until the answer is not authorization_pending / slow_down.

    ``slow_down`` adds 5 s to the interval (RFC 8628 §3.5). Returns the first other response
    (success or error); raises TimeoutError after ``timeout`` seconds. With
    ``stop_on_first=True`` it returns the first response whatever it is.
    """
    deadline = time.monotonic() + timeout
    with http_client() as client:
        while True:
            resp = client.post(token_endpoint, data=dict(data), headers=dict(headers or {}))
            if stop_on_first:
                return resp
            error = _json_error(resp)
            if error not in ("authorization_pending", "slow_down"):
                return resp
            if error == "slow_down":
                interval += 5
            if time.monotonic() + interval > deadline:
                raise TimeoutError(f"still {error} after {timeout}s polling {token_endpoint}")
            time.sleep(interval)


def _json_error(resp: httpx.Response) -> str | None:
    if resp.status_code < 400:
        return None
    try:
        body = resp.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None


# --------------------------------------------------------------------------------------------
# JWTs (client assertions, jwt-bearer assertions). Needs the `cryptography` package.
# --------------------------------------------------------------------------------------------


def sign_jwt(
    claims: Mapping[str, Any],
    private_key_pem: Path | str | bytes,
    *,
    kid: str | None = None,
    alg: str = "RS256",
    typ: str = "JWT",
) -> str:
    """Sign ``claims`` as a compact JWS with an RSA key (RS256 or PS256)."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    if isinstance(private_key_pem, Path) or (
        isinstance(private_key_pem, str) and not private_key_pem.startswith("-----")
    ):
        pem = Path(private_key_pem).read_bytes()
    elif isinstance(private_key_pem, str):
        pem = private_key_pem.encode("ascii")
    else:
        pem = private_key_pem
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise TypeError("sign_jwt supports RSA keys only")
    header: dict[str, Any] = {"alg": alg, "typ": typ}
    if kid:
        header["kid"] = kid
    signing_input = (
        _b64url(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + _b64url(json.dumps(dict(claims), separators=(",", ":")).encode())
    )
    if alg == "RS256":
        pad: padding.AsymmetricPadding = padding.PKCS1v15()
    elif alg == "PS256":
        pad = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    else:
        raise ValueError(f"unsupported alg {alg}")
    signature = key.sign(signing_input.encode("ascii"), pad, hashes.SHA256())
    return signing_input + "." + _b64url(signature)


def client_assertion(
    provider: OIDCProvider,
    client_id: str = "cc-pkjwt",
    *,
    audience: str | None = None,
    lifetime: int = 60,
    **overrides: Any,
) -> str:
    """A private_key_jwt client assertion (RFC 7523 §2.2) for ``cc-pkjwt``."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience or provider.token_endpoint,
        "iat": now,
        "exp": now + lifetime,
        "jti": secrets.token_urlsafe(16),
    }
    claims.update(overrides)
    key = provider.cc_pkjwt_key
    return sign_jwt(claims, key.private_key_pem, kid=key.kid, alg=key.alg)


def jwt_bearer_assertion(
    provider: OIDCProvider,
    sub: str = "alice",
    *,
    audience: str | None = None,
    lifetime: int = 60,
    key_pem: Path | None = None,
    **overrides: Any,
) -> str:
    """An RFC 7523 §2.1 authorization grant assertion trusted by the test server.

    ``overrides`` replace or (with value None) remove claims, e.g. ``exp=...``, ``iss=None``.
    """
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": provider.jwt_bearer_issuer,
        "sub": sub,
        "aud": audience or provider.token_endpoint,
        "iat": now,
        "exp": now + lifetime,
        "jti": secrets.token_urlsafe(16),
    }
    for name, value in overrides.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    key = provider.jwt_bearer_key
    return sign_jwt(claims, key_pem or key.private_key_pem, kid=key.kid, alg=key.alg)


def decode_jwt_unverified(token: str) -> dict[str, Any]:
    """The payload of a compact JWS, without verifying anything (for assertions in tests)."""
    payload = token.split(".")[1]
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return data


__all__ = [
    "CLIENT_ASSERTION_TYPE",
    "FAKE_BROWSER",
    "GRANT_CIBA",
    "GRANT_DEVICE_CODE",
    "GRANT_JWT_BEARER",
    "GRANT_TOKEN_EXCHANGE",
    "TOKEN_TYPE_ACCESS_TOKEN",
    "ClientInfo",
    "KeyInfo",
    "OIDCProvider",
    "ProviderStartError",
    "approve_device",
    "authorization_url",
    "basic_auth_header",
    "ciba_authenticate",
    "client_assertion",
    "decode_jwt_unverified",
    "drive_authorization",
    "form_urlencode",
    "free_port",
    "http_client",
    "jwt_bearer_assertion",
    "missing_prerequisite",
    "oidc_key_dir",
    "oidc_provider",
    "oidc_provider_factory",
    "parse_callback",
    "pkce_pair",
    "poll_token",
    "require_provider_prerequisites",
    "running_provider",
    "sign_jwt",
]
