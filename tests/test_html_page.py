"""The HTML page (``grant-advisor tree --format html``) in a real browser.

One Node process (``tests/html/check.mjs``) drives headless Chromium with ``playwright-core``
over pages generated here, served from a fake origin (every other request is refused and
recorded):

- walks to every outcome of the shipped tree with the keyboard only (Tab to the choices, arrow
  keys, Enter or Space), checking after each answer that focus is on the new step's heading and
  that it reads as the tree says, ending at each recommendation's title;
- opens deep links (valid, invalid, an ordinary anchor, a hostile one), uses the browser's back
  and forward buttons, the page's Back, Start again and the answers list;
- checks that the page's Content Security Policy is in force and that nothing violates it;
- walks every path of two hostile trees by clicking: tree text never becomes markup, no
  script runs, no dialog opens;
- checks the layout at 360 and 1280 px, dark mode and reduced motion;
- pastes a page into a host page with its own styles, landmark and anchors: the walk works,
  the host's styles are untouched and its anchors leave the walk alone;
- runs axe-core (``tests/package.json``) on a question and a recommendation, light and dark.
  axe is injected with ``page.addScriptTag({content})`` in a second browser context created
  with ``bypassCSP: true``: the page's policy allows its own script alone (by hash), so the
  test relaxes it there, and only there.

Setup as for ``tests/test_mermaid.py``: ``npm ci --prefix tests`` and a Chromium. Without them
these tests skip with the reason, except when ``CI`` is set: then they fail.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import deque
from typing import Any

import pytest

from advisor.core.termsafe import clean
from advisor.exports.html import tree_html
from advisor.tree.loader import load_tree
from advisor.tree.models import Tree
from support.paths import DATA, SMALL_TREE, TESTS
from support.tools import chromium as find_chromium
from support.tools import unavailable

CHECK_SCRIPT = TESTS / "html" / "check.mjs"
AXE = TESTS / "node_modules" / "axe-core" / "axe.min.js"
TIMEOUT = 300  # seconds for the whole run; it normally takes about 20
HOSTILE = {
    "escaping": DATA / "trees" / "escaping.yaml",
    "control": DATA / "hostile" / "control_sequences.yaml",
}
# Elements the page itself makes; tree text must never add another.
PAGE_ELEMENTS = {
    "a", "button", "code", "details", "div", "em", "h1", "h2", "h3", "h4",
    "li", "nav", "noscript", "ol", "p", "pre", "script", "section", "span", "strong",
    "summary", "ul",
    # the sequence diagram
    "defs", "g", "line", "marker", "path", "rect", "svg", "text", "title", "tspan",
}  # fmt: skip


def shortest_walks(tree: Tree) -> dict[str, list[tuple[str, int]]]:
    """Outcome id → the fewest answers (question id, choice index) that reach it."""
    found: dict[str, list[tuple[str, int]]] = {tree.start: []}
    queue: deque[str] = deque([tree.start])
    while queue:
        question = tree.question(queue.popleft())
        if question is None:
            continue
        for index, choice in enumerate(question.choices):
            if choice.next not in found:
                found[choice.next] = [*found[question.id], (question.id, index)]
                queue.append(choice.next)
    return {o.id: found[o.id] for o in tree.outcomes if o.id in found}


def _heading(tree: Tree, node_id: str) -> str:
    question = tree.question(node_id)
    if question is not None:
        return clean(question.text)
    outcome = tree.outcome(node_id)
    assert outcome is not None
    return clean(outcome.title)


@pytest.fixture(scope="module")
def browser_report(shipped_tree: Tree, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        unavailable("Node.js is not installed (needed to drive the browser)")
    if not (TESTS / "node_modules" / "playwright-core").is_dir() or not AXE.is_file():
        unavailable("tests/node_modules is missing: run 'npm ci --prefix tests'")
    chromium = find_chromium()
    if chromium is None:
        unavailable("no Chromium found (install 'chromium' or set GRANT_ADVISOR_CHROMIUM)")
    folder = tmp_path_factory.mktemp("html")
    pages: dict[str, str] = {}
    trees = {"shipped": shipped_tree, **{k: load_tree(v) for k, v in HOSTILE.items()}}
    for name, tree in trees.items():
        path = folder / f"{name}.html"
        path.write_bytes(tree_html(tree).encode("utf-8"))
        pages[name] = str(path)
    # The small tree's page pasted into a host page that has its own styles, landmark and
    # anchors (its meta policy is then ignored, as it is outside <head>).
    host = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>'
        "<style>body { margin: 7px; } h1 { color: rgb(1, 2, 3); font-size: 41px; }</style>"
        '</head><body><main><h1 id="host-title">Host docs</h1>'
        '<p><a id="host-anchor" href="#host-title">an anchor of the host</a></p>'
        f"{tree_html(load_tree(SMALL_TREE), samples=False)}</main></body></html>"
    )
    (folder / "pasted.html").write_text(host, encoding="utf-8")
    pages["pasted"] = str(folder / "pasted.html")
    walks = []
    for outcome_id, answers in shortest_walks(shipped_tree).items():
        ids = [(q, shipped_tree.question(q).choices[i].id) for q, i in answers]  # type: ignore[union-attr]
        walks.append(
            {
                "outcome": outcome_id,
                "answers": answers,
                "fragment": "&".join(f"{q}={c}" for q, c in ids),
            }
        )
    request = {
        "chromium": chromium,
        "axe": str(AXE),
        "pages": pages,
        "walks": walks,
        "hostile": list(HOSTILE),
    }
    try:
        result = subprocess.run(
            [node, str(CHECK_SCRIPT)],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            cwd=CHECK_SCRIPT.parent,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"check.mjs took longer than {TIMEOUT} s")
    if result.returncode != 0:
        pytest.fail(f"check.mjs exited with {result.returncode}:\n{result.stderr[-3000:]}")
    report: dict[str, Any] = json.loads(result.stdout)
    if report.get("error"):
        pytest.fail(f"check.mjs could not drive Chromium: {report['error']}", pytrace=False)
    report["request"] = request
    report["trees"] = trees
    return report


def test_the_page_makes_no_request_and_raises_no_error(browser_report: dict[str, Any]) -> None:
    assert browser_report["requests"] == []
    assert browser_report["errors"] == []
    assert browser_report["dialogs"] == []
    # Pasted outside <head>, the page's meta policy is ignored, and Chromium says so.
    ignored = "was delivered via a <meta> element outside the document's <head>"
    assert [m for m in browser_report["console"] if ignored not in m] == []
    assert [m.split(":")[0] for m in browser_report["console"] if ignored in m] == ["pasted"]


def test_keyboard_walks_reach_every_outcome(
    browser_report: dict[str, Any], shipped_tree: Tree
) -> None:
    walks = browser_report["walks"]["results"]
    requested = browser_report["request"]["walks"]
    assert len(walks) == len(requested) == len(shipped_tree.outcomes)
    for walk, asked in zip(walks, requested, strict=True):
        assert walk["ok"], (asked["outcome"], walk.get("error"))
        node = shipped_tree.start
        for step, (question_id, index) in zip(walk["steps"], asked["answers"], strict=True):
            question = shipped_tree.question(question_id)
            assert question is not None and question.id == node
            choice = question.choices[index]
            assert step["chosen"] == choice.id
            assert step["outline"] != "none", "the focused choice shows a focus outline"
            node = choice.next
            assert step["heading"] == _heading(shipped_tree, node)
            assert step["focusIsHeading"], "focus moves to the new step's heading"
        outcome = shipped_tree.outcome(asked["outcome"])
        assert outcome is not None
        assert walk["final"]["heading"] == clean(outcome.title)
        assert walk["final"]["hash"] == "#" + asked["fragment"]
        assert walk["final"]["progress"] == "Recommendation"
        assert len(walk["final"]["path"]) == len(asked["answers"])


def test_no_content_security_policy_violation(browser_report: dict[str, Any]) -> None:
    assert browser_report["walks"]["violations"] == []
    for name, result in browser_report["hostile"].items():
        assert result["violations"] == [], name
    # ... and the policy is in force: a script added to the page does not run.
    history = browser_report["history"]
    assert history["injectedRan"] is False
    assert history["injectedViolations"] >= 1
    assert len(browser_report["expectedConsole"]) == 1
    assert "Content Security Policy" in browser_report["expectedConsole"][0]


def test_deep_links(browser_report: dict[str, Any], shipped_tree: Tree) -> None:
    history = browser_report["history"]
    walk = [w for w in browser_report["request"]["walks"] if len(w["answers"]) >= 2][-1]
    outcome = shipped_tree.outcome(walk["outcome"])
    assert outcome is not None
    assert history["deepLink"]["heading"] == clean(outcome.title)
    assert len(history["deepLink"]["path"]) == len(walk["answers"])
    assert history["deepLink"]["notice"] is None
    if outcome.sample is not None:
        assert history["samples"] == len(outcome.sample.languages)
        assert history["copied"] == history["shownCode"] != ""
        assert history["copyLabel"] == "Copied"
    start = clean(shipped_tree.question(shipped_tree.start).text)  # type: ignore[union-attr]
    invalid = history["invalid"]
    assert invalid["heading"] == start
    assert invalid["notice"].startswith("Part of this link was ignored: ")
    assert "no_such_choice" in invalid["notice"] and "nonsense" in invalid["notice"]
    assert history["anchor"]["heading"] == start
    assert history["anchor"]["notice"] is None  # an anchor of a host page is not ours
    hostile = history["hostileFragment"]
    assert "<img src=x onerror=alert(1)>" in hostile["notice"]
    assert history["hostileFragmentTags"] == 0


def test_back_and_forward(browser_report: dict[str, Any], shipped_tree: Tree) -> None:
    history = browser_report["history"]
    walk = [w for w in browser_report["request"]["walks"] if len(w["answers"]) >= 2][-1]
    (q1, _), (q2, i2) = walk["answers"][:2]
    first = shipped_tree.question(q1)
    second = shipped_tree.question(q2)
    assert first is not None and second is not None
    after_second = _heading(shipped_tree, second.choices[i2].next)
    assert history["first"]["heading"] == clean(second.text)
    assert history["second"]["heading"] == after_second
    assert history["back1"]["heading"] == clean(second.text)
    assert history["back1"]["focusIsHeading"]
    assert history["back2"]["heading"] == clean(first.text)
    assert history["back2"]["hash"] == ""
    assert history["forward"]["heading"] == clean(second.text)
    assert history["forward2"]["heading"] == after_second
    assert history["backButton"]["heading"] == clean(second.text)
    assert history["revisit"]["heading"] == clean(first.text)
    assert history["revisit"]["path"] == []
    assert history["restart"]["heading"] == clean(first.text)
    assert history["restart"]["hash"] == ""
    assert history["second"]["live"]  # the step change is announced


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_trees_render_inert(browser_report: dict[str, Any], name: str) -> None:
    tree: Tree = browser_report["trees"][name]
    result = browser_report["hostile"][name]
    reached = {step["heading"] for step in result["steps"]}
    expected = {clean(q.text) for q in tree.questions} | {clean(o.title) for o in tree.outcomes}
    assert reached == expected
    for step in result["steps"]:
        assert set(step["tags"]) <= PAGE_ELEMENTS, set(step["tags"]) - PAGE_ELEMENTS
        assert step["scripts"] == 2  # the data block and the page's script
        assert not step["pwned"]
        assert all(link is None or link.startswith("https://") for link in step["links"])
    if name == "escaping":
        shown = "".join(step["text"] for step in result["steps"])
        assert "<script>alert(1)</script>" in shown
        assert "<img src=x onerror=alert(1)>" in shown
    assert browser_report["dialogs"] == []


def test_layout_widths_dark_mode_and_reduced_motion(browser_report: dict[str, Any]) -> None:
    layout = browser_report["layout"]
    for key in ("question-360", "recommendation-360", "question-1280", "recommendation-1280"):
        assert layout[key]["scrollWidth"] <= layout[key]["clientWidth"], key
    assert layout["dark"]["background"] != layout["light"]["background"]
    assert layout["dark"]["animation"] == "none"
    assert layout["light"]["animation"] == "ga-enter"


def test_axe_finds_no_serious_or_critical_violation(browser_report: dict[str, Any]) -> None:
    found = {
        name: [v for v in violations if v["impact"] in ("serious", "critical")]
        for name, violations in browser_report["axe"].items()
    }
    assert len(found) == 4
    assert found == {name: [] for name in found}
    # With axe pinned, the moderate and minor rules pass too.
    assert browser_report["axe"] == {name: [] for name in found}


def test_pasted_into_a_host_page(browser_report: dict[str, Any], small_tree: Tree) -> None:
    pasted = browser_report["pasted"]
    assert pasted["role"] == "region"  # the host has the main landmark
    first = small_tree.question(small_tree.start)
    assert first is not None
    assert pasted["answered"]["heading"] == _heading(small_tree, first.choices[0].next)
    assert pasted["answered"]["hash"] == f"#{first.id}={first.choices[0].id}"
    # The host's own anchor leaves the walk where it was; the host's styles are untouched.
    assert pasted["afterAnchor"]["heading"] == pasted["answered"]["heading"]
    assert pasted["afterAnchor"]["hash"] == "#host-title"
    assert pasted["before"] == pasted["after"] == "rgb(1, 2, 3) 41px 7px"
