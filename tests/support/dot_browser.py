#!/usr/bin/env python3
"""A stand-in for the user's browser in front of django-oauth-toolkit (tests/dot/server.py).

The counterpart of tests/fake_browser.py (which drives oidc-provider's pages), usable as the
``BROWSER`` environment variable::

    BROWSER=/path/to/tests/dot_browser.py python authorization_code_loopback.py

Given an authorization URL as argv[1], it signs in with Django's login form (a Django
session cookie), then posts the toolkit's consent form ("Authorize", or "Cancel" to deny),
and delivers the redirect to the client's redirect URI: like a browser launcher from a
detached child while it exits 0 at once, or with ``FAKE_BROWSER_WAIT=1`` itself, exiting
only after the client has answered (like w3m or a wrapper script).

Environment (the names fake_browser.py reads, so tests set both browsers alike):
    FAKE_BROWSER_LOGIN   who signs in: alice (default) or bob; the password is login +
                         "-password"
    FAKE_BROWSER_ACTION  ``approve`` (default) or ``deny`` (the client gets access_denied)
    FAKE_BROWSER_TAMPER  ``state``, ``iss`` or ``drop-iss``: alter the callback (see
                         fake_browser.tamper)
    FAKE_BROWSER_WAIT    ``1``: deliver the callback before exiting
    FAKE_BROWSER_LOG     append one JSON line per run to this file
    FAKE_BROWSER_TIMEOUT per-request timeout in seconds (default 10)

:func:`approve_device` plays the user of the device flow on the toolkit's pages (sign in,
the prefilled user code, accept or deny).

Only the standard library and fake_browser.py (next to this file) are used.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

try:  # imported as support.dot_browser: one fake_browser module, so one Redirect class
    from support.fake_browser import (
        MAX_STEPS,
        Browser,
        BrowserError,
        Page,
        Redirect,
        _deliver_now,
        _error_text,
        _log,
        _origin,
        tamper,
    )
except ImportError:  # run as the BROWSER program: only its own folder can be on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from fake_browser import (  # type: ignore[no-redef]
        MAX_STEPS,
        Browser,
        BrowserError,
        Page,
        Redirect,
        _deliver_now,
        _error_text,
        _log,
        _origin,
        tamper,
    )

DEFAULT_TIMEOUT = 10.0


def password_of(login: str) -> str:
    return login + "-password"


def drive(
    url: str,
    *,
    login: str = "alice",
    deny: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    browser: Browser | None = None,
) -> Redirect | Page:
    """Follow the toolkit's pages from ``url`` as a user: sign in, then consent (authorization
    request) or accept the device (device flow), or refuse with ``deny``.

    Returns a :class:`Redirect` when the server sends the browser to another origin (the
    client's redirect URI; not requested), or the final :class:`Page` (the device flow's
    status page). Raises :class:`BrowserError` on error pages and unexpected forms.
    """
    b = browser or Browser(timeout)
    server = _origin(url)
    method, data = "GET", None
    for _ in range(MAX_STEPS):
        if _origin(url) != server:
            return Redirect(method="GET", url=url)
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
        if not page.forms:
            return page
        form = page.forms[0]
        fields = dict(form.fields)
        path = urllib.parse.urlsplit(url).path
        if form.id == "login":
            fields.update(username=login, password=password_of(login))
        elif form.id == "authorizationForm":
            # Two submit buttons: "Authorize" (name allow) and "Cancel" (no name). The page
            # parser keeps every named input, the button included: drop it to cancel.
            fields.pop("allow", None)
            if not deny:
                fields["allow"] = "Authorize"
        elif "/device-confirm/" in path:
            fields["action"] = "deny" if deny else "accept"  # the form's two buttons
        elif "user_code" in fields:
            if not fields["user_code"]:
                raise BrowserError(f"the user code form at {url} is not prefilled")
        else:
            raise BrowserError(f"unexpected form {form.id!r} {sorted(fields)} at {url}")
        if form.method != "POST":
            raise BrowserError(f"unexpected {form.method} form at {url}")
        method, data = "POST", fields
        url = urllib.parse.urljoin(url, form.action or url)
    raise BrowserError(f"too many steps: {b.history}")


def approve_device(
    verification_uri_complete: str,
    *,
    login: str = "alice",
    deny: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
) -> Page:
    """Sign in, confirm the prefilled user code, accept (or deny) the device; returns the
    status page. Raises :class:`BrowserError` unless it says the device was authorized
    (denied)."""
    result = drive(verification_uri_complete, login=login, deny=deny, timeout=timeout)
    if isinstance(result, Redirect):
        raise BrowserError(f"the device flow redirected to {result.url}")
    expected = "denied" if deny else "authorized"
    if expected not in (result.title + " " + result.text).lower():
        raise BrowserError(f"the device flow did not end {expected}: {_error_text(result)}")
    return result


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: dot_browser.py AUTHORIZATION_URL", file=sys.stderr)
        return 2
    url = argv[1]
    timeout = float(os.environ.get("FAKE_BROWSER_TIMEOUT") or DEFAULT_TIMEOUT)
    login = os.environ.get("FAKE_BROWSER_LOGIN") or "alice"
    action = (os.environ.get("FAKE_BROWSER_ACTION") or "approve").lower()
    if action not in ("approve", "deny"):
        print(
            f"dot_browser: FAKE_BROWSER_ACTION {action!r} is not approve or deny", file=sys.stderr
        )
        return 2
    how = os.environ.get("FAKE_BROWSER_TAMPER") or ""
    try:
        result = drive(url, login=login, deny=action == "deny", timeout=timeout)
        if not isinstance(result, Redirect):
            raise BrowserError(f"the server did not redirect to the client: {_error_text(result)}")
        if how:
            result = tamper(result, how)
    except Exception as exc:
        print(f"dot_browser: {exc}", file=sys.stderr)
        _log({"event": "error", "url": url, "error": str(exc)})
        return 1
    _log({"event": "redirect", "url": url, "callback": result.url, "action": action})
    if os.environ.get("FAKE_BROWSER_WAIT") == "1":
        return _deliver_now(result, timeout)
    deliverer = Path(__file__).resolve().with_name("fake_browser.py")
    subprocess.Popen(
        [sys.executable, str(deliverer), "--deliver", json.dumps(result.__dict__)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
