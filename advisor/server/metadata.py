"""Reading a metadata document: typed, forgiving access to its fields.

A metadata document comes from a server that may be misconfigured or hostile: every field is
read through :class:`MetadataReader`, which returns ``None`` for an absent field and for a
malformed one (recording a finding for the latter), and never raises. Values from the server
appear in messages only through ``repr`` (quoted, control characters escaped).

Absent fields have the default of the specification the document was published under (RFC
8414 §2 for an ``oauth-authorization-server`` document, OpenID Connect Discovery 1.0 §3 for an
``openid-configuration`` one); :attr:`MetadataReader.defaults_source` names it for messages.
Grants listed under a spelling other than their registered one (``device_code``,
``token-exchange``, ``ciba``, ...) are read as that grant (:func:`registered_grant`).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any, Final

from advisor.core.fields import is_loopback_host
from advisor.core.vocabulary import GRANT_TYPES
from advisor.server.model import (
    DEFAULTS_SOURCE,
    KIND_NAMES,
    Finding,
    MetadataKind,
    ServerMetadata,
)

DEFAULT_GRANT_TYPES: Final = ("authorization_code", "implicit")
"""Default of ``grant_types_supported``: the same in RFC 8414 §2 and OpenID Connect Discovery
1.0 §3."""
DEFAULT_AUTH_METHODS: Final = ("client_secret_basic",)
"""Default of ``token_endpoint_auth_methods_supported``: the same in RFC 8414 §2 and OpenID
Connect Discovery 1.0 §3 (HTTP Basic, RFC 6749 §2.3.1). Both describe how confidential
clients authenticate; public clients (``none``) are a matter of the client's registration."""

_GRANT_PREFIXES: Final = ("urn:ietf:params:oauth:grant-type:", "urn:openid:params:grant-type:")


def _grant_key(name: str) -> str:
    key = name.strip().lower()
    for prefix in _GRANT_PREFIXES:
        key = key.removeprefix(prefix)
    return key.replace("-", "_")


_REGISTERED_GRANTS: Final[dict[str, str]] = {
    _grant_key(grant): grant for grant in GRANT_TYPES.values() if grant is not None
} | {"implicit": "implicit"}


def registered_grant(listed: str) -> str | None:
    """The registered ``grant_type`` a server's spelling stands for, or None if unknown.

    Servers sometimes list a grant by a short or variant name instead of the URI registered
    for it (GitLab lists ``device_code`` for ``urn:ietf:params:oauth:grant-type:device_code``
    of RFC 8628 §3.4). Recognised: the registered value itself; the part after the
    ``urn:ietf:params:oauth:grant-type:`` or ``urn:openid:params:grant-type:`` prefix, with
    hyphens or underscores, in any case (``device_code``, ``device-code``,
    ``token-exchange``, ``token_exchange``, ``jwt-bearer``, ``saml2-bearer``, ``ciba``); and
    those short names under the wrong prefix.

    Args:
        listed: One value of ``grant_types_supported``.

    Returns:
        The registered value (``listed`` itself when it is registered), or None for a grant
        grant-advisor does not know (e.g. ``urn:okta:params:oauth:grant-type:otp``).
    """
    if listed in _REGISTERED_GRANTS.values():
        return listed
    return _REGISTERED_GRANTS.get(_grant_key(listed))


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
        metadata: Fetched metadata, or a plain mapping (a hand-written document, tests; read
            as an RFC 8414 document).
    """

    def __init__(self, metadata: ServerMetadata | Mapping[str, Any]) -> None:
        self.kind: MetadataKind = "oauth"
        """Which specification the document was published under (its defaults apply)."""
        self.tried: tuple[tuple[str, str], ...] = ()
        """Locations tried before the one that answered, each with why it had none."""
        if isinstance(metadata, Mapping):
            self.data: Mapping[str, Any] = metadata
            issuer = metadata.get("issuer")
            self.issuer = issuer if isinstance(issuer, str) else ""
            self.url: str | None = None
        else:
            self.data = metadata.document
            self.issuer = metadata.issuer
            self.url = metadata.url
            self.kind = metadata.kind
            self.tried = metadata.tried
        self.problems: dict[str, Finding] = {}
        """Malformed fields seen so far, by field name."""

    @property
    def defaults_source(self) -> str:
        """Where absent fields' defaults come from: ``RFC 8414 §2`` or ``OpenID Connect
        Discovery 1.0 §3``."""
        return DEFAULTS_SOURCE[self.kind]

    @property
    def kind_name(self) -> str:
        """What the document is called in messages."""
        return KIND_NAMES[self.kind]

    def present(self, name: str) -> bool:
        """Whether the document has field ``name`` at all (``null`` counts as absent)."""
        return self.data.get(name) is not None

    def grants(self) -> tuple[dict[str, str], tuple[str, ...]] | None:
        """``grant_types_supported`` read as registered grant types.

        Returns:
            None when the field is absent or malformed; else ``(recognised, unknown)``:
            registered grant type -> the spelling the server listed it under, and the listed
            values grant-advisor does not know.
        """
        listed = self.strings("grant_types_supported")
        if listed is None:
            return None
        recognised: dict[str, str] = {}
        unknown: list[str] = []
        for value in listed:
            grant = registered_grant(value)
            if grant is None:
                unknown.append(value)
            else:
                recognised.setdefault(grant, value)
        return recognised, tuple(unknown)

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
            self.problems[name] = Finding.of(
                "invalid_endpoint",
                f"{name} {quoted(value)} is not an https URL (plain http only on loopback for a "
                "local server), so it is not used",
            )
        return url

    def _malformed(self, name: str, expected: str) -> None:
        self.problems[name] = Finding.of(
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
