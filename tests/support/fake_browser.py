#!/usr/bin/env python3
"""A stand-in for the user's web browser, for grant-advisor's integration tests.

Usable as the ``BROWSER`` environment variable (Python's ``webbrowser`` honours it, and the
generated Node samples run ``$BROWSER <url>`` when it is set)::

    BROWSER=/path/to/tests/support/fake_browser.py python sample.py

Given the authorization URL of the test OpenID provider (tests/oidc/server.mjs) as argv[1], it
drives the provider's dev login and consent pages with plain HTTP (no real browser, no
JavaScript), then delivers the final redirect to the client's redirect URI (the sample's
loopback listener on 127.0.0.1) so the sample receives its callback.

The provider interaction runs synchronously; the callback delivery runs in a detached child
process and this script exits 0 right away, like a browser launcher (xdg-open). With
``FAKE_BROWSER_WAIT=1`` it delivers the callback itself and exits only after the client has
answered it, like a text browser (w3m) or a wrapper script: ``webbrowser.open`` waits for the
BROWSER command to exit, so a sample that answers the callback only after
``webbrowser.open`` returns deadlocks with such a browser (the samples must not).

Environment:
    FAKE_BROWSER_LOGIN   account to sign in as (default ``alice``; any login is accepted)
    FAKE_BROWSER_ACTION  ``approve`` (default) or ``deny`` (abort the interaction: the client
                         gets ``error=access_denied``)
    FAKE_BROWSER_TAMPER  ``state`` (change the state value), ``iss`` (change the RFC 9207 iss
                         value) or ``drop-iss`` (remove it), to test that samples reject a
                         forged callback. Default: deliver the callback unchanged.
    FAKE_BROWSER_LOG     append one JSON line per run to this file (what was done, the final
                         URL, errors), for test diagnostics
    FAKE_BROWSER_TIMEOUT per-request timeout in seconds (default 10)
    FAKE_BROWSER_WAIT    ``1``: deliver the callback before exiting (a browser that waits)

Only the standard library is used, so any ``python3`` on PATH can run it.

The same module provides the HTTP driving used by tests/support/oidc.py (``drive`` and
``approve_device``); every call uses its own cookie jar, as the provider's interaction cookies
belong to one flow.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser

DEFAULT_TIMEOUT = 10.0
MAX_STEPS = 25
USER_AGENT = "grant-advisor-fake-browser/1"


class BrowserError(RuntimeError):
    """The provider did not lead to the expected page or redirect."""


@dataclass
class Form:
    action: str
    method: str
    id: str | None
    fields: dict[str, str] = field(default_factory=dict)
    text_inputs: list[str] = field(default_factory=list)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.title = ""
        self.text: list[str] = []
        self._in_title = False
        self._form: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = Form(
                action=a.get("action", ""),
                method=(a.get("method") or "get").upper(),
                id=a.get("id"),
            )
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None:
            name = a.get("name")
            if not name:
                return
            kind = a.get("type", "text").lower()
            if kind in ("text", "email", "password"):
                self._form.text_inputs.append(name)
            self._form.fields[name] = a.get("value", "")
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif data.strip():
            self.text.append(data.strip())


@dataclass
class Page:
    status: int
    url: str
    headers: http.client.HTTPMessage
    body: str
    title: str
    forms: list[Form]
    text: str


@dataclass
class Redirect:
    """The step that leaves the provider for the client's redirect URI."""

    method: str  # "GET" (query/fragment response modes) or "POST" (form_post)
    url: str
    form: dict[str, str] | None = None


class _KeepErrors(urllib.request.HTTPErrorProcessor):
    """Return every response as is: 3xx are not followed, 4xx/5xx do not raise."""

    def http_response(self, request, response):  # type: ignore[no-untyped-def]
        return response

    https_response = http_response


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects by itself."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar),
            _KeepErrors(),
            urllib.request.ProxyHandler({}),  # never send loopback traffic through a proxy
        )
        self.history: list[str] = []

    def request(self, method: str, url: str, data: dict[str, str] | None = None) -> Page:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, method=method)
        req.add_header("User-Agent", USER_AGENT)
        req.add_header("Accept", "text/html")
        if body is not None:
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        self.history.append(f"{method} {url}")
        try:
            with self.opener.open(req, timeout=self.timeout) as resp:
                raw = resp.read()
                status = resp.status
                headers = resp.headers
        except urllib.error.URLError as exc:
            raise BrowserError(f"{method} {url} failed: {exc}") from exc
        text = raw.decode("utf-8", "replace")
        parser = _PageParser()
        if "html" in (headers.get("Content-Type") or ""):
            parser.feed(text)
        return Page(
            status=status,
            url=url,
            headers=headers,
            body=text,
            title=parser.title.strip(),
            forms=parser.forms,
            text=" ".join(parser.text),
        )


