"""What the generated samples send, checked on the wire against a scripted server on loopback.

Each test renders a sample, runs it as a user would (``bash``, ``python``, ``node``) against a
scripted authorization server in this process that records every request, and checks the
requests and the sample's exit. No OpenID provider is needed (the same defects are shown
against real servers in test_samples_e2e.py and test_samples_dot.py); bash, curl and node
are, as for every sample test.

The defects these guard against, as kinds, in every language:

- a form POST whose Content-Type is not exactly ``application/x-www-form-urlencoded``
  (Node's fetch appends ``;charset=UTF-8``; oauthlib's device endpoint compares strings);
- client_secret_basic without ``client_id`` in the body (oauthlib requires it for the device
  authorization request; RFC 6749 §3.2.1 allows it everywhere);
- a redirect from the token endpoint followed (a 301 turns the POST into a GET);
- a loopback sample that answers the callback only after ``webbrowser.open`` returns, which
  deadlocks with a $BROWSER that waits for the page (w3m, a wrapper script);
- a redirect port in use ending in a traceback or a Node stack trace;
- $BROWSER read as one program name instead of Python's list of command lines;
- curl expanding ``{a,b}`` and ``[1-3]`` in endpoint URLs (no --globoff).
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import ssl
import sys
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from advisor.samples.params import SampleParams
from support.samples import BROWSER_DRIVER, LANGUAGES, Run, make_pki, run, write_sample

pytestmark = pytest.mark.integration

FORM = "application/x-www-form-urlencoded"
SECRET = "s3cret with %, +, : and space"
CLIENT_ID = "sample-client"


# --- a scripted authorization server ---------------------------------------------------------


@dataclass
class Seen:
    """One request the scripted server received."""

    method: str
    target: str
    """The request target as sent (path and query, not decoded)."""
    headers: dict[str, str]
    """Header names in lower case."""
    form: dict[str, str]


Reply = tuple[int, dict[str, Any], dict[str, str]]
"""HTTP status, JSON body, extra response headers."""


def _token(**extra: Any) -> dict[str, Any]:
    return {"access_token": "stub-access-token-0123456789", "token_type": "Bearer", **extra}


def default_reply(seen: Seen) -> Reply:
    """Success for every endpoint the samples post to."""
    path = urllib.parse.urlsplit(seen.target).path
    if path == "/device":
        verification = {"verification_uri": "http://127.0.0.1/activate", "interval": 1}
        return 200, {"device_code": "dc", "user_code": "UC", "expires_in": 60, **verification}, {}
    if path == "/bc":
        return 200, {"auth_req_id": "ar", "expires_in": 60, "interval": 1}, {}
    if path == "/par":
        return 201, {"request_uri": "urn:ietf:params:oauth:request_uri:1", "expires_in": 60}, {}
    token_type = "DPoP" if "dpop" in seen.headers else "Bearer"
    return 200, _token(token_type=token_type, refresh_token="rt-new"), {}


@dataclass
class ScriptedServer:
    """POSTs are answered by ``reply``; GET /authorize redirects straight back to the client
    (code ``code-1``, the request's state, and ``iss`` when ``iss`` is set), as a server
    whose user is already signed in and has consented would."""

    reply: Callable[[Seen], Reply] = default_reply
    iss: bool = False
    tls: ssl.SSLContext | None = None
    seen: list[Seen] = field(default_factory=list)
    pushed: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self, form: dict[str, str]) -> Seen:
                headers = {k.lower(): v for k, v in self.headers.items()}
                seen = Seen(self.command, self.path, headers, form)
                server.seen.append(seen)
                return seen

            def do_GET(self) -> None:
                self._record({})
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path != "/authorize":
                    self._send(404, {"error": "not_found"}, {})
                    return
                request = server.pushed if "request_uri" in query else query
                answer = {"code": "code-1", "state": request.get("state", "")}
                if server.iss:
                    answer["iss"] = server.url
                location = request["redirect_uri"] + "?" + urllib.parse.urlencode(answer)
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                seen = self._record(form)
                if urllib.parse.urlsplit(self.path).path == "/par":
                    server.pushed.update(form)
                self._send(*server.reply(seen))

            def _send(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if self.tls:
            self.httpd.socket = self.tls.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.httpd.server_port}"

    def params(self, **values: Any) -> SampleParams:
        """Sample parameters with every endpoint on this server."""
        return SampleParams(
            issuer=self.url,
            client_id=CLIENT_ID,
            authorization_endpoint=self.url + "/authorize",
            token_endpoint=self.url + "/token",
            device_authorization_endpoint=self.url + "/device",
            backchannel_authentication_endpoint=self.url + "/bc",
            pushed_authorization_request_endpoint=self.url + "/par",
        ).with_values(**values)

    def posts(self) -> list[Seen]:
        return [s for s in self.seen if s.method == "POST"]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Any:
    stub = ScriptedServer()
    yield stub
    stub.close()


def base_env(**values: str | Path) -> dict[str, str]:
    """The user's environment without OAUTH_* variables, proxies off for loopback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OAUTH_")}
    env.update({"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"})
    env.update({k: str(v) for k, v in values.items()})
    return env


def credentials(client_auth: str) -> dict[str, str]:
    return {} if client_auth == "none" else {"OAUTH_CLIENT_SECRET": SECRET}


def last_line(result: Run) -> str:
    lines = result.stderr.strip().splitlines()
    return lines[-1] if lines else ""


def assert_clean_failure(result: Run, message: str) -> None:
    """Exit 1 with exactly one error line containing ``message``: no traceback, no stack."""
    assert result.returncode == 1, str(result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, str(result)
    assert lines[0].startswith("error: ") and message in lines[0], str(result)


# --- every POST: the media type, and the client named in the body -------------------------------

# Every language and client authentication of the shared request helpers, through each kind
# of endpoint: token (client credentials, refresh, assertion grant), device authorization and
# polling, CIBA's backchannel endpoint.
POST_CASES = [
    ("client_credentials", "client_secret_basic"),
    ("client_credentials", "client_secret_post"),
    ("device_code", "none"),
    ("device_code", "client_secret_basic"),
    ("device_code", "client_secret_post"),
    ("ciba", "client_secret_basic"),
    ("refresh_token", "none"),
    ("jwt_bearer", "none"),
]


@pytest.mark.parametrize(("template", "client_auth"), POST_CASES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_post_is_a_plain_form_that_names_the_client(
    server: ScriptedServer, tmp_path: Path, language: str, template: str, client_auth: str
) -> None:
    params = server.params(client_auth=client_auth, interval=1)
    _, command = write_sample(tmp_path, template, language, params)
    refresh = tmp_path / "refresh_token"
    refresh.write_text("rt-old")
    env = base_env(
        OAUTH_REFRESH_TOKEN_FILE=refresh,
        OAUTH_ASSERTION="a.b.c",
        OAUTH_LOGIN_HINT="alice",
        **credentials(client_auth),
    )
    run(command, env).assert_token()
    posts = server.posts()
    assert posts, "the sample sent nothing"
    for seen in posts:
        assert seen.headers.get("content-type") == FORM, seen
        assert seen.form.get("client_id") == CLIENT_ID, seen
        if client_auth == "client_secret_basic":
            assert seen.headers.get("authorization", "").startswith("Basic "), seen
            assert "client_secret" not in seen.form, seen
        elif client_auth == "client_secret_post":
            assert seen.form.get("client_secret") == SECRET, seen
            assert "authorization" not in seen.headers, seen


# --- redirects from the authorization server ------------------------------------------------------


@pytest.mark.parametrize("status", [301, 307])
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_redirect_from_the_token_endpoint_is_reported_not_followed(
    tmp_path: Path, language: str, status: int
) -> None:
    """A server that redirects /token to /token/ (Django's APPEND_SLASH does): the sample
    must stop with the status and the Location, having sent one request, not a GET to the
    new URL (301) nor the credentials again (307)."""

    def reply(seen: Seen) -> Reply:
        if seen.target == "/token":
            return status, {}, {"Location": "/token/"}
        return 200, _token(), {}

    server = ScriptedServer(reply)
    try:
        params = server.params(client_auth="client_secret_basic")
        _, command = write_sample(tmp_path, "client_credentials", language, params)
        result = run(command, base_env(OAUTH_CLIENT_SECRET=SECRET))
        expected = f"HTTP {status} from the token endpoint, Location: {server.url}/token/"
        assert_clean_failure(result, expected)
        assert [(s.method, s.target) for s in server.seen] == [("POST", "/token")]
    finally:
        server.close()


def test_a_redirect_is_not_followed_with_mutual_tls(tmp_path: Path) -> None:
    """The mutual TLS samples post with curl --cert, requests' cert= and node:https (not
    fetch): none of them may follow a redirect either."""
    pki = make_pki(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=pki["ca"])
    context.load_cert_chain(pki["server_cert"], pki["server_key"])
    context.verify_mode = ssl.CERT_REQUIRED

    def reply(seen: Seen) -> Reply:
        return 307, {}, {"Location": "/token/"}

    server = ScriptedServer(reply, tls=context)
    try:
        env = base_env(
            REQUESTS_CA_BUNDLE=pki["ca"],
            CURL_CA_BUNDLE=pki["ca"],
            NODE_EXTRA_CA_CERTS=pki["ca"],
            OAUTH_CLIENT_CERT_FILE=pki["client_cert"],
            OAUTH_CLIENT_KEY_FILE=pki["client_key"],
        )
        for language in LANGUAGES:
            folder = tmp_path / language
            _, command = write_sample(folder, "client_credentials_mtls", language, server.params())
            result = run(command, env)
            expected = f"HTTP 307 from the token endpoint, Location: {server.url}/token/"
            assert_clean_failure(result, expected)
        assert [s.target for s in server.seen] == ["/token"] * 3
    finally:
        server.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_redirect_from_another_endpoint_names_it(tmp_path: Path, language: str) -> None:
    def reply(seen: Seen) -> Reply:
        return 308, {}, {"Location": "https://elsewhere.example/device"}

    server = ScriptedServer(reply)
    try:
        _, command = write_sample(tmp_path, "device_code", language, server.params())
        result = run(command, base_env())
        expected = f"HTTP 308 from {server.url}/device, Location: https://elsewhere.example/device"
        assert_clean_failure(result, expected)
        assert len(server.seen) == 1
    finally:
        server.close()


@pytest.mark.parametrize("status", [200, 301])
def test_browser_module_posts_a_plain_form_and_stops_at_a_redirect(
    tmp_path: Path, status: int
) -> None:
    """The in-browser module (run in Node with browser globals stubbed, as in
    test_samples_e2e.test_browser_spa_module): the same media type, redirect: 'manual'."""

    def reply(seen: Seen) -> Reply:
        if status == 301:
            return 301, {}, {"Location": "/token/"}
        return 200, _token(), {}

    server = ScriptedServer(reply)
    try:
        params = server.params(redirect_uri="http://127.0.0.1/callback")
        path, command = write_sample(tmp_path, "authorization_code_browser", "javascript", params)
        driver = tmp_path / "driver.mjs"
        driver.write_text(BROWSER_DRIVER, encoding="utf-8")

        def react(line: str) -> str | None:
            if not line.startswith("Open "):
                return None
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(line[5:].strip()).query))
            answer = urllib.parse.urlencode({"code": "code-1", "state": query["state"]})
            return f"{query['redirect_uri']}?{answer}"

        result = run([command[0], str(driver), str(path)], base_env(), react=react)
        (token_request,) = server.posts()
        assert token_request.headers["content-type"] == FORM
        if status == 200:
            result.assert_token()
        else:
            expected = f"HTTP 301 from the token endpoint, Location: {server.url}/token/"
            assert_clean_failure(result, expected)
    finally:
        server.close()


# --- loopback: a browser that waits, $BROWSER lists, a port in use ----------------------------

WAITING_BROWSER = """\
# A BROWSER command that behaves like w3m -dump or a wrapper script: it loads the URL,
# follows the redirect to the client's loopback callback, and exits only when the page has
# come back. argv: [marker file] URL.
import sys
import urllib.request

*marker, url = sys.argv[1:]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
with opener.open(url, timeout=20) as page:
    body = page.read()
if marker:
    with open(marker[0], "w", encoding="utf-8") as file:
        file.write(f"{page.status} {body[:200]!r}")
"""


def waiting_browser(folder: Path, marker: Path) -> str:
    """$BROWSER: a command that is not there, then the waiting browser with its arguments."""
    script = folder / "a browser's folder" / "waiting_browser.py"  # quoted in $BROWSER
    script.parent.mkdir()
    script.write_text(WAITING_BROWSER, encoding="utf-8")
    command = shlex.join([sys.executable, str(script), str(marker)])
    return f"{folder / 'no-such-browser'}:{command} %s"


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_loopback_with_a_browser_that_waits(
    server: ScriptedServer, tmp_path: Path, language: str
) -> None:
    """$BROWSER lists a missing command, then one with arguments and %s that waits until it
    has loaded the callback page: the sample must fall through to the second, answer the
    callback while the browser waits, and then get the token."""
    marker = tmp_path / "page"
    _, command = write_sample(tmp_path, "authorization_code_loopback", language, server.params())
    result = run(command, base_env(BROWSER=waiting_browser(tmp_path, marker)), timeout=20)
    result.assert_token()
    assert marker.read_text().startswith("200 "), "the browser did not get the callback page"
    (token_request,) = server.posts()
    assert token_request.form["code"] == "code-1"
    assert token_request.headers["content-type"] == FORM


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_fapi_with_a_browser_that_waits(tmp_path: Path, language: str) -> None:
    """The FAPI sample's loopback listener too (PAR, private_key_jwt and DPoP are only
    answered by the scripted server here; test_samples_e2e checks them for real)."""
    pytest.importorskip("jwt")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = tmp_path / "client.key.pem"
    key.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ScriptedServer(iss=True)
    try:
        params = server.params(redirect_uri="http://127.0.0.1/callback")
        _, command = write_sample(tmp_path, "authorization_code_fapi", language, params)
        marker = tmp_path / "page"
        env = base_env(BROWSER=waiting_browser(tmp_path, marker), OAUTH_PRIVATE_KEY_FILE=key)
        run(command, env, timeout=20).assert_token()
        assert marker.read_text().startswith("200 ")
        assert [urllib.parse.urlsplit(s.target).path for s in server.posts()] == ["/par", "/token"]
    finally:
        server.close()


@pytest.fixture
def busy_port() -> Any:
    """A port on 127.0.0.1 that another program is listening on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.mark.parametrize(
    "template", ["authorization_code_loopback", "authorization_code_web", "authorization_code_fapi"]
)
@pytest.mark.parametrize("language", ["python", "javascript"])
def test_a_port_in_use_is_one_error_line(
    server: ScriptedServer, tmp_path: Path, busy_port: int, language: str, template: str
) -> None:
    if template == "authorization_code_fapi" and language == "python":
        pytest.importorskip("jwt")
    redirect = f"http://127.0.0.1:{busy_port}/callback"
    client_auth = {"authorization_code_web": "client_secret_basic"}.get(template)
    params = server.params(redirect_uri=redirect, client_auth=client_auth)
    _, command = write_sample(tmp_path, template, language, params)
    env = base_env(OAUTH_CLIENT_SECRET=SECRET, OAUTH_PRIVATE_KEY_FILE=tmp_path / "unused.pem")
    result = run(command, env)
    assert_clean_failure(result, f"cannot listen on 127.0.0.1:{busy_port}: ")
    assert "in use" in result.stderr.lower(), str(result)
    assert server.seen == [], "nothing may be sent before the listener is up"


# --- curl and URL globbing ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/{tenant}/oauth2/token", "/token/{a,b}", "/token[1-3]"])
def test_curl_does_not_glob_endpoint_urls(
    server: ScriptedServer, tmp_path: Path, path: str
) -> None:
    """Braces and brackets are legal in a URL (copied URL templates, discovered endpoints):
    the curl sample must post once to that very URL, not to the URLs curl's globbing makes of
    it (from /work/shared/cases/reliability/curl_sample_url_globbing.sh)."""
    params = server.params(token_endpoint=server.url + path, client_auth="client_secret_basic")
    _, command = write_sample(tmp_path, "client_credentials", "curl", params)
    run(command, base_env(OAUTH_CLIENT_SECRET=SECRET)).assert_token()
    assert [(s.method, s.target) for s in server.seen] == [("POST", path)]
