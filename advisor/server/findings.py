"""Does the user's authorization server support the advice? Findings from its metadata.

:func:`check_flow` runs :data:`RULES`, one small function per thing a flow needs from the
server, over an RFC 8414 / OpenID Connect Discovery metadata document
(:class:`~advisor.server.model.ServerMetadata` or a plain mapping); :func:`compatibility`
checks one recommendation (``ask --discover``, the TUI), and
:func:`advisor.server.report.check_server` every flow of a tree (``check-server``). Every code
has one severity and one meaning (:mod:`advisor.server.codes`).

**Absence is unknown, not denial.** An error needs an explicit statement: a list that leaves
the thing out, a flag set to false, a required endpoint missing. Many servers leave optional
fields out although they support the feature, so an absent optional field gives at most a
warning (check the provider's documentation), and a grant that is listed is supported even
when its optional endpoint is not advertised (then the endpoint must be given). Absent fields
have their specification's default, RFC 8414 §2 for an RFC 8414 document, OpenID Connect
Discovery 1.0 §3 for an OpenID one, and messages name which:

=============================================  ==============================================
field                                          when absent
=============================================  ==============================================
``grant_types_supported``                      ``["authorization_code", "implicit"]`` (both)
``token_endpoint_auth_methods_supported``      ``["client_secret_basic"]`` (both); about
                                               confidential clients: ``none`` (a public
                                               client) unlisted is only a note
``code_challenge_methods_supported``           no PKCE (RFC 8414 §2; OpenID Discovery does not
                                               define the field); often just unadvertised
``device_authorization_endpoint``              unknown (optional, RFC 8628 §4)
``backchannel_authentication_endpoint``        unknown (optional, CIBA Core §4)
``pushed_authorization_request_endpoint``      unknown (RFC 9126 §5)
``dpop_signing_alg_values_supported``          unknown (RFC 9449 §5.1)
``tls_client_certificate_bound_access_tokens``  ``false`` (RFC 8705 §3.3); often unadvertised
``authorization_response_iss_parameter_...``   ``false`` (RFC 9207 §3)
``scopes_supported``                           unknown; servers may leave scopes out even when
                                               they list some (RFC 8414 §2, OpenID Discovery §3)
=============================================  ==============================================

An issuer whose metadata has no token endpoint is not an authorization server (a token issuer
such as a CI platform's workload identity, or a sign-in-only provider): :func:`server_role`
says which, and only the endpoint rules run for it. A server recognised in the provider
profile catalogue (:mod:`advisor.server.profiles`) adds its documented facts as notes.

Nothing here touches the network or imports httpx.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from advisor.core.vocabulary import ASYMMETRIC_CLIENT_AUTH, GRANT_TYPES, SECRET_CLIENT_AUTH
from advisor.server.metadata import (
    DEFAULT_AUTH_METHODS,
    DEFAULT_GRANT_TYPES,
    MetadataReader,
    names,
    quoted,
)
from advisor.server.model import SEVERITY_ORDER, Compatibility, Finding, ServerMetadata

if TYPE_CHECKING:
    from advisor.server.profiles.catalogue import Recognition
    from advisor.session import Recommendation
    from advisor.tree.models import Flow, Outcome

REDIRECT_FLOWS: Final = frozenset({"authorization_code"})
"""Flows that send the user's browser to the authorization endpoint."""

ServerRole = Literal["authorization_server", "token_issuer", "sign_in_only"]
"""What an issuer is, by its metadata: an OAuth authorization server (it has a token
endpoint); a token issuer (neither authorization nor token endpoint: it issues tokens for
others to verify, e.g. a CI platform's workload identity); or a sign-in-only provider (an
authorization endpoint but no token endpoint: implicit only)."""


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
    scopes: tuple[str, ...] = ()
    """Scopes the samples request (the user's, or the sample's default); empty: not known."""
    scopes_given: bool = False
    """Whether ``scopes`` are the user's own (``--scope``) rather than the sample's default."""

    @property
    def redirect(self) -> bool:
        """Whether the flow sends the user's browser to the authorization endpoint (a
        refresh or an exchange that starts from an authorization code does too)."""
        return self.flow_id in REDIRECT_FLOWS or bool(
            {"pkce_s256", "par", "iss_parameter"} & self.needs
        )


