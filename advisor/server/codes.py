"""Every finding code, stated once: its one severity and its one meaning.

JSON consumers of ``ask --discover`` and ``check-server`` rely on finding codes, so a code
never changes meaning with the situation: when two situations differ (a field that is absent
versus a field that says no), they get two codes. :class:`~advisor.server.model.Finding`
refuses a code that is not in :data:`FINDING_CODES` or a severity other than the code's, so
the table below is also the list of everything the server layer can report. The README's
"Server findings" table is generated from it (:func:`codes_markdown`).

Severities (see :data:`FindingSeverity`): an ``error`` needs an explicit statement (a list
that leaves the thing out, a flag set to false, a required endpoint missing, a document that
cannot be used); an absent optional field is unknown, never denial, and gives at most a
``warning``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

FindingSeverity = Literal["error", "warning", "info"]
"""``error``: the server says, explicitly, that it cannot do what the advice needs (or its
metadata cannot be used at all); ``warning``: it may not (the metadata does not say), or a
safeguard is missing; ``info``: worth knowing."""

FindingTopic = Literal["discovery", "server", "provider", "flow"]
"""What a finding is about: reading the metadata, the server as a whole, the provider it was
recognised as, or one flow (with what the advice asks of it)."""


@dataclass(frozen=True, slots=True)
class FindingCode:
    """One finding code: what it means, always."""

    code: str
    """The stable identifier, e.g. ``grant_type_not_supported``."""
    severity: FindingSeverity
    """Its one severity."""
    topic: FindingTopic
    """What it is about."""
    meaning: str
    """Its one meaning, in one line."""


FINDING_CODES: Final[Mapping[str, FindingCode]] = MappingProxyType(
    {
        entry.code: entry
        for entry in (
            # -- reading the metadata (ask --discover, sample --discover; check-server exits 2
            # with the same message) ----------------------------------------------------------
            FindingCode(
                "templated_issuer",
                "error",
                "discovery",
                "The metadata's issuer is a template with a placeholder such as {tenantid} (a "
                "multi-tenant endpoint such as Entra ID's /common): use the tenant-specific "
                "issuer.",
            ),
            FindingCode(
                "issuer_mismatch",
                "error",
                "discovery",
                "The metadata found states another issuer; issuers must be identical (RFC 8414 "
                "§3.3), so it is not used.",
            ),
            FindingCode(
                "metadata_not_found",
                "error",
                "discovery",
                "No metadata document at any of the locations tried (each answered with an "
                "HTTP error or something other than a JSON object).",
            ),
            # -- the server as a whole ---------------------------------------------------------
            FindingCode(
                "token_issuer_only",
                "error",
                "server",
                "The issuer has neither an authorization nor a token endpoint: it issues tokens "
                "for others to verify (e.g. a CI platform's workload identity), it is not an "
                "OAuth authorization server.",
            ),
            FindingCode(
                "sign_in_only",
                "error",
                "server",
                "The issuer has an authorization endpoint but no token endpoint: sign-in "
                "(implicit) only, so no flow that needs a token request works with it.",
            ),
            FindingCode(
                "openid_metadata_only",
                "info",
                "server",
                "Only an OpenID Connect Discovery document was found: absent fields take "
                "OpenID Connect Discovery 1.0 §3's defaults, not RFC 8414 §2's.",
            ),
            FindingCode(
                "plain_http",
                "warning",
                "server",
                "The metadata came over plain http (allowed on loopback hosts only).",
            ),
            FindingCode(
                "malformed_metadata",
                "warning",
                "server",
                "A metadata field has the wrong type (e.g. a string instead of a list): ignored, "
                "as if absent.",
            ),
            FindingCode(
                "invalid_endpoint",
                "error",
                "server",
                "An endpoint is not an https URL (plain http only on loopback): not used.",
            ),
            FindingCode(
                "grant_type_alias",
                "info",
                "flow",
                "grant_types_supported names a grant by a spelling other than its registered "
                "one (e.g. device_code): read as that grant.",
            ),
            # -- the provider ------------------------------------------------------------------
            FindingCode(
                "provider_recognised",
                "info",
                "provider",
                "The server was recognised as a provider of the profile catalogue (by its "
                "issuer; or, less certainly, by its endpoints).",
            ),
            FindingCode(
                "provider_fact",
                "info",
                "provider",
                "A documented fact about the recognised provider, with its source.",
            ),
            # -- one flow ----------------------------------------------------------------------
            FindingCode(
                "grant_type_not_listed",
                "warning",
                "flow",
                "grant_types_supported is absent (or malformed), and its default "
                "(authorization_code and implicit) does not include the grant.",
            ),
            FindingCode(
                "grant_type_not_supported",
                "error",
                "flow",
                "grant_types_supported is listed and does not include the grant.",
            ),
            FindingCode(
                "grant_type_not_in_openid_metadata",
                "warning",
                "flow",
                "Only an OpenID Connect Discovery document was found, and its "
                "grant_types_supported does not include the grant: OpenID documents often "
                "list only the grants sign-in uses, so this is not taken as a refusal.",
            ),
            FindingCode(
                "refresh_token_not_listed",
                "warning",
                "flow",
                "The advice relies on refresh tokens; grant_types_supported is absent (or "
                "malformed) and its default does not include refresh_token.",
            ),
            FindingCode(
                "refresh_token_not_supported",
                "error",
                "flow",
                "The advice relies on refresh tokens; grant_types_supported is listed and does "
                "not include refresh_token.",
            ),
            FindingCode(
                "no_token_endpoint",
                "error",
                "flow",
                "The flow makes a token request, and the metadata has no usable token_endpoint "
                "(required unless only the implicit grant is supported, RFC 8414 §2).",
            ),
            FindingCode(
                "no_authorization_endpoint",
                "error",
                "flow",
                "The flow sends the browser to the authorization endpoint, and the metadata has "
                "no usable authorization_endpoint.",
            ),
            FindingCode(
                "response_type_code_not_supported",
                "error",
                "flow",
                "response_types_supported is listed and does not include code.",
            ),
            FindingCode(
                "device_endpoint_not_listed",
                "info",
                "flow",
                "The device grant is listed (or not ruled out), but the metadata has no "
                "device_authorization_endpoint: pass --device-authorization-endpoint or look "
                "it up in the provider's documentation.",
            ),
            FindingCode(
                "backchannel_endpoint_not_listed",
                "info",
                "flow",
                "CIBA is listed (or not ruled out), but the metadata has no "
                "backchannel_authentication_endpoint: pass --backchannel-endpoint or look it "
                "up in the provider's documentation.",
            ),
            FindingCode(
                "ciba_poll_mode_unknown",
                "warning",
                "flow",
                "backchannel_token_delivery_modes_supported is absent: poll mode, which the "
                "samples use, is not confirmed.",
            ),
            FindingCode(
                "ciba_poll_mode_not_supported",
                "error",
                "flow",
                "backchannel_token_delivery_modes_supported is listed and does not include poll.",
            ),
            FindingCode(
                "pkce_support_unknown",
                "warning",
                "flow",
                "code_challenge_methods_supported is absent: PKCE with S256 is not confirmed.",
            ),
            FindingCode(
                "pkce_s256_not_supported",
                "error",
                "flow",
                "code_challenge_methods_supported is listed and does not include S256.",
            ),
            FindingCode(
                "par_not_listed",
                "warning",
                "flow",
                "The advice needs pushed authorization requests, and the metadata has no "
                "pushed_authorization_request_endpoint.",
            ),
            FindingCode(
                "par_required",
                "warning",
                "flow",
                "The server requires pushed authorization requests, which the samples for "
                "this advice do not send.",
            ),
            FindingCode(
                "dpop_not_listed",
                "warning",
                "flow",
                "The advice needs DPoP, and dpop_signing_alg_values_supported is absent.",
            ),
            FindingCode(
                "dpop_not_supported",
                "error",
                "flow",
                "The advice needs DPoP, and dpop_signing_alg_values_supported is an empty list.",
            ),
            FindingCode(
                "mtls_bound_tokens_not_listed",
                "warning",
                "flow",
                "The advice needs certificate-bound tokens, and "
                "tls_client_certificate_bound_access_tokens is absent (default false, RFC "
                "8705 §3.3, but often unadvertised).",
            ),
            FindingCode(
                "mtls_bound_tokens_not_supported",
                "error",
                "flow",
                "The advice needs certificate-bound tokens, and "
                "tls_client_certificate_bound_access_tokens is false.",
            ),
            FindingCode(
                "iss_parameter_not_supported",
                "info",
                "flow",
                "The server does not state that it sends iss in authorization responses (RFC "
                "9207): defend against mix-up another way.",
            ),
            FindingCode(
                "iss_parameter_needed",
                "warning",
                "flow",
                "The advice relies on iss in authorization responses (RFC 9207), which the "
                "server does not state that it sends (with iss_parameter_not_supported).",
            ),
            FindingCode(
                "client_auth_not_listed",
                "warning",
                "flow",
                "token_endpoint_auth_methods_supported is absent, and its default "
                "(client_secret_basic) is none of the methods the advice accepts.",
            ),
            FindingCode(
                "client_auth_not_supported",
                "error",
                "flow",
                "token_endpoint_auth_methods_supported is listed and includes none of the "
                "confidential-client methods the advice accepts.",
            ),
            FindingCode(
                "public_client_not_listed",
                "info",
                "flow",
                "The advice is for a public client, and the metadata does not list none; many "
                "servers accept public clients without listing it.",
            ),
            FindingCode(
                "client_auth_fallback",
                "info",
                "flow",
                "The server does not list the advice's first client authentication method; "
                "the next one it lists is used.",
            ),
            FindingCode(
                "stronger_client_auth_available",
                "info",
                "flow",
                "The advice settles for a shared secret, and the server also accepts a key or "
                "a certificate (RFC 9700 §2.5).",
            ),
            FindingCode(
                "scope_not_listed",
                "warning",
                "flow",
                "The samples request a scope that scopes_supported (when listed) does not "
                "include; servers may leave scopes out, but a request with an unknown scope "
                "fails.",
            ),
        )
    }
)
"""Every finding code, in the order the README lists them."""


def severity_of(code: str) -> FindingSeverity:
    """The one severity of ``code``.

    Raises:
        KeyError: ``code`` is not a finding code.
    """
    return FINDING_CODES[code].severity


def codes_markdown() -> str:
    """The README's table of finding codes: one row per code, severity and meaning."""
    lines = ["| code | severity | about | meaning |", "|---|---|---|---|"]
    lines += [
        f"| `{c.code}` | {c.severity} | {c.topic} | {c.meaning} |" for c in FINDING_CODES.values()
    ]
    return "\n".join(lines) + "\n"
