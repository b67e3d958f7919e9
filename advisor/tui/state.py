"""The engine calls the TUI makes, in plain Python (no Textual), so they are easy to test.

Loading a tree, the advice for the walk (the very call ``grant-advisor ask`` makes:
:func:`advisor.advice.advise`), reading an issuer's metadata, and turning what the user typed
into the parameters form into parameters, with the same field checks as the command line
(:mod:`advisor.core.fields`).

Nothing here imports httpx at module level: :func:`discover_metadata` imports the discovery
code when it runs, so starting the TUI never pays for the HTTP client.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from advisor.core.errors import AdvisorError, ParameterError, TreeError, TreeValidationError
from advisor.core.fields import field_problem
from advisor.core.termsafe import clean

if TYPE_CHECKING:
    from advisor.advice import Advice
    from advisor.samples.params import Assumption
    from advisor.server.model import ServerMetadata
    from advisor.session import Session
    from advisor.tree.loader import LoadedTree
    from advisor.tree.models import Outcome

PARAMETER_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("issuer", "Issuer"),
    ("client_id", "Client ID"),
    ("scopes", "Scopes"),
    ("redirect_uri", "Redirect URI"),
    ("audience", "Audience"),
)
"""The ``SampleParams`` fields the form edits, with their labels, in the order the CLI records
them (``advisor.cli.PARAMETER_FLAGS``), so an export lists them as ``ask`` does."""


def load_tree(
    tree_path: str | None, template_dirs: Sequence[Path]
) -> tuple[LoadedTree | None, TreeError | None]:
    """The loaded tree, or the error that stopped it loading (never raises ``TreeError``)."""
    from advisor.tree.loader import load

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


@dataclass(frozen=True, slots=True)
class Discovery:
    """What reading an issuer's metadata gave: the metadata, or why there is none."""

    issuer: str
    """The issuer that was asked."""
    metadata: ServerMetadata | None = None
    """Its metadata, fetched and checked."""
    error: str | None = None
    """Why there is none, in one line (a :class:`~advisor.core.errors.DiscoveryError` or
    :class:`~advisor.core.errors.ParameterError` message)."""


def discover_metadata(issuer: str) -> Discovery:
    """Fetch ``issuer``'s metadata as ``ask --discover`` does (same call, same limits).

    Blocks on the network: the app runs it in a worker thread. Never raises an
    :class:`~advisor.core.errors.AdvisorError`: its message comes back in
    :attr:`Discovery.error`.
    """
    from advisor.server.fetch import discover

    try:
        return Discovery(issuer, metadata=discover(issuer))
    except AdvisorError as exc:
        return Discovery(issuer, error=one_line(str(exc)))


def one_line(text: str) -> str:
    """``text`` cleaned of control sequences, its whitespace (line breaks too) folded."""
    return " ".join(clean(text).split())


def default_export_name(outcome_id: str) -> str:
    """The file name offered for an export, in the current folder."""
    return f"grant-advisor-{outcome_id.replace('_', '-')}.md"


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

    Each field is checked by the same function as the command line's flag
    (:func:`advisor.core.fields.field_problem`), so both accept and refuse the same values
    with the same words.

    Returns:
        ``(parameters, problems)``: parameters hold only the fields given, in
        :data:`PARAMETER_FIELDS` order, as the CLI builds them from flags (scopes as a tuple);
        problems map a field name to what is wrong with it.
    """
    parameters: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, _ in PARAMETER_FIELDS:
        text = form.get(name, "").strip()
        if not text:
            continue
        value: Any = tuple(text.split()) if name == "scopes" else text
        problem = field_problem(name, value)
        if problem is None:
            parameters[name] = value
        else:
            problems[name] = clean(problem)
    return parameters, problems


def offered_libraries(
    outcome: Outcome | None, template_dirs: Sequence[Path] = ()
) -> tuple[str, ...]:
    """The library flavours ``outcome``'s sample comes in (``authlib``, ``openid-client``), for
    the languages it has, in :data:`~advisor.core.vocabulary.LIBRARIES` order; ``()`` without
    an outcome or a sample."""
    from advisor.core.vocabulary import LIBRARIES
    from advisor.samples.files import find_template

    sample = outcome.sample if outcome is not None else None
    if sample is None:
        return ()
    return tuple(
        library_id
        for library_id, library in LIBRARIES.items()
        if library.language in sample.languages
        and find_template(sample.template, library.language, template_dirs, library_id)
    )


def applicable(
    outcome: Outcome | None,
    parameters: Mapping[str, Any],
    libraries: Sequence[str],
    template_dirs: Sequence[Path] = (),
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The parameters and library flavours that apply to ``outcome``'s sample.

    The TUI keeps what the user chose for every later outcome, and an outcome may not offer it:
    a client authentication its sample cannot use (``client_secret_basic`` for a public
    client), a flavour its sample does not come in. Those are left out here (kept, not
    applied), where ``ask`` refuses or notes them, since its user asked for this one walk.

    Returns:
        ``(parameters, libraries)``: copies without what ``outcome`` does not offer.
    """
    from advisor.advice import outcome_client_auth

    applied = dict(parameters)
    if outcome is not None and "client_auth" in applied:
        methods, _ = outcome_client_auth(outcome)
        # (no methods known: a custom template; its renderer decides)
        if outcome.sample is None or (methods and applied["client_auth"] not in methods):
            del applied["client_auth"]
    offered = offered_libraries(outcome, template_dirs)
    return applied, tuple(library for library in libraries if library in offered)