def _origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return (parts.scheme, parts.netloc.lower())


def _error_text(page: Page) -> str:
    return f"HTTP {page.status} at {page.url}: {page.title!r} {page.text[:500]!r}"


def drive(
    url: str,
    *,
    login: str = "alice",
    deny: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    user_code: str | None = None,
    browser: Browser | None = None,
) -> Redirect | Page:
    """Drive the provider's pages starting at ``url`` as a user would.

    Returns a :class:`Redirect` when the provider sends the browser to another origin (the
    client's redirect URI; it is NOT requested), or the final :class:`Page` when the flow ends
    on the provider (device flow success or "interrupted" pages). Raises :class:`BrowserError`
    on provider error pages and unexpected states.
    """
    b = browser or Browser(timeout)
    provider_origin = _origin(url)
    method, data = "GET", None
    code_submitted = False
    deadline = time.monotonic() + max(timeout * 3, 15)
    for _ in range(MAX_STEPS):
        if time.monotonic() > deadline:
            raise BrowserError(f"gave up after {timeout * 3:.0f}s: {b.history}")
        if _origin(url) != provider_origin:
            return Redirect(method=method, url=url, form=data)
        page = b.request(method, url, data)
        method, data = "GET", None
        if 300 <= page.status < 400:
            location = page.headers.get("Location")
            if not location:
                raise BrowserError(f"redirect without Location: {_error_text(page)}")
            url = urllib.parse.urljoin(url, location)
            continue
        if page.status >= 400:
            raise BrowserError(_error_text(page))
        if "something went wrong" in page.title.lower():
            raise BrowserError(_error_text(page))
        if not page.forms:
            return page  # e.g. the device flow's "Sign-in Success" page
        form = page.forms[0]
        action = urllib.parse.urljoin(url, form.action or url)
        fields = dict(form.fields)
        if form.fields.get("prompt") == "login":
            if deny:
                url = action.rstrip("/") + "/abort"
                continue
            fields["login"] = login
            fields["password"] = "any-password"
        elif form.fields.get("prompt") == "consent":
            if deny:
                url = action.rstrip("/") + "/abort"
                continue
        elif form.id == "op.deviceInputForm":
            if code_submitted:
                return page  # re-rendered with a message: interrupted, incorrect code, ...
            if not user_code:
                raise BrowserError(f"device code input page but no user_code given at {url}")
            fields["user_code"] = user_code
        elif form.id == "op.deviceConfirmForm":
            if deny:
                fields.pop("confirm", None)
                fields["abort"] = "yes"
        elif form.text_inputs and any(not fields.get(n) for n in form.text_inputs):
            raise BrowserError(f"unexpected form needing input {form.text_inputs} at {url}")
        # Anything else is an auto-submitting form (form_post response mode, the device flow's
        # user_code form post): submit it as is.
        if _origin(action) != provider_origin:
            return Redirect(method=form.method, url=action, form=fields)
        if fields.get("user_code"):
            code_submitted = True
        method = form.method
        if method == "POST":
            data = fields
            url = action
        else:
            url = _with_query(action, fields)
    raise BrowserError(f"too many steps: {b.history}")


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def approve_device(
    user_code_or_uri: str,
    *,
    verification_uri: str | None = None,
    login: str = "alice",
    deny: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
) -> Page:
    """Complete (or with ``deny=True`` abort) a device authorization as the user.

    ``user_code_or_uri`` is either ``verification_uri_complete`` or a bare user code (then
    ``verification_uri`` is needed). Returns the provider's final page; raises
    :class:`BrowserError` if the flow did not end on the success / interrupted page.
    """
    if user_code_or_uri.startswith(("http://", "https://")):
        start, user_code = user_code_or_uri, None
    else:
        if not verification_uri:
            raise ValueError("a bare user_code needs verification_uri")
        start, user_code = verification_uri, user_code_or_uri
    result = drive(start, login=login, deny=deny, timeout=timeout, user_code=user_code)
    if isinstance(result, Redirect):
        raise BrowserError(f"device flow unexpectedly redirected to {result.url}")
    expected = "interrupted" if deny else "success"
    if expected not in (result.title + " " + result.text).lower():
        raise BrowserError(f"device flow did not end with {expected}: {_error_text(result)}")
    return result


