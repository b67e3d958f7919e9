"""Plain-text output for the terminal (``ask --format text``).

Every string that comes from a tree passes through :func:`advisor.core.termsafe.clean`, so a hostile
tree cannot send escape sequences to the user's terminal.
"""

from __future__ import annotations

import shlex
import textwrap
from collections.abc import Callable
from typing import Any

from advisor.advice import SECTIONS, Advice
from advisor.core.termsafe import clean
from advisor.exports.server import finding_lines
from advisor.server.model import KIND_NAMES, Compatibility
from advisor.session import Recommendation, Session


def _fill(text: str, **options: Any) -> str:
    """``textwrap.fill`` that never splits a word or URL: a link wrapped at its hyphens (as
    in ``rfc-`` / ``editor.org``) could not be clicked or copied any more."""
    return textwrap.fill(text, break_on_hyphens=False, break_long_words=False, **options)


def _wrap(text: str, width: int, indent: str = "") -> str:
    paragraphs = clean(text).split("\n\n")
    return "\n\n".join(
        _fill(" ".join(p.split()), width=width, initial_indent=indent, subsequent_indent=indent)
        for p in paragraphs
    )


def _bullets(items: list[str], width: int, mark: str = "-") -> list[str]:
    lines = []
    for item in items:
        lines.append(
            _fill(
                " ".join(clean(item).split()),
                width=width,
                initial_indent=f"  {mark} ",
                subsequent_indent=" " * (len(mark) + 3),
            )
        )
    return lines


def question_text(session: Session, program: str = "grant-advisor", width: int = 88) -> str:
    """The next question, its help, its choices, and the command that answers it."""
    question = session.current_question
    assert question is not None
    number = len(session.steps) + 1
    left = session.remaining
    lines = [
        f"Question {number} of at most {number + left - 1}: {clean(question.text)}",
        f"  id: {question.id}",
        "",
        _wrap(question.help, width, "  "),
        "",
        "Choices:",
    ]
    id_width = max(len(c.id) for c in question.choices)
    for choice in question.choices:
        label = " ".join(clean(choice.label).split())
        lines.append(
            _fill(
                label,
                width=width,
                initial_indent=f"  {choice.id.ljust(id_width)}  ",
                subsequent_indent=" " * (id_width + 4),
            )
        )
    answered = " ".join(f"--answer {shlex.quote(f'{q}={c}')}" for q, c in session.answers)
    lines += [
        "",
        "Answer with:",
        f"  {program} ask {answered + ' ' if answered else ''}--answer {question.id}=CHOICE",
    ]
    return "\n".join(lines) + "\n"


def compatibility_lines(compat: Compatibility, width: int = 88) -> list[str]:
    """The "Server compatibility" section: the server, then each finding (or that none)."""
    lines = [f"Server compatibility: {clean(compat.issuer)}"]
    if compat.metadata_url is not None:
        kind = f", {KIND_NAMES[compat.metadata_kind]}" if compat.metadata_kind else ""
        lines.append(f"  (metadata from {clean(compat.metadata_url)}{kind})")
    else:
        lines.append("  (no usable metadata: the advice is not checked against this server)")
    if compat.findings:
        lines += finding_lines(compat.findings, width)
    else:
        lines.append("  - no problems found: the server advertises everything this advice needs")
    return lines


