"""The one use case: from a walk (or a flow chosen directly) to the advice a user sees.

``grant-advisor ask``, ``grant-advisor sample`` and the TUI all call :func:`advise`, and every
renderer (text, Markdown, JSON, the TUI's result screen) takes the :class:`Advice` it returns,
so the front ends cannot drift apart::

    session (or SampleChoice) + parameters as given + languages + template folders
        + server metadata (optional; fetched by the caller, see advisor.server.fetch)
      -> tailored parameters    the server's endpoints, the client authentication advised
      -> rendered samples       advisor.samples.render
      -> assumptions            placeholders and derived values to check before running
      -> findings               advisor.server.findings
      = Advice (immutable)

:data:`SECTIONS` declares, once and in order, the parts of a recommendation every renderer
shows; each renderer walks that list.

Fetching metadata is not done here: it is I/O that the CLI does in line and the TUI in a
worker thread, and both pass the result in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from advisor.core.errors import AdvisorError
from advisor.core.termsafe import clean
from advisor.core.vocabulary import ENDPOINTS, MTLS_CLIENT_AUTH
from advisor.samples.catalog import TEMPLATES, choose_client_auth
from advisor.samples.params import Assumption, SampleParams
from advisor.samples.render import RenderedSample, render_sample
from advisor.server.findings import check_flow, compatibility, preferred_client_auth
from advisor.server.metadata import metadata_endpoint
from advisor.server.model import Compatibility, ServerMetadata
from advisor.session import Recommendation, Session
from advisor.tree.models import Outcome


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
    """Rendered samples by language, in the order asked for."""
    assumptions: tuple[Assumption, ...] = ()
    """What to check before running the samples (placeholders, derived endpoints, languages
    asked for that the outcome has no sample in), without repeats; each renderer shows
    :attr:`Assumption.text`, or says in its own words what fixes it."""
    compatibility: Compatibility | None = None
    """The advice checked against the server's metadata (None without discovery)."""
    sample_error: str | None = None
    """Why the samples could not be rendered (with ``strict=False`` only), one clean line."""

    @property
    def session(self) -> Session | None:
        """The walk, when the advice is for one."""
        return self.subject if isinstance(self.subject, Session) else None

    @property
    def code(self) -> dict[str, str]:
        """The program text by language."""
        return {language: sample.code for language, sample in self.samples.items()}


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
    template_dirs: Sequence[Path] = (),
    metadata: ServerMetadata | None = None,
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
        template_dirs: Folders of the user's own templates, searched first (sandboxed).
        metadata: The server's metadata, when discovery ran: samples get its endpoints,
            the client authentication is narrowed to what it supports, and findings are
            computed.
        strict: Raise rendering errors (the CLI); with False, the message is kept in
            :attr:`Advice.sample_error` and the advice comes without samples (the TUI).

    Returns:
        The advice (nothing is rendered for an incomplete walk or an outcome without a
        sample).

    Raises:
        TemplateError: A template is missing, broken or leaves its sandbox (``strict``).
        ParameterError: A parameter cannot be used by this sample (``strict``).
    """
    given = MappingProxyType(dict(parameters or {}))
    params = SampleParams().with_values(**given)
    recommendation = subject.recommendation() if isinstance(subject, Session) else None
    template, preferred, available = _sample_of(subject, recommendation)
    advice = Advice(subject, recommendation, given, params)
    if metadata is not None:
        advice = replace(advice, compatibility=_check(subject, recommendation, params, metadata))
    if template is None or (languages is not None and ("none" in languages or not languages)):
        return advice
    params = tailored_params(params, template, preferred, metadata)
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
    try:
        samples = {
            language: render_sample(template, language, params, template_dirs)
            for language in wanted
        }
    except AdvisorError as exc:
        if strict:
            raise
        return replace(advice, params=params, sample_error=" ".join(clean(str(exc)).split()))
    notes += [a for sample in samples.values() for a in sample.assumptions]
    return replace(
        advice,
        params=params,
        samples=MappingProxyType(samples),
        assumptions=tuple(dict.fromkeys(notes)),
    )


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
    metadata: ServerMetadata,
) -> Compatibility | None:
    """Findings: for the recommendation (none for an incomplete walk or an outcome without a
    flow), or for the chosen sample's flow with the client authentication it would use."""
    if isinstance(subject, SampleChoice):
        if subject.flow is None:
            return None
        info = TEMPLATES.get(subject.template)
        wanted = (params.client_auth,) if params.client_auth else (info.client_auth if info else ())
        findings = check_flow(subject.flow, metadata, client_auth=wanted)
        return Compatibility(metadata.issuer, metadata.url, tuple(findings))
    if recommendation is None or recommendation.outcome.flow == "none":
        return None
    return compatibility(recommendation, metadata)


def tailored_params(
    params: SampleParams,
    template: str,
    preferred: Sequence[str],
    metadata: ServerMetadata | None = None,
) -> SampleParams:
    """The parameters a sample renders with: the one place the client authentication is
    decided.

    Unless the user chose one, the client authentication is the first of ``preferred`` that
    the template supports and (after discovery) the server accepts; failing that, the
    template's default. After discovery, the server's endpoints fill in those the user did
    not give (:func:`apply_metadata`).

    Args:
        params: The user's values.
        template: The sample template id.
        preferred: Client authentication methods, most preferred first (an outcome's
            ``client_auth``, or the template's own list for ``sample``).
        metadata: The server's metadata, after discovery.

    Returns:
        The parameters to render with.
    """
    if params.client_auth is None:
        usable = tuple(preferred)
        if metadata is not None:
            narrowed = preferred_client_auth(usable, metadata)
            info = TEMPLATES.get(template)
            if info is not None and any(m in info.client_auth for m in narrowed):
                usable = narrowed
        params = params.with_values(client_auth=choose_client_auth(template, usable))
    if metadata is not None:
        params = apply_metadata(params, metadata)
    return params


def apply_metadata(params: SampleParams, meta: ServerMetadata) -> SampleParams:
    """``params`` with the server's endpoints filled in and recorded as discovered.

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
    filled = params.with_values(issuer=meta.issuer, **updates)
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
