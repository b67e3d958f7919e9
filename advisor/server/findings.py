"""Does the user's authorization server support the advice? Findings from its metadata.

:func:`check_flow` runs :data:`RULES`, one small function per thing a flow needs from the
server, over an RFC 8414 / OpenID Connect Discovery metadata document
(:class:`~advisor.server.model.ServerMetadata` or a plain mapping); :func:`compatibility`
checks one recommendation (``ask --discover``, the TUI), and
:func:`advisor.server.report.check_server` every flow of a tree (``check-server``).

Absent fields mean what their specification says they mean, and because many servers leave
fields out although they support the feature, an absent field gives a warning (check the
server's documentation), never an error; an error means the server says, explicitly, that it
does not do what the advice needs:

=============================================  ==============================================
field                                          when absent
=============================================  ==============================================
``grant_types_supported``                      ``["authorization_code", "implicit"]``
                                               (RFC 8414 §2, OpenID Connect Discovery §3)
``token_endpoint_auth_methods_supported``      ``["client_secret_basic"]`` (RFC 8414 §2)
``code_challenge_methods_supported``           no PKCE (RFC 8414 §2); often just unadvertised
``authorization_response_iss_parameter_...``   ``false`` (RFC 9207 §3)
``tls_client_certificate_bound_access_tokens``  ``false`` (RFC 8705 §3.3)
``require_pushed_authorization_requests``      ``false`` (RFC 9126 §5)
=============================================  ==============================================

Nothing here touches the network or imports httpx.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from advisor.core.vocabulary import ASYMMETRIC_CLIENT_AUTH, GRANT_TYPES, SECRET_CLIENT_AUTH
from advisor.server.metadata import (
    DEFAULT_AUTH_METHODS,
    DEFAULT_GRANT_TYPES,
    MetadataReader,
    names,
)
from advisor.server.model import SEVERITY_ORDER, Compatibility, Finding, ServerMetadata

if TYPE_CHECKING:
    from advisor.session import Recommendation
    from advisor.tree.models import Flow, Outcome

REDIRECT_FLOWS: Final = frozenset({"authorization_code"})
"""Flows that send the user's browser to the authorization endpoint."""


@dataclass(frozen=True, slots=True)
class FlowCheck:
    """What the rules look at: one flow, what the advice asks of it, and the metadata."""

    flow_id: str
    """A catalogue flow id, e.g. ``device_code``."""
    grant_type: str | None
    """Its wire ``grant_type``."""
    client_auth: tuple[str, ...]
    """Acceptable client authentication methods, most preferred first."""
    needs: frozenset[str]
    """Server features the advice relies on (``pkce_s256``, ``par``, ...)."""
    doc: MetadataReader
    """The server's metadata."""

    @property
    def redirect(self) -> bool:
        """Whether the flow sends the user's browser to the authorization endpoint (a
        refresh or an exchange that starts from an authorization code does too)."""
        return self.flow_id in REDIRECT_FLOWS or bool(
            {"pkce_s256", "par", "iss_parameter"} & self.needs
        )


Rule = Callable[[FlowCheck], Iterator[Finding]]
"""A rule: the findings one aspect of the metadata gives about a flow (none when fine)."""


# -- the rules, in the order their findings are reported ------------------------------------------


def grant_types(check: FlowCheck) -> Iterator[Finding]:
    """The grant types the flow uses must be in ``grant_types_supported`` (RFC 8414 §2)."""
    doc = check.doc
    grants = doc.strings("grant_types_supported")
    wanted = [g for g in (check.grant_type,) if g]
    if check.redirect and "authorization_code" not in wanted:
        wanted.insert(0, "authorization_code")
    if "refresh_tokens" in check.needs and "refresh_token" not in wanted:
        wanted.append("refresh_token")
    for grant in wanted:
        code = "refresh_token_not_supported" if grant == "refresh_token" else None
        if grants is None:
            if grant not in DEFAULT_GRANT_TYPES and not _implied(doc, grant):
                yield Finding(
                    "warning",
                    code or "grant_type_not_listed",
                    f"the server does not list grant_types_supported, and the default is "
                    f"authorization_code and implicit only (RFC 8414 §2): check that it "
                    f"supports grant_type={grant}",
                )
        elif grant not in grants:
            yield Finding(
                "error",
                code or "grant_type_not_supported",
                f"the server does not support grant_type={grant} (its grant_types_supported "
                f"does not list it)",
            )


