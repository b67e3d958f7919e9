"""Fuzzing the loader: any input either loads or fails with the project's own error type.

Three generators: random text, random YAML documents, and random trees (valid trees with
random graph structure, and the small tree with random parts replaced by junk). A tree that
loads is then walked to an outcome: validation must leave nothing for the engine to trip on.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.core.errors import AdvisorError
from advisor.session import Session
from advisor.tree.loader import LoadedTree, parse_tree
from support.paths import SMALL_TREE

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BASE: dict[str, Any] = yaml.safe_load(SMALL_TREE.read_text(encoding="utf-8"))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(["yes", "no", "~", "", "q0", "o0", "code", "m2m"]),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(max_size=10), children, max_size=5),
    ),
    max_leaves=40,
)


def load_or_own_error(text: str) -> LoadedTree | None:
    """Parse ``text``; only success or an AdvisorError is acceptable."""
    try:
        loaded = parse_tree(text, "fuzz.yaml")
    except AdvisorError as exc:
        assert str(exc)  # noqa: PT017  (every error says something)
        return None
    session = Session(loaded.tree)
    while (question := session.current_question) is not None:
        session = session.answer(question.choices[-1].id)
    assert session.recommendation() is not None
    return loaded


@SETTINGS
@given(st.text(max_size=400))
def test_random_text(text: str) -> None:
    load_or_own_error(text)


@SETTINGS
@given(documents)
def test_random_yaml_documents(document: Any) -> None:
    load_or_own_error(yaml.safe_dump(document, allow_unicode=True))


@st.composite
def random_graph_trees(draw: st.DrawFn) -> dict[str, Any]:
    """The small tree's catalogue with random questions and links.

    Half the time links only point forward and the start question reaches every node, so
    the tree is valid and gets walked; otherwise links go anywhere (cycles, dangling ids).
    """
    tree = copy.deepcopy(BASE)
    q_count = draw(st.integers(1, 6))
    o_ids = [o["id"] for o in tree["outcomes"]]
    q_ids = [f"q{i}" for i in range(q_count)]
    well_formed = draw(st.booleans())
    questions = []
    for index, qid in enumerate(q_ids):
        if well_formed:
            targets = st.sampled_from([*q_ids[index + 1 :], *o_ids])
            count = draw(st.integers(2, 4))
        else:
            targets = st.sampled_from([*q_ids, *o_ids, "missing_node"])
            count = draw(st.integers(1, 4))
        nexts = [draw(targets) for _ in range(count)]
        if well_formed and index == 0:
            nexts += [*q_ids[1:], *o_ids]  # everything reachable from the start
        questions.append(
            {
                "id": qid,
                "text": f"Question {qid}?",
                "help": "Why we ask.",
                "choices": [
                    {"id": f"c{j}", "label": f"Choice {j}", "next": target}
                    for j, target in enumerate(nexts)
                ],
            }
        )
    tree["questions"] = questions
    tree["start"] = "q0" if well_formed else draw(st.sampled_from([*q_ids, "code", "nowhere"]))
    return tree


@SETTINGS
@given(random_graph_trees())
def test_random_graphs(tree: dict[str, Any]) -> None:
    load_or_own_error(yaml.safe_dump(tree, sort_keys=False))


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


ALL_PATHS = [p for p in _paths(BASE) if p]


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(ALL_PATHS), documents), min_size=1, max_size=4))
def test_small_tree_with_junk_in_random_places(edits: list[tuple[tuple[Any, ...], Any]]) -> None:
    tree = copy.deepcopy(BASE)
    for path, junk in edits:
        parent: Any = tree
        try:
            for part in path[:-1]:
                parent = parent[part]
            parent[path[-1]] = junk
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed this path
    load_or_own_error(yaml.safe_dump(tree, sort_keys=False, allow_unicode=True))


def test_the_fuzzer_can_produce_a_valid_tree() -> None:
    """Guards the generators: the unmodified base must load and walk."""
    assert load_or_own_error(yaml.safe_dump(BASE, sort_keys=False)) is not None


@SETTINGS
@given(st.text(max_size=40), st.sampled_from(['"', "'", "", "|\n  "]))
def test_control_characters_are_never_missed_by_the_fast_check(value: str, style: str) -> None:
    """The loader skips the per-string control-character scan only when the text cannot hold
    one; a string with a control character must therefore always mean the scan runs."""
    import re

    from advisor.tree.checks import may_hold_controls
    from advisor.tree.yamlsafe import parse

    for text in (yaml.safe_dump({"k": value}, allow_unicode=True), f"k: {style}{value}{style}"):
        try:
            data, _ = parse(text, "x.yaml")
        except AdvisorError:
            continue
        found = data.get("k") if isinstance(data, dict) else None
        unsafe = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
        if isinstance(found, str) and unsafe.search(found):
            assert may_hold_controls(text)
