"""The Mermaid diagrams, checked with the real Mermaid library (pinned in tests/mermaid).

One Node process (``tests/mermaid/check.mjs``) takes every diagram below and

- parses each in Node (jsdom provides the DOM Mermaid's sanitizer needs): the flowchart must
  hold exactly one vertex per question (rhombus) and outcome (stadium), one edge per choice,
  and every label must read, once Mermaid has decoded its entity codes, as the text we meant;
- renders each to SVG in headless Chromium (``playwright-core`` drives the system Chromium;
  the Mermaid bundle is loaded from ``node_modules`` and all network access is refused): the
  SVG must show a visible node per question and outcome with the intended text, an edge path
  per choice with its label, and no element that tree text smuggled in;
- does the same for each flow's sequence diagram (:mod:`advisor.exports.sequence`): the
  participants, every message (sender, receiver, solid or dashed, text) and note in order, and
  the lines the SVG shows.

Mermaid is pinned at 11.14.0, the last release that runs on Node 20 (12.x needs Node 22.12).

Setup: ``npm ci --prefix tests`` and a Chromium (Debian: ``apt-get install chromium``;
another binary can be named with ``GRANT_ADVISOR_CHROMIUM``). Without them these tests skip
with the reason, except when ``CI`` is set: then they fail.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from advisor.core.termsafe import clean
from advisor.exports.mermaid import (
    choice_lines,
    node_id,
    outcome_lines,
    question_lines,
    tree_mermaid,
)
from advisor.exports.sequence import PARTICIPANTS, label_lines, participants, sequence_mermaid
from advisor.tree.loader import load_tree
from advisor.tree.models import Flow, Tree
from support.paths import DATA, TESTS
from support.tools import chromium as find_chromium
from support.tools import unavailable

MERMAID_DIR = TESTS / "mermaid"
CHECK_SCRIPT = MERMAID_DIR / "check.mjs"
PINNED_MERMAID = "11.14.0"
TIMEOUT = 180  # seconds for the whole batch; it normally takes about 5
ESCAPING_TREE = DATA / "trees" / "escaping.yaml"


def _diagrams(shipped: Tree, escaping: Tree, small: Tree) -> dict[str, tuple[Tree, str]]:
    path: tuple[str, ...] = ()
    start = shipped.question(shipped.start)
    if start is not None:  # a highlighted walk: the first choice at each question
        nodes = [start.id]
        question = start
        while question is not None:
            nodes.append(question.choices[0].next)
            question = shipped.question(question.choices[0].next)
        path = tuple(nodes)
    return {
        "shipped-TD": (shipped, tree_mermaid(shipped, "TD")),
        "shipped-LR": (shipped, tree_mermaid(shipped, "LR")),
        "shipped-LR-path": (shipped, tree_mermaid(shipped, "LR", path=path)),
        "escaping-TD": (escaping, tree_mermaid(escaping, "TD")),
        "escaping-LR": (escaping, tree_mermaid(escaping, "LR")),
        "small-TD": (small, tree_mermaid(small, "TD")),
    }


DIAGRAM_NAMES = [
    "shipped-TD",
    "shipped-LR",
    "shipped-LR-path",
    "escaping-TD",
    "escaping-LR",
    "small-TD",
]


def _sequences(shipped: Tree, escaping: Tree) -> dict[str, Flow]:
    found = {f"sequence-{flow.id}": flow for flow in shipped.flows if flow.sequence}
    found |= {f"sequence-escaping-{flow.id}": flow for flow in escaping.flows if flow.sequence}
    return found


SEQUENCE_NAMES = [
    *(
        f"sequence-{flow}"
        for flow in (
            "authorization_code",
            "client_credentials",
            "device_code",
            "refresh_token",
            "token_exchange",
            "jwt_bearer",
            "saml2_bearer",
            "ciba",
        )
    ),
    "sequence-escaping-authorization_code",
]


@pytest.fixture(scope="module")
def checked(shipped_tree: Tree, small_tree: Tree) -> dict[str, Any]:
    """Run check.mjs once over every diagram; the report and the diagrams' trees."""
    node = shutil.which("node")
    if node is None:
        unavailable("Node.js is not installed (needed to run Mermaid)")
    if not (MERMAID_DIR.parent / "node_modules" / "mermaid").is_dir():
        unavailable("tests/node_modules is missing: run 'npm ci --prefix tests'")
    escaping = load_tree(ESCAPING_TREE)
    diagrams = _diagrams(shipped_tree, escaping, small_tree)
    sequences = _sequences(shipped_tree, escaping)
    assert sorted(sequences) == sorted(SEQUENCE_NAMES)
    request = {
        "diagrams": [{"name": name, "text": text} for name, (_, text) in diagrams.items()]
        + [{"name": name, "text": sequence_mermaid(flow)} for name, flow in sequences.items()],
        "chromium": find_chromium(),
    }
    try:
        result = subprocess.run(
            [str(node), str(CHECK_SCRIPT)],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            cwd=MERMAID_DIR,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"check.mjs took longer than {TIMEOUT} s")
    if result.returncode != 0:
        pytest.fail(f"check.mjs exited with {result.returncode}:\n{result.stderr[-3000:]}")
    report: dict[str, Any] = json.loads(result.stdout)
    if report.get("error"):
        pytest.fail(f"check.mjs could not run Mermaid: {report['error']}")
    return {"report": report, "diagrams": diagrams, "sequences": sequences}