def _implied(doc: MetadataReader, grant: str) -> bool:
    """Whether an endpoint in the metadata implies the grant (when grant types are unlisted)."""
    by_endpoint = {
        GRANT_TYPES["device_code"]: "device_authorization_endpoint",
        GRANT_TYPES["ciba"]: "backchannel_authentication_endpoint",
    }
    name = by_endpoint.get(grant)
    return name is not None and doc.data.get(name) is not None


def token_endpoint(check: FlowCheck) -> Iterator[Finding]:
    """A flow with a token request needs a usable ``token_endpoint``."""
    if check.grant_type is not None and check.doc.endpoint("token_endpoint") is None:
        yield Finding("error", "no_token_endpoint", "the metadata has no usable token_endpoint")


def authorization_endpoint(check: FlowCheck) -> Iterator[Finding]:
    """A redirect flow needs a usable ``authorization_endpoint`` and ``response_type=code``."""
    if not check.redirect:
        return
    if check.doc.endpoint("authorization_endpoint") is None:
        yield Finding(
            "error",
            "no_authorization_endpoint",
            "the metadata has no usable authorization_endpoint",
        )
    response_types = check.doc.strings("response_types_supported")
    if response_types is not None and "code" not in response_types:
        yield Finding(
            "error",
            "response_type_code_not_supported",
            f"the server does not support response_type=code "
            f"(response_types_supported: {names(response_types)})",
        )


def device_authorization_endpoint(check: FlowCheck) -> Iterator[Finding]:
    """The device grant needs a ``device_authorization_endpoint`` (RFC 8628 §4)."""
    if (
        check.flow_id == "device_code"
        and check.doc.endpoint("device_authorization_endpoint") is None
    ):
        yield Finding(
            "error",
            "no_device_authorization_endpoint",
            "the server has no device_authorization_endpoint: it does not support the device "
            "authorization grant (RFC 8628)",
        )


def backchannel_authentication(check: FlowCheck) -> Iterator[Finding]:
    """CIBA needs a ``backchannel_authentication_endpoint`` and poll mode (CIBA Core §4)."""
    if check.flow_id != "ciba":
        return
    doc = check.doc
    has_endpoint = doc.endpoint("backchannel_authentication_endpoint") is not None
    if not has_endpoint:
        yield Finding(
            "error",
            "no_backchannel_authentication_endpoint",
            "the server has no backchannel_authentication_endpoint: it does not support CIBA",
        )
    modes = doc.strings("backchannel_token_delivery_modes_supported")
    if modes is None and has_endpoint:
        yield Finding(
            "warning",
            "ciba_poll_mode_unknown",
            "the server does not list backchannel_token_delivery_modes_supported: check "
            "that it supports poll mode, which the samples use",
        )
    elif modes is not None and "poll" not in modes:
        yield Finding(
            "error",
            "ciba_poll_mode_not_supported",
            f"the server does not support CIBA poll mode, which the samples use "
            f"(backchannel_token_delivery_modes_supported: {names(modes)})",
        )


def pkce(check: FlowCheck) -> Iterator[Finding]:
    """A redirect flow needs PKCE with S256 (RFC 9700 §2.1.1, RFC 8414 §2)."""
    if not (check.redirect or "pkce_s256" in check.needs):
        return
    methods = check.doc.strings("code_challenge_methods_supported")
    if methods is None:
        yield Finding(
            "warning",
            "pkce_support_unknown",
            "the server does not list code_challenge_methods_supported, which by RFC 8414 "
            "§2 means no PKCE, although many servers support it without saying so: check "
            "that it accepts code_challenge_method=S256 (RFC 9700 §2.1.1)",
        )
    elif "S256" not in methods:
        yield Finding(
            "error",
            "pkce_s256_not_supported",
            f"the server does not support PKCE with S256 (code_challenge_methods_supported: "
            f"{names(methods)}); plain must not be used (RFC 9700 §2.1.1)",
        )


