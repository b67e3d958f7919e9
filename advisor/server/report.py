"""``check-server``: every flow of a tree's catalogue checked against one server.

Each flow is checked for what it needs itself (grant type, endpoints, PKCE S256 for the
authorization code flow, poll mode for CIBA) by the rules of :mod:`advisor.server.findings`;
client authentication and features that depend on the situation (PAR, DPoP, mTLS) are
reported under ``features``. The report says what the issuer is (``role``: an authorization
server, or a token issuer or sign-in provider that is not one), which document was read, and
the provider it was recognised as, with that provider's documented facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from advisor.core.vocabulary import ENDPOINTS
from advisor.server.findings import (
    ROLE_SUMMARIES,
    ServerRole,
    check_flow,
    recognition,
    server_findings,
    server_role,
    sort_findings,
)
from advisor.server.metadata import (
    DEFAULT_AUTH_METHODS,
    DEFAULT_GRANT_TYPES,
    MetadataReader,
)
from advisor.server.model import Finding, MetadataKind, ServerMetadata
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
    """The issuer identifier."""
    metadata_url: str | None
    """Where the metadata was read (None for a hand-written document)."""
    features: Mapping[str, Any]
    """The features the advice relies on, as the server advertises them (JSON-ready)."""
    flows: tuple[FlowSupport, ...]
    """Every flow of the tree's catalogue that may be recommended, in catalogue order."""
    findings: tuple[Finding, ...] = ()
    """About the server itself rather than one flow: what it is when not an authorization
    server, which document was read, malformed fields, plain http, the provider."""
    role: ServerRole = "authorization_server"
    """What the issuer is (see :data:`advisor.server.findings.ServerRole`)."""
    role_summary: str | None = None
    """One sentence saying plainly what a non-authorization-server issuer is and is not."""
    metadata_kind: MetadataKind = "oauth"
    """Which kind of document was read: RFC 8414 (``oauth``) or OpenID Connect (``openid``)."""
    provider: str | None = None
    """The provider profile's name when the server was recognised, else None."""
    provider_certain: bool = False
    """True when recognised by its issuer; False when only its metadata looks like it."""

    def as_dict(self) -> dict[str, Any]:
        """The ``check-server --format json`` document."""
        return {
            "issuer": self.issuer,
            "metadata_url": self.metadata_url,
            "metadata_kind": self.metadata_kind,
            "role": self.role,
            "provider": self.provider,
            "provider_certain": self.provider_certain,
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

    Args:
        tree: The decision tree whose flow catalogue is checked.
        metadata: The server's metadata, fetched (RFC 8414 / OpenID Connect Discovery) or
            hand-written.

    Returns:
        The report; each flow's findings are the same :func:`check_flow` gives ``ask
        --discover`` for that flow (before what an outcome adds: client authentication,
        features, scopes).
    """
    doc = MetadataReader(metadata)
    recognised = recognition(doc)
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
    features = server_features(doc)
    for name in ENDPOINTS:  # every endpoint read, so an unusable one is a server finding
        doc.endpoint(name)
    return ServerReport(
        issuer=doc.issuer,
        metadata_url=doc.url,
        features=features,
        flows=flows,
        findings=tuple(sort_findings(server_findings(doc))),
        role=server_role(doc),
        role_summary=ROLE_SUMMARIES.get(server_role(doc)),
        metadata_kind=doc.kind,
        provider=recognised.profile.name if recognised else None,
        provider_certain=bool(recognised and recognised.certain),
    )


def server_features(
    metadata: ServerMetadata | Mapping[str, Any] | MetadataReader,
) -> dict[str, Any]:
    """The features advice relies on, as the server advertises them (JSON-ready).

    Lists that are absent appear as their specification's default with ``*_listed: false``
    (``defaults_from`` names the specification: RFC 8414 §2, or OpenID Connect Discovery 1.0
    §3 when only an OpenID document was found).
    """
    doc = metadata if isinstance(metadata, MetadataReader) else MetadataReader(metadata)
    grants = doc.strings("grant_types_supported")
    read = doc.grants()
    auth = doc.strings("token_endpoint_auth_methods_supported")
    aliases = doc.data.get("mtls_endpoint_aliases")
    return {
        "grant_types": list(grants if grants is not None else DEFAULT_GRANT_TYPES),
        "grant_types_listed": grants is not None,
        # Listed spelling -> registered grant type, for grants listed under another name.
        "grant_type_aliases": {
            listed: grant for grant, listed in (read[0] if read else {}).items() if listed != grant
        },
        "defaults_from": doc.defaults_source,
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
