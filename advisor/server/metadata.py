"""Reading a metadata document: typed, forgiving access to its fields.

A metadata document comes from a server that may be misconfigured or hostile: every field is
read through :class:`MetadataReader`, which returns ``None`` for an absent field and for a
malformed one (recording a finding for the latter), and never raises. Values from the server
appear in messages only through ``repr`` (quoted, control characters escaped).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any, Final

from advisor.core.fields import is_loopback_host
from advisor.server.model import Finding, ServerMetadata

DEFAULT_GRANT_TYPES: Final = ("authorization_code", "implicit")
"""RFC 8414 §2 default of ``grant_types_supported``."""
DEFAULT_AUTH_METHODS: Final = ("client_secret_basic",)
"""RFC 8414 §2 default of ``token_endpoint_auth_methods_supported``."""


def endpoint_url(url: object, issuer: str) -> str | None:
    """``url`` if it is usable as an endpoint of ``issuer``'s server, else None.

    Usable: a string holding an absolute https URL without credentials or fragment, or plain
    http on a loopback host when the issuer itself is on plain http (a local test server).
    """
    if not isinstance(url, str) or not url.isprintable() or any(c.isspace() for c in url):
        return None
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018
    except ValueError:
        return None
    if not host or parts.username is not None or parts.password is not None or parts.fragment:
        return None
    if parts.scheme == "https":
        return url
    if parts.scheme == "http" and is_loopback_host(host) and issuer.startswith("http://"):
        return url
    return None


def metadata_endpoint(meta: ServerMetadata, name: str, *, mtls: bool = False) -> str | None:
    """The server's ``name`` endpoint when the metadata holds a usable URL for it, else None.

    With ``mtls``, an RFC 8705 §5 ``mtls_endpoint_aliases`` entry is preferred.
    """
    if mtls:
        aliases = meta.document.get("mtls_endpoint_aliases")
        if isinstance(aliases, Mapping):
            alias = endpoint_url(aliases.get(name), meta.issuer)
            if alias:
                return alias
    return endpoint_url(meta.document.get(name), meta.issuer)


class MetadataReader:
    """Typed, forgiving access to a metadata document; collects malformed-field findings.

    Args:
        metadata: Fetched metadata, or a plain mapping (a hand-written document, tests).
    """

    def __init__(self, metadata: ServerMetadata | Mapping[str, Any]) -> None:
        if isinstance(metadata, Mapping):
            self.data: Mapping[str, Any] = metadata
            issuer = metadata.get("issuer")
            self.issuer = issuer if isinstance(issuer, str) else ""
            self.url: str | None = None
        else:
            self.data = metadata.document
            self.issuer = metadata.issuer
            self.url = metadata.url
        self.problems: dict[str, Finding] = {}
        """Malformed fields seen so far, by field name."""

    def strings(self, name: str) -> tuple[str, ...] | None:
        """A list-of-strings field; None when absent (or malformed, which is recorded)."""
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        self._malformed(name, "a list of strings")
        return None

    def flag(self, name: str) -> bool | None:
        """A boolean field; None when absent (or malformed, which is recorded)."""
        value = self.data.get(name)
        if value is None or isinstance(value, bool):
            return value
        self._malformed(name, "true or false")
        return None

    def endpoint(self, name: str) -> str | None:
        """A usable endpoint URL; None when absent or unusable (which is recorded)."""
        value = self.data.get(name)
        if value is None:
            return None
        url = endpoint_url(value, self.issuer or "https:")
        if url is None:
            self.problems[name] = Finding(
                "error",
                "invalid_endpoint",
                f"{name} {quoted(value)} is not an https URL (plain http only on loopback for a "
                "local server), so it is not used",
            )
        return url

    def _malformed(self, name: str, expected: str) -> None:
        self.problems[name] = Finding(
            "warning",
            "malformed_metadata",
            f"{name} should be {expected}, not {quoted(self.data.get(name))}: ignored",
        )


def quoted(value: object) -> str:
    """A server value for a message: ``repr`` (quoted, controls escaped), at most 100 chars."""
    text = repr(value)
    return text if len(text) <= 100 else text[:96] + "...'"


def names(values: Iterable[str]) -> str:
    """Names for a message; anything unusual (controls, spaces, very long) is quoted."""
    shown = [v if v.isprintable() and len(v) <= 100 and " " not in v else quoted(v) for v in values]
    return ", ".join(shown) or "none"
