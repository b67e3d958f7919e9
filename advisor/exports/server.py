"""Terminal text of the server layer's results: ``check-server --format text`` and the
finding lines ``ask --discover`` prints.

Every value that came from the server passes through :func:`advisor.core.termsafe.clean`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from advisor.core.termsafe import clean
from advisor.server.model import KIND_NAMES, Finding
from advisor.server.report import ServerReport


def server_report_text(report: ServerReport, width: int = 88) -> str:
    """``check-server --format text``: what the issuer is (and where its metadata was read,
    the provider it was recognised as), its features, then each flow with what is missing."""

    f = report.features

    def listed(values: Sequence[str] | None, is_listed: bool = True) -> str:
        if values is None:
            return "not listed"
        text = ", ".join(clean(v) for v in values) or "none"
        return text if is_listed else f"not listed (default: {text})"

    def yes_no(value: object) -> str:
        return "yes" if value else "no"

    def wrapped(label: str, text: str) -> str:
        return textwrap.fill(
            " ".join(text.split()),
            width=width,
            initial_indent=f"  {label}: ",
            subsequent_indent="    ",
            break_on_hyphens=False,
            break_long_words=False,
        )

    if report.role == "authorization_server":
        lines = [f"Authorization server {clean(report.issuer)}"]
    else:
        lines = [f"Issuer {clean(report.issuer)} (not an OAuth authorization server)"]
    if report.metadata_url:
        kind = KIND_NAMES[report.metadata_kind]
        lines.append(
            wrapped(
                "metadata",
                f"{clean(report.metadata_url)} ({kind}; absent fields take the defaults of "
                f"{f['defaults_from']})",
            )
        )
    if report.provider:
        how = (
            "recognised from its issuer" if report.provider_certain else "a guess from its metadata"
        )
        lines.append(wrapped("provider", f"{clean(report.provider)} ({how})"))
    if report.role_summary:
        lines.append(wrapped("what it is", clean(report.role_summary)))
    aliases = f["grant_type_aliases"]
    grants = [
        clean(g) + (f" (read as {aliases[g]})" if g in aliases else "") for g in f["grant_types"]
    ]
    lines += ["", "Features:"]
    rows = [
        ("grant types", listed(grants, f["grant_types_listed"])),
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
    if report.role == "token_issuer":
        lines.append("This issuer is a token issuer, not an authorization server: see above.")
    elif report.role == "sign_in_only":
        lines.append("This issuer is a sign-in provider without a token endpoint: see above.")
    return "\n".join(lines) + "\n"


def finding_lines(findings: Sequence[Finding], width: int = 88, indent: str = "  ") -> list[str]:
    """Findings as wrapped terminal lines: ``- error: message [code]``."""
    return _finding_lines(findings, width, indent)


def _finding_lines(findings: Sequence[Finding], width: int, indent: str = "  ") -> list[str]:

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