def pushed_authorization_requests(check: FlowCheck) -> Iterator[Finding]:
    """Advice that needs PAR needs the server's PAR endpoint (RFC 9126 §5); a server that
    requires PAR needs it even when the advice does not."""
    # Read whether needed or not: a malformed endpoint is reported as a server finding.
    par_endpoint = check.doc.endpoint("pushed_authorization_request_endpoint")
    if "par" in check.needs and par_endpoint is None:
        yield Finding(
            "error",
            "par_not_supported",
            "the advice needs pushed authorization requests, but the server has no "
            "pushed_authorization_request_endpoint (RFC 9126)",
        )
    if (
        check.redirect
        and "par" not in check.needs
        and check.doc.flag("require_pushed_authorization_requests")
    ):
        yield Finding(
            "warning",
            "par_required",
            "the server requires pushed authorization requests "
            "(require_pushed_authorization_requests), which the samples for this advice do "
            "not send: push the request to its pushed_authorization_request_endpoint first",
        )


def dpop(check: FlowCheck) -> Iterator[Finding]:
    """Advice that needs DPoP needs ``dpop_signing_alg_values_supported`` (RFC 9449 §5.1)."""
    if "dpop" in check.needs and not check.doc.strings("dpop_signing_alg_values_supported"):
        yield Finding(
            "error",
            "dpop_not_supported",
            "the advice needs DPoP sender-constrained tokens, but the server lists no "
            "dpop_signing_alg_values_supported (RFC 9449)",
        )


def mtls_bound_tokens(check: FlowCheck) -> Iterator[Finding]:
    """Advice that needs certificate-bound tokens needs the server to issue them (RFC 8705
    §3.3)."""
    if "mtls_bound_tokens" in check.needs and not check.doc.flag(
        "tls_client_certificate_bound_access_tokens"
    ):
        yield Finding(
            "error",
            "mtls_bound_tokens_not_supported",
            "the advice needs certificate-bound access tokens, but the server does not set "
            "tls_client_certificate_bound_access_tokens (RFC 8705 §3)",
        )


def iss_parameter(check: FlowCheck) -> Iterator[Finding]:
    """Without ``iss`` in authorization responses (RFC 9207), mix-up defence is the client's."""
    if check.redirect and not check.doc.flag("authorization_response_iss_parameter_supported"):
        yield Finding(
            "warning" if "iss_parameter" in check.needs else "info",
            "iss_parameter_not_supported",
            "the server does not send iss in authorization responses "
            "(authorization_response_iss_parameter_supported); defend against mix-up attacks "
            "another way: one redirect URI per authorization server, checked on the callback "
            "(RFC 9207, RFC 9700 §4.4)",
        )


def client_authentication(check: FlowCheck) -> Iterator[Finding]:
    """One of the advice's client authentication methods must be accepted
    (``token_endpoint_auth_methods_supported``, RFC 8414 §2)."""
    if not check.client_auth or check.grant_type is None:
        return
    wanted = check.client_auth
    listed = check.doc.strings("token_endpoint_auth_methods_supported")
    supported = listed if listed is not None else DEFAULT_AUTH_METHODS
    usable = [m for m in wanted if m in supported]
    if not usable:
        if listed is None:
            yield Finding(
                "warning",
                "client_auth_not_listed",
                f"the server does not list token_endpoint_auth_methods_supported, and the "
                f"default is client_secret_basic only (RFC 8414 §2): check that it accepts "
                f"{names(wanted)}",
            )
        else:
            yield Finding(
                "error",
                "client_auth_not_supported",
                f"the server supports none of the client authentication methods this advice "
                f"accepts ({names(wanted)}; token_endpoint_auth_methods_supported: "
                f"{names(listed)})",
            )
    elif usable[0] != wanted[0]:
        yield Finding(
            "info",
            "client_auth_fallback",
            f"the server does not support {wanted[0]}; use {usable[0]}, the most preferred "
            f"method it supports",
        )


def stronger_client_authentication(check: FlowCheck) -> Iterator[Finding]:
    """Advice that settles for a shared secret is told when the server accepts a key or a
    certificate (RFC 9700 §2.5)."""
    if not check.client_auth or check.grant_type is None:
        return
    listed = check.doc.strings("token_endpoint_auth_methods_supported")
    stronger = [m for m in ASYMMETRIC_CLIENT_AUTH if listed is not None and m in listed]
    if stronger and set(check.client_auth) <= SECRET_CLIENT_AUTH:
        yield Finding(
            "info",
            "stronger_client_auth_available",
            f"the server also accepts {names(stronger)}: a key or certificate is safer than a "
            f"shared secret (RFC 9700 §2.5); consider switching",
        )


