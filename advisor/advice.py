"""The one use case: from a walk (or a flow chosen directly) to the advice a user sees.

``grant-advisor ask``, ``grant-advisor sample`` and the TUI all call :func:`advise`, and every
renderer (text, Markdown, JSON, the TUI's result screen) takes the :class:`Advice` it returns,
so the front ends cannot drift apart::

    session (or SampleChoice) + parameters as given + languages (+ library flavours)
        + template folders
        + server metadata (optional; fetched by the caller, see advisor.server.fetch)
          or the discovery problem that stopped it
      -> tailored parameters    the server's endpoints, the client authentication advised,
                                the scopes (scopes_supported, the provider's profile)
      -> rendered samples       advisor.samples.render
      -> assumptions            placeholders, derived values and tailoring to check before
                                running
      -> findings               advisor.server.findings (the discovery problem, if any)
      = Advice (immutable)

:data:`SECTIONS` declares, once and in order, the parts of a recommendation every renderer
shows; each renderer walks that list.

Fetching metadata is not done here: it is I/O that the CLI does in line and the TUI in a
worker thread, and both pass the result in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from advisor.core.errors import AdvisorError, DiscoveryError, ParameterError
from advisor.core.termsafe import clean
from advisor.core.vocabulary import (
    CLIENT_AUTH_METHODS,
    ENDPOINTS,
    GRANT_TYPES,
    LIBRARIES,
    MTLS_CLIENT_AUTH,
)
from advisor.samples.catalog import TEMPLATES, choose_client_auth, find_template, library_gap
from advisor.samples.params import Assumption, SampleParams
from advisor.samples.render import RenderedSample, render_sample
from advisor.server.findings import (
    check_flow,
    compatibility,
    discovery_failure,
    preferred_client_auth,
)
from advisor.server.metadata import MetadataReader, metadata_endpoint
from advisor.server.model import Compatibility, ServerMetadata
from advisor.session import Recommendation, Session
from advisor.tree.models import Outcome

if TYPE_CHECKING:
    from advisor.server.profiles.catalogue import Recognition
    from advisor.server.profiles.models import Fact


@dataclass(frozen=True, slots=True)
class SampleChoice:
    """A sample asked for directly (``grant-advisor sample FLOW``), without a walk."""

    template: str
    """The sample template id, e.g. ``client_credentials``."""
    flow: str | None
    """The catalogue flow it implements (checked against the server's metadata), if known."""


@dataclass(frozen=True, slots=True)
class Advice:
    """Everything a front end shows for one walk (or one sample), ready to render."""

    subject: Session | SampleChoice
    """The walk the advice is for, or the sample chosen directly."""
    recommendation: Recommendation | None
    """The recommendation of a complete walk; None while questions remain, and for a
    :class:`SampleChoice`."""
    parameters: Mapping[str, Any]
    """The sample parameters as the user gave them (``SampleParams`` field names; what a
    report's replay block records)."""
    params: SampleParams
    """The parameters the samples were rendered with: the user's, then the server's
    endpoints (after discovery), then the advised client authentication."""
    samples: Mapping[str, RenderedSample] = field(default_factory=lambda: MappingProxyType({}))
    """Rendered samples by :attr:`RenderedSample.key`, in the order asked for: the language
    id for a dependency-free sample (``python``), ``<language>:<library>`` for a library
    flavour (``python:authlib``); :attr:`RenderedSample.label` is what to show people."""
    assumptions: tuple[Assumption, ...] = ()
    """What to check before running the samples (placeholders, derived endpoints, languages
    or library flavours asked for that the outcome has no sample in), without repeats; each
    renderer shows :attr:`Assumption.text`, or says in its own words what fixes it."""
    compatibility: Compatibility | None = None
    """The advice checked against the server's metadata (None without discovery); after a
    discovery that found no usable metadata, the problem as an error finding."""
    sample_note: str | None = None
    """The outcome's note about its samples, as it applies to the samples rendered: a
    sentence naming a client authentication the samples do not use (discovery or
    ``--client-auth`` chose another) is replaced by one naming the method they use."""
    sample_error: str | None = None
    """Why the samples could not be rendered (with ``strict=False`` only), one clean line."""

    @property
    def session(self) -> Session | None:
        """The walk, when the advice is for one."""
        return self.subject if isinstance(self.subject, Session) else None

    @property
    def code(self) -> dict[str, str]:
        """The program text by sample key (see :attr:`samples`)."""
        return {key: sample.code for key, sample in self.samples.items()}


@dataclass(frozen=True, slots=True)
class Section:
    """One part of a recommendation, as every renderer shows it."""

    id: str
    """Stable id: renderers map it to their own layout (and the TUI to widget ids)."""
    title: str
    """The heading people see."""


SECTIONS: Final[tuple[Section, ...]] = (
    Section("summary", "Summary"),
    Section("answers", "Your answers"),
    Section("findings", "Server compatibility"),
    Section("why", "Why"),
    Section("sequence", "How the flow goes"),
    Section("checklist", "Security checklist"),
    Section("avoid", "Avoid"),
    Section("notes", "Notes from your answers"),
    Section("alternatives", "Alternatives"),
    Section("references", "References"),
    Section("samples", "Sample code"),
)
"""The sections of a recommendation, in the order every renderer shows them. The samples
section holds the sample note, the assumptions ("check before running") and the code."""


def advise(
    subject: Session | SampleChoice,
    parameters: Mapping[str, Any] | None = None,
    *,
    languages: Sequence[str] | None = None,
    libraries: Sequence[str] = (),
    template_dirs: Sequence[Path] = (),
    metadata: ServerMetadata | None = None,
    discovery_error: DiscoveryError | None = None,
    strict: bool = True,
) -> Advice:
    """Build the advice for a walk or a directly chosen sample.

    Args:
        subject: A session (complete or not), or a :class:`SampleChoice`.
        parameters: Sample parameters as the user gave them, by ``SampleParams`` field
            name (``issuer``, ``client_id``, ``scopes`` as a tuple, ...); values were
            checked with :mod:`advisor.core.fields` by the front end.
        languages: Sample languages, in order; None for every language the outcome has
            (``ask`` without ``--lang``, the TUI); ``["none"]`` or ``[]`` for no samples.
            Languages the outcome lacks are skipped and reported in ``assumptions``.
        libraries: Library flavours (:data:`~advisor.core.vocabulary.LIBRARIES` ids), each
            rendered instead of the dependency-free sample of its language, in the order
            given. A flavour the sample lacks: for a walk, the dependency-free sample is
            rendered and ``assumptions`` says why; for a :class:`SampleChoice`, the
            rendering error (``strict``). A library of a language that is not rendered is
            reported in ``assumptions``.
        template_dirs: Folders of the user's own templates, searched first (sandboxed).
        metadata: The server's metadata, when discovery ran: samples get its endpoints,
            the client authentication is narrowed to what it supports, the scopes are
            tailored (:func:`tailor`), and findings are computed.
        discovery_error: Why discovery found no usable metadata, when it did not
            (``templated_issuer``, ``issuer_mismatch``, ``metadata_not_found``): reported as
            an error finding (with the facts of the provider the issuer names, if known), and
            the advice is built without metadata.
        strict: Raise rendering errors (the CLI); with False, the message is kept in
            :attr:`Advice.sample_error` and the advice comes without samples (the TUI).

    Returns:
        The advice (nothing is rendered for an incomplete walk or an outcome without a
        sample).

    Raises:
        TemplateError: A template is missing, broken or leaves its sandbox (``strict``).
        ParameterError: A parameter cannot be used by this sample (``strict``).
    """
    unknown = [lib for lib in libraries if lib not in LIBRARIES]
    if unknown:
        raise ParameterError(f"unknown library {unknown[0]!r}; known: {', '.join(LIBRARIES)}")
    given = MappingProxyType(dict(parameters or {}))
    params = SampleParams().with_values(**given)
    recommendation = subject.recommendation() if isinstance(subject, Session) else None
    template, preferred, available = _sample_of(subject, recommendation)
    flow = _flow_of(subject, recommendation)
    advice = Advice(subject, recommendation, given, params)
    if discovery_error is not None:
        params = params.with_values(discovery="failed")
    # The provider's facts are about the flow the sample implements, which for an outcome whose
    # sample shows a companion (refresh tokens) is not the outcome's grant.
    info = TEMPLATES.get(template) if template is not None else None
    sample_flow = info.flow if info is not None else flow
    tailoring = (
        tailor(
            params,
            template,
            preferred,
            metadata,
            sample_flow,
            refresh_token=recommendation is None or wants_refresh_token(recommendation.outcome),
        )
        if template is not None
        else None
    )
    if discovery_error is not None and flow is None and template is not None:
        # A sample of a template whose flow is not known: the problem is still reported.
        failure = discovery_failure(params.issuer, discovery_error.code, str(discovery_error))
        advice = replace(advice, compatibility=failure)
    elif flow is not None and (metadata is not None or discovery_error is not None):
        advice = replace(
            advice,
            compatibility=_check(
                subject, recommendation, params, flow, tailoring, metadata, discovery_error
            ),
        )
    if template is None or tailoring is None:
        return advice
    note = _sample_note(recommendation, template, preferred, params, tailoring.params)
    advice = replace(advice, sample_note=note)
    if languages is not None and ("none" in languages or not languages):
        return advice
    params = tailoring.params
    notes: list[Assumption] = []
    wanted = list(available if available is not None else languages or ())
    if languages is not None and available is not None:
        missing = [lang for lang in languages if lang not in available]
        wanted = [lang for lang in languages if lang in available]
        if missing:
            notes.append(
                Assumption(
                    f"no {' or '.join(missing)} sample for this recommendation; it has "
                    f"{', '.join(available)}"
                )
            )
    plan = _flavour_plan(subject, template, wanted, libraries, template_dirs, notes)
    try:
        rendered = [
            render_sample(template, language, params, template_dirs, library)
            for language, library in plan
        ]
    except AdvisorError as exc:
        if strict:
            raise
        return replace(advice, params=params, sample_error=" ".join(clean(str(exc)).split()))
    samples = {sample.key: sample for sample in rendered}
    notes += [a for sample in samples.values() for a in sample.assumptions]
    notes += [Assumption(note) for note in tailoring.notes]
    return replace(
        advice,
        params=params,
        samples=MappingProxyType(samples),
        assumptions=tuple(dict.fromkeys(notes)),
    )


def _flow_of(subject: Session | SampleChoice, recommendation: Recommendation | None) -> str | None:
    """The catalogue flow the advice is for: the outcome's grant (None: a walk not finished, an
    outcome without a grant, or a sample whose flow is not known)."""
    if isinstance(subject, SampleChoice):
        return subject.flow
    if recommendation is None or recommendation.outcome.grant == "none":
        return None
    return recommendation.outcome.grant


def _flavour_plan(
    subject: Session | SampleChoice,
    template: str,
    languages: Sequence[str],
    libraries: Sequence[str],
    template_dirs: Sequence[Path],
    notes: list[Assumption],
) -> list[tuple[str, str | None]]:
    """What to render: (language, library or None) for each language, in order; a
    language's library flavours replace its dependency-free sample. Appends to ``notes``
    why a flavour asked for is not rendered."""
    plan: list[tuple[str, str | None]] = []
    for language in languages:
        flavours = [lib for lib in libraries if LIBRARIES[lib].language == language]
        if not flavours or isinstance(subject, SampleChoice):
            # A sample chosen directly renders exactly what was asked: a missing flavour is
            # the rendering error, which says why.
            plan += [(language, lib) for lib in flavours] or [(language, None)]
            continue
        found = [lib for lib in flavours if find_template(template, language, template_dirs, lib)]
        for lib in flavours:
            if lib not in found:
                why = library_gap(template, lib)
                notes.append(
                    Assumption(
                        f"no {lib} flavour of this recommendation's sample"
                        + (f" ({why})" if why else "")
                        + f"; showing the dependency-free {language} sample"
                    )
                )
        plan += [(language, lib) for lib in found] or [(language, None)]
    for lib in libraries:
        language = LIBRARIES[lib].language
        if language not in languages:
            notes.append(
                Assumption(f"--library {lib} is for {language}, and no {language} sample is shown")
            )
    return list(dict.fromkeys(plan))


def _sample_of(
    subject: Session | SampleChoice, recommendation: Recommendation | None
) -> tuple[str | None, tuple[str, ...], tuple[str, ...] | None]:
    """The template to render, the client authentications advised (preference order) and the
    languages the sample comes in (None for a sample chosen directly: the languages asked
    for, each of which must exist); ``(None, (), ())`` when there is nothing to render."""
    if isinstance(subject, SampleChoice):
        info = TEMPLATES.get(subject.template)
        return subject.template, info.client_auth if info else (), None
    if recommendation is None or recommendation.outcome.sample is None:
        return None, (), ()
    outcome = recommendation.outcome
    assert outcome.sample is not None
    return outcome.sample.template, tuple(outcome.client_auth), tuple(outcome.sample.languages)


def _check(
    subject: Session | SampleChoice,
    recommendation: Recommendation | None,
    params: SampleParams,
    flow: str,
    tailoring: Tailoring | None,
    metadata: ServerMetadata | None,
    discovery_error: DiscoveryError | None,
) -> Compatibility:
    """Findings for the recommendation, or for the chosen sample's flow with the client
    authentication it would use, with the scopes its samples request; or the discovery
    problem."""
    if metadata is None:
        assert discovery_error is not None
        return discovery_failure(params.issuer, discovery_error.code, str(discovery_error), flow)
    scopes, given = _requested_scopes(params, tailoring)
    if isinstance(subject, SampleChoice):
        info = TEMPLATES.get(subject.template)
        wanted = (params.client_auth,) if params.client_auth else (info.client_auth if info else ())
        findings = check_flow(flow, metadata, client_auth=wanted, scopes=scopes, scopes_given=given)
        return Compatibility(metadata.issuer, metadata.url, tuple(findings), metadata.kind)
    assert recommendation is not None  # a flow comes from a recommendation
    return compatibility(recommendation, metadata, scopes=scopes, scopes_given=given)


def _requested_scopes(
    params: SampleParams, tailoring: Tailoring | None
) -> tuple[tuple[str, ...], bool]:
    """The scopes the samples request, and whether they are the user's own."""
    if params.scopes:
        return tuple(params.scopes), True
    if tailoring is None:
        return (), False
    info = TEMPLATES.get(tailoring.template)
    default = tuple(info.default_scope.split()) if info is not None else ()
    return tuple(tailoring.params.scopes) or default, False


_METHOD_WORDS: Final = tuple(m for m in CLIENT_AUTH_METHODS if m != "none")
"""Client authentication methods a sample note may name (``none`` is an English word)."""


def _sample_note(
    recommendation: Recommendation | None,
    template: str,
    preferred: Sequence[str],
    given: SampleParams,
    used: SampleParams,
) -> str | None:
    """The outcome's sample note, without sentences naming a client authentication the
    samples do not use, and saying which they use and why (see :attr:`Advice.sample_note`)."""
    spec = recommendation.outcome.sample if recommendation is not None else None
    note = spec.note if spec is not None else None
    method = used.client_auth
    if note is None or method is None:
        return note

    def names_other(text: str) -> bool:
        return any(re.search(rf"\b{m}\b", text) for m in _METHOD_WORDS if m != method)

    if not names_other(note):
        return note
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(note.split()))
    kept = [s for s in sentences if not names_other(s)]
    advised = choose_client_auth(template, preferred)
    if given.client_auth is not None:
        why = "you chose it with --client-auth"
    elif advised is not None and advised != method:
        why = (
            f"the server's token_endpoint_auth_methods_supported does not list {advised}, "
            "which this advice prefers"
        )
    else:
        why = "the method this advice prefers that the sample supports"
    return " ".join([*kept, f"The samples authenticate with {method}: {why}."])