Rule = Callable[[FlowCheck], Iterator[Finding]]
"""A rule: the findings one aspect of the metadata gives about a flow (none when fine)."""


def _explicitly_unsupported(doc: MetadataReader, grant: str | None) -> bool:
    """Whether ``grant_types_supported`` is listed and leaves ``grant`` out."""
    grants = doc.grants()
    return grant is not None and grants is not None and grant not in grants[0]


def _implied(doc: MetadataReader, grant: str) -> bool:
    """Whether an endpoint in the metadata implies the grant (when grant types are unlisted)."""
    by_endpoint = {
        GRANT_TYPES["device_code"]: "device_authorization_endpoint",
        GRANT_TYPES["ciba"]: "backchannel_authentication_endpoint",
    }
    name = by_endpoint.get(grant)
    return name is not None and doc.present(name)


# -- the rules, in the order their findings are reported ------------------------------------------


def grant_types(check: FlowCheck) -> Iterator[Finding]:
    """The grant types the flow uses must be in ``grant_types_supported`` (RFC 8414 §2,
    OpenID Connect Discovery 1.0 §3), under their registered name or a known spelling."""
    doc = check.doc
    grants = doc.grants()
    wanted = [g for g in (check.grant_type,) if g]
    if check.redirect and "authorization_code" not in wanted:
        wanted.insert(0, "authorization_code")
    if "refresh_tokens" in check.needs and "refresh_token" not in wanted:
        wanted.append("refresh_token")
    for grant in wanted:
        refresh = grant == "refresh_token"
        if grants is None:
            if grant in DEFAULT_GRANT_TYPES or _implied(doc, grant):
                continue
            unreadable = "grant_types_supported" in doc.problems
            yield Finding.of(
                "refresh_token_not_listed" if refresh else "grant_type_not_listed",
                ("the server's grant_types_supported cannot be read"
                 if unreadable else "the server does not list grant_types_supported")
                + f", and the default is authorization_code and implicit only "
                f"({doc.defaults_source}): check in the provider's documentation that it "
                f"supports grant_type={grant}",
            )  # fmt: skip
            continue
        recognised, _ = grants
        listed = recognised.get(grant)
        if listed is not None:
            if listed != grant:
                yield Finding.of(
                    "grant_type_alias",
                    f"the server lists this grant as {quoted(listed)}, not by its registered "
                    f"name {grant}: read as supported; the samples send grant_type={grant}, "
                    "the registered name (if the server refuses it, try its spelling)",
                )
            continue
        if doc.kind == "openid" and not refresh:
            # OpenID documents under-report OAuth grants (RFC 8414 documents are the
            # authoritative list), so leaving one out is not a refusal.
            yield Finding.of(
                "grant_type_not_in_openid_metadata",
                f"the server's OpenID Connect Discovery document does not list "
                f"grant_type={grant}, and no RFC 8414 document was found; OpenID documents "
                "often list only the grants sign-in uses: check in the provider's "
                "documentation that it supports this grant",
            )
            continue
        yield Finding.of(
            "refresh_token_not_supported" if refresh else "grant_type_not_supported",
            f"the server does not support grant_type={grant}: its grant_types_supported does "
            "not list it",
        )


def token_endpoint(check: FlowCheck) -> Iterator[Finding]:
    """A flow with a token request needs a usable ``token_endpoint`` (RFC 8414 §2: required
    unless only the implicit grant is supported)."""
    if check.grant_type is None or check.doc.endpoint("token_endpoint") is not None:
        return
    if check.doc.present("token_endpoint"):
        text = "the metadata's token_endpoint is not usable (see invalid_endpoint)"
    else:
        text = (
            "the metadata has no token_endpoint (required unless only the implicit grant is "
            f"supported, RFC 8414 §2), so grant_type={check.grant_type} cannot be requested"
        )
    yield Finding.of("no_token_endpoint", text)