RULES: Final[tuple[Rule, ...]] = (
    grant_types,
    token_endpoint,
    authorization_endpoint,
    device_authorization_endpoint,
    backchannel_authentication,
    pkce,
    pushed_authorization_requests,
    dpop,
    mtls_bound_tokens,
    iss_parameter,
    client_authentication,
    stronger_client_authentication,
)
"""Every rule, in the order findings are reported (within one severity)."""


# -- running them -----------------------------------------------------------------------------


def check_flow(
    flow_id: str,
    metadata: ServerMetadata | Mapping[str, Any],
    *,
    grant_type: str | None = None,
    client_auth: Sequence[str] = (),
    needs: Sequence[str] = (),
    server_level: bool = True,
) -> list[Finding]:
    """Check a flow (with the client authentication and features advice asks for).

    Args:
        flow_id: A catalogue flow id, e.g. ``device_code``.
        metadata: The server's metadata.
        grant_type: Its wire ``grant_type`` (default: the standard one for ``flow_id``).
        client_auth: Acceptable client authentication methods, most preferred first.
        needs: Server features the advice relies on (``pkce_s256``, ``par``, ...).
        server_level: Include findings about the server itself (plain http, malformed
            fields).

    Returns:
        Findings, errors first, one per code (the first rule to report a code wins).
    """
    check = FlowCheck(
        flow_id=flow_id,
        grant_type=grant_type if grant_type is not None else GRANT_TYPES.get(flow_id),
        client_auth=tuple(client_auth),
        needs=frozenset(needs),
        doc=MetadataReader(metadata),
    )
    found: dict[str, Finding] = {}
    for rule in RULES:
        for finding in rule(check):
            found.setdefault(finding.code, finding)
    findings = list(found.values())
    if server_level:
        findings += server_findings(check.doc)
    return sort_findings(findings)


def check_recommendation(
    outcome: Outcome, flow: Flow | None, metadata: ServerMetadata | Mapping[str, Any]
) -> list[Finding]:
    """Check one recommendation against a server's metadata.

    Args:
        outcome: The outcome reached: its ``grant``, ``client_auth`` (preference order),
            ``needs`` and ``companions`` (a ``refresh_token`` companion needs the refresh
            token grant) are checked.
        flow: The outcome's catalogue entry of its grant (None when the grant is ``none``).
        metadata: The server's metadata, fetched or hand-written.

    Returns:
        Findings, errors first; empty when the server supports everything the advice needs.
    """
    if outcome.grant == "none":
        return []
    grant_type = flow.grant_type if flow is not None else GRANT_TYPES.get(outcome.grant)
    needs = list(outcome.needs)
    if any(c.flow == "refresh_token" for c in outcome.companions) and "refresh_tokens" not in needs:
        needs.append("refresh_tokens")
    return check_flow(
        outcome.grant,
        metadata,
        grant_type=grant_type,
        client_auth=outcome.client_auth,
        needs=needs,
    )


def compatibility(recommendation: Recommendation, metadata: ServerMetadata) -> Compatibility:
    """``recommendation`` checked against the server whose ``metadata`` was discovered: what
    ``ask --discover`` reports and the TUI shows after discovery."""
    findings = check_recommendation(recommendation.outcome, recommendation.flow, metadata)
    return Compatibility(metadata.issuer, metadata.url, tuple(findings))


def preferred_client_auth(
    client_auth: Sequence[str], metadata: ServerMetadata | Mapping[str, Any]
) -> tuple[str, ...]:
    """``client_auth`` (preference order) narrowed to the methods the server supports
    (``token_endpoint_auth_methods_supported``, or its RFC 8414 §2 default)."""
    listed = MetadataReader(metadata).strings("token_endpoint_auth_methods_supported")
    supported = listed if listed is not None else DEFAULT_AUTH_METHODS
    return tuple(m for m in client_auth if m in supported)


def server_findings(metadata: ServerMetadata | Mapping[str, Any] | MetadataReader) -> list[Finding]:
    """Findings about the server rather than a flow: plain http, malformed fields."""
    doc = metadata if isinstance(metadata, MetadataReader) else MetadataReader(metadata)
    findings = list(doc.problems.values())
    if doc.url is not None and doc.url.startswith("http://"):
        findings.append(
            Finding(
                "warning",
                "plain_http",
                "the metadata came over plain http (allowed on loopback hosts only): fine "
                "for a local test server, never for a real one",
            )
        )
    return findings


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Errors, then warnings, then notes; otherwise in the order found."""
    return sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])
