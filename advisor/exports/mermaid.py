"""The whole tree as a Mermaid flowchart.

Questions are decision (rhombus) nodes, outcomes are rounded (stadium) nodes coloured by the
grant they recommend (with a dashed border when refresh tokens come with it), and every choice
is a labelled edge. The output is deterministic (file
order), so it can be committed and diffed.

Mermaid's syntax is easy to break from inside a label, so every label is built the same way:

- terminal control characters are removed (:func:`advisor.core.termsafe.clean`), whitespace is
  folded, and the text is wrapped (``<br>``) and truncated with ``…`` to a readable size;
- it is written as a quoted string (``{"..."}``, ``(["..."])``, ``|"..."|``) in which every
  character Mermaid or HTML would interpret is a Mermaid entity code (``#34;`` for ``"``,
  ``#35;`` for ``#``, ...): there is no backslash escape in Mermaid. Entities are decoded by
  Mermaid at render time and reach the page as HTML character references, so ``<script>``
  shows as text;
- ``:`` is encoded too. Mermaid's preprocessor drops the last ``;`` of any line matching
  ``style.*:\\S*#.*;`` (meant for ``style`` statements), which would break the last entity of
  a label such as ``Lifestyle:#tag``;
- Mermaid hides entity codes behind placeholders (``ﬂ°°60¶ß`` for ``#60;``) and decodes them
  again in the finished SVG, so text that already holds such a sequence would change (``¶ß``
  becomes ``;``). The ligature ``ﬂ`` is written as the two letters ``fl`` and a word joiner
  (U+2060) is put between ``¶`` and ``ß``: the label looks the same and no placeholder forms;
- node ids are the tree ids with a ``q_`` / ``o_`` prefix, so ids such as ``end``,
  ``graph`` or ``x`` (``A---xB`` is a cross edge) cannot collide with Mermaid keywords.

The colour scheme sets fill, stroke and text colour together, so it reads the same on light
and dark backgrounds (GitHub renders Mermaid in both).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from itertools import pairwise
from typing import Final

from advisor.core.termsafe import clean
from advisor.tree.models import Choice, Outcome, Question, Tree

DIRECTIONS: Final = ("TD", "LR")
"""Layouts offered: top-down and left-right."""

QUESTION_WIDTH: Final = 30
"""Characters per line in a question node."""
QUESTION_LINES: Final = 5
OUTCOME_WIDTH: Final = 30
"""Characters per line in an outcome node."""
OUTCOME_LINES: Final = 4
EDGE_WIDTH: Final = 26
"""Characters per line in a choice (edge) label."""
EDGE_LINES: Final = 3

# Pastel fill, strong stroke, near-black text: readable on GitHub's light and dark themes alike.
FLOW_STYLES: Final[dict[str, tuple[str, str]]] = {
    "authorization_code": ("#dbeafe", "#1d4ed8"),
    "client_credentials": ("#dcfce7", "#15803d"),
    "device_code": ("#fef3c7", "#b45309"),
    "token_exchange": ("#f3e8ff", "#7e22ce"),
    "jwt_bearer": ("#fce7f3", "#be185d"),
    "saml2_bearer": ("#ffedd5", "#c2410c"),
    "ciba": ("#ccfbf1", "#0f766e"),
    "none": ("#f1f5f9", "#475569"),
}
"""Outcome fill and stroke colours by grant (a companion such as ``refresh_token`` is never a
grant, so it has no colour of its own)."""
COMPANION_STYLES: Final[dict[str, str]] = {"refresh_token": "stroke-dasharray:6 3"}
"""Extra outline of an outcome whose grant comes with this companion."""
TEXT_COLOUR: Final = "#0f172a"
PATH_COLOUR: Final = "#d97706"
"""Stroke of the highlighted path (amber: visible on both themes and on every flow colour)."""

# Characters written as entity codes inside quoted labels. `"` ends the string; `#` and `;`
# would read as entity codes; `&`, `<`, `>` are HTML; a backtick right after the opening quote
# starts a Markdown string (and a lexical error in a rhombus); `|` closes edge labels; `%`
# starts comments; `\` is not an escape but is kept out of quoted strings; `:` see the module
# docstring.
_ENCODE: Final = frozenset('"#;&<>`|%\\:')
# Text that would form (or end) one of Mermaid's entity placeholders.
_PLACEHOLDERS: Final = (("\ufb02", "fl"), ("\u00b6\u00df", "\u00b6\u2060\u00df"))

_LINE_BREAK: Final = "<br>"
_ELLIPSIS: Final = "…"


def mermaid_text(text: str) -> str:
    """One line of text for a quoted Mermaid label: special characters as entity codes."""
    return "".join(f"#{ord(ch)};" if ch in _ENCODE else ch for ch in _unplaceholder(text))


def wrap_label(text: str, width: int, max_lines: int) -> list[str]:
    """The lines a label shows: ``text`` cleaned, folded and wrapped to ``width``.

    At most ``max_lines`` lines; the last ends in ``…`` when text was cut. Empty text gives
    no lines.
    """
    folded = " ".join(
        _unplaceholder(clean(text)).split()
    )  # clean first: the placeholder fix adds U+2060
    lines = textwrap.wrap(folded, width=width, break_on_hyphens=False)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        if len(last) >= width:
            last = last[: width - 1].rstrip()
        lines[-1] = last + _ELLIPSIS
    return lines


def question_lines(question: Question) -> list[str]:
    """The lines a question's node shows (its id when its text has nothing printable)."""
    return wrap_label(question.text, QUESTION_WIDTH, QUESTION_LINES) or [question.id]


