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
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

from advisor.core.errors import ParameterError
from advisor.core.vocabulary import CLIENT_AUTH_METHODS, ENDPOINTS

_SHOWN: Final = 120
"""Longest value quoted in a message."""

SCOPE_TOKEN: Final = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")
"""RFC 6749 §3.3: ``scope-token = 1*( %x21 / %x23-5B / %x5D-7E )``."""

_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_PLACEHOLDER: Final = re.compile(r"\{[^{}]*\}|[{}]")
"""A template placeholder (``{tenantid}``) or a lone brace."""
_CONTROL: Final = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def shown(value: object) -> str:
    """A user- or server-supplied value, quoted and escaped (no terminal controls), short."""
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 4] + "...'"


def is_loopback_host(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8, ``::1`` and IPv4-mapped 127.0.0.0/8 (brackets
    allowed)."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def _url_parts(name: str, url: str) -> tuple[urllib.parse.SplitResult | None, str | None]:
    """``url`` split, or the problem that stops it being split."""
    if _CONTROL.search(url) or any(c.isspace() for c in url):
        return None, f"{name} {shown(url)} contains spaces or control characters"
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError as exc:
        return None, f"{name} {shown(url)} is not a valid URL: {exc}"
    return parts, None


def server_url_problem(name: str, url: str) -> str | None:
    """Why ``url`` cannot be an authorization-server URL, or None.

    Valid: absolute https (plain http on loopback hosts only, for local test servers), no
    credentials, no fragment. ``name`` says which value it is in the message.
    """
    parts, problem = _url_parts(name, url)
    if parts is None:
        return problem
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return f"{name} {shown(url)} is not an absolute https URL (https://host/...)"
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        return (
            f"{name} {shown(url)} uses plain http; only https is allowed "
            "(plain http only on loopback hosts, for local testing)"
        )
    if parts.username is not None or parts.password is not None:
        return f"{name} {shown(url)} must not contain credentials (user:password@)"
    if parts.fragment or url.endswith("#"):
        return f"{name} {shown(url)} must not have a fragment"
    return None


def issuer_problem(issuer: str) -> str | None:
    """Why ``issuer`` cannot be an issuer identifier (RFC 8414 §2), or None.

    An issuer is an absolute https URL with a host and no query, fragment or credentials;
    plain http is accepted for loopback hosts only, for local test servers.
    """
    parts, problem = _url_parts("issuer", issuer)
    if parts is None:
        return problem
    if parts.query or parts.fragment or issuer.endswith(("?", "#")):
        return f"issuer {shown(issuer)} must not have a query or fragment (RFC 8414 §2)"
    return server_url_problem("issuer", issuer)


def redirect_uri_problem(uri: str) -> str | None:
    """Why ``uri`` cannot be a redirect URI, or None: it must be an absolute URI without a
    fragment (RFC 6749 §3.1.2); private-use schemes are allowed (RFC 8252 §7.1)."""
    parts, problem = _url_parts("redirect URI", uri)
    if parts is None:
        return problem
    if not _SCHEME.match(uri):
        return (
            f"redirect URI {shown(uri)} is not absolute: it needs a scheme "
            "(https://, http://127.0.0.1:PORT/, or a private-use scheme like com.example.app:/)"
        )
    if parts.fragment or "#" in uri:
        return f"redirect URI {shown(uri)} must not contain a fragment (RFC 6749 §3.1.2)"
    if parts.scheme.lower() in ("http", "https") and (
        not uri[len(parts.scheme) + 1 :].startswith("//") or not parts.hostname
    ):
        # http:host/cb and http:/host/cb have no authority here, but a browser goes to host.
        return f"redirect URI {shown(uri)} needs a host: {parts.scheme.lower()}://host/path"
    return None


def scope_problem(scope: str) -> str | None:
    """Why ``scope`` is not one scope token (RFC 6749 §3.3: printable ASCII except space,
    ``"`` and ``\\``), or None."""
    if not SCOPE_TOKEN.fullmatch(scope):
        return (
            f"scope {shown(scope)} is not a valid scope token (RFC 6749 §3.3: printable ASCII "
            'without spaces, " or \\; separate several scopes with spaces)'
        )
    return None


def scopes_problem(scopes: Sequence[str]) -> str | None:
    """The problem of the first scope that is not a scope token, or None."""
    return next((p for p in map(scope_problem, scopes) if p is not None), None)


def text_problem(name: str, value: str) -> str | None:
    """Why a free-form value (client id, audience) is unusable, or None: it must not be
    empty or hold a control or bidi-override character."""
    if _CONTROL.search(value):
        return f"{name} {shown(value)} contains control characters"
    if not value.strip():
        return f"{name} is empty"
    return None


def client_auth_problem(method: str) -> str | None:
    """Why ``method`` is not a token endpoint client authentication method, or None."""
    if method not in CLIENT_AUTH_METHODS:
        return f"unknown client authentication {method!r}; known: {', '.join(CLIENT_AUTH_METHODS)}"
    return None


def interval_problem(interval: object) -> str | None:
    """Why ``interval`` is not a polling interval (whole seconds, 1 to 3600), or None."""
    if isinstance(interval, bool) or not isinstance(interval, int) or not 1 <= interval <= 3600:
        return f"interval must be a whole number of seconds from 1 to 3600, not {interval!r}"
    return None


def _endpoint_check(name: str) -> Callable[[Any], str | None]:
    label = name.replace("_", " ")
    return lambda value: server_url_problem(label, value)


FIELD_CHECKS: Final[Mapping[str, Callable[[Any], str | None]]] = MappingProxyType(
    {
        "issuer": issuer_problem,
        **{name: _endpoint_check(name) for name in ENDPOINTS},
        "client_id": lambda value: text_problem("client id", value),
        "scopes": scopes_problem,
        "redirect_uri": redirect_uri_problem,
        "audience": lambda value: text_problem("audience", value),
        "client_auth": client_auth_problem,
        "interval": interval_problem,
    }
)
"""One check per sample parameter (``SampleParams`` field names): each returns what is wrong
with a value, in one line, or None. The CLI raises it as a ``ParameterError``; the TUI's
parameters form shows it under the field."""


def field_problem(name: str, value: object) -> str | None:
    """What is wrong with ``value`` for the parameter ``name``, or None (also for a field
    without a check). A value of the wrong type (an answers file can hold anything) is a
    problem, not an exception."""
    check = FIELD_CHECKS.get(name)
    if check is None or value is None:
        return None
    if name == "scopes":
        if not isinstance(value, (tuple, list)) or not all(isinstance(v, str) for v in value):
            return f"scopes must be text, not {shown(value)}"
    elif name != "interval" and not isinstance(value, str):
        return f"{name.replace('_', ' ')} must be text, not {shown(value)}"
    return check(value)


def parameters_problems(values: Mapping[str, object]) -> dict[str, str]:
    """Every parameter that is not valid, with its problem (field order of the mapping)."""
    problems: dict[str, str] = {}
    for name, value in values.items():
        problem = field_problem(name, value)
        if problem is not None:
            problems[name] = problem
    return problems


def check_parameters(values: Mapping[str, object]) -> None:
    """Refuse the first parameter value that can never be valid.

    Raises:
        ParameterError: naming the value and what is wrong with it.
    """
    for problem in parameters_problems(values).values():
        raise ParameterError(problem)


def check_server_url(name: str, url: str) -> None:
    """An authorization-server URL (see :func:`server_url_problem`).

    Raises:
        ParameterError: the URL can never be valid.
    """
    problem = server_url_problem(name, url)
    if problem is not None:
        raise ParameterError(problem)


def server_issuer_problem(issuer: str) -> str | None:
    """Why ``issuer`` cannot identify one server whose metadata can be read, or None: what
    :func:`issuer_problem` refuses, and a template placeholder such as ``{tenantid}``
    (``{ }`` are not allowed in a URL, RFC 3986 §2, and such an issuer stands for many
    servers, not one). Sample code may still carry a placeholder issuer, to be filled in."""
    problem = issuer_problem(issuer)
    if problem is not None:
        return problem
    placeholder = _PLACEHOLDER.search(issuer)
    if placeholder is not None:
        return (
            f"issuer {shown(issuer)} contains the placeholder {placeholder.group()!r}: a URL "
            "with { } is not a valid issuer (RFC 3986 does not allow these characters); "
            "replace it with the value it stands for: for a multi-tenant provider such as "
            "Microsoft Entra ID, your tenant's id "
            "(https://login.microsoftonline.com/YOUR-TENANT-ID/v2.0)"
        )
    return None


def check_issuer(issuer: str) -> urllib.parse.SplitResult:
    """Validate the issuer identifier of a server to discover (RFC 8414 §2) and return its
    parts.

    Raises:
        ParameterError: The issuer can never identify a server (see
            :func:`server_issuer_problem`).
    """
    problem = server_issuer_problem(issuer)
    if problem is not None:
        raise ParameterError(problem)
    return urllib.parse.urlsplit(issuer)
