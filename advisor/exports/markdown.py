"""A recommendation as a Markdown report: a short design decision record.

The report renders on GitHub and in MkDocs: task-list checklist, the flow's sequence diagram
(Mermaid) when the tree has one, reference links, samples in fenced blocks whose fence is longer
than any backtick run in the code. Text from the tree may use inline Markdown (backticks,
emphasis), but not HTML or block structure: ``<``, ``>`` and ``&`` outside code spans become
entities, and line breaks inside list items are folded. User-supplied values (parameters,
assumptions) are escaped completely. The answers and parameters are recorded in a block that
``grant-advisor ask --answers-file REPORT.md`` replays, so the report can be regenerated after
the tree changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from advisor.advice import SECTIONS, Advice
from advisor.core.termsafe import clean, escape_json
from advisor.core.vocabulary import LANGUAGES
from advisor.server.model import KIND_NAMES, Compatibility
from advisor.session import Recommendation, Session

ANSWERS_MARKER: Final = "<!-- grant-advisor:answers -->"
"""Marks the fenced YAML block holding the answers (``--answers-file`` looks for it)."""

_CODE_SPAN: Final = re.compile(r"(?<![`\\])(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
"""A code span as CommonMark reads one: a backtick run (not escaped, not part of a longer run)
closed by the next run of exactly as many backticks. Anything else keeps its backticks as
text, and its ``<``, ``>`` and ``&`` become entities."""
_INLINE_SPECIAL: Final = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>&])")


def prose(text: str) -> str:
    """Tree text as one Markdown line: inline Markdown kept, HTML and blocks neutralised."""
    text = " ".join(clean(text).split())
    out: list[str] = []
    position = 0
    for match in _CODE_SPAN.finditer(text):
        out.append(_entities(text[position : match.start()]))
        out.append(match.group(0))
        position = match.end()
    out.append(_entities(text[position:]))
    return "".join(out)


def paragraphs(text: str) -> str:
    """Tree text that may hold several paragraphs (blank-line separated)."""
    return "\n\n".join(prose(p) for p in clean(text).split("\n\n") if p.strip())


def literal(text: str) -> str:
    """A user-supplied value as inert Markdown text (every special character escaped)."""
    return _INLINE_SPECIAL.sub(r"\\\1", " ".join(clean(text).split()))


def code_span(text: str) -> str:
    """``text`` as an inline code span that survives backticks inside it."""
    text = " ".join(clean(text).split())
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def fenced(code: str, info: str = "") -> str:
    """A fenced code block whose fence is longer than any backtick run in ``code``."""
    longest = max((len(m) for m in re.findall(r"`{3,}", code)), default=0)
    fence = "`" * max(3, longest + 1)
    body = clean(code).rstrip("\n")
    return f"{fence}{info}\n{body}\n{fence}"


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _yaml_scalar(value: str) -> str:
    """A YAML scalar that reads back as ``value`` (JSON string syntax is valid YAML; the
    characters a terminal or a reader could be fooled by are written as escapes)."""
    import json

    if re.fullmatch(r"[a-z][a-z0-9_]*", value) and value not in _YAML_KEYWORDS:
        return value
    return escape_json(json.dumps(value, ensure_ascii=False))


_YAML_KEYWORDS: Final = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def answers_block(
    answers: tuple[tuple[str, str], ...],
    parameters: Mapping[str, Any] | None = None,
    libraries: Sequence[str] = (),
) -> str:
    """The replayable record: a marker comment, then a fenced YAML block with ``answers``,
    the ``parameters`` given, and the ``libraries`` the samples were built on (``ask
    --library``), each only when there are any."""
    lines = ["answers:"]
    lines += [f"  {_yaml_scalar(q)}: {_yaml_scalar(c)}" for q, c in answers] or ["  {}"]
    if parameters:
        lines.append("parameters:")
        for key, value in parameters.items():
            if isinstance(value, (list, tuple)):
                items = ", ".join(_yaml_scalar(str(v)) for v in value)
                lines.append(f"  {key}: [{items}]")
            elif isinstance(value, int) and not isinstance(value, bool):
                lines.append(f"  {key}: {value}")  # a number reads back as one (--interval)
            else:
                lines.append(f"  {key}: {_yaml_scalar(str(value))}")
    if libraries:
        lines.append(f"libraries: [{', '.join(_yaml_scalar(lib) for lib in libraries)}]")
    return f"{ANSWERS_MARKER}\n{fenced(chr(10).join(lines), 'yaml')}"


def compatibility_markdown(compat: Compatibility) -> list[str]:
    """The "Server compatibility" section's lines (server values escaped as literals)."""
    if compat.metadata_url is not None:
        kind = f", {KIND_NAMES[compat.metadata_kind]}" if compat.metadata_kind else ""
        source = (
            f"Checked against the metadata of {code_span(compat.issuer)} "
            f"(read from {code_span(compat.metadata_url)}{kind})."
        )
    else:
        source = (
            f"No usable metadata was found for {code_span(compat.issuer)}: the advice is not "
            "checked against this server."
        )
    parts = ["## Server compatibility", "", source, ""]
    if not compat.findings:
        parts.append("No problems found: the server advertises everything this advice needs.")
    for finding in compat.findings:
        parts.append(
            f"- **{finding.severity}** ({code_span(finding.code)}): {literal(finding.message)}"
        )
    return parts


