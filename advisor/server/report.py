"""``check-server``: every flow of a tree's catalogue checked against one server.

Each flow is checked for what it needs itself (grant type, endpoints, PKCE S256 for the
authorization code flow, poll mode for CIBA) by the rules of :mod:`advisor.server.findings`;
client authentication and features that depend on the situation (PAR, DPoP, mTLS) are
reported under ``features``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from advisor.server.findings import check_flow, server_findings, sort_findings
from advisor.server.metadata import (
    DEFAULT_AUTH_METHODS,
    DEFAULT_GRANT_TYPES,
    MetadataReader,
)
from advisor.server.model import Finding, ServerMetadata
from advisor.tree.models import Tree


@dataclass(frozen=True, slots=True)
class FlowSupport:
    """Whether the server supports one flow of the catalogue, and what is missing."""

    flow: str
    """The catalogue flow id."""
    name: str
    """Its display name."""
    grant_type: str | None
    """Its wire ``grant_type``."""
    findings: tuple[Finding, ...]
    """What the metadata says about it, errors first."""

    @property
    def status(self) -> Literal["supported", "unknown", "unsupported"]:
        """``unsupported`` with any error, ``unknown`` with warnings, else ``supported``."""
        severities = {f.severity for f in self.findings}
        if "error" in severities:
            return "unsupported"
        if "warning" in severities:
            return "unknown"
        return "supported"


@dataclass(frozen=True, slots=True)
class ServerReport:
    """What ``check-server`` prints: the server's features and each flow's support."""

    issuer: str
    metadata_url: str | None
    features: Mapping[str, Any]
    """The features the advice relies on, as the server advertises them (JSON-ready)."""
    flows: tuple[FlowSupport, ...]
    """Every flow of the tree's catalogue that may be recommended, in catalogue order."""
    findings: tuple[Finding, ...] = ()
    """About the server itself rather than one flow (plain http, malformed fields)."""

    def as_dict(self) -> dict[str, Any]:
        """The ``check-server --format json`` document."""
        return {
            "issuer": self.issuer,
            "metadata_url": self.metadata_url,
            "findings": [f.as_dict() for f in self.findings],
            "features": dict(self.features),
            "flows": [
                {
                    "id": s.flow,
                    "name": s.name,
                    "grant_type": s.grant_type,
                    "status": s.status,
                    "findings": [f.as_dict() for f in s.findings],
                }
                for s in self.flows
            ],
        }


# -- the whole server -----------------------------------------------------------------------

# Inherent needs of each flow when checked without an outcome (check-server).
_FLOW_NEEDS: Final[dict[str, tuple[str, ...]]] = {
    "authorization_code": ("pkce_s256",),
    "refresh_token": ("refresh_tokens",),
}


def check_server(tree: Tree, metadata: ServerMetadata | Mapping[str, Any]) -> ServerReport:
    """Check every flow of ``tree``'s catalogue (anti-patterns excepted) against a server.

    Flows are checked for what they need themselves (grant type, endpoints, PKCE S256 for
    the authorization code flow, poll mode for CIBA); client authentication and features
    that depend on the situation (PAR, DPoP, mTLS) are reported under ``features``.
    """
    doc = MetadataReader(metadata)
    flows = tuple(
        FlowSupport(
            flow=flow.id,
            name=flow.name,
            grant_type=flow.grant_type,
            findings=tuple(
                check_flow(
                    flow.id,
                    metadata,
                    grant_type=flow.grant_type,
                    needs=_FLOW_NEEDS.get(flow.id, ()),
                    server_level=False,
                )
            ),
        )
        for flow in tree.flows
        if not flow.anti_pattern
    )
    return ServerReport(
        issuer=doc.issuer,
        metadata_url=doc.url,
        features=server_features(doc),
        flows=flows,
        findings=tuple(sort_findings(server_findings(doc))),
    )


def server_features(
    metadata: ServerMetadata | Mapping[str, Any] | MetadataReader,
) -> dict[str, Any]:
    """The features advice relies on, as the server advertises them (JSON-ready).

    Lists that are absent appear as their specification's default with ``*_listed: false``.
    """
    doc = metadata if isinstance(metadata, MetadataReader) else MetadataReader(metadata)
    grants = doc.strings("grant_types_supported")
    auth = doc.strings("token_endpoint_auth_methods_supported")
    aliases = doc.data.get("mtls_endpoint_aliases")
    return {
        "grant_types": list(grants if grants is not None else DEFAULT_GRANT_TYPES),
        "grant_types_listed": grants is not None,
        "token_endpoint_auth_methods": list(auth if auth is not None else DEFAULT_AUTH_METHODS),
        "token_endpoint_auth_methods_listed": auth is not None,
        "pkce_methods": _list_or_none(doc.strings("code_challenge_methods_supported")),
        "par_endpoint": doc.endpoint("pushed_authorization_request_endpoint"),
        "par_required": bool(doc.flag("require_pushed_authorization_requests")),
        "dpop_algorithms": _list_or_none(doc.strings("dpop_signing_alg_values_supported")),
        "mtls_bound_tokens": bool(doc.flag("tls_client_certificate_bound_access_tokens")),
        "mtls_endpoint_aliases": isinstance(aliases, Mapping) and bool(aliases),
        "iss_parameter": bool(doc.flag("authorization_response_iss_parameter_supported")),
        "device_authorization_endpoint": doc.endpoint("device_authorization_endpoint"),
        "backchannel_authentication_endpoint": doc.endpoint("backchannel_authentication_endpoint"),
        "backchannel_token_delivery_modes": _list_or_none(
            doc.strings("backchannel_token_delivery_modes_supported")
        ),
    }


def _list_or_none(values: tuple[str, ...] | None) -> list[str] | None:
    return list(values) if values is not None else None
