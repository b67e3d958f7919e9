"""Plain-text output for the terminal (``ask --format text``).

Every string that comes from a tree passes through :func:`advisor.termsafe.clean`, so a hostile
tree cannot send escape sequences to the user's terminal.
"""

from __future__ import annotations

import shlex
import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from advisor.session import Recommendation, Session
from advisor.termsafe import clean

if TYPE_CHECKING:
    from advisor.compat import Compatibility


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
    from advisor.compat import finding_lines

    lines = [
        f"Server compatibility: {clean(compat.issuer)}",
        f"  (metadata from {clean(compat.metadata_url)})",
    ]
    if compat.findings:
        lines += finding_lines(compat.findings, width)
    else:
        lines.append("  - no problems found: the server advertises everything this advice needs")
    return lines


def recommendation_text(
    recommendation: Recommendation,
    samples: Mapping[str, str] | None = None,
    assumptions: tuple[str, ...] = (),
    width: int = 88,
    *,
    compat: Compatibility | None = None,
) -> str:
    """The recommendation as readable text, samples last.

    With ``compat`` (``--discover``), a "Server compatibility" section follows the answers.
    """
    outcome = recommendation.outcome
    flow = recommendation.flow
    if flow is not None:
        headline = f"Recommended flow: {clean(flow.name)} (grant_type={flow.grant_type})"
    else:
        headline = "Recommended: no OAuth flow is needed"
    lines = [headline, clean(outcome.title), "=" * min(width, len(clean(outcome.title)))]
    if outcome.instead_of:
        lines.append(f"(instead of the {outcome.instead_of} grant you asked about)")
    lines += ["", _wrap(outcome.summary, width), ""]
    if recommendation.steps:
        lines.append("Your answers:")
        for step in recommendation.steps:
            lines += _bullets([f"{step.question.text} → {step.choice.label}"], width)
        lines.append("")
    if compat is not None:
        lines += compatibility_lines(compat, width)
        lines.append("")
    lines += ["Why:", _wrap(outcome.rationale, width, "  "), ""]
    lines += ["Security checklist:", *_bullets(list(outcome.security), width, "[ ]"), ""]
    if outcome.avoid:
        lines.append("Avoid:")
        lines += _bullets([f"{a.what}: {a.why}" for a in outcome.avoid], width)
        lines.append("")
    if recommendation.notes:
        lines.append("Notes from your answers:")
        lines += _bullets(list(recommendation.notes), width)
        lines.append("")
    if outcome.alternatives:
        lines.append("Alternatives:")
        lines += _bullets([f"{a.title}: {a.when}" for a in outcome.alternatives], width)
        lines.append("")
    lines.append("References:")
    for ref in recommendation.references:
        text = f"{ref.label} <{ref.url}>" + (f": {ref.note}" if ref.note else "")
        lines += _bullets([text], width)
    if assumptions:
        lines += ["", "Assumptions in the samples:", *_bullets(list(assumptions), width)]
    if outcome.sample and outcome.sample.note and samples:
        lines += ["", _wrap(outcome.sample.note, width)]
    for language, code in (samples or {}).items():
        rule = f"── sample: {language} "
        lines += ["", rule + "─" * max(0, min(width, 60) - len(rule)), code.rstrip("\n")]
    return "\n".join(lines) + "\n"