def recommendation_markdown(advice: Advice) -> str:
    """The report for a complete walk: the title and flow, then every section of
    :data:`advisor.advice.SECTIONS` in order, then the replay block.

    Raises:
        ValueError: ``advice`` is for an incomplete walk (see :func:`question_markdown`).
    """
    recommendation = advice.recommendation
    if recommendation is None:
        raise ValueError("recommendation_markdown needs the advice of a complete walk")
    outcome = recommendation.outcome
    flow = recommendation.flow
    parts: list[str] = [f"# {prose(outcome.title)}", ""]
    if flow is not None:
        parts.append(f"**Recommended flow:** {prose(flow.name)} (`grant_type={flow.grant_type}`)")
    else:
        parts.append("**Recommended:** no OAuth flow is needed")
    for companion in recommendation.companions:
        wire = f" (`grant_type={companion.grant_type}`)" if companion.grant_type else ""
        details = "; ".join(prose(p) for p in companion.properties)
        parts.append(
            f"  \n**Comes with:** {prose(companion.name)}{wire}: {details}. "
            f"_Why:_ {prose(companion.companion.why)}"
        )
    if outcome.instead_of:
        parts.append(f"  \n**Instead of:** the `{outcome.instead_of}` grant")
    for section in SECTIONS:
        parts += _SECTION_MARKDOWN[section.id](advice, recommendation)
    parts += [
        "## Replay",
        "",
        "Regenerate this report (for example after the decision tree changes) with "
        "`grant-advisor ask --answers-file REPORT.md --format markdown`.",
        "",
        answers_block(
            recommendation.answers,
            advice.parameters,
            [s.library for s in advice.samples.values() if s.library is not None],
        ),
        "",
        f"_Generated by grant-advisor from the tree “{prose(recommendation.tree_title)}”._",
    ]
    return "\n".join(parts) + "\n"


_Block = Callable[[Advice, Recommendation], list[str]]


def _summary(advice: Advice, rec: Recommendation) -> list[str]:
    return ["", paragraphs(rec.outcome.summary), ""]


def _answers(advice: Advice, rec: Recommendation) -> list[str]:
    parts = ["## Answers given", ""]
    if rec.steps:
        parts += ["| # | Question | Answer |", "|---|---|---|"]
        for number, step in enumerate(rec.steps, 1):
            question = prose(step.question.text).replace("|", "\\|")
            answer = prose(step.choice.label).replace("|", "\\|")
            parts.append(f"| {number} | {question} | {answer} |")
    else:
        parts.append("_None: the tree recommends this from the start._")
    return parts


def _findings(advice: Advice, rec: Recommendation) -> list[str]:
    compat = advice.compatibility
    return [] if compat is None else ["", *compatibility_markdown(compat)]


def _why(advice: Advice, rec: Recommendation) -> list[str]:
    return ["", "## Why", "", paragraphs(rec.outcome.rationale), ""]


def _sequence(advice: Advice, rec: Recommendation) -> list[str]:
    flow = rec.flow
    if flow is None or not flow.sequence:
        return []
    from advisor.exports.sequence import sequence_mermaid

    parts = ["## How the flow goes", "", fenced(sequence_mermaid(flow), "mermaid"), ""]
    for companion in rec.companions:
        extra = companion.flow
        if extra is not None and extra.sequence:
            parts += [
                f"Then, {prose(extra.name)}:",
                "",
                fenced(sequence_mermaid(extra), "mermaid"),
                "",
            ]
    return parts


