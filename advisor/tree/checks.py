"""Graph checks on a tree whose shape is already valid.

Pydantic guarantees each node is well-formed; these checks look at how nodes fit together:
unique ids, ``start`` and every ``next`` resolving, every node reachable, no cycles, every
recommended grant, companion and cited source present in the catalogues, no companion flow
(``refresh_token``) recommended as a grant, and a template for every sample language an
outcome promises. Every problem is collected; nothing stops at the first.

Each problem comes with the data path it is about (``("questions", 3, "choices", 1, "next")``)
so the loader can attach the file's line and column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final

from advisor.core.errors import DataPath, Problem
from advisor.core.suggest import did_you_mean
from advisor.core.termsafe import UNSAFE
from advisor.core.vocabulary import COMPANION_FLOWS
from advisor.tree.models import Flow, Node, Outcome, Question, Source, Tree

Located = tuple[DataPath, Problem]
TemplateLookup = Callable[[str, str], bool]


@dataclass(frozen=True, slots=True)
class Invalid:
    """Ids of entries that failed shape validation and are missing from a partial tree.

    Links to them are not reported as dangling (their own problems already are), and
    reachability is not judged on a tree with holes in it.
    """

    nodes: frozenset[str] = frozenset()
    flows: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()

    @property
    def any(self) -> bool:
        return bool(self.nodes or self.flows or self.sources)


# What output strips (escapes, in JSON): C0 controls except tab and newline, DEL, C1 controls,
# bidi controls and invisible marks that can make text read differently from what it is
# (Trojan Source), U+2028/U+2029, lone surrogates.
_UNSAFE_TEXT: Final = UNSAFE


def may_hold_controls(text: str) -> bool:
    """Whether YAML ``text`` can produce a string with a control character.

    Raw control characters are either refused by the YAML reader or caught here; every other
    way to write one is an escape in a double-quoted scalar, which needs a backslash. So a
    text without both is safe, and the (costly) walk over every string can be skipped.
    """
    return "\\" in text or _UNSAFE_TEXT.search(text) is not None


def check_tree(
    tree: Tree,
    has_template: TemplateLookup | None = None,
    invalid: Invalid | None = None,
    *,
    scan_text: bool = True,
) -> list[Located]:
    """Every graph problem in ``tree``, in file order.

    Args:
        tree: A tree that passed shape validation, or the valid part of one.
        has_template: Answers whether a sample template exists for (template, language);
            None skips the template check.
        invalid: For a partial tree, the ids of the entries left out because their shape was
            invalid.
        scan_text: Look for control characters in every string (skip it when
            :func:`may_hold_controls` says the source cannot hold any).
    """
    invalid = invalid or Invalid()
    problems: list[Located] = []
    problems += _unique_ids(tree)
    problems += _links(tree, invalid)
    if not invalid.nodes:
        problems += _reachability_and_cycles(tree)
    problems += _catalogues(tree, invalid)
    if has_template is not None:
        problems += check_templates(tree, has_template)
    if scan_text:
        problems += _unsafe_text(tree)
    return problems


def _node_path(tree: Tree, node: Question | Outcome) -> DataPath:
    if isinstance(node, Question):
        return ("questions", tree.questions.index(node))
    return ("outcomes", tree.outcomes.index(node))


def _unique_ids(tree: Tree) -> Iterator[Located]:
    seen: dict[str, str] = {}
    sections: tuple[tuple[str, tuple[Node, ...]], ...] = (
        ("questions", tree.questions),
        ("outcomes", tree.outcomes),
    )
    for section, nodes in sections:
        for index, node in enumerate(nodes):
            if node.id in seen:
                yield (
                    (section, index, "id"),
                    Problem(
                        f"duplicate id {node.id!r}: already used by {seen[node.id]}",
                        node=node.id,
                        hint="question and outcome ids share one namespace",
                    ),
                )
            else:
                seen[node.id] = "a question" if section == "questions" else "an outcome"
    for q_index, question in enumerate(tree.questions):
        choice_ids: set[str] = set()
        for c_index, choice in enumerate(question.choices):
            if choice.id in choice_ids:
                yield (
                    ("questions", q_index, "choices", c_index, "id"),
                    Problem(f"duplicate choice id {choice.id!r}", node=question.id),
                )
            choice_ids.add(choice.id)
    catalogues: tuple[tuple[str, tuple[Flow | Source, ...]], ...] = (
        ("flows", tree.flows),
        ("sources", tree.sources),
    )
    for section, entries in catalogues:
        ids: set[str] = set()
        for index, entry in enumerate(entries):
            if entry.id in ids:
                yield (
                    (section, index, "id"),
                    Problem(f"duplicate {section[:-1]} id {entry.id!r}", node=entry.id),
                )
            ids.add(entry.id)


def _links(tree: Tree, invalid: Invalid) -> Iterator[Located]:
    node_ids = (*tree.node_ids, *sorted(invalid.nodes))
    if tree.start in invalid.nodes:
        pass
    elif tree.node(tree.start) is None:
        yield (
            ("start",),
            Problem(
                f"start names {tree.start!r}, which is not a question",
                hint=did_you_mean(tree.start, node_ids),
            ),
        )
    elif tree.question(tree.start) is None:
        yield (("start",), Problem(f"start must be a question; {tree.start!r} is an outcome"))
    for q_index, question in enumerate(tree.questions):
        for c_index, choice in enumerate(question.choices):
            if tree.node(choice.next) is None and choice.next not in invalid.nodes:
                yield (
                    ("questions", q_index, "choices", c_index, "next"),
                    Problem(
                        f"choice {choice.id!r} leads to {choice.next!r}, "
                        "which is neither a question nor an outcome",
                        node=question.id,
                        hint=did_you_mean(choice.next, node_ids),
                    ),
                )


def _reachability_and_cycles(tree: Tree) -> Iterator[Located]:
    start = tree.question(tree.start)
    if start is None:
        return  # reported by _links; reachability means nothing without a start
    # Iterative depth-first search: white (absent) → grey (on the stack) → black (done).
    state: dict[str, int] = {}
    reported: set[frozenset[str]] = set()
    stack: list[tuple[Question, int]] = [(start, 0)]
    on_path: list[str] = [start.id]
    state[start.id] = 1
    while stack:
        question, position = stack[-1]
        if position == len(question.choices):
            stack.pop()
            on_path.pop()
            state[question.id] = 2
            continue
        stack[-1] = (question, position + 1)
        target = tree.node(question.choices[position].next)
        if target is None:
            continue
        if isinstance(target, Outcome):
            state[target.id] = 2
            continue
        seen = state.get(target.id)
        if seen is None:
            state[target.id] = 1
            stack.append((target, 0))
            on_path.append(target.id)
        elif seen == 1:
            cycle = on_path[on_path.index(target.id) :]
            key = frozenset(cycle)
            if key not in reported:
                reported.add(key)
                shown = " → ".join([*cycle, target.id])
                yield (
                    (*_node_path(tree, question), "choices", position, "next"),
                    Problem(
                        f"cycle: {shown}",
                        node=question.id,
                        hint="a walk must always end at an outcome",
                    ),
                )
    every: tuple[Node, ...] = (*tree.questions, *tree.outcomes)
    for node in every:
        if node.id not in state and tree.node(node.id) is node:
            what = "question" if isinstance(node, Question) else "outcome"
            message = (
                f"no path from start reaches {what} {node.id!r}"
                if what == "outcome"
                else f"question {node.id!r} is not reachable from start {tree.start!r}"
            )
            yield (
                (*_node_path(tree, node), "id"),
                Problem(message, node=node.id, hint="point a choice's next at it, or remove it"),
            )


def _catalogues(tree: Tree, invalid: Invalid) -> Iterator[Located]:
    flow_ids = [flow.id for flow in tree.flows]
    source_ids = [source.id for source in tree.sources]
    for index, flow in enumerate(tree.flows):
        if tree.source(flow.defined_in.source) is None and (
            flow.defined_in.source not in invalid.sources
        ):
            yield (
                ("flows", index, "defined_in", "source"),
                Problem(
                    f"cites unknown source {flow.defined_in.source!r}",
                    node=flow.id,
                    hint=did_you_mean(flow.defined_in.source, source_ids),
                ),
            )
    for index, outcome in enumerate(tree.outcomes):
        if outcome.grant in COMPANION_FLOWS:
            yield (
                ("outcomes", index, "grant"),
                Problem(
                    f"{outcome.grant!r} is not a grant of its own: it only extends the grant "
                    "that first obtained the tokens",
                    node=outcome.id,
                    hint=f"set grant to that flow (e.g. 'authorization_code') and list "
                    f"{{flow: {outcome.grant}, ...}} under companions",
                ),
            )
        elif outcome.grant not in ("none", *invalid.flows) and tree.flow(outcome.grant) is None:
            yield (
                ("outcomes", index, "grant"),
                Problem(
                    f"recommends grant {outcome.grant!r}, which the flows catalogue does not "
                    "describe",
                    node=outcome.id,
                    hint=f"add it to flows (catalogue has: {', '.join(flow_ids) or 'nothing'})",
                ),
            )
        yield from _companions(tree, index, outcome, invalid)
        for a_index, alternative in enumerate(outcome.alternatives):
            if alternative.flow in COMPANION_FLOWS:
                yield (
                    ("outcomes", index, "alternatives", a_index, "flow"),
                    Problem(
                        f"alternative {alternative.title!r} names {alternative.flow!r}, which "
                        "is not a grant of its own",
                        node=outcome.id,
                        hint="name the grant that obtains the tokens (e.g. "
                        "'authorization_code') and say in the text that refresh tokens "
                        "come with it",
                    ),
                )
        for r_index, citation in enumerate(outcome.references):
            if tree.source(citation.source) is None and citation.source not in invalid.sources:
                yield (
                    ("outcomes", index, "references", r_index, "source"),
                    Problem(
                        f"cites unknown source {citation.source!r}",
                        node=outcome.id,
                        hint=did_you_mean(citation.source, source_ids),
                    ),
                )
        if outcome.instead_of is not None and outcome.grant == "none":
            yield (
                ("outcomes", index, "instead_of"),
                Problem(
                    "an outcome that replaces an anti-pattern must recommend a grant",
                    node=outcome.id,
                ),
            )


def _companions(tree: Tree, index: int, outcome: Outcome, invalid: Invalid) -> Iterator[Located]:
    seen: set[str] = set()
    for c_index, companion in enumerate(outcome.companions):
        path = ("outcomes", index, "companions", c_index, "flow")
        if outcome.grant == "none":
            yield (
                path,
                Problem(
                    f"companion {companion.flow!r} needs a grant to come with, and the "
                    "outcome recommends none",
                    node=outcome.id,
                ),
            )
        if companion.flow in seen:
            yield (path, Problem(f"duplicate companion {companion.flow!r}", node=outcome.id))
        seen.add(companion.flow)
        if tree.flow(companion.flow) is None and companion.flow not in invalid.flows:
            yield (
                path,
                Problem(
                    f"companion {companion.flow!r} is not described in the flows catalogue",
                    node=outcome.id,
                    hint=f"add a {companion.flow!r} entry to flows",
                ),
            )


def check_templates(tree: Tree, has_template: TemplateLookup) -> list[Located]:
    """A problem for every sample language an outcome promises without a template."""
    return list(_templates(tree, has_template))


def _templates(tree: Tree, has_template: TemplateLookup) -> Iterator[Located]:
    for index, outcome in enumerate(tree.outcomes):
        if outcome.sample is None:
            continue
        for l_index, language in enumerate(outcome.sample.languages):
            if not has_template(outcome.sample.template, language):
                yield (
                    ("outcomes", index, "sample", "languages", l_index),
                    Problem(
                        f"no {language} template for sample {outcome.sample.template!r}",
                        node=outcome.id,
                        hint="add the template or remove the language",
                    ),
                )


def _unsafe_text(tree: Tree) -> Iterator[Located]:
    """Warn about control characters: terminals would act on them (the output strips them)."""
    texts: list[tuple[DataPath, str, str | None]] = [
        ((key,), text, None) for key in ("title", "description") if (text := getattr(tree, key))
    ]
    for section in ("questions", "outcomes", "flows", "sources"):
        for index, entry in enumerate(getattr(tree, section)):
            texts += [
                (path, text, entry.id)
                for path, text in _strings(entry.model_dump(), (section, index))
            ]
    for path, text, node in texts:
        match = _UNSAFE_TEXT.search(text)
        if match:
            yield (
                path,
                Problem(
                    f"text contains control character U+{ord(match.group()):04X}",
                    node=node,
                    hint="such characters are stripped from all output (escaped in JSON)",
                    severity="warning",
                ),
            )


def _strings(value: object, path: DataPath) -> Iterator[tuple[DataPath, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))