def authorization_endpoint(check: FlowCheck) -> Iterator[Finding]:
    """A redirect flow needs a usable ``authorization_endpoint`` and ``response_type=code``."""
    if not check.redirect:
        return
    if check.doc.endpoint("authorization_endpoint") is None:
        yield Finding.of(
            "no_authorization_endpoint", "the metadata has no usable authorization_endpoint"
        )
    response_types = check.doc.strings("response_types_supported")
    if response_types is not None and "code" not in response_types:
        yield Finding.of(
            "response_type_code_not_supported",
            f"the server does not support response_type=code "
            f"(response_types_supported: {names(response_types)})",
        )


def device_authorization_endpoint(check: FlowCheck) -> Iterator[Finding]:
    """The device grant calls the ``device_authorization_endpoint`` (RFC 8628 §3.1). Its
    metadata entry is optional (RFC 8628 §4): absent, the endpoint is unknown, not denied."""
    if check.flow_id != "device_code" or check.doc.endpoint("device_authorization_endpoint"):
        return
    if _explicitly_unsupported(check.doc, check.grant_type):
        return  # grant_type_not_supported says it
    grants = check.doc.grants()
    listed = grants is not None and check.grant_type in grants[0]
    yield Finding.of(
        "device_endpoint_not_listed",
        "the metadata has no usable device_authorization_endpoint (optional metadata, RFC 8628 "
        f"§4){', although it lists the device grant' if listed else ''}: the samples would "
        "derive it from the issuer, which is a guess; pass --device-authorization-endpoint "
        "with the URL from the provider's documentation",
    )


