"""The engine calls the TUI makes, in plain Python (no Textual), so they are easy to test.

Loading a tree, rendering an outcome's samples with the user's parameters (and, after
discovery, the server's metadata), reading an issuer's metadata, checking the recommendation
against it, the Markdown report (the very call ``grant-advisor ask --format markdown`` makes,
with the same arguments), and checking what the user typed into the parameters form.

Nothing here imports httpx at module level: :func:`discover_metadata` imports the discovery
code when it runs, so starting the TUI never pays for the HTTP client.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from advisor.errors import AdvisorError, TreeError, TreeValidationError
from advisor.record import Record
from advisor.termsafe import clean

if TYPE_CHECKING:
    from advisor.compat import Compatibility
    from advisor.discovery import ServerMetadata
    from advisor.loader import LoadedTree
    from advisor.samples.render import RenderedSample
    from advisor.session import Recommendation

PARAMETER_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("issuer", "Issuer"),
    ("client_id", "Client ID"),
    ("scopes", "Scopes"),
    ("redirect_uri", "Redirect URI"),
    ("audience", "Audience"),
)
"""The ``SampleParams`` fields the form edits, with their labels, in the order the CLI records
them (``advisor.cli.PARAMETER_FLAGS``), so an export lists them as ``ask`` does."""

_LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "localhost", "::1"})
_VSCHAR: Final = re.compile(r"^[\x20-\x7e]+$")
_NQCHAR: Final = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]+$")


def load_tree(
    tree_path: str | None, template_dirs: Sequence[Path]
) -> tuple[LoadedTree | None, TreeError | None]:
    """The loaded tree, or the error that stopped it loading (never raises ``TreeError``)."""
    from advisor.loader import load

    try:
        return load(tree_path, template_dirs=template_dirs), None
    except TreeError as exc:
        return None, exc


def error_lines(error: TreeError) -> list[str]:
    """One line per problem (``file:line:col: error: [node] message``), or the message."""
    if isinstance(error, TreeValidationError):
        problems = [p for p in error.problems if p.severity == "error"]
        return [clean(str(error))] + [clean(p.format()) for p in problems]
    return [clean(str(error))]


class Samples(Record):
    """An outcome's samples rendered with the user's parameters (or why they could not be)."""

    rendered: Mapping[str, RenderedSample] = MappingProxyType({})
    """Rendered samples by language, in the outcome's order."""
    assumptions: tuple[str, ...] = ()
    """Placeholders and derived values, across all languages, without repeats."""
    error: str | None = None
    """Why rendering failed (a broken custom template, a parameter the engine rejects)."""

    @property
    def code(self) -> dict[str, str]:
        """The program text by language, as the Markdown report wants it."""
        return {language: sample.code for language, sample in self.rendered.items()}


def render_samples(
    recommendation: Recommendation,
    parameters: Mapping[str, Any],
    template_dirs: Sequence[Path] = (),
    metadata: ServerMetadata | None = None,
) -> Samples:
    """Render every language of the outcome's sample, as ``ask`` does without ``--lang``.

    With ``metadata`` (discovery is on), the samples get the server's endpoints and client
    authentication, as ``ask --discover`` renders them.
    """
    spec = recommendation.outcome.sample
    if spec is None:
        return Samples()
    from advisor.samples.catalog import outcome_params
    from advisor.samples.params import SampleParams
    from advisor.samples.render import render_samples as render

    try:
        params = outcome_params(
            SampleParams().with_values(**parameters), recommendation.outcome, metadata
        )
        rendered = render(spec, params, None, template_dirs)
    except AdvisorError as exc:
        return Samples(error=clean(str(exc)))
    assumptions = tuple(dict.fromkeys(a for s in rendered.values() for a in s.assumptions))
    return Samples(rendered, assumptions)


class Discovery(Record):
    """What reading an issuer's metadata gave: the metadata, or why there is none."""

    issuer: str
    """The issuer that was asked."""
    metadata: ServerMetadata | None = None
    """Its metadata, fetched and checked."""
    error: str | None = None
    """Why there is none, in one line (a :class:`~advisor.errors.DiscoveryError` or
    :class:`~advisor.errors.ParameterError` message)."""


def discover_metadata(issuer: str) -> Discovery:
    """Fetch ``issuer``'s metadata as ``ask --discover`` does (same call, same limits).

    Blocks on the network: the app runs it in a worker thread. Never raises an
    :class:`~advisor.errors.AdvisorError`: its message comes back in :attr:`Discovery.error`.
    """
    from advisor.discovery import discover

    try:
        return Discovery(issuer, metadata=discover(issuer))
    except AdvisorError as exc:
        return Discovery(issuer, error=one_line(str(exc)))


def one_line(text: str) -> str:
    """``text`` cleaned of control sequences, its whitespace (line breaks too) folded."""
    return " ".join(clean(text).split())


def compatibility(
    recommendation: Recommendation | None, metadata: ServerMetadata | None
) -> Compatibility | None:
    """The recommendation checked against the server, as ``ask --discover`` checks it.

    None without metadata, for an incomplete walk, and for an outcome without a flow (``ask``
    fetches nothing then, and its report has no "Server compatibility" section).
    """
    if metadata is None or recommendation is None or recommendation.outcome.flow == "none":
        return None
    from advisor.compat import compatibility as check

    return check(recommendation, metadata)