@dataclass(frozen=True, slots=True)
class Tailoring:
    """The parameters a sample renders with, and what was changed to get them."""

    template: str
    """The sample template id."""
    params: SampleParams
    """The parameters to render with."""
    notes: tuple[str, ...] = ()
    """What tailoring changed or could not do, as assumption lines (scopes added or left
    out, provider needs the samples cannot express)."""


_AUDIENCE_PARAMETER: Final[Mapping[str, str]] = MappingProxyType(
    {
        "client_credentials": "resource",
        "client_credentials_private_key_jwt": "resource",
        "client_credentials_federated": "resource",
        "client_credentials_mtls": "resource",
        "jwt_bearer": "resource",
        "saml2_bearer": "resource",
        "token_exchange": "audience",
    }
)
"""The request parameter each shipped template sends ``--audience`` as (RFC 8707 ``resource``
or RFC 8693 ``audience``); templates not listed do not send it."""

_SENT_BY_THE_SAMPLES: Final[Mapping[str, Mapping[str, str | None]]] = MappingProxyType(
    {
        # Every authorization code template uses PKCE with S256 (RFC 7636 §4.3) ...
        "authorization request": MappingProxyType(
            {"code_challenge_method": "S256", "response_type": "code"}
        ),
        # ... and sends its redirect URI again with the code (RFC 6749 §4.1.3).
        "token request": MappingProxyType({"redirect_uri": None}),
    }
)
"""Request parameters the shipped authorization code templates always send, with their value
(None: whatever the user's): a provider need they already meet is not a note."""