def recommendation_text(advice: Advice, width: int = 88) -> str:
    """A complete walk's advice as readable text: the headline, then every section of
    :data:`advisor.advice.SECTIONS` that has content, in order, samples last.

    Raises:
        ValueError: ``advice`` is for an incomplete walk (see :func:`question_text`).
    """
    recommendation = advice.recommendation
    if recommendation is None:
        raise ValueError("recommendation_text needs the advice of a complete walk")
    outcome = recommendation.outcome
    flow = recommendation.flow
    if flow is not None:
        headline = f"Recommended flow: {clean(flow.name)} (grant_type={flow.grant_type})"
    else:
        headline = "Recommended: no OAuth flow is needed"
    lines = [headline]
    for companion in recommendation.companions:
        lines.append(
            _fill(
                f"+ comes with {clean(companion.summary)}",
                width=width,
                initial_indent="  ",
                subsequent_indent="    ",
            )
        )
        lines.append(_wrap(f"Why: {companion.companion.why}", width, "    "))
    lines += [clean(outcome.title), "=" * min(width, len(clean(outcome.title)))]
    if outcome.instead_of:
        lines.append(f"(instead of the {outcome.instead_of} grant you asked about)")
    blocks = [_SECTION_TEXT[section.id](advice, recommendation, width) for section in SECTIONS]
    for block in blocks:
        lines += block
    return "\n".join(lines) + "\n"


_Block = Callable[[Advice, Recommendation, int], list[str]]


def _summary(advice: Advice, rec: Recommendation, width: int) -> list[str]:
    return ["", _wrap(rec.outcome.summary, width), ""]


def _answers(advice: Advice, rec: Recommendation, width: int) -> list[str]:
    if not rec.steps:
        return []
    lines = ["Your answers:"]
    for step in rec.steps:
        lines += _bullets([f"{step.question.text} → {step.choice.label}"], width)
    return [*lines, ""]


def _findings(advice: Advice, rec: Recommendation, width: int) -> list[str]:
    compat = advice.compatibility
    return [] if compat is None else [*compatibility_lines(compat, width), ""]


def _why(advice: Advice, rec: Recommendation, width: int) -> list[str]:
    return ["Why:", _wrap(rec.outcome.rationale, width, "  "), ""]


def _sequence(advice: Advice, rec: Recommendation, width: int) -> list[str]:
    return []  # a sequence diagram is Mermaid: the Markdown report and the HTML page draw it


def _checklist(advice: Advice, rec: Recommendation, width: int) -> list[str]:
    return ["Security checklist:", *_bullets(list(rec.outcome.security), width, "[ ]"), ""]


def _avoid(advice: Advice, rec: Recommendation, width: int) -> list[str]:
    if not rec.outcome.avoid:
        return []
    return ["Avoid:", *_bullets([f"{a.what}: {a.why}" for a in rec.outcome.avoid], width), ""]


def _notes(advice: Advice, rec: Recommendation, width: int) -> list[str]:
    if not rec.notes:
        return []
    return ["Notes from your answers:", *_bullets(list(rec.notes), width), ""]


def _alternatives(advice: Advice, rec: Recommendation, width: int) -> list[str]:
    alternatives = rec.outcome.alternatives
    if not alternatives:
        return []
    return ["Alternatives:", *_bullets([f"{a.title}: {a.when}" for a in alternatives], width), ""]


def _references(advice: Advice, rec: Recommendation, width: int) -> list[str]:
    lines = ["References:"]
    for ref in rec.references:
        text = f"{ref.label} <{ref.url}>" + (f": {ref.note}" if ref.note else "")
        lines += _bullets([text], width)
    return lines


def _samples(advice: Advice, rec: Recommendation, width: int) -> list[str]:
    lines: list[str] = []
    if advice.assumptions:
        lines += [
            "",
            "Assumptions in the samples:",
            *_bullets([a.text for a in advice.assumptions], width),
        ]
    if advice.sample_note and advice.samples:
        lines += ["", _wrap(advice.sample_note, width)]
    for rendered in advice.samples.values():
        rule = f"── sample: {rendered.label} "
        lines += ["", rule + "─" * max(0, min(width, 60) - len(rule)), rendered.code.rstrip("\n")]
    return lines


_SECTION_TEXT: dict[str, _Block] = {
    "summary": _summary,
    "answers": _answers,
    "findings": _findings,
    "why": _why,
    "sequence": _sequence,
    "checklist": _checklist,
    "avoid": _avoid,
    "notes": _notes,
    "alternatives": _alternatives,
    "references": _references,
    "samples": _samples,
}
"""How this renderer shows each of :data:`advisor.advice.SECTIONS`."""
