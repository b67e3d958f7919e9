"""Does the user's authorization server support the advice? Findings from its metadata.

:func:`check_recommendation` checks one recommendation (``ask --discover``);
:func:`check_server` checks every flow of a tree's catalogue (``check-server``). Both read an
RFC 8414 / OpenID Connect Discovery metadata document (:class:`~advisor.discovery.ServerMetadata`
or a plain mapping) and return :class:`Finding` values, errors first.

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

Nothing here touches the network or imports httpx. Values from the server appear in messages
through ``repr`` (quoted, control characters escaped), because the server may be hostile.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

from advisor.models import GRANT_TYPES
from advisor.record import Record

if TYPE_CHECKING:
    from advisor.discovery import ServerMetadata
    from advisor.models import Flow, Outcome, Tree
    from advisor.session import Recommendation

FindingSeverity = Literal["error", "warning", "info"]
"""``error``: the server says it cannot do what the advice needs; ``warning``: it may not, or
a safeguard is missing; ``info``: worth knowing."""

_ORDER: Final = {"error": 0, "warning": 1, "info": 2}

DEFAULT_GRANT_TYPES: Final = ("authorization_code", "implicit")
"""RFC 8414 §2 default of ``grant_types_supported``."""
DEFAULT_AUTH_METHODS: Final = ("client_secret_basic",)
"""RFC 8414 §2 default of ``token_endpoint_auth_methods_supported``."""

REDIRECT_FLOWS: Final = frozenset({"authorization_code"})
"""Flows that send the user's browser to the authorization endpoint."""


class Finding(Record):
    """One thing the server's metadata says about the advice."""

    severity: FindingSeverity
    """``error``, ``warning`` or ``info``."""
    code: str
    """A stable identifier, e.g. ``grant_type_not_supported``."""
    message: str
    """One sentence for people."""

    def as_dict(self) -> dict[str, str]:
        """``{"severity", "code", "message"}``."""
        return {"severity": self.severity, "code": self.code, "message": self.message}


class Compatibility(Record):
    """The result of checking one recommendation against a server (``ask --discover``)."""

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


class FlowSupport(Record):
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


class ServerReport(Record):
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


# -- reading metadata -----------------------------------------------------------------------


class _Doc:
    """Typed, forgiving access to a metadata document; collects malformed-field findings."""

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

    def strings(self, name: str) -> tuple[str, ...] | None:
        """A list-of-strings field; None when absent (or malformed, which is reported)."""
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        self._malformed(name, "a list of strings")
        return None

    def flag(self, name: str) -> bool | None:
        """A boolean field; None when absent (or malformed, which is reported)."""
        value = self.data.get(name)
        if value is None or isinstance(value, bool):
            return value
        self._malformed(name, "true or false")
        return None

    def endpoint(self, name: str) -> str | None:
        """A usable endpoint URL; None when absent or unusable (which is reported)."""
        from advisor.discovery import endpoint_url

        value = self.data.get(name)
        if value is None:
            return None
        url = endpoint_url(value, self.issuer or "https:")
        if url is None:
            self.problems[name] = Finding(
                "error",
                "invalid_endpoint",
                f"{name} {_q(value)} is not an https URL (plain http only on loopback for a "
                "local server), so it is not used",
            )
        return url

    def _malformed(self, name: str, expected: str) -> None:
        self.problems[name] = Finding(
            "warning",
            "malformed_metadata",
            f"{name} should be {expected}, not {_q(self.data.get(name))}: ignored",
        )