_REDIRECT_FLOWS: Final = frozenset({"authorization_code", "refresh_token"})
"""Flows with a redirect URI (RFC 6749 §4.1): ``redirect_uri`` means nothing to the others."""


def tailor(
    params: SampleParams,
    template: str,
    preferred: Sequence[str],
    metadata: ServerMetadata | None = None,
    flow: str | None = None,
    refresh_token: bool = True,
) -> Tailoring:
    """The parameters a sample renders with: the one place they are decided.

    1. Client authentication: unless the user chose one, the first of ``preferred`` that the
       template supports and (after discovery) the server accepts; failing that, the
       template's default.
    2. Endpoints: after discovery, the server's fill in those the user did not give
       (:func:`apply_metadata`).
    3. Scopes, when the user gave none and the sample has a default scope: ``offline_access``
       (which asks for a refresh token, OpenID Connect Core 1.0 §11) is left out when the
       advice comes without a refresh token (``refresh_token`` False): a sample requests no
       more than the advice needs. Then, after discovery, a scope the
       recognised provider documents as needed (``scopes_add`` of its profile, e.g.
       ``offline_access`` on Entra ID) is added; ``offline_access`` is left out when the
       server lists ``scopes_supported`` without it (OpenID Connect Core §11 defines it, but
       it is not a scope everywhere, and a request with an unknown scope fails). Scopes the
       user gave are kept as given (the findings warn instead).
    4. What the provider needs that the templates cannot express (extra request parameters,
       another grant type, the audience under another name, a scope format) becomes a note.

    Args:
        params: The user's values.
        template: The sample template id.
        preferred: Client authentication methods, most preferred first (an outcome's
            ``client_auth``, or the template's own list for ``sample``).
        metadata: The server's metadata, after discovery.
        flow: The catalogue flow the sample implements (for the provider's facts about it).
        refresh_token: Whether the advice comes with a refresh token (an outcome with a
            ``refresh_token`` companion, a sample chosen directly); see step 3.

    Returns:
        The parameters and the notes.
    """
    if params.client_auth is None:
        usable = tuple(preferred)
        if metadata is not None:
            narrowed = preferred_client_auth(usable, metadata)
            info = TEMPLATES.get(template)
            if info is not None and any(m in info.client_auth for m in narrowed):
                usable = narrowed
        params = params.with_values(client_auth=choose_client_auth(template, usable))
    default = default_scopes(template, refresh_token)
    if metadata is None:
        if not params.scopes and default != _template_scopes(template):
            params = params.with_values(scopes=tuple(default))
        return Tailoring(template, params)
    params = apply_metadata(params, metadata)
    # Imported here: the profiles (pydantic models, YAML) are read only once a server is.
    from advisor.server.profiles.catalogue import recognise

    recognised = recognise(metadata.issuer, metadata.document)
    facts = recognised.facts(flow) if recognised is not None and flow is not None else ()
    params, notes = _tailor_scopes(
        params, template, default, metadata, recognised, facts, refresh_token
    )
    if recognised is not None:
        notes += _effect_notes(params, template, flow, recognised, facts)
    return Tailoring(template, params, tuple(notes))


