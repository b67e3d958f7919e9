"""End to end against django-oauth-toolkit: every sample the toolkit supports obtains a token.

The server is tests/dot/server.py (``dot_server`` fixture, tests/support/dot.py): a second
authorization server, in Python on oauthlib, independent of oidc-provider. Each test renders
a sample for it, writes it to a temporary file and runs it as a subprocess as its header says
(``bash x.sh``, ``python x.py``, ``node x.mjs``); $BROWSER is tests/support/dot_browser.py, which
signs in with Django's login form and posts the toolkit's consent form. Success is exit 0
with the token summary on stdout; a failure must be exit 1 with one ``error: ...`` line on
stderr and no traceback.

What the toolkit supports, and so what runs here: the authorization code grant with PKCE
(web app with client_secret_basic and client_secret_post, loopback public client), client
credentials with client_secret_basic and client_secret_post, the refresh token grant with
rotation (public and confidential clients), the device grant (public and confidential
clients). It has no CIBA, token exchange, JWT or SAML bearer grant, private_key_jwt, mutual
TLS, PAR or DPoP, so those samples run only in test_samples_e2e.py.

The toolkit has no offline_access scope (and refuses it as invalid_scope): the samples run
with the template's default scopes minus those the server's scopes_supported lacks, as
discovery would render them; :func:`test_offline_access_is_refused_cleanly` shows why.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import pytest

from advisor.samples.catalog import TEMPLATES
from advisor.samples.params import SampleParams
from support import dot_browser, fake_browser
from support.dot import DOTServer, dot_credentials, dot_params
from support.oidc import free_port, http_client
from support.samples import LANGUAGES, Run, run, run_server, write_sample

pytestmark = pytest.mark.integration

SECRET_METHODS = ("client_secret_basic", "client_secret_post")


def assert_one_error_line(result: Run, *words: str) -> None:
    """Exit 1, one ``error:`` line on stderr with ``words``, no traceback or stack trace."""
    assert result.returncode == 1, str(result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), str(result)
    for word in words:
        assert word in lines[0], str(result)


def paste_redirect(*, deny: bool = False) -> Any:
    """Plays the user of the curl samples: opens the printed URL, pastes the redirect URL."""
    seen: dict[str, str] = {}

    def react(line: str) -> str | None:
        if line.startswith("http"):
            seen["url"] = line.strip()
        if line.startswith("Then paste"):
            result = dot_browser.drive(seen["url"], deny=deny)
            assert isinstance(result, fake_browser.Redirect), result
            return result.url
        return None

    return react


# --- client credentials -----------------------------------------------------------------------


@pytest.mark.parametrize("client_auth", SECRET_METHODS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_client_credentials(
    dot_server: DOTServer, tmp_path: Path, language: str, client_auth: str
) -> None:
    """The secret has %, +, :, / and a space: only RFC 6749 §2.3.1 encoding works. A wrong
    secret fails cleanly with invalid_client."""
    params = dot_params(dot_server, "client_credentials", "service", client_auth=client_auth)
    _, command = write_sample(tmp_path, "client_credentials", language, params)
    good = dot_credentials(dot_server, "service", client_auth)
    result = run(command, dot_server.sample_env(**good))
    result.assert_token()
    assert "scope: read" in result.stdout, str(result)  # the server's default scope
    wrong = run(
        command, dot_server.sample_env(OAUTH_CLIENT_SECRET=good["OAUTH_CLIENT_SECRET"] + "x")
    )
    assert_one_error_line(wrong, "invalid_client")


@pytest.mark.parametrize("language", LANGUAGES)
def test_token_endpoint_without_its_slash_is_reported(
    dot_server: DOTServer, tmp_path: Path, language: str
) -> None:
    """Django's APPEND_SLASH answers POST /o/token with a 301 to /o/token/: followed, the
    POST would become a GET. The sample must stop and say where the endpoint is."""
    token_endpoint = dot_server.token_endpoint.rstrip("/")
    params = dot_params(dot_server, "client_credentials", "service", token_endpoint=token_endpoint)
    _, command = write_sample(tmp_path, "client_credentials", language, params)
    env = dot_server.sample_env(**dot_credentials(dot_server, "service", "client_secret_basic"))
    result = run(command, env)
    expected = f"HTTP 301 from the token endpoint, Location: {dot_server.token_endpoint}"
    assert_one_error_line(result, expected)


# --- authorization code, then refresh ----------------------------------------------------------


def _refresh_twice(
    folder: Path,
    language: str,
    params: SampleParams,
    env: dict[str, str],
    refresh_file: Path,
) -> None:
    """Refreshes with the saved token: the stored one must change (rotation); the old one
    must then be refused (and, with reuse protection, revokes the grant: so it comes last)."""
    first = refresh_file.read_text()
    assert first and refresh_file.stat().st_mode & 0o777 == 0o600
    _, refresh = write_sample(folder / "refresh", "refresh_token", language, params)
    rotated = run(refresh, env)
    rotated.assert_token()
    second = refresh_file.read_text()
    assert second and second != first, "the rotated refresh token was not stored"
    stale = folder / "stale_refresh_token"
    stale.write_text(first)
    reuse = run(refresh, {**env, "OAUTH_REFRESH_TOKEN_FILE": str(stale)})
    assert_one_error_line(reuse, "invalid_grant")
    assert stale.read_text() == first


@pytest.mark.parametrize("language", LANGUAGES)
def test_loopback_sign_in_then_refresh(
    dot_server: DOTServer, tmp_path: Path, language: str
) -> None:
    """A public native client: PKCE, a loopback redirect on a free port (python and
    javascript listen and open $BROWSER; curl reads the pasted redirect URL), iss checked;
    then the refresh_token sample (public client) rotates the saved refresh token."""
    refresh_file = tmp_path / "refresh_token"
    params = dot_params(dot_server, "authorization_code_loopback", "native-app")
    _, command = write_sample(tmp_path, "authorization_code_loopback", language, params)
    env = dot_server.sample_env(OAUTH_REFRESH_TOKEN_FILE=refresh_file)
    react = paste_redirect() if language == "curl" else None
    signin = run(command, env, react=react)
    signin.assert_token()
    assert "refresh_token: " in signin.stdout and "id_token: " in signin.stdout, str(signin)
    refresh_params = dot_params(dot_server, "refresh_token", "native-app", client_auth="none")
    _refresh_twice(tmp_path, language, refresh_params, env, refresh_file)


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_loopback_with_a_browser_that_waits(
    dot_server: DOTServer, tmp_path: Path, language: str
) -> None:
    """The browser delivers the callback itself and exits after the sample has answered it
    (w3m, a wrapper script): webbrowser.open waits for it meanwhile."""
    log = tmp_path / "browser.jsonl"
    params = dot_params(dot_server, "authorization_code_loopback", "native-app")
    _, command = write_sample(tmp_path, "authorization_code_loopback", language, params)
    run(command, dot_server.sample_env(FAKE_BROWSER_WAIT="1", FAKE_BROWSER_LOG=log)).assert_token()
    assert '"event": "delivered", ' in log.read_text() and '"status": 200' in log.read_text()


@pytest.mark.parametrize("language", LANGUAGES)
def test_denied_sign_in_fails_cleanly(dot_server: DOTServer, tmp_path: Path, language: str) -> None:
    """The user signs in and presses Cancel: the sample reports access_denied."""
    params = dot_params(dot_server, "authorization_code_loopback", "native-app")
    _, command = write_sample(tmp_path, "authorization_code_loopback", language, params)
    if language == "curl":
        result = run(command, dot_server.sample_env(), react=paste_redirect(deny=True))
    else:
        result = run(command, dot_server.sample_env(FAKE_BROWSER_ACTION="deny"))
    assert_one_error_line(result, "access_denied")


def test_offline_access_is_refused_cleanly(dot_server: DOTServer, tmp_path: Path) -> None:
    """Why the tests drop offline_access for this server: the template's default scopes,
    unchanged, get invalid_scope (and the sample says so in one line)."""
    params = dot_params(dot_server, "authorization_code_loopback", "native-app")
    params = params.with_values(
        scopes=tuple(TEMPLATES["authorization_code_loopback"].default_scope.split())
    )
    _, command = write_sample(tmp_path, "authorization_code_loopback", "python", params)
    result = run(command, dot_server.sample_env())
    assert_one_error_line(result, "invalid_scope")


@pytest.mark.parametrize("client_auth", SECRET_METHODS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_web_app(dot_server: DOTServer, tmp_path: Path, language: str, client_auth: str) -> None:
    """The confidential web app. python and javascript are web servers: the test is the
    browser (GET /login, sign in and consent on the toolkit's pages, back to the callback
    with the session cookie, GET /). curl reads the pasted redirect URL."""
    port = free_port()
    params = dot_params(
        dot_server,
        "authorization_code_web",
        "web-app",
        client_auth=client_auth,
        redirect_uri=f"http://127.0.0.1:{port}/callback",
    )
    _, command = write_sample(tmp_path, "authorization_code_web", language, params)
    env = dot_server.sample_env(**dot_credentials(dot_server, "web-app", client_auth))
    if language == "curl":
        run(command, env, react=paste_redirect()).assert_token()
        return

    outcome: dict[str, Any] = {}
    stop = threading.Event()

    def browse(line: str) -> None:
        if not line.startswith("Listening on "):
            return
        try:
            with http_client() as browser:
                login = browser.get(f"http://127.0.0.1:{port}/login")
                assert login.status_code == 302, login.text
                callback = dot_browser.drive(login.headers["location"])
                assert isinstance(callback, fake_browser.Redirect), callback
                back = browser.get(callback.url)
                assert back.status_code == 302, back.text
                outcome["home"] = browser.get(f"http://127.0.0.1:{port}/").text
        finally:
            stop.set()

    result = run_server(command, env, browse, stop)
    assert "Signed in." in outcome.get("home", ""), f"{outcome}\n{result}"
    assert "signed in" in result.stdout and "access_token: " in result.stdout, str(result)
    assert "error" not in result.stderr, str(result)


@pytest.mark.parametrize("client_auth", SECRET_METHODS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_refresh_as_a_confidential_client(
    dot_server: DOTServer, tmp_path: Path, language: str, client_auth: str
) -> None:
    """The web app signs in with the curl web sample (the one that saves the refresh token),
    then the refresh_token sample rotates it, authenticating as the same client."""
    refresh_file = tmp_path / "refresh_token"
    params = dot_params(
        dot_server, "authorization_code_web", "web-app", client_auth=client_auth
    ).with_values(redirect_uri=f"http://127.0.0.1:{free_port()}/callback")
    _, signin = write_sample(tmp_path / "signin", "authorization_code_web", "curl", params)
    env = dot_server.sample_env(
        OAUTH_REFRESH_TOKEN_FILE=refresh_file, **dot_credentials(dot_server, "web-app", client_auth)
    )
    run(signin, env, react=paste_redirect()).assert_token()
    refresh_params = dot_params(dot_server, "refresh_token", "web-app", client_auth=client_auth)
    _refresh_twice(tmp_path, language, refresh_params, env, refresh_file)


# --- device code -----------------------------------------------------------------------------


@pytest.mark.parametrize("client_auth", ["none", *SECRET_METHODS])
@pytest.mark.parametrize("language", LANGUAGES)
def test_device_code(
    dot_server: DOTServer, tmp_path: Path, language: str, client_auth: str
) -> None:
    """The user approves on the toolkit's pages (verification_uri_complete); the sample polls
    at the server's 1 s interval. oauthlib requires client_id in the device authorization
    request even with client_secret_basic, and (3.3) compares its Content-Type as a string."""
    client_id = "tv" if client_auth == "none" else "tv-confidential"
    params = dot_params(dot_server, "device_code", client_id, client_auth=client_auth)
    _, command = write_sample(tmp_path, "device_code", language, params)
    refresh_file = tmp_path / "refresh_token"
    env = dot_server.sample_env(
        OAUTH_REFRESH_TOKEN_FILE=refresh_file, **dot_credentials(dot_server, client_id, client_auth)
    )

    def approve(line: str) -> None:
        match = re.match(r"or open (\S+)", line)
        if match:
            dot_server.approve_device(match.group(1))

    result = run(command, env, react=approve)
    result.assert_token()
    assert refresh_file.read_text(), "the device flow's refresh token was not saved"


@pytest.mark.parametrize("language", LANGUAGES)
def test_device_code_denied(dot_server: DOTServer, tmp_path: Path, language: str) -> None:
    params = dot_params(dot_server, "device_code", "tv", client_auth="none")
    _, command = write_sample(tmp_path, "device_code", language, params)

    def deny(line: str) -> None:
        match = re.match(r"or open (\S+)", line)
        if match:
            dot_server.approve_device(match.group(1), deny=True)

    assert_one_error_line(run(command, dot_server.sample_env(), react=deny), "access_denied")