def _q(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 100 else text[:96] + "...'"


def _names(values: Iterable[str]) -> str:
    """Names for a message; anything unusual (controls, spaces, very long) is ``repr``-ed."""
    shown = [v if v.isprintable() and len(v) <= 100 and " " not in v else _q(v) for v in values]
    return ", ".join(shown) or "none"


# -- checks ---------------------------------------------------------------------------------


def compatibility(recommendation: Recommendation, metadata: ServerMetadata) -> Compatibility:
    """``recommendation`` checked against the server whose ``metadata`` was discovered: what
    ``ask --discover`` reports and the TUI shows after discovery."""
    findings = check_recommendation(recommendation.outcome, recommendation.flow, metadata)
    return Compatibility(metadata.issuer, metadata.url, tuple(findings))


def check_recommendation(
    outcome: Outcome, flow: Flow | None, metadata: ServerMetadata | Mapping[str, Any]
) -> list[Finding]:
    """Check one recommendation against a server's metadata.

    Args:
        outcome: The outcome reached: its ``flow``, ``client_auth`` (preference order) and
            ``needs`` are checked.
        flow: The outcome's catalogue entry (None when the outcome's flow is ``none``).
        metadata: The server's metadata, fetched or hand-written.

    Returns:
        Findings, errors first; empty when the server supports everything the advice needs.
    """
    if outcome.flow == "none":
        return []
    grant_type = flow.grant_type if flow is not None else GRANT_TYPES.get(outcome.flow)
    return check_flow(
        outcome.flow,
        metadata,
        grant_type=grant_type,
        client_auth=outcome.client_auth,
        needs=outcome.needs,
    )


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
    """
    doc = _Doc(metadata)
    found: dict[str, Finding] = {}

    def add(severity: FindingSeverity, code: str, message: str) -> None:
        found.setdefault(code, Finding(severity, code, message))

    if grant_type is None:
        grant_type = GRANT_TYPES.get(flow_id)
    # Flows whose refresh or exchange starts from an authorization code use the redirect too.
    redirect = flow_id in REDIRECT_FLOWS or bool({"pkce_s256", "par", "iss_parameter"} & set(needs))
    grants = doc.strings("grant_types_supported")

    # -- the grant types ------------------------------------------------------------------
    wanted_grants = [g for g in (grant_type,) if g]
    if redirect and "authorization_code" not in wanted_grants:
        wanted_grants.insert(0, "authorization_code")
    if "refresh_tokens" in needs and "refresh_token" not in wanted_grants:
        wanted_grants.append("refresh_token")
    for grant in wanted_grants:
        code = "refresh_token_not_supported" if grant == "refresh_token" else None
        if grants is None:
            if grant not in DEFAULT_GRANT_TYPES and not _implied(doc, grant):
                add(
                    "warning",
                    code or "grant_type_not_listed",
                    f"the server does not list grant_types_supported, and the default is "
                    f"authorization_code and implicit only (RFC 8414 §2): check that it "
                    f"supports grant_type={grant}",
                )
        elif grant not in grants:
            add(
                "error",
                code or "grant_type_not_supported",
                f"the server does not support grant_type={grant} (its grant_types_supported "
                f"does not list it)",
            )

    # -- endpoints --------------------------------------------------------------------------
    if grant_type is not None and doc.endpoint("token_endpoint") is None:
        add("error", "no_token_endpoint", "the metadata has no usable token_endpoint")
    if redirect:
        if doc.endpoint("authorization_endpoint") is None:
            add(
                "error",
                "no_authorization_endpoint",
                "the metadata has no usable authorization_endpoint",
            )
        response_types = doc.strings("response_types_supported")
        if response_types is not None and "code" not in response_types:
            add(
                "error",
                "response_type_code_not_supported",
                f"the server does not support response_type=code "
                f"(response_types_supported: {_names(response_types)})",
            )
    if flow_id == "device_code" and doc.endpoint("device_authorization_endpoint") is None:
        add(
            "error",
            "no_device_authorization_endpoint",
            "the server has no device_authorization_endpoint: it does not support the device "
            "authorization grant (RFC 8628)",
        )
    if flow_id == "ciba":
        has_endpoint = doc.endpoint("backchannel_authentication_endpoint") is not None
        if not has_endpoint:
            add(
                "error",
                "no_backchannel_authentication_endpoint",
                "the server has no backchannel_authentication_endpoint: it does not support CIBA",
            )
        modes = doc.strings("backchannel_token_delivery_modes_supported")
        if modes is None and not has_endpoint:
            pass  # no CIBA at all: the missing endpoint says it
        elif modes is None:
            add(
                "warning",
                "ciba_poll_mode_unknown",
                "the server does not list backchannel_token_delivery_modes_supported: check "
                "that it supports poll mode, which the samples use",
            )
        elif "poll" not in modes:
            add(
                "error",
                "ciba_poll_mode_not_supported",
                f"the server does not support CIBA poll mode, which the samples use "
                f"(backchannel_token_delivery_modes_supported: {_names(modes)})",
            )

    # -- PKCE, PAR, DPoP, mTLS, iss -----------------------------------------------------------
    if redirect or "pkce_s256" in needs:
        methods = doc.strings("code_challenge_methods_supported")
        if methods is None:
            add(
                "warning",
                "pkce_support_unknown",
                "the server does not list code_challenge_methods_supported, which by RFC 8414 "
                "§2 means no PKCE, although many servers support it without saying so: check "
                "that it accepts code_challenge_method=S256 (RFC 9700 §2.1.1)",
            )
        elif "S256" not in methods:
            add(
                "error",
                "pkce_s256_not_supported",
                f"the server does not support PKCE with S256 (code_challenge_methods_supported: "
                f"{_names(methods)}); plain must not be used (RFC 9700 §2.1.1)",
            )
    par_endpoint = doc.endpoint("pushed_authorization_request_endpoint")
    if "par" in needs and par_endpoint is None:
        add(
            "error",
            "par_not_supported",
            "the advice needs pushed authorization requests, but the server has no "
            "pushed_authorization_request_endpoint (RFC 9126)",
        )
    if redirect and "par" not in needs and doc.flag("require_pushed_authorization_requests"):
        add(
            "warning",
            "par_required",
            "the server requires pushed authorization requests "
            "(require_pushed_authorization_requests), which the samples for this advice do "
            "not send: push the request to its pushed_authorization_request_endpoint first",
        )
    if "dpop" in needs and not doc.strings("dpop_signing_alg_values_supported"):
        add(
            "error",
            "dpop_not_supported",
            "the advice needs DPoP sender-constrained tokens, but the server lists no "
            "dpop_signing_alg_values_supported (RFC 9449)",
        )
    if "mtls_bound_tokens" in needs and not doc.flag("tls_client_certificate_bound_access_tokens"):
        add(
            "error",
            "mtls_bound_tokens_not_supported",
            "the advice needs certificate-bound access tokens, but the server does not set "
            "tls_client_certificate_bound_access_tokens (RFC 8705 §3)",
        )
    if redirect and not doc.flag("authorization_response_iss_parameter_supported"):
        needed = "iss_parameter" in needs
        add(
            "warning" if needed else "info",
            "iss_parameter_not_supported",
            "the server does not send iss in authorization responses "
            "(authorization_response_iss_parameter_supported); defend against mix-up attacks "
            "another way: one redirect URI per authorization server, checked on the callback "
            "(RFC 9207, RFC 9700 §4.4)",
        )

    # -- client authentication ----------------------------------------------------------------
    if client_auth and grant_type is not None:
        _check_client_auth(doc, client_auth, add)

    findings = list(found.values())
    if server_level:
        findings += server_findings(doc)
    return sort_findings(findings)


def _implied(doc: _Doc, grant: str) -> bool:
    """Whether an endpoint in the metadata implies the grant (when grant types are unlisted)."""
    by_endpoint = {
        GRANT_TYPES["device_code"]: "device_authorization_endpoint",
        GRANT_TYPES["ciba"]: "backchannel_authentication_endpoint",
    }
    name = by_endpoint.get(grant)
    return name is not None and doc.data.get(name) is not None


def _check_client_auth(
    doc: _Doc, wanted: Sequence[str], add: Callable[[FindingSeverity, str, str], None]
) -> None:
    listed = doc.strings("token_endpoint_auth_methods_supported")
    supported = listed if listed is not None else DEFAULT_AUTH_METHODS
    usable = [m for m in wanted if m in supported]
    if not usable:
        if listed is None:
            add(
                "warning",
                "client_auth_not_listed",
                f"the server does not list token_endpoint_auth_methods_supported, and the "
                f"default is client_secret_basic only (RFC 8414 §2): check that it accepts "
                f"{_names(wanted)}",
            )
        else:
            add(
                "error",
                "client_auth_not_supported",
                f"the server supports none of the client authentication methods this advice "
                f"accepts ({_names(wanted)}; token_endpoint_auth_methods_supported: "
                f"{_names(listed)})",
            )
    elif usable[0] != wanted[0]:
        add(
            "info",
            "client_auth_fallback",
            f"the server does not support {wanted[0]}; use {usable[0]}, the most preferred "
            f"method it supports",
        )
    stronger = [m for m in _ASYMMETRIC_AUTH if listed is not None and m in listed]
    if stronger and set(wanted) <= _SECRET_AUTH:
        add(
            "info",
            "stronger_client_auth_available",
            f"the server also accepts {_names(stronger)}: a key or certificate is safer than a "
            f"shared secret (RFC 9700 §2.5); consider switching",
        )


_SECRET_AUTH: Final = frozenset({"client_secret_basic", "client_secret_post"})
_ASYMMETRIC_AUTH: Final = ("private_key_jwt", "tls_client_auth", "self_signed_tls_client_auth")


def preferred_client_auth(
    client_auth: Sequence[str], metadata: ServerMetadata | Mapping[str, Any]
) -> tuple[str, ...]:
    """``client_auth`` (preference order) narrowed to the methods the server supports."""
    doc = _Doc(metadata)
    listed = doc.strings("token_endpoint_auth_methods_supported")
    supported = listed if listed is not None else DEFAULT_AUTH_METHODS
    return tuple(m for m in client_auth if m in supported)


def server_findings(metadata: ServerMetadata | Mapping[str, Any] | _Doc) -> list[Finding]:
    """Findings about the server rather than a flow: plain http, malformed fields."""
    doc = metadata if isinstance(metadata, _Doc) else _Doc(metadata)
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
    return sorted(findings, key=lambda f: _ORDER[f.severity])


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
    doc = _Doc(metadata)
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


def server_features(metadata: ServerMetadata | Mapping[str, Any] | _Doc) -> dict[str, Any]:
    """The features advice relies on, as the server advertises them (JSON-ready).

    Lists that are absent appear as their specification's default with ``*_listed: false``.
    """
    doc = metadata if isinstance(metadata, _Doc) else _Doc(metadata)
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


def server_report_text(report: ServerReport, width: int = 88) -> str:
    """``check-server --format text``: features, then each flow with what is missing."""
    import textwrap

    from advisor.termsafe import clean

    f = report.features

    def listed(values: Sequence[str] | None, is_listed: bool = True) -> str:
        if values is None:
            return "not listed"
        text = ", ".join(clean(v) for v in values) or "none"
        return text if is_listed else f"not listed (default: {text})"

    def yes_no(value: object) -> str:
        return "yes" if value else "no"

    lines = [f"Authorization server {clean(report.issuer)}"]
    if report.metadata_url:
        lines.append(f"  metadata: {clean(report.metadata_url)}")
    lines += ["", "Features:"]
    rows = [
        ("grant types", listed(f["grant_types"], f["grant_types_listed"])),
        (
            "client authentication",
            listed(f["token_endpoint_auth_methods"], f["token_endpoint_auth_methods_listed"]),
        ),
        ("PKCE methods", listed(f["pkce_methods"])),
        (
            "PAR",
            (clean(f["par_endpoint"]) if f["par_endpoint"] else "no")
            + (" (required)" if f["par_required"] else ""),
        ),
        ("DPoP algorithms", listed(f["dpop_algorithms"])),
        ("mTLS-bound tokens", yes_no(f["mtls_bound_tokens"])),
        ("mTLS endpoint aliases", yes_no(f["mtls_endpoint_aliases"])),
        ("iss in auth responses", yes_no(f["iss_parameter"])),
        ("device authorization", clean(f["device_authorization_endpoint"] or "no")),
        ("CIBA", clean(f["backchannel_authentication_endpoint"] or "no")),
        ("CIBA delivery modes", listed(f["backchannel_token_delivery_modes"])),
    ]
    label_width = max(len(label) for label, _ in rows)
    for label, value in rows:
        lines.append(
            textwrap.fill(
                value,
                width=width,
                initial_indent=f"  {label.ljust(label_width)}  ",
                subsequent_indent=" " * (label_width + 4),
                break_on_hyphens=False,
                break_long_words=False,
            )
        )
    if report.findings:
        lines += ["", "Server:"]
        lines += _finding_lines(report.findings, width)
    lines += ["", "Flows:"]
    marks = {"supported": "yes", "unknown": " ? ", "unsupported": "no "}
    for support in report.flows:
        grant = f" (grant_type={support.grant_type})" if support.grant_type else ""
        lines.append(f"  [{marks[support.status]}] {clean(support.name)}{grant}")
        lines += _finding_lines(support.findings, width, indent="        ")
    counts = {s: sum(1 for x in report.flows if x.status == s) for s in marks}
    lines += [
        "",
        f"{counts['supported']} supported, {counts['unknown']} to check, "
        f"{counts['unsupported']} not supported "
        "(yes: supported; ?: metadata does not say; no: not supported)",
    ]
    return "\n".join(lines) + "\n"


def finding_lines(findings: Sequence[Finding], width: int = 88, indent: str = "  ") -> list[str]:
    """Findings as wrapped terminal lines: ``- error: message [code]``."""
    return _finding_lines(findings, width, indent)


def _finding_lines(findings: Sequence[Finding], width: int, indent: str = "  ") -> list[str]:
    import textwrap

    from advisor.termsafe import clean

    lines: list[str] = []
    for finding in findings:
        text = f"{finding.severity}: {clean(finding.message)} [{finding.code}]"
        lines.append(
            textwrap.fill(
                " ".join(text.split()),
                width=width,
                initial_indent=f"{indent}- ",
                subsequent_indent=indent + "  ",
                break_on_hyphens=False,
                break_long_words=False,
            )
        )
    return lines