def _template_scopes(template: str) -> list[str]:
    """The template's own default scopes (``TemplateInfo.default_scope``), in order."""
    info = TEMPLATES.get(template)
    return info.default_scope.split() if info is not None else []


def default_scopes(template: str, refresh_token: bool = True) -> list[str]:
    """The scopes ``template``'s sample requests when the user gives none, before the server
    is known: the template's default, without ``offline_access`` when the advice comes
    without a refresh token (see :func:`tailor`, step 3)."""
    scopes = _template_scopes(template)
    if not refresh_token:
        scopes = [scope for scope in scopes if scope != "offline_access"]
    return scopes


def _tailor_scopes(
    params: SampleParams,
    template: str,
    default: list[str],
    metadata: ServerMetadata,
    recognised: Recognition | None,
    facts: Sequence[Fact],
    refresh_token: bool = True,
) -> tuple[SampleParams, list[str]]:
    notes: list[str] = []
    # offline_access asks for a refresh token: a provider's need for it (Entra ID, Okta,
    # Auth0) is no reason to request one when the advice comes without it.
    needed = {
        scope: fact
        for fact in facts
        if fact.sample_effect is not None
        for scope in fact.sample_effect.scopes_add
        if refresh_token or scope != "offline_access"
    }
    name = recognised.profile.name if recognised is not None else ""
    certain = recognised is not None and recognised.certain
    if params.scopes:
        for scope, fact in needed.items():
            if scope not in params.scopes:
                notes.append(
                    f"{name} documents that requests here need scope {scope} "
                    f"({fact.source}); your --scope leaves it out, so the samples do not "
                    "request it"
                )
        return params, notes
    if not default:
        for scope, fact in needed.items():
            notes.append(
                f"{name} documents that requests here need scope {scope} ({fact.source}); "
                f"this sample requests no scope by default: pass --scope {scope} (with the "
                "others you need)"
            )
        return params, notes
    scopes = list(default)
    for scope, fact in needed.items():
        if scope in scopes:
            continue
        if certain:
            scopes.append(scope)
            notes.append(
                f"scope {scope} added to the sample's default scope: {name} documents that "
                f"it is needed ({fact.source})"
            )
        else:
            notes.append(
                f"if this server is {name}, add scope {scope} with --scope: it documents that "
                f"it is needed ({fact.source})"
            )
    listed = MetadataReader(metadata).strings("scopes_supported")
    if (
        listed is not None
        and "offline_access" in scopes
        and "offline_access" not in listed
        and not (certain and "offline_access" in needed)
    ):
        scopes.remove("offline_access")
        notes.append(
            "offline_access left out of the sample's default scope: the server's "
            "scopes_supported does not list it, and a request with a scope the server does "
            "not know fails; if you need a refresh token, see the server findings for how "
            "this server issues them"
        )
    if scopes != _template_scopes(template):
        params = params.with_values(scopes=tuple(scopes))
    return params, notes


