"""Boundary checks for values a user types: URLs, scopes, ids.

Whatever these accept is later escaped for each language (see :mod:`advisor.samples.escape`);
these checks refuse what can never be valid, with a clear message, before anything is
generated: an issuer that is not an absolute https URL (plain http only on loopback hosts), a
redirect URI with a fragment (RFC 6749 §3.1.2), a scope outside RFC 6749 §3.3's grammar, and
control characters anywhere.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from typing import Final

from advisor.errors import ParameterError

_SHOWN: Final = 120
"""Longest value quoted in a message."""

SCOPE_TOKEN: Final = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")
"""RFC 6749 §3.3: ``scope-token = 1*( %x21 / %x23-5B / %x5D-7E )``."""

_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_CONTROL: Final = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def shown(value: object) -> str:
    """A user- or server-supplied value, quoted and escaped (no terminal controls), short."""
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 4] + "...'"


def is_loopback_host(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ``::1`` (brackets allowed)."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _parts(name: str, url: str) -> urllib.parse.SplitResult:
    if _CONTROL.search(url) or any(c.isspace() for c in url):
        raise ParameterError(f"{name} {shown(url)} contains spaces or control characters")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError as exc:
        raise ParameterError(f"{name} {shown(url)} is not a valid URL: {exc}") from None
    return parts


def check_server_url(name: str, url: str) -> urllib.parse.SplitResult:
    """An authorization-server URL: absolute https (plain http on loopback hosts only),
    no credentials, no fragment.

    Raises:
        ParameterError: the URL can never be valid.
    """
    parts = _parts(name, url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ParameterError(f"{name} {shown(url)} is not an absolute https URL (https://host/...)")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ParameterError(
            f"{name} {shown(url)} uses plain http; only https is allowed "
            "(plain http only on loopback hosts, for local testing)"
        )
    if parts.username is not None or parts.password is not None:
        raise ParameterError(f"{name} {shown(url)} must not contain credentials (user:password@)")
    if parts.fragment or url.endswith("#"):
        raise ParameterError(f"{name} {shown(url)} must not have a fragment")
    return parts


def check_issuer(issuer: str) -> urllib.parse.SplitResult:
    """Validate an issuer identifier (RFC 8414 §2) and return its parts.

    An issuer is an absolute https URL with a host and no query, fragment or credentials.
    Plain http is accepted for loopback hosts only, for local test servers.

    Raises:
        ParameterError: The issuer can never be valid.
    """
    parts = _parts("issuer", issuer)
    if parts.query or parts.fragment or issuer.endswith(("?", "#")):
        raise ParameterError(
            f"issuer {shown(issuer)} must not have a query or fragment (RFC 8414 §2)"
        )
    return check_server_url("issuer", issuer)


def check_redirect_uri(uri: str) -> None:
    """An absolute URI without a fragment (RFC 6749 §3.1.2); private-use schemes allowed.

    Raises:
        ParameterError: the URI can never be a redirect URI.
    """
    parts = _parts("redirect URI", uri)
    if not _SCHEME.match(uri):
        raise ParameterError(
            f"redirect URI {shown(uri)} is not absolute: it needs a scheme "
            "(https://, http://127.0.0.1:PORT/, or a private-use scheme like com.example.app:/)"
        )
    if parts.fragment or "#" in uri:
        raise ParameterError(
            f"redirect URI {shown(uri)} must not contain a fragment (RFC 6749 §3.1.2)"
        )


def check_scope(scope: str) -> None:
    """One scope token (RFC 6749 §3.3): printable ASCII except space, ``"`` and ``\\``.

    Raises:
        ParameterError: the scope can never be valid.
    """
    if not SCOPE_TOKEN.fullmatch(scope):
        raise ParameterError(
            f"scope {shown(scope)} is not a valid scope token (RFC 6749 §3.3: printable ASCII "
            'without spaces, " or \\; separate several scopes with spaces)'
        )


def check_text(name: str, value: str) -> None:
    """A free-form value (client id, audience) must not hold control characters.

    Raises:
        ParameterError: the value holds a control or bidi-override character.
    """
    if _CONTROL.search(value):
        raise ParameterError(f"{name} {shown(value)} contains control characters")
    if not value.strip():
        raise ParameterError(f"{name} is empty")