def report_markdown(
    recommendation: Recommendation,
    samples: Samples,
    parameters: Mapping[str, Any],
    compat: Compatibility | None = None,
) -> str:
    """The Markdown report: exactly what ``ask --format markdown`` prints for these inputs
    (``compat``: what ``--discover`` found, in a "Server compatibility" section)."""
    from advisor.exports.markdown import recommendation_markdown

    return recommendation_markdown(
        recommendation, samples.code, samples.assumptions, dict(parameters), compat=compat
    )


def default_export_name(outcome_id: str) -> str:
    """The file name offered for an export, in the current folder."""
    return f"grant-advisor-{outcome_id.replace('_', '-')}.md"


def client_auth_options(
    recommendation: Recommendation | None,
) -> tuple[tuple[str, ...], str | None]:
    """The client authentications the outcome's sample can be rendered with, and the advised one.

    Returns:
        ``(methods, advised)``: the methods the sample's template supports, those the outcome
        prefers first (in its order), then the others; and the one used when the user picks
        none (the outcome's first that the template supports, as ``ask`` chooses without
        ``--client-auth``). ``((), None)`` without a sample or for a template the catalogue
        does not know (a custom one).
    """
    spec = recommendation.outcome.sample if recommendation is not None else None
    if recommendation is None or spec is None:
        return (), None
    from advisor.samples.catalog import TEMPLATES, choose_client_auth

    info = TEMPLATES.get(spec.template)
    if info is None:
        return (), None
    preferred = tuple(m for m in recommendation.outcome.client_auth if m in info.client_auth)
    rest = tuple(m for m in info.client_auth if m not in preferred)
    return (*preferred, *rest), choose_client_auth(
        spec.template, recommendation.outcome.client_auth
    )


def form_values(parameters: Mapping[str, Any]) -> dict[str, str]:
    """The form's text for each field (scopes space-separated; empty when not given)."""
    values: dict[str, str] = {}
    for name, _ in PARAMETER_FIELDS:
        value = parameters.get(name)
        if value is None:
            values[name] = ""
        elif isinstance(value, (tuple, list)):
            values[name] = " ".join(str(v) for v in value)
        else:
            values[name] = str(value)
    return values


def parse_parameters(form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The parameters given in the form, and a problem per field that is not valid.

    Returns:
        ``(parameters, problems)``: parameters hold only the fields given, in
        :data:`PARAMETER_FIELDS` order, as the CLI builds them from flags (scopes as a tuple);
        problems map a field name to what is wrong with it.
    """
    parameters: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, label in PARAMETER_FIELDS:
        raw = form.get(name, "")
        if clean(raw) != raw or "\t" in raw or "\n" in raw:
            problems[name] = f"{label} contains control characters"
            continue
        text = raw.strip()
        if not text:
            continue
        problem = _field_problem(name, label, text)
        if problem:
            problems[name] = problem
        else:
            parameters[name] = tuple(text.split()) if name == "scopes" else text
    return parameters, problems


def _field_problem(name: str, label: str, text: str) -> str | None:
    if name == "scopes":
        bad = [s for s in text.split() if not _NQCHAR.match(s)]
        if bad:
            return f"scope {bad[0]!r} has a character a scope may not hold (RFC 6749 §3.3)"
        return None
    if name == "client_id":
        return None if _VSCHAR.match(text) else f"{label} must be printable ASCII (RFC 6749 A.1)"
    if any(c.isspace() for c in text):
        return f"{label} may not contain spaces"
    if name == "audience":
        return None
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError as exc:
        return f"{label} is not a valid URL: {exc}"
    if name == "issuer":
        if parts.scheme == "http" and host in _LOOPBACK_HOSTS:
            pass
        elif parts.scheme != "https" or not host:
            return "Issuer must be an https URL, e.g. https://auth.example.com (RFC 8414 §2)"
        if parts.query or parts.fragment:
            return "Issuer may not have a query or fragment (RFC 8414 §2)"
        return None
    # redirect_uri
    if not parts.scheme or not (host or parts.path):
        return f"{label} must be an absolute URI, e.g. https://app.example.com/callback"
    if parts.fragment:
        return f"{label} may not have a fragment (RFC 6749 §3.1.2)"
    return None


def check_parameters(
    recommendation: Recommendation | None,
    parameters: Mapping[str, Any],
    template_dirs: Sequence[Path] = (),
) -> str | None:
    """Why the engine rejects ``parameters`` for the outcome's samples, or None.

    Only :class:`~advisor.errors.ParameterError` counts: a broken custom template is shown
    with the samples, and must not stop the user from changing parameters.
    """
    if recommendation is None or recommendation.outcome.sample is None:
        return None
    from advisor.errors import ParameterError
    from advisor.samples.params import SampleParams
    from advisor.samples.render import render_samples as render

    try:
        render(
            recommendation.outcome.sample,
            SampleParams().with_values(**parameters),
            None,
            template_dirs,
        )
    except ParameterError as exc:
        return clean(str(exc))
    except AdvisorError:
        return None
    return None