def _effect_notes(
    params: SampleParams,
    template: str,
    flow: str | None,
    recognised: Recognition,
    facts: Sequence[Fact],
) -> list[str]:
    """Notes for the provider's sample effects the shipped templates cannot express."""
    who = (
        recognised.profile.name
        if recognised.certain
        else f"if this is {recognised.profile.name}, it"
    )
    notes: list[str] = []
    sent = _AUDIENCE_PARAMETER.get(template)
    for fact in facts:
        effect = fact.sample_effect
        if effect is None:
            continue
        where = f"({fact.source})"
        requests = (
            ("authorization request", effect.authorize_params),
            ("device authorization request", effect.device_params),
            ("token request", effect.token_params),
        )
        for request, extra in requests:
            already = _SENT_BY_THE_SAMPLES.get(request, {}) if flow == "authorization_code" else {}
            missing = {
                k: v
                for k, v in extra.items()
                if not (k in already and already[k] in (None, v))
                and not (k == "redirect_uri" and flow not in _REDIRECT_FLOWS)
            }
            if missing:
                pairs = ", ".join(f"{k}={v}" for k, v in missing.items())
                notes.append(
                    f"not in the samples: {who} expects {pairs} on the {request} {where}; the "
                    "samples do not send these parameters, add them yourself"
                )
        standard = GRANT_TYPES.get(flow or "")
        if effect.grant_type_override and effect.grant_type_override != standard:
            notes.append(
                f"not in the samples: {who} uses grant_type={effect.grant_type_override} for "
                f"this {where}; the samples send {standard or 'the standard grant type'}"
            )
        if effect.audience_param:
            wanted = effect.audience_param
            if sent == wanted:
                if params.audience is None:
                    notes.append(
                        f"pass --audience: {who} takes the target API as {wanted}= {where}, "
                        f"which the samples send from --audience"
                    )
            elif sent is None:
                notes.append(
                    f"not in the samples: {who} takes the target API as {wanted}=<API> "
                    f"{where}; these samples do not send it, add it to the request"
                )
            else:
                notes.append(
                    f"not in the samples: {who} takes the target API as {wanted}=<API> "
                    f"{where}, but these samples send --audience as {sent}: rename that "
                    "parameter in the sample"
                )
        if effect.scope_format:
            notes.append(
                f"{who} expects scopes written as {effect.scope_format} here {where}: pass "
                "--scope in that form"
            )
    return notes