def outcome_lines(tree: Tree, outcome: Outcome) -> list[str]:
    """The lines an outcome's node shows: its title, then its grant's name in parentheses,
    with ``+ <companion>`` for each flow that comes with it."""
    flow = tree.flow(outcome.grant)
    flow_name = clean(flow.name).strip() if flow is not None else ""
    if outcome.grant == "none":
        flow_name = "no OAuth flow"
    names = [flow_name or outcome.grant]
    for companion in outcome.companions:
        entry = tree.flow(companion.flow)
        names.append(clean(entry.name).strip() if entry is not None else companion.flow)
    title = wrap_label(outcome.title, OUTCOME_WIDTH, OUTCOME_LINES) or [outcome.id]
    return title + wrap_label(f"({' + '.join(names)})", OUTCOME_WIDTH, 2)


def choice_lines(choice: Choice) -> list[str]:
    """The lines a choice's edge label shows (its id when its label has nothing printable)."""
    return wrap_label(choice.label, EDGE_WIDTH, EDGE_LINES) or [choice.id]


def quoted(lines: Sequence[str]) -> str:
    """Label lines as one quoted Mermaid string, ``<br>`` between lines."""
    return '"' + _LINE_BREAK.join(mermaid_text(line) for line in lines) + '"'


def _unplaceholder(text: str) -> str:
    for unsafe, safe in _PLACEHOLDERS:
        text = text.replace(unsafe, safe)
    return text


def node_id(tree: Tree, tree_id: str) -> str:
    """The Mermaid id of a question (``q_<id>``) or an outcome (``o_<id>``)."""
    return ("q_" if tree.question(tree_id) is not None else "o_") + tree_id


def tree_mermaid(tree: Tree, direction: str = "TD", path: Sequence[str] = ()) -> str:
    """The tree as a Mermaid ``flowchart``.

    Args:
        tree: A validated tree.
        direction: ``TD`` (top-down) or ``LR`` (left-right).
        path: Optional ids of questions and outcomes walked, in order (e.g. from a session):
            their nodes, and the choices from each to the next, are drawn highlighted. When two
            choices of a question lead to the same node, both are highlighted.

    Returns:
        The diagram source, ending with a newline (no fence around it).

    Raises:
        ValueError: ``direction`` is not ``TD`` or ``LR``, or ``path`` names an unknown node.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    for item in path:
        if tree.node(item) is None:
            raise ValueError(f"path: no question or outcome {item!r} in the tree")

    lines = [f"flowchart {direction}"]
    lines.append(
        f"  accTitle: {mermaid_text(' '.join(clean(tree.title).split()) or 'Decision tree')}"
    )
    lines.append(
        "  accDescr: "
        + mermaid_text(
            f"Decision tree with {len(tree.questions)} questions and {len(tree.outcomes)} "
            f"outcomes. Diamonds are questions, labelled arrows are answers, rounded boxes are "
            f"the recommended grants; a dashed border means refresh tokens come with the grant."
        )
    )
    for question in tree.questions:
        lines.append(f"  {node_id(tree, question.id)}{{{quoted(question_lines(question))}}}")
    for outcome in tree.outcomes:
        lines.append(f"  {node_id(tree, outcome.id)}([{quoted(outcome_lines(tree, outcome))}])")

    edge_index: dict[tuple[str, str], list[int]] = {}
    count = 0
    for question in tree.questions:
        for choice in question.choices:
            source, target = node_id(tree, question.id), node_id(tree, choice.next)
            lines.append(f"  {source} -->|{quoted(choice_lines(choice))}| {target}")
            edge_index.setdefault((question.id, choice.next), []).append(count)
            count += 1

    lines += _styles(tree)
    if path:
        lines += _highlight(tree, path, edge_index)
    return "\n".join(lines) + "\n"


def _styles(tree: Tree) -> list[str]:
    lines: list[str] = []
    start = tree.question(tree.start)
    if start is not None:
        lines.append("  classDef start stroke-width:3px")
        lines.append(f"  class {node_id(tree, start.id)} start")
    by_flow: dict[str, list[str]] = {}
    by_companion: dict[str, list[str]] = {}
    for outcome in tree.outcomes:
        by_flow.setdefault(outcome.grant, []).append(node_id(tree, outcome.id))
        for companion in outcome.companions:
            by_companion.setdefault(companion.flow, []).append(node_id(tree, outcome.id))
    for flow_id in FLOW_STYLES:  # catalogue order, not file order: classes read as a legend
        members = by_flow.get(flow_id)
        if not members:
            continue
        fill, stroke = FLOW_STYLES[flow_id]
        lines.append(f"  classDef flow_{flow_id} fill:{fill},stroke:{stroke},color:{TEXT_COLOUR}")
        lines.append(f"  class {','.join(members)} flow_{flow_id}")
    for companion_id, style in COMPANION_STYLES.items():
        members = by_companion.get(companion_id)
        if members:
            lines.append(f"  classDef with_{companion_id} {style}")
            lines.append(f"  class {','.join(members)} with_{companion_id}")
    return lines


def _highlight(
    tree: Tree, path: Sequence[str], edge_index: dict[tuple[str, str], list[int]]
) -> list[str]:
    nodes = list(dict.fromkeys(node_id(tree, item) for item in path))
    edges: list[int] = []
    for here, there in pairwise(path):
        edges += edge_index.get((here, there), [])
    lines = [
        f"  classDef on_path stroke:{PATH_COLOUR},stroke-width:4px",
        f"  class {','.join(nodes)} on_path",
    ]
    if edges:
        indices = ",".join(str(i) for i in sorted(set(edges)))
        lines.append(f"  linkStyle {indices} stroke:{PATH_COLOUR},stroke-width:4px")
    return lines