def set_aside(
    outcome: Outcome | None, parameters: Mapping[str, Any]
) -> tuple[dict[str, Any], tuple[Assumption, ...]]:
    """``parameters`` without the values ``outcome``'s sample refuses (set on another
    outcome, e.g. an https redirect URI that a native app's loopback sample cannot use), and
    one note per value set aside, for "Check before running". The form refuses such a value
    when it is typed for this outcome (:func:`sample_parameter_problem`); one carried over from
    another is kept for the outcomes that take it.

    Returns:
        ``(parameters, notes)``: a copy without the refused values, and what was set aside.
    """
    from advisor.samples.params import Assumption, SampleParams
    from advisor.samples.render import check_template_parameters

    applied = dict(parameters)
    notes: list[Assumption] = []
    sample = outcome.sample if outcome is not None else None
    while sample is not None:
        try:
            check_template_parameters(sample.template, SampleParams().with_values(**applied))
        except ParameterError as exc:
            if exc.field is None or exc.field not in applied:
                break  # not a value the user gave: the samples show the error
            value = applied.pop(exc.field)
            notes.append(
                Assumption(
                    f"your {exc.field.replace('_', ' ')} {value} is not used here "
                    f"({one_line(str(exc))}); it is kept for other recommendations",
                    field=exc.field,
                    kind="set_aside",
                )
            )
            continue
        break
    return applied, tuple(notes)


def advice_for(
    session: Session,
    parameters: Mapping[str, Any],
    libraries: Sequence[str] = (),
    metadata: ServerMetadata | None = None,
    template_dirs: Sequence[Path] = (),
) -> Advice:
    """The advice the TUI shows for ``session``: the call ``ask`` makes
    (:func:`advisor.advice.advise`), with what the user set that applies to this outcome
    (:func:`applicable`, :func:`set_aside`; what was set aside is said first in the
    assumptions), and rendering problems shown with the samples instead of raised."""
    from dataclasses import replace

    from advisor.advice import advise

    outcome = session.outcome
    applied, flavours = applicable(outcome, parameters, libraries, template_dirs)
    applied, aside = set_aside(outcome, applied)
    advice = advise(
        session,
        applied,
        libraries=flavours,
        template_dirs=template_dirs,
        metadata=metadata,
        strict=False,
    )
    if aside:
        advice = replace(advice, assumptions=(*aside, *advice.assumptions))
    return advice


def sample_parameter_problem(
    advice: Advice,
    parameters: Mapping[str, Any],
    template_dirs: Sequence[Path] = (),
    libraries: Sequence[str] = (),
) -> tuple[str | None, str] | None:
    """Why the advice's samples cannot use ``parameters`` (a rule of one template, such as a
    loopback redirect URI for a native app), or None.

    Only :class:`~advisor.core.errors.ParameterError` counts: a broken custom template is shown
    with the samples, and must not stop the user from changing parameters.

    Returns:
        ``(field, message)``: the ``SampleParams`` field at fault (None when no one field is)
        and one line saying why; None when the samples render.
    """
    from advisor.advice import advise

    recommendation = advice.recommendation
    outcome = recommendation.outcome if recommendation is not None else None
    parameters, libraries = applicable(outcome, parameters, libraries, template_dirs)
    try:
        advise(
            advice.subject,
            parameters,
            libraries=libraries,
            template_dirs=template_dirs,
            strict=True,
        )
    except ParameterError as exc:
        return exc.field, one_line(str(exc))
    except AdvisorError:
        return None
    return None


KNOWN_CLIPBOARDS: Final = ("kitty", "wezterm", "foot", "alacritty", "ghostty")
"""Terminals that take an OSC 52 clipboard write without asking (by ``$TERM`` or
``$TERM_PROGRAM``); Windows Terminal is recognised by ``$WT_SESSION``."""


def clipboard_is_known(environ: Mapping[str, str] | None = None) -> bool:
    """Whether a clipboard write through the terminal (OSC 52) is known to arrive.

    No terminal answers such a write, so this is a guess from the environment: False inside
    tmux or screen (tmux passes it on only with its ``set-clipboard`` option on) and for any
    terminal not known to take it.
    """
    env = os.environ if environ is None else environ
    if env.get("TMUX") or env.get("STY"):
        return False
    if env.get("WT_SESSION"):
        return True
    names = f"{env.get('TERM', '')} {env.get('TERM_PROGRAM', '')}".lower()
    return any(name in names for name in KNOWN_CLIPBOARDS)


def path_lines(text: str, width: int) -> str:
    """``text`` (ending in a path) in lines of at most ``width`` characters, broken only after
    a ``/`` or a space, so that no file or folder name is cut (a name longer than ``width``
    gets a line of its own)."""
    pieces: list[str] = []
    piece = ""
    for char in text:
        piece += char
        if char in "/ ":
            pieces.append(piece)
            piece = ""
    if piece:
        pieces.append(piece)
    lines: list[str] = []
    line = ""
    for piece in pieces:
        if line and len(line) + len(piece.rstrip(" ")) > width:
            lines.append(line.rstrip(" "))
            line = ""
        line += piece
    if line:
        lines.append(line.rstrip(" "))
    return "\n".join(lines)