def tailored_params(
    params: SampleParams,
    template: str,
    preferred: Sequence[str],
    metadata: ServerMetadata | None = None,
    flow: str | None = None,
    refresh_token: bool = True,
) -> SampleParams:
    """The parameters of :func:`tailor`, without its notes."""
    return tailor(params, template, preferred, metadata, flow, refresh_token).params


def wants_refresh_token(outcome: Outcome) -> bool:
    """Whether ``outcome``'s advice comes with a refresh token: a ``refresh_token`` companion,
    or a sample that is the refresh itself."""
    if any(companion.flow == "refresh_token" for companion in outcome.companions):
        return True
    info = TEMPLATES.get(outcome.sample.template) if outcome.sample is not None else None
    return info is not None and info.flow == "refresh_token"


def apply_metadata(params: SampleParams, meta: ServerMetadata) -> SampleParams:
    """``params`` with the server's endpoints filled in and recorded as discovered, and where
    the metadata was read (so notes no longer suggest ``--discover``).

    Endpoints the user gave explicitly are kept (they win over the metadata). Endpoints the
    metadata lacks stay derived from the issuer, and so stay listed as assumptions. When
    ``params.client_auth`` is an mTLS method, the server's ``mtls_endpoint_aliases`` (RFC 8705
    §5) are used.
    """
    mtls = params.client_auth in MTLS_CLIENT_AUTH
    discovered = set(params.discovered)
    updates: dict[str, str] = {}
    for name in ENDPOINTS:
        if getattr(params, name) is not None and name not in params.discovered:
            continue
        url = metadata_endpoint(meta, name, mtls=mtls)
        if url is not None:
            updates[name] = url
            discovered.add(name)
    filled = params.with_values(issuer=meta.issuer, discovery="read", **updates)
    return replace(filled, discovered=frozenset(discovered))


def outcome_client_auth(outcome: Outcome) -> tuple[tuple[str, ...], str | None]:
    """The client authentications ``outcome``'s sample can be rendered with, and the advised one.

    Returns:
        ``(methods, advised)``: the methods the sample's template supports, those the outcome
        prefers first (in its order), then the others; and the one used when the user picks
        none. ``((), None)`` without a sample or for a template the catalogue does not know
        (a custom one).
    """
    spec = outcome.sample
    info = TEMPLATES.get(spec.template) if spec is not None else None
    if spec is None or info is None:
        return (), None
    preferred = tuple(m for m in outcome.client_auth if m in info.client_auth)
    rest = tuple(m for m in info.client_auth if m not in preferred)
    return (*preferred, *rest), choose_client_auth(spec.template, outcome.client_auth)
