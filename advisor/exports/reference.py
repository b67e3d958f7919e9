"""The whole tree as a Markdown reference page (``grant-advisor tree --format markdown``).

The page opens with the Mermaid diagram, then lists every question (help, and each choice
linked to where it leads), every outcome (grant and companions, summary, rationale, checklist,
what to avoid, alternatives, references, samples, and the answers that reach it), the flow
catalogue (each flow's steps, and its sequence diagram when the tree has one) and the sources.
It renders on GitHub and in MkDocs.

Anchors are explicit ``<a id="..."></a>`` tags inside the headings (``q-<id>``, ``o-<id>``,
``flow-<id>``, ``source-<id>``): heading slugs differ between GitHub and MkDocs and change when
a question is reworded, tree ids do not. GitHub rewrites the ids to ``user-content-...`` and its
page script still resolves ``#q-...`` links; MkDocs keeps them as they are.

Tree text goes through :func:`advisor.exports.markdown.prose` (inline Markdown kept, HTML and
line breaks neutralised); a line that would otherwise start a block (``# ``, ``- ``, ``1. ``)
has its marker escaped.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Final

from advisor.core.termsafe import clean
from advisor.exports.markdown import code_span, fenced, link_url, prose
from advisor.exports.mermaid import tree_mermaid
from advisor.exports.sequence import sequence_mermaid
from advisor.session import ResolvedCompanion
from advisor.tree.models import Citation, Companion, Outcome, Question, Tree

# Starts of a line that CommonMark would read as a block: heading, list item, quote, thematic
# break, code fence, link reference definition. Ordered list markers are handled separately.
_BLOCK_START: Final = re.compile(
    r"^(?:#{1,6}(?=\s|$)|[-+*>](?=\s|$)|[-*_](?:\s*[-*_]){2,}\s*$|`{3,}|~{3,}|\[[^\]]*\]:)"
)
_ORDERED_START: Final = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")


def question_anchor(question_id: str) -> str:
    """The anchor of a question in the reference."""
    return f"q-{question_id}"


def outcome_anchor(outcome_id: str) -> str:
    """The anchor of an outcome in the reference."""
    return f"o-{outcome_id}"


def flow_anchor(flow_id: str) -> str:
    """The anchor of a flow catalogue entry in the reference."""
    return f"flow-{flow_id}"


def source_anchor(source_id: str) -> str:
    """The anchor of a source in the reference."""
    return f"source-{source_id}"


def tree_reference(tree: Tree, direction: str = "TD") -> str:
    """The Markdown reference of a whole tree.

    Args:
        tree: A validated tree.
        direction: Layout of the embedded Mermaid diagram, ``TD`` or ``LR``.

    Returns:
        The page, ending with a newline.
    """
    incoming = _incoming(tree)
    paths = _shortest_answers(tree)
    parts: list[str] = [f"# {_heading_text(tree.title, 'Decision tree')}", ""]
    if tree.description:
        parts += [_paragraphs(tree.description), ""]
    parts += [
        "_This page is generated from the decision tree by `grant-advisor tree --format "
        "markdown`; edit the tree, not this page._",
        "",
        f"The tree asks at most {tree.questions_left(tree.start)} of its "
        f"{len(tree.questions)} questions and leads to one of {len(tree.outcomes)} outcomes. "
        f"It starts at {_node_link(tree, tree.start)}.",
        "",
        "- [Diagram](#diagram)",
        "- [Questions](#questions)",
        "- [Outcomes](#outcomes)",
        "- [Flow catalogue](#flows)",
        "- [Sources](#sources)",
        "",
        '## <a id="diagram"></a>Diagram',
        "",
        "Diamonds are questions and arrows are answers (long labels are shortened); the rounded "
        "boxes are outcomes, coloured by the grant they recommend, with a dashed border when "
        "refresh tokens come with it.",
        "",
        fenced(tree_mermaid(tree, direction), "mermaid"),
        "",
        '## <a id="questions"></a>Questions',
        "",
    ]
    for question in tree.questions:
        parts += _question(tree, question, incoming)
    parts += ['## <a id="outcomes"></a>Outcomes', ""]
    for outcome in tree.outcomes:
        parts += _outcome(tree, outcome, incoming, paths.get(outcome.id))
    parts += ['## <a id="flows"></a>Flow catalogue', ""]
    parts += _flows(tree)
    parts += ['## <a id="sources"></a>Sources', ""]
    for source in tree.sources:
        anchor = f'<a id="{source_anchor(source.id)}"></a>'
        link = f"[{_link_text(source.title)}]({link_url(source.url)})"
        parts.append(f"- {anchor}{link} ({source.id})")
    parts.append("")
    return "\n".join(parts)


# -- sections -----------------------------------------------------------------------------------


def _question(
    tree: Tree, question: Question, incoming: dict[str, list[tuple[str, str]]]
) -> list[str]:
    anchor = f'<a id="{question_anchor(question.id)}"></a>'
    parts = [f"### {anchor}{_heading_text(question.text, question.id)}", ""]
    where = f"`{question.id}`"
    if question.id == tree.start:
        where += " · the first question"
    parts += [
        where + _reached_from(tree, question.id, incoming),
        "",
        _paragraphs(question.help),
        "",
    ]
    for choice in question.choices:
        parts.append(f"- `{choice.id}`: {_inline(choice.label)} → {_node_link(tree, choice.next)}")
        if choice.help:
            parts.append(f"    - {_inline(choice.help)}")
        parts += [f"    - Note: {_inline(note)}" for note in choice.notes]
    parts.append("")
    return parts


def _outcome(
    tree: Tree,
    outcome: Outcome,
    incoming: dict[str, list[tuple[str, str]]],
    answers: list[tuple[str, str]] | None,
) -> list[str]:
    anchor = f'<a id="{outcome_anchor(outcome.id)}"></a>'
    parts = [f"### {anchor}{_heading_text(outcome.title, outcome.id)}", ""]
    flow = tree.flow(outcome.grant)
    if flow is not None:
        grant = f" (`grant_type={flow.grant_type}`)" if flow.grant_type else ""
        facts = [f"**Grant:** [{_link_text(flow.name)}](#{flow_anchor(flow.id)}){grant}"]
    else:
        facts = ["**Grant:** none: OAuth is not needed here"]
    for companion in outcome.companions:
        entry = tree.flow(companion.flow)
        name = (
            f"[{_link_text(entry.name)}](#{flow_anchor(entry.id)})"
            if entry is not None
            else code_span(companion.flow)
        )
        properties = "; ".join(_inline(p) for p in _companion_properties(tree, companion))
        facts.append(f"**Comes with:** {name}: {properties}. _Why:_ {_inline(companion.why)}")
    if outcome.instead_of:
        facts.append(
            f"**Instead of:** the [`{outcome.instead_of}`](#{flow_anchor(outcome.instead_of)}) "
            "grant"
        )
    facts.append(f"`{outcome.id}`" + _reached_from(tree, outcome.id, incoming))
    parts += ["<br>\n".join(facts), "", _paragraphs(outcome.summary), ""]
    parts += ["**Why:** " + _paragraphs(outcome.rationale), ""]
    parts += ["**Security checklist:**", ""]
    parts += [f"- {_inline(item)}" for item in outcome.security]
    parts.append("")
    if outcome.avoid:
        parts += ["**Avoid:**", ""]
        parts += [f"- **{_inline(a.what)}**: {_inline(a.why)}" for a in outcome.avoid]
        parts.append("")
    if outcome.alternatives:
        parts += ["**Alternatives:**", ""]
        for alt in outcome.alternatives:
            alt_flow = tree.flow(alt.flow) if alt.flow else None
            tag = (
                f" ([{_link_text(alt_flow.name)}](#{flow_anchor(alt_flow.id)}))" if alt_flow else ""
            )
            parts.append(f"- **{_inline(alt.title)}**{tag}: {_inline(alt.when)}")
        parts.append("")
    if outcome.client_auth:
        methods = ", ".join(f"`{m}`" for m in outcome.client_auth)
        parts += [f"**Client authentication:** {methods} (most preferred first)", ""]
    if outcome.needs:
        needs = ", ".join(f"`{n}`" for n in outcome.needs)
        parts += [f"**Relies on server features:** {needs}", ""]
    parts += ["**References:**", ""]
    parts += [f"- {_citation(tree, ref)}" for ref in outcome.references]
    parts.append("")
    if outcome.sample:
        languages = ", ".join(f"`{lang}`" for lang in outcome.sample.languages)
        parts += [f"**Sample code:** {languages}", ""]
        if outcome.sample.note:
            parts += [_paragraphs(outcome.sample.note), ""]
    if answers is not None:
        flags = " ".join(f"--answer {q}={c}" for q, c in answers)
        command = f"grant-advisor ask {flags}" if flags else "grant-advisor ask"
        parts += [f"**Try it:** {code_span(command)}", ""]
    return parts


def _companion_properties(tree: Tree, companion: Companion) -> tuple[str, ...]:
    return ResolvedCompanion(companion, tree.flow(companion.flow)).properties


def _flows(tree: Tree) -> list[str]:
    recommended_by: dict[str, list[Outcome]] = {}
    comes_with: dict[str, list[Outcome]] = {}
    for outcome in tree.outcomes:
        recommended_by.setdefault(outcome.grant, []).append(outcome)
        if outcome.instead_of:
            recommended_by.setdefault(outcome.instead_of, []).append(outcome)
        for companion in outcome.companions:
            comes_with.setdefault(companion.flow, []).append(outcome)
    parts: list[str] = []
    for flow in tree.flows:
        anchor = f'<a id="{flow_anchor(flow.id)}"></a>'
        parts += [f"### {anchor}{_heading_text(flow.name, flow.id)}", ""]
        grant = f"`grant_type={flow.grant_type}`" if flow.grant_type else "no token request"
        facts = [f"`{flow.id}` · {grant}"]
        if flow.anti_pattern:
            facts.append(
                "**Do not use.** The tree describes it only to explain what to do instead."
            )
        facts.append(f"**Defined in:** {_citation(tree, flow.defined_in)}")
        parts += ["<br>\n".join(facts), "", _paragraphs(flow.description), ""]
        parts += [f"{n}. {_inline(step)}" for n, step in enumerate(flow.steps, 1)]
        parts.append("")
        if flow.sequence:
            parts += [fenced(sequence_mermaid(flow), "mermaid"), ""]
        outcomes = recommended_by.get(flow.id, [])
        if outcomes:
            verb = "Answered by" if flow.anti_pattern else "Recommended by"
            links = ", ".join(_node_link(tree, o.id) for o in outcomes)
            parts += [f"{verb}: {links}", ""]
        companions = comes_with.get(flow.id, [])
        if companions:
            links = ", ".join(_node_link(tree, o.id) for o in companions)
            parts += [f"Comes with the grant of: {links}", ""]
    return parts


# -- pieces -------------------------------------------------------------------------------------


def _citation(tree: Tree, citation: Citation) -> str:
    source = tree.source(citation.source)
    if source is None:  # the graph checks reject this; keep the export total anyway
        return code_span(citation.source)
    title = f"{source.title} §{citation.section}" if citation.section else source.title
    note = f": {_inline(citation.note)}" if citation.note else ""
    return f"[{_link_text(title)}]({link_url(source.link(citation.section))}){note}"


def _node_link(tree: Tree, node_id: str) -> str:
    question = tree.question(node_id)
    if question is not None:
        return f"[{_link_text(question.text)}](#{question_anchor(node_id)})"
    outcome = tree.outcome(node_id)
    if outcome is not None:
        return f"[{_link_text(outcome.title)}](#{outcome_anchor(node_id)})"
    return code_span(node_id)


def _reached_from(tree: Tree, node_id: str, incoming: dict[str, list[tuple[str, str]]]) -> str:
    by_question: dict[str, list[str]] = {}
    for question_id, choice_id in incoming.get(node_id, []):
        question = tree.question(question_id)
        choice = question.choice(choice_id) if question is not None else None
        if choice is not None:
            by_question.setdefault(question_id, []).append(_inline(choice.label))
    if not by_question:
        return ""
    links = [
        f"[{_link_text(_question_text(tree, question_id))}](#{question_anchor(question_id)}) → "
        + " or ".join(labels)
        for question_id, labels in by_question.items()
    ]
    return " · reached from: " + "; ".join(links)


def _incoming(tree: Tree) -> dict[str, list[tuple[str, str]]]:
    """Node id → the (question id, choice id) pairs that lead to it, in file order."""
    incoming: dict[str, list[tuple[str, str]]] = {}
    for question in tree.questions:
        for choice in question.choices:
            incoming.setdefault(choice.next, []).append((question.id, choice.id))
    return incoming


def _shortest_answers(tree: Tree) -> dict[str, list[tuple[str, str]]]:
    """Outcome id → the fewest answers that reach it from the start (first in file order)."""
    found: dict[str, list[tuple[str, str]]] = {tree.start: []}
    queue: deque[str] = deque([tree.start])
    while queue:
        question = tree.question(queue.popleft())
        if question is None:
            continue
        for choice in question.choices:
            if choice.next not in found:
                found[choice.next] = [*found[question.id], (question.id, choice.id)]
                queue.append(choice.next)
    return {k: v for k, v in found.items() if tree.outcome(k) is not None}


def _question_text(tree: Tree, question_id: str) -> str:
    question = tree.question(question_id)
    return question.text if question is not None else question_id


def _inline(text: str) -> str:
    """Tree text as one Markdown line that cannot start a block (heading, list, quote)."""
    line = prose(text)
    ordered = _ORDERED_START.match(line)
    if ordered:  # "1. x" -> "1\. x": the dot (or parenthesis) is what makes the list
        return ordered.group(1) + "\\" + line[len(ordered.group(1)) :]
    if _BLOCK_START.match(line):
        return "\\" + line
    return line


def _paragraphs(text: str) -> str:
    return "\n\n".join(_inline(p) for p in clean(text).split("\n\n") if p.strip())


def _heading_text(text: str, fallback: str) -> str:
    line = _inline(text) or fallback
    if line.endswith("#"):  # a closing "#" sequence would be dropped from the heading
        line = line[:-1] + "\\#"
    return line


def _link_text(text: str) -> str:
    return prose(text).replace("[", "\\[").replace("]", "\\]")