def backchannel_authentication(check: FlowCheck) -> Iterator[Finding]:
    """CIBA calls the ``backchannel_authentication_endpoint`` in poll mode (CIBA Core §4,
    §7): an absent endpoint is unknown, a delivery-mode list without ``poll`` is an error."""
    if check.flow_id != "ciba" or _explicitly_unsupported(check.doc, check.grant_type):
        return
    doc = check.doc
    if doc.endpoint("backchannel_authentication_endpoint") is None:
        grants = doc.grants()
        listed = grants is not None and check.grant_type in grants[0]
        yield Finding.of(
            "backchannel_endpoint_not_listed",
            "the metadata has no usable backchannel_authentication_endpoint"
            f"{', although it lists the CIBA grant' if listed else ''}: the samples would "
            "derive it from the issuer, which is a guess; pass --backchannel-endpoint with the "
            "URL from the provider's documentation",
        )
    modes = doc.strings("backchannel_token_delivery_modes_supported")
    if modes is None:
        yield Finding.of(
            "ciba_poll_mode_unknown",
            "the server does not list backchannel_token_delivery_modes_supported: check "
            "that it supports poll mode, which the samples use",
        )
    elif "poll" not in modes:
        yield Finding.of(
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
        if check.doc.kind == "openid":
            why = (
                "the server's OpenID Connect Discovery document does not list "
                "code_challenge_methods_supported (a field OpenID Connect Discovery does not "
                "define, so its absence says nothing)"
            )
        else:
            why = (
                "the server does not list code_challenge_methods_supported, which by RFC 8414 "
                "§2 means no PKCE, although many servers support it without saying so"
            )
        yield Finding.of(
            "pkce_support_unknown",
            f"{why}: check that it accepts code_challenge_method=S256 (RFC 9700 §2.1.1)",
        )
    elif "S256" not in methods:
        yield Finding.of(
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
        yield Finding.of(
            "par_not_listed",
            "the advice needs pushed authorization requests (RFC 9126), but the metadata has "
            "no pushed_authorization_request_endpoint: check that the server supports PAR, "
            "and pass --par-endpoint",
        )
    if (
        check.redirect
        and "par" not in check.needs
        and check.doc.flag("require_pushed_authorization_requests")
    ):
        yield Finding.of(
            "par_required",
            "the server requires pushed authorization requests "
            "(require_pushed_authorization_requests), which the samples for this advice do "
            "not send: push the request to its pushed_authorization_request_endpoint first",
        )


def dpop(check: FlowCheck) -> Iterator[Finding]:
    """Advice that needs DPoP needs ``dpop_signing_alg_values_supported`` (RFC 9449 §5.1)."""
    if "dpop" not in check.needs:
        return
    algorithms = check.doc.strings("dpop_signing_alg_values_supported")
    if algorithms is None:
        yield Finding.of(
            "dpop_not_listed",
            "the advice needs DPoP sender-constrained tokens, but the server does not list "
            "dpop_signing_alg_values_supported (RFC 9449 §5.1): check that it supports DPoP",
        )
    elif not algorithms:
        yield Finding.of(
            "dpop_not_supported",
            "the advice needs DPoP sender-constrained tokens, but the server's "
            "dpop_signing_alg_values_supported is empty (RFC 9449 §5.1)",
        )


def mtls_bound_tokens(check: FlowCheck) -> Iterator[Finding]:
    """Advice that needs certificate-bound tokens needs the server to issue them (RFC 8705
    §3.3)."""
    if "mtls_bound_tokens" not in check.needs:
        return
    bound = check.doc.flag("tls_client_certificate_bound_access_tokens")
    if bound is None:
        yield Finding.of(
            "mtls_bound_tokens_not_listed",
            "the advice needs certificate-bound access tokens, but the server does not set "
            "tls_client_certificate_bound_access_tokens (default false, RFC 8705 §3.3, though "
            "often unadvertised): check that it issues them",
        )
    elif not bound:
        yield Finding.of(
            "mtls_bound_tokens_not_supported",
            "the advice needs certificate-bound access tokens, but the server's "
            "tls_client_certificate_bound_access_tokens is false (RFC 8705 §3.3)",
        )


def iss_parameter(check: FlowCheck) -> Iterator[Finding]:
    """Without ``iss`` in authorization responses (RFC 9207), mix-up defence is the client's."""
    if not check.redirect or check.doc.flag("authorization_response_iss_parameter_supported"):
        return
    yield Finding.of(
        "iss_parameter_not_supported",
        "the server does not state that it sends iss in authorization responses "
        "(authorization_response_iss_parameter_supported); defend against mix-up attacks "
        "another way: one redirect URI per authorization server, checked on the callback "
        "(RFC 9207, RFC 9700 §4.4)",
    )
    if "iss_parameter" in check.needs:
        yield Finding.of(
            "iss_parameter_needed",
            "the advice relies on iss in authorization responses (RFC 9207), which this "
            "server does not state that it sends: check that it does before relying on the "
            "advice (its samples, where it has them, require it)",
        )


def client_authentication(check: FlowCheck) -> Iterator[Finding]:
    """One of the advice's client authentication methods must be accepted
    (``token_endpoint_auth_methods_supported``, RFC 8414 §2). ``none`` (a public client) is
    not a way to authenticate but the lack of one: many servers accept public clients without
    listing it, so an unlisted ``none`` is only a note."""
    if not check.client_auth or check.grant_type is None:
        return
    doc = check.doc
    wanted = check.client_auth
    listed = doc.strings("token_endpoint_auth_methods_supported")
    supported = listed if listed is not None else DEFAULT_AUTH_METHODS
    confidential = [m for m in wanted if m != "none"]
    usable = [m for m in confidential if m in supported]
    public = "none" in wanted
    if public and not usable and "none" not in supported:
        if listed is None:
            why = (
                "the server does not list token_endpoint_auth_methods_supported, whose default "
                f"(client_secret_basic, {doc.defaults_source}) is about confidential clients"
            )
        else:
            why = (
                f"the server's token_endpoint_auth_methods_supported ({names(listed)}) does not "
                "list none, which many servers leave out although they accept public clients"
            )
        yield Finding.of(
            "public_client_not_listed",
            f"{why}: a public client does not authenticate (token_endpoint_auth_method none, "
            "with PKCE); whether one is allowed is a setting of the client's registration, so "
            "register this client as public, without a secret",
        )
        return
    if not usable and not public:
        if listed is None:
            yield Finding.of(
                "client_auth_not_listed",
                f"the server does not list token_endpoint_auth_methods_supported, and the "
                f"default is client_secret_basic only ({doc.defaults_source}): check that it "
                f"accepts {names(confidential)}",
            )
        else:
            yield Finding.of(
                "client_auth_not_supported",
                f"the server supports none of the client authentication methods this advice "
                f"accepts ({names(confidential)}; token_endpoint_auth_methods_supported: "
                f"{names(listed)})",
            )
    elif usable and usable[0] != wanted[0]:
        yield Finding.of(
            "client_auth_fallback",
            f"the server does not list {wanted[0]}; use {usable[0]}, the most preferred "
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
        yield Finding.of(
            "stronger_client_auth_available",
            f"the server also accepts {names(stronger)}: a key or certificate is safer than a "
            f"shared secret (RFC 9700 §2.5); consider switching",
        )


def scopes(check: FlowCheck) -> Iterator[Finding]:
    """The scopes the samples request should be in ``scopes_supported`` when the server lists
    it (RFC 8414 §2, OpenID Connect Discovery 1.0 §3: servers may leave scopes out, so this
    is a warning)."""
    listed = check.doc.strings("scopes_supported")
    if not check.scopes or listed is None:
        return
    missing = [s for s in check.scopes if s not in listed]
    if not missing:
        return
    whose = "your --scope asks for" if check.scopes_given else "the sample's default scope has"
    fix = "drop it from --scope" if check.scopes_given else "choose scopes with --scope"
    text = (
        f"{whose} {names(missing)}, which the server's scopes_supported does not list; "
        f"servers may leave scopes out ({check.doc.defaults_source}), but a request with an "
        f"unknown scope fails with invalid_scope: if it does, {fix}"
    )
    if "offline_access" in missing:
        text += (
            "; offline_access asks for a refresh token, which some servers issue without it "
            "(django-oauth-toolkit) or for their own parameters (Google: access_type=offline): "
            "see the provider's documentation"
        )
    yield Finding.of("scope_not_listed", text)


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
    scopes,
)
"""Every rule, in the order findings are reported (within one severity)."""

ENDPOINT_RULES: Final[tuple[Rule, ...]] = (token_endpoint,)
"""The rules that still apply when the issuer is not an authorization server (nothing else
matters without a token endpoint)."""

ROLE_SUMMARIES: Final[Mapping[str, str]] = {
    "token_issuer": "a token issuer, not an OAuth authorization server: it has neither an "
    "authorization nor a token endpoint, so no flow can get a token from it (its tokens are "
    "for others to verify)",
    "sign_in_only": "a sign-in provider without a token endpoint, not a full OAuth "
    "authorization server: it returns tokens from its authorization endpoint only (implicit), "
    "so no flow that needs a token request works with it",
}
"""One sentence per kind of issuer that is not an authorization server (``check-server``'s
"what it is" line)."""


# -- the server as a whole --------------------------------------------------------------------


def server_role(metadata: ServerMetadata | Mapping[str, Any] | MetadataReader) -> ServerRole:
    """What the issuer is, by the endpoints its metadata has (see :data:`ServerRole`).

    RFC 8414 §2 (and OpenID Connect Discovery 1.0 §3) require ``token_endpoint`` unless only
    the implicit grant is supported, so an issuer without one is not an authorization server
    any flow here can use; with no ``authorization_endpoint`` either, it only issues tokens.

    Args:
        metadata: The issuer's metadata.

    Returns:
        ``authorization_server``, ``sign_in_only`` or ``token_issuer``.
    """
    doc = metadata if isinstance(metadata, MetadataReader) else MetadataReader(metadata)
    if doc.present("token_endpoint"):
        return "authorization_server"
    if doc.present("authorization_endpoint"):
        return "sign_in_only"
    return "token_issuer"


def role_finding(doc: MetadataReader) -> Finding | None:
    """The finding that says plainly what a non-authorization-server issuer is and is not.

    Args:
        doc: The issuer's metadata.

    Returns:
        A ``token_issuer_only`` or ``sign_in_only`` error; None for an authorization server.
    """
    role = server_role(doc)
    if role == "token_issuer":
        keys = " (it publishes only signing keys, jwks_uri)" if doc.present("jwks_uri") else ""
        return Finding.of(
            "token_issuer_only",
            "this issuer is not an OAuth authorization server: its metadata has neither an "
            f"authorization_endpoint nor a token_endpoint{keys}. It issues tokens for others "
            "to verify (a CI platform's workload identity tokens, for example), so no flow "
            "can get a token from it; to use its tokens, have your authorization server trust "
            "this issuer and send them there as a client assertion (workload identity "
            "federation) or as a token exchange's subject token, and discover that server",
        )
    if role == "sign_in_only":
        response_types = doc.strings("response_types_supported")
        shown = f"; response_types_supported: {names(response_types)}" if response_types else ""
        return Finding.of(
            "sign_in_only",
            "this issuer has an authorization_endpoint but no token_endpoint: it is a "
            "sign-in provider that returns tokens from the authorization endpoint only "
            f"(the implicit flow{shown}), not a full OAuth authorization server; every flow "
            "grant-advisor recommends needs a token request, so none works with it",
        )
    return None


def recognition(doc: MetadataReader) -> Recognition | None:
    """The provider profile the server matches, if any (by issuer, else by metadata hints;
    see :func:`advisor.server.profiles.catalogue.recognise`)."""
    # Imported here: the profiles (pydantic models, YAML) are read only once a server is.
    from advisor.server.profiles.catalogue import recognise

    return recognise(doc.issuer, doc.data)


def server_findings(metadata: ServerMetadata | Mapping[str, Any] | MetadataReader) -> list[Finding]:
    """Findings about the server rather than a flow.

    Args:
        metadata: The server's metadata (a reader that rules already ran on also reports the
            malformed fields they found).

    Returns:
        In order: what the issuer is (when not an authorization server), that only an OpenID
        document was found (its defaults apply, OpenID Connect Discovery 1.0 §3), malformed
        fields, plain http, and the provider it was recognised as with its general facts.
    """
    doc = metadata if isinstance(metadata, MetadataReader) else MetadataReader(metadata)
    findings: list[Finding] = []
    role = role_finding(doc)
    if role is not None:
        findings.append(role)
    if doc.kind == "openid" and doc.url is not None:
        oauth = [url for url, _ in doc.tried if "/oauth-authorization-server" in url]
        where = f" at {', '.join(oauth)}" if oauth else ""
        findings.append(
            Finding.of(
                "openid_metadata_only",
                f"the metadata is the server's OpenID Connect Discovery document; no RFC 8414 "
                f"document was found{where}, so absent fields take the defaults of OpenID "
                "Connect Discovery 1.0 §3",
            )
        )
    findings += doc.problems.values()
    if doc.url is not None and doc.url.startswith("http://"):
        findings.append(
            Finding.of(
                "plain_http",
                "the metadata came over plain http (allowed on loopback hosts only): fine "
                "for a local test server, never for a real one",
            )
        )
    recognised = recognition(doc)
    if recognised is not None:
        findings.append(recognised.recognised_finding())
        findings += [recognised.fact_finding(f) for f in recognised.facts(None)]
    return findings


def provider_flow_findings(doc: MetadataReader, flow_id: str) -> list[Finding]:
    """The recognised provider's facts about ``flow_id`` (a catalogue flow id), as
    ``provider_fact`` notes; none for an unknown provider."""
    recognised = recognition(doc)
    if recognised is None:
        return []
    return [recognised.fact_finding(f) for f in recognised.facts(flow_id)]


# -- running them -----------------------------------------------------------------------------


def check_flow(
    flow_id: str,
    metadata: ServerMetadata | Mapping[str, Any],
    *,
    grant_type: str | None = None,
    client_auth: Sequence[str] = (),
    needs: Sequence[str] = (),
    scopes: Sequence[str] = (),
    scopes_given: bool = False,
    server_level: bool = True,
) -> list[Finding]:
    """Check a flow (with the client authentication, features and scopes advice asks for).

    Args:
        flow_id: A catalogue flow id, e.g. ``device_code``.
        metadata: The server's metadata.
        grant_type: Its wire ``grant_type`` (default: the standard one for ``flow_id``).
        client_auth: Acceptable client authentication methods, most preferred first.
        needs: Server features the advice relies on (``pkce_s256``, ``par``, ...).
        scopes: Scopes the samples request (checked against ``scopes_supported``).
        scopes_given: Whether ``scopes`` are the user's own rather than a sample's default.
        server_level: Include findings about the server itself (what it is, plain http,
            malformed fields, the provider and its general facts).

    Returns:
        Findings, errors first, one per code (the first rule to report a code wins); the
        provider's facts about this flow last within the notes.
    """
    check = FlowCheck(
        flow_id=flow_id,
        grant_type=grant_type if grant_type is not None else GRANT_TYPES.get(flow_id),
        client_auth=tuple(client_auth),
        needs=frozenset(needs),
        doc=MetadataReader(metadata),
        scopes=tuple(scopes),
        scopes_given=scopes_given,
    )
    rules = RULES if server_role(check.doc) == "authorization_server" else ENDPOINT_RULES
    found: dict[str, Finding] = {}
    for rule in rules:
        for finding in rule(check):
            found.setdefault(finding.code, finding)
    findings = list(found.values())
    if server_level:
        findings += server_findings(check.doc)
    findings += provider_flow_findings(check.doc, flow_id)
    return sort_findings(findings)


def check_recommendation(
    outcome: Outcome,
    flow: Flow | None,
    metadata: ServerMetadata | Mapping[str, Any],
    *,
    scopes: Sequence[str] = (),
    scopes_given: bool = False,
) -> list[Finding]:
    """Check one recommendation against a server's metadata.

    Args:
        outcome: The outcome reached: its ``grant``, ``client_auth`` (preference order),
            ``needs`` and ``companions`` (a ``refresh_token`` companion needs the refresh
            token grant) are checked.
        flow: The outcome's catalogue entry of its grant (None when the grant is ``none``).
        metadata: The server's metadata, fetched or hand-written.
        scopes: Scopes its samples request (see :func:`check_flow`).
        scopes_given: Whether they are the user's own.

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
        scopes=scopes,
        scopes_given=scopes_given,
    )


def compatibility(
    recommendation: Recommendation,
    metadata: ServerMetadata,
    *,
    scopes: Sequence[str] = (),
    scopes_given: bool = False,
) -> Compatibility:
    """``recommendation`` checked against the server whose ``metadata`` was discovered: what
    ``ask --discover`` reports and the TUI shows after discovery (``scopes``: what its samples
    request, see :func:`check_flow`)."""
    findings = check_recommendation(
        recommendation.outcome,
        recommendation.flow,
        metadata,
        scopes=scopes,
        scopes_given=scopes_given,
    )
    return Compatibility(metadata.issuer, metadata.url, tuple(findings), metadata.kind)


def discovery_failure(
    issuer: str, code: str, message: str, flow_id: str | None = None
) -> Compatibility:
    """The compatibility of advice whose server metadata could not be used: the discovery
    problem as an error finding (``templated_issuer``, ``issuer_mismatch``,
    ``metadata_not_found``), and the facts of the provider the issuer belongs to, if the
    catalogue knows it by its issuer alone.

    Raises:
        ValueError: ``code`` is not a finding code.
    """
    from advisor.server.profiles.catalogue import recognise  # only once discovery ran

    findings = [Finding.of(code, message)]
    recognised = recognise(issuer)
    if recognised is not None:
        findings.append(recognised.recognised_finding())
        findings += [recognised.fact_finding(f) for f in recognised.facts(None)]
        if flow_id is not None:
            findings += [recognised.fact_finding(f) for f in recognised.facts(flow_id)]
    return Compatibility(issuer, None, tuple(sort_findings(findings)))


def preferred_client_auth(
    client_auth: Sequence[str], metadata: ServerMetadata | Mapping[str, Any]
) -> tuple[str, ...]:
    """``client_auth`` (preference order) narrowed to the methods the server supports
    (``token_endpoint_auth_methods_supported``, or its RFC 8414 §2 / OpenID Connect Discovery
    §3 default)."""
    listed = MetadataReader(metadata).strings("token_endpoint_auth_methods_supported")
    supported = listed if listed is not None else DEFAULT_AUTH_METHODS
    return tuple(m for m in client_auth if m in supported)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Errors, then warnings, then notes; otherwise in the order found."""
    return sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])