def _checklist(advice: Advice, rec: Recommendation) -> list[str]:
    return ["## Security checklist", "", *(f"- [ ] {prose(i)}" for i in rec.outcome.security), ""]


def _avoid(advice: Advice, rec: Recommendation) -> list[str]:
    if not rec.outcome.avoid:
        return []
    return [
        "## Avoid",
        "",
        *(f"- **{prose(a.what)}**: {prose(a.why)}" for a in rec.outcome.avoid),
        "",
    ]


def _notes(advice: Advice, rec: Recommendation) -> list[str]:
    if not rec.notes:
        return []
    return ["## Notes from your answers", "", *(f"- {prose(note)}" for note in rec.notes), ""]


def _alternatives(advice: Advice, rec: Recommendation) -> list[str]:
    if not rec.outcome.alternatives:
        return []
    parts = ["## Alternatives", ""]
    for alt in rec.outcome.alternatives:
        flow_tag = f" (`{alt.flow}`)" if alt.flow else ""
        parts.append(f"- **{prose(alt.title)}**{flow_tag}: {prose(alt.when)}")
    return [*parts, ""]


def _references(advice: Advice, rec: Recommendation) -> list[str]:
    parts = ["## References", ""]
    for ref in rec.references:
        label = prose(ref.label).replace("[", "\\[").replace("]", "\\]")
        note = f": {prose(ref.note)}" if ref.note else ""
        parts.append(f"- [{label}]({link_url(ref.url)}){note}")
    return [*parts, ""]


def _samples(advice: Advice, rec: Recommendation) -> list[str]:
    if not advice.samples:
        return []
    parts = ["## Sample code", ""]
    if advice.sample_note:
        parts += [paragraphs(advice.sample_note), ""]
    if advice.assumptions:
        parts += ["Assumptions:", "", *(f"- {literal(a.text)}" for a in advice.assumptions), ""]
    for rendered in advice.samples.values():
        language = rendered.language
        fence = LANGUAGES[language].fence if language in LANGUAGES else ""
        parts += [f"### {rendered.label}", "", fenced(rendered.code, fence), ""]
    return parts


_SECTION_MARKDOWN: dict[str, _Block] = {
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
"""How the report shows each of :data:`advisor.advice.SECTIONS`."""


def question_markdown(session: Session) -> str:
    """An incomplete walk as Markdown: the answers so far and the next question."""
    question = session.current_question
    assert question is not None
    parts = [f"# Next question: {prose(question.text)}", "", paragraphs(question.help), ""]
    parts += ["| Choice | Meaning |", "|---|---|"]
    for choice in question.choices:
        parts.append(f"| `{choice.id}` | {prose(choice.label).replace('|', chr(92) + '|')} |")
    parts += ["", "Answer with `--answer " + question.id + "=CHOICE`.", ""]
    if session.steps:
        parts += ["## Answers so far", ""]
        parts += [
            f"{n}. {prose(s.question.text)} → {prose(s.choice.label)}"
            for n, s in enumerate(session.steps, 1)
        ]
        parts += ["", answers_block(session.answers), ""]
    return "\n".join(parts)


def link_url(url: str) -> str:
    """A URL safe inside ``(...)`` of a Markdown link: terminal controls and invisible marks
    removed (:func:`~advisor.core.termsafe.clean`), then every character that is not a URL
    delimiter or unreserved (RFC 3986 §2) percent-encoded, parentheses and spaces included."""
    from urllib.parse import quote

    return quote(clean(url).replace("\n", ""), safe=":/?#[]@!$&'*+,;=%~")


def extract_answers_block(text: str) -> str | None:
    """The YAML of the answers block in a report, or None when there is none.

    The block is the marker on a line of its own, then a fenced block. Line endings may be
    CRLF (a report saved on Windows, or checked out with autocrlf). The last such block
    counts: it ends every report, and a value quoted in the report (a client id in a sample,
    or in the block itself) may hold the marker's text.
    """
    text = text.replace("\r\n", "\n")
    found = None
    for marker in re.finditer(rf"(?m)^{re.escape(ANSWERS_MARKER)}[ \t]*\n", text):
        fence_match = re.match(r"\n*(`{3,})[^\n]*\n", text[marker.end() :])
        if fence_match:
            found = marker.end() + fence_match.end(), fence_match.group(1)
    if found is None:
        return None
    body_start, fence = found
    end = text.find("\n" + fence, body_start - 1)
    if end < 0:
        return None
    return text[body_start:end]
