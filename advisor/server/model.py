"""The values the server layer produces: a server's metadata and what it says about advice.

Plain immutable data, shared by :mod:`~advisor.server.fetch` (which makes
:class:`ServerMetadata`), :mod:`~advisor.server.findings` (which makes :class:`Finding` and
:class:`Compatibility`) and the exports that print them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

FindingSeverity = Literal["error", "warning", "info"]
"""``error``: the server says, explicitly, that it cannot do what the advice needs;
``warning``: it may not, or a safeguard is missing; ``info``: worth knowing."""

SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}
"""Findings are listed errors first, then warnings, then notes."""


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

    @property
    def plain_http(self) -> bool:
        """True when the metadata came over plain http (allowed on loopback only)."""
        return self.url.startswith("http://")


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the server's metadata says about the advice."""

    severity: FindingSeverity
    """``error``, ``warning`` or ``info``."""
    code: str
    """A stable identifier, e.g. ``grant_type_not_supported``: one code, one meaning."""
    message: str
    """One sentence for people."""

    def as_dict(self) -> dict[str, str]:
        """``{"severity", "code", "message"}``."""
        return {"severity": self.severity, "code": self.code, "message": self.message}


@dataclass(frozen=True, slots=True)
class Compatibility:
    """One recommendation checked against a server (``ask --discover``, the TUI)."""

    issuer: str
    """The server's issuer identifier."""
    metadata_url: str
    """Where its metadata was read."""
    findings: tuple[Finding, ...]
    """Errors first, then warnings, then notes; empty when the server supports everything."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: issuer, metadata_url, findings."""
        return {
            "issuer": self.issuer,
            "metadata_url": self.metadata_url,
            "findings": [f.as_dict() for f in self.findings],
        }
