"""The values the server layer produces: a server's metadata and what it says about advice.

Plain immutable data, shared by :mod:`~advisor.server.fetch` (which makes
:class:`ServerMetadata`), :mod:`~advisor.server.findings` (which makes :class:`Finding` and
:class:`Compatibility`) and the exports that print them. Finding codes and their severities
are stated once, in :mod:`advisor.server.codes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from advisor.server.codes import FINDING_CODES, FindingSeverity

__all__ = [
    "SEVERITY_ORDER",
    "Compatibility",
    "Finding",
    "FindingSeverity",
    "MetadataKind",
    "ServerMetadata",
]

SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}
"""Findings are listed errors first, then warnings, then notes."""

MetadataKind = Literal["oauth", "openid"]
"""Which specification a metadata document was published under, by where it was found:
``oauth`` for an RFC 8414 document (``/.well-known/oauth-authorization-server``), ``openid``
for an OpenID Connect Discovery 1.0 document (``/.well-known/openid-configuration``)."""

DEFAULTS_SOURCE: Final[Mapping[str, str]] = {
    "oauth": "RFC 8414 §2",
    "openid": "OpenID Connect Discovery 1.0 §3",
}
"""Where the default value of an absent field comes from, by :data:`MetadataKind`."""

KIND_NAMES: Final[Mapping[str, str]] = {
    "oauth": "RFC 8414 authorization server metadata",
    "openid": "OpenID Connect Discovery document",
}
"""What each kind of document is called in messages."""


@dataclass(frozen=True, slots=True)
class ServerMetadata:
    """An authorization server's metadata document (RFC 8414 §2, OpenID Connect Discovery §3),
    fetched and checked."""

    issuer: str
    """The issuer identifier, exactly as requested and as the document states it."""
    document: Mapping[str, Any]
    """The metadata document (read-only)."""
    url: str
    """Where the document was read from (after redirects)."""
    kind: MetadataKind = "oauth"
    """Which specification's well-known location answered (absent fields take its
    defaults)."""
    tried: tuple[tuple[str, str], ...] = ()
    """The locations tried before this one, each with why it gave no metadata, e.g.
    ``("https://h/.well-known/oauth-authorization-server", "HTTP 404 Not Found")``."""

    @property
    def plain_http(self) -> bool:
        """True when the metadata came over plain http (allowed on loopback only)."""
        return self.url.startswith("http://")


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the server's metadata says about the advice.

    Raises:
        ValueError: ``code`` is not in :data:`advisor.server.codes.FINDING_CODES`, or
            ``severity`` is not that code's severity (one code, one severity).
    """

    severity: FindingSeverity
    """``error``, ``warning`` or ``info``: always the code's own severity."""
    code: str
    """A stable identifier, e.g. ``grant_type_not_supported``: one code, one meaning."""
    message: str
    """One sentence for people."""
    source: str | None = None
    """The documentation a provider fact cites (``provider_fact`` findings), else None."""

    def __post_init__(self) -> None:
        entry = FINDING_CODES.get(self.code)
        if entry is None:
            raise ValueError(f"unknown finding code {self.code!r} (see advisor.server.codes)")
        if entry.severity != self.severity:
            raise ValueError(
                f"finding code {self.code!r} is always {entry.severity!r}, not {self.severity!r}"
            )

    @classmethod
    def of(cls, code: str, message: str, source: str | None = None) -> Finding:
        """A finding with ``code``'s own severity.

        Raises:
            ValueError: ``code`` is not a finding code.
        """
        entry = FINDING_CODES.get(code)
        if entry is None:
            raise ValueError(f"unknown finding code {code!r} (see advisor.server.codes)")
        return cls(entry.severity, code, message, source)

    def as_dict(self) -> dict[str, str]:
        """``{"severity", "code", "message"}``, and ``"source"`` when the finding cites one."""
        data = {"severity": self.severity, "code": self.code, "message": self.message}
        if self.source is not None:
            data["source"] = self.source
        return data


@dataclass(frozen=True, slots=True)
class Compatibility:
    """One recommendation checked against a server (``ask --discover``, the TUI)."""

    issuer: str
    """The server's issuer identifier (as requested, when discovery failed)."""
    metadata_url: str | None
    """Where its metadata was read; None when discovery found none it could use (the
    findings then say why)."""
    findings: tuple[Finding, ...]
    """Errors first, then warnings, then notes; empty when the server supports everything."""
    metadata_kind: MetadataKind | None = None
    """Which kind of document was read (None when discovery failed)."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: issuer, metadata_url, findings."""
        return {
            "issuer": self.issuer,
            "metadata_url": self.metadata_url,
            "findings": [f.as_dict() for f in self.findings],
        }