def _tamper_params(params: list[tuple[str, str]], how: str) -> list[tuple[str, str]]:
    if how == "state":
        return [(k, v + "-tampered" if k == "state" else v) for k, v in params]
    if how == "iss":
        return [(k, "http://evil.example.test" if k == "iss" else v) for k, v in params]
    if how == "drop-iss":
        return [(k, v) for k, v in params if k != "iss"]
    raise ValueError(f"unknown FAKE_BROWSER_TAMPER value {how!r} (state, iss or drop-iss)")


def tamper(redirect: Redirect, how: str) -> Redirect:
    """Return the callback with ``state`` or ``iss`` altered (``how``: state, iss, drop-iss)."""
    if redirect.method == "POST":
        form = dict(_tamper_params(list((redirect.form or {}).items()), how))
        return Redirect(redirect.method, redirect.url, form)
    parts = urllib.parse.urlsplit(redirect.url)
    in_fragment = bool(parts.fragment) and not parts.query
    raw = parts.fragment if in_fragment else parts.query
    params = _tamper_params(urllib.parse.parse_qsl(raw, keep_blank_values=True), how)
    encoded = urllib.parse.urlencode(params)
    if in_fragment:
        url = urllib.parse.urlunsplit(parts._replace(fragment=encoded))
    else:
        url = urllib.parse.urlunsplit(parts._replace(query=encoded))
    return Redirect(redirect.method, url, redirect.form)


def deliver(redirect: Redirect, *, timeout: float = DEFAULT_TIMEOUT) -> int:
    """Send the final redirect to the client (GET or form_post POST); return the HTTP status.

    Retries while the connection is refused (the listener is not up yet) until ``timeout``.
    """
    url = redirect.url.split("#", 1)[0] if redirect.method == "GET" else redirect.url
    data = (
        urllib.parse.urlencode(redirect.form or {}).encode() if redirect.method == "POST" else None
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _KeepErrors())
    deadline = time.monotonic() + timeout
    while True:
        req = urllib.request.Request(url, data=data, method=redirect.method)
        req.add_header("User-Agent", USER_AGENT)
        if data is not None:
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with opener.open(req, timeout=timeout) as resp:
                resp.read()
                return int(resp.status)
        except urllib.error.URLError as exc:
            refused = isinstance(exc.reason, ConnectionRefusedError)
            if not refused or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _log(entry: dict[str, object]) -> None:
    path = os.environ.get("FAKE_BROWSER_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\n")


def _deliver_now(redirect: Redirect, timeout: float) -> int:
    """Delivers the callback and waits for the client's answer; returns an exit status."""
    try:
        status = deliver(redirect, timeout=timeout)
        _log({"event": "delivered", "url": redirect.url, "status": status})
        return 0
    except Exception as exc:
        print(f"fake_browser: delivering {redirect.url} failed: {exc}", file=sys.stderr)
        _log({"event": "deliver-failed", "url": redirect.url, "error": str(exc)})
        return 1


def main(argv: list[str]) -> int:
    timeout = float(os.environ.get("FAKE_BROWSER_TIMEOUT") or DEFAULT_TIMEOUT)
    if len(argv) == 3 and argv[1] == "--deliver":
        # Detached child: deliver the callback described in argv[2] (JSON).
        return _deliver_now(Redirect(**json.loads(argv[2])), timeout)

    if len(argv) != 2:
        print("usage: fake_browser.py AUTHORIZATION_URL", file=sys.stderr)
        return 2
    url = argv[1]
    login = os.environ.get("FAKE_BROWSER_LOGIN") or "alice"
    action = (os.environ.get("FAKE_BROWSER_ACTION") or "approve").lower()
    if action not in ("approve", "deny"):
        print(
            f"fake_browser: FAKE_BROWSER_ACTION must be approve or deny, not {action!r}",
            file=sys.stderr,
        )
        return 2
    how = os.environ.get("FAKE_BROWSER_TAMPER") or ""
    try:
        result = drive(url, login=login, deny=action == "deny", timeout=timeout)
        if not isinstance(result, Redirect):
            raise BrowserError(
                f"the provider did not redirect to the client: {_error_text(result)}"
            )
        if how:
            result = tamper(result, how)
    except Exception as exc:
        print(f"fake_browser: {exc}", file=sys.stderr)
        _log({"event": "error", "url": url, "error": str(exc)})
        return 1
    _log(
        {
            "event": "redirect",
            "url": url,
            "callback": result.url,
            "method": result.method,
            "login": login,
            "action": action,
            "tamper": how or None,
        }
    )
    if os.environ.get("FAKE_BROWSER_WAIT") == "1":
        return _deliver_now(result, timeout)
    subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--deliver", json.dumps(result.__dict__)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=None,  # failures show up on the sample's stderr
        start_new_session=True,
        close_fds=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