def _expected(tree: Tree, join: Callable[[list[str]], str]) -> dict[str, Any]:
    nodes = {node_id(tree, q.id): join(question_lines(q)) for q in tree.questions}
    nodes |= {node_id(tree, o.id): join(outcome_lines(tree, o)) for o in tree.outcomes}
    edges = [
        (node_id(tree, q.id), node_id(tree, c.next), join(choice_lines(c)))
        for q in tree.questions
        for c in q.choices
    ]
    return {"nodes": nodes, "edges": edges}


def test_the_pinned_mermaid_is_installed(checked: dict[str, Any]) -> None:
    assert checked["report"]["mermaid"] == PINNED_MERMAID


@pytest.mark.parametrize("name", DIAGRAM_NAMES)
def test_mermaid_parses_the_diagram_as_intended(checked: dict[str, Any], name: str) -> None:
    parsed = checked["report"]["parse"][name]
    assert parsed["ok"], parsed.get("error")
    tree, _ = checked["diagrams"][name]
    expected = _expected(tree, "<br>".join)
    assert parsed["type"] == "flowchart-v2"
    vertices = parsed["vertices"]
    assert {v: vertices[v]["text"] for v in vertices} == expected["nodes"]
    for vertex_id, vertex in vertices.items():
        assert vertex["shape"] == ("diamond" if vertex_id.startswith("q_") else "stadium")
    for outcome in tree.outcomes:
        assert f"flow_{outcome.grant}" in vertices[node_id(tree, outcome.id)]["classes"]
    edges = [(e["start"], e["end"], e["text"]) for e in parsed["edges"]]
    assert edges == expected["edges"]
    assert parsed["accTitle"] == " ".join(clean(tree.title).split())


@pytest.mark.parametrize("name", DIAGRAM_NAMES)
def test_mermaid_renders_the_diagram_as_intended(checked: dict[str, Any], name: str) -> None:
    render = checked["report"]["render"]
    if render is None:
        unavailable(
            "no Chromium found to render Mermaid to SVG (install 'chromium' or set "
            "GRANT_ADVISOR_CHROMIUM)"
        )
    if name not in render:
        pytest.fail(f"Chromium could not render: {render.get('error')}", pytrace=False)
    rendered = render[name]
    assert rendered["ok"], rendered.get("error")
    tree, _ = checked["diagrams"][name]
    expected = _expected(tree, "\n".join)
    nodes = rendered["nodes"]
    assert {n: nodes[n]["text"] for n in nodes} == expected["nodes"]
    assert all(node["visible"] for node in nodes.values())
    labels = Counter(edge["label"] for edge in rendered["edges"])
    assert labels == Counter(text for _, _, text in expected["edges"])
    # Nothing from the tree became markup: labels hold only Mermaid's own div/span/p/br.
    assert rendered["foreign"] == []
    assert rendered["scripts"] == 0
    assert rendered["title"] == " ".join(clean(tree.title).split())
    if name == "shipped-LR-path":
        assert any("on_path" in node["classes"] for node in nodes.values())


# -- sequence diagrams --------------------------------------------------------------------------


def _expected_messages(flow: Flow) -> list[dict[str, str]]:
    expected = []
    for step in flow.sequence:
        expected.append(
            {
                "kind": "response" if step.response else "request",
                "from": step.sender,
                "to": step.receiver,
                "text": "<br>".join(label_lines(step.message)),
            }
        )
        if step.note:
            text = "<br>".join(label_lines(step.note))
            expected.append(
                {"kind": "note", "from": step.sender, "to": step.receiver, "text": text}
            )
    return expected


@pytest.mark.parametrize("name", SEQUENCE_NAMES)
def test_mermaid_parses_the_sequence_diagram_as_intended(
    checked: dict[str, Any], name: str
) -> None:
    parsed = checked["report"]["parse"][name]
    assert parsed["ok"], parsed.get("error")
    flow = checked["sequences"][name]
    assert parsed["type"] == "sequence"
    assert parsed["participants"] == [
        {"id": p, "label": PARTICIPANTS[p], "kind": "actor" if p == "user" else "participant"}
        for p in participants(flow)
    ]
    assert parsed["messages"] == _expected_messages(flow)
    assert parsed["accTitle"] == " ".join(clean(flow.name).split())


@pytest.mark.parametrize("name", SEQUENCE_NAMES)
def test_mermaid_renders_the_sequence_diagram_as_intended(
    checked: dict[str, Any], name: str
) -> None:
    render = checked["report"]["render"]
    if render is None:
        unavailable(
            "no Chromium found to render Mermaid to SVG (install 'chromium' or set "
            "GRANT_ADVISOR_CHROMIUM)"
        )
    if name not in render:
        pytest.fail(f"Chromium could not render: {render.get('error')}", pytrace=False)
    rendered = render[name]
    assert rendered["ok"], rendered.get("error")
    flow = checked["sequences"][name]
    assert rendered["messages"] == [line for s in flow.sequence for line in label_lines(s.message)]
    notes = [line for s in flow.sequence if s.note for line in label_lines(s.note)]
    assert rendered["notes"] == notes
    assert rendered["arrows"] == len(flow.sequence)
    # Every participant is drawn at the top and at the bottom.
    assert sorted(rendered["actors"]) == sorted(2 * [PARTICIPANTS[p] for p in participants(flow)])
    # Text only: nothing from the tree became markup.
    assert not set(rendered["elements"]) & {"foreignObject", "script", "a", "image", "iframe"}
    assert rendered["scripts"] == 0
    assert rendered["title"] == " ".join(clean(flow.name).split())
