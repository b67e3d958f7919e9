"""Whole-tree exports (Mermaid, Markdown reference, JSON) and the ``tree`` / ``schema`` commands.

Golden files live in ``tests/golden/``. After an intended change to an exporter (or to the
shipped tree), read the diff in the failure, then regenerate every golden file with::

    UPDATE_GOLDEN=1 pytest tests/test_tree_exports.py

and review ``git diff tests/golden`` before committing. The escaping tree
(``tests/data/trees/escaping.yaml``) holds every character that needs escaping somewhere;
``tests/test_mermaid.py`` checks the same diagrams with the real Mermaid library.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from advisor.cli import main
from advisor.exports.data import tree_data
from advisor.exports.mermaid import (
    choice_lines,
    mermaid_text,
    outcome_lines,
    question_lines,
    tree_mermaid,
    wrap_label,
)
from advisor.exports.reference import tree_reference
from advisor.tree.loader import load_tree, parse_tree
from advisor.tree.models import Tree
from advisor.tree.schema import schema_text
from support.golden import check_golden
from support.paths import DATA, SMALL_TREE

ESCAPING_TREE = DATA / "trees" / "escaping.yaml"


@pytest.fixture(scope="module")
def escaping_tree() -> Tree:
    return load_tree(ESCAPING_TREE)


def _tree(request: pytest.FixtureRequest, name: str) -> Tree:
    return {
        "shipped": lambda: request.getfixturevalue("shipped_tree"),
        "escaping": lambda: request.getfixturevalue("escaping_tree"),
    }[name]()


# -- golden files ----------------------------------------------------------------------------


@pytest.mark.parametrize("tree_name", ["shipped", "escaping"])
@pytest.mark.parametrize(
    ("fmt", "suffix"),
    [("mermaid-TD", "TD.mmd"), ("mermaid-LR", "LR.mmd"), ("markdown", "md"), ("json", "json")],
)
def test_golden(request: pytest.FixtureRequest, tree_name: str, fmt: str, suffix: str) -> None:
    tree = _tree(request, tree_name)
    if fmt.startswith("mermaid"):
        text = tree_mermaid(tree, direction=fmt.split("-")[1])
    elif fmt == "markdown":
        text = tree_reference(tree)
    else:
        # ASCII, unlike the command's output, so that no golden file holds raw control or
        # bidi characters (the escaping tree has both).
        text = json.dumps(tree_data(tree), indent=2, ensure_ascii=True) + "\n"
    check_golden(f"tree-{tree_name}.{suffix}", text)


@pytest.mark.parametrize("tree_name", ["shipped", "escaping"])
def test_exports_are_deterministic(request: pytest.FixtureRequest, tree_name: str) -> None:
    tree = _tree(request, tree_name)
    reloaded = load_tree(ESCAPING_TREE if tree_name == "escaping" else None)
    for export in (tree_mermaid, tree_reference, lambda t: json.dumps(tree_data(t))):
        assert export(tree).encode() == export(tree).encode() == export(reloaded).encode()


# -- Mermaid ---------------------------------------------------------------------------------

_QUESTION_LINE = re.compile(r'^  q_[a-z0-9_]+\{"[^"]*"\}$')
_OUTCOME_LINE = re.compile(r'^  o_[a-z0-9_]+\(\["[^"]*"\]\)$')
_EDGE_LINE = re.compile(r'^  q_[a-z0-9_]+ -->\|"[^"|]*"\| [qo]_[a-z0-9_]+$')


def _label_lines(diagram: str) -> list[str]:
    return [line for line in diagram.splitlines() if '"' in line]


def test_mermaid_labels_hold_nothing_mermaid_or_html_would_read(escaping_tree: Tree) -> None:
    diagram = tree_mermaid(escaping_tree)
    labels = _label_lines(diagram)
    assert len(labels) == 3 + 4 + 8  # questions, outcomes, choices
    for line in labels:
        assert _QUESTION_LINE.match(line) or _OUTCOME_LINE.match(line) or _EDGE_LINE.match(line)
        text = line[line.index('"') + 1 : line.rindex('"')]
        bare = re.sub(r"#\d+;", "", text.replace("<br>", ""))
        assert not set(bare) & set('"#;&<>`|%\\:'), line
        assert "\x1b" not in text and "\u202e" not in text and "\x9b" not in text
    assert "%%" not in diagram
    assert "\x1b" not in diagram


def test_mermaid_ids_are_prefixed_so_keywords_and_edge_letters_are_safe(
    escaping_tree: Tree,
) -> None:
    diagram = tree_mermaid(escaping_tree)
    # `end`, `style`, `graph` are questions, `o`, `x`, `subgraph`, `default` outcomes.
    for node in ("q_end", "q_style", "q_graph", "o_o", "o_x", "o_subgraph", "o_default"):
        assert re.search(rf"^  {node}[{{(]", diagram, re.MULTILINE), node
    assert "  q_end -->|" in diagram
    assert re.search(r"\| o_o$", diagram, re.MULTILINE)
    assert not re.search(r"-(?:--|->)\s*[ox][^_]", diagram)


def test_mermaid_shapes_edges_and_order(small_tree: Tree) -> None:
    diagram = tree_mermaid(small_tree)
    lines = diagram.splitlines()
    assert lines[0] == "flowchart TD"
    assert lines[1] == "  accTitle: Small test tree"
    assert lines[3:8] == [
        '  q_user_present{"Is a person signing in?"}',
        '  q_has_browser{"Does the device have a<br>browser?"}',
        '  o_code(["Authorization Code with PKCE<br>(Authorization Code)"])',
        '  o_device(["Device Authorization Grant<br>(Device Authorization)"])',
        '  o_m2m(["Client Credentials<br>(Client Credentials)"])',
    ]
    assert lines[8:12] == [
        '  q_user_present -->|"Yes, a person signs in"| q_has_browser',
        '  q_user_present -->|"No, a service acts on its<br>own"| o_m2m',
        '  q_has_browser -->|"It has a browser"| o_code',
        '  q_has_browser -->|"It has no browser"| o_device',
    ]
    assert "  class q_user_present start" in lines
    assert "  class o_code flow_authorization_code" in lines
    assert diagram.endswith("\n") and not diagram.endswith("\n\n")


def test_mermaid_direction(small_tree: Tree) -> None:
    top_down = tree_mermaid(small_tree).splitlines()
    left_right = tree_mermaid(small_tree, "LR").splitlines()
    assert left_right[0] == "flowchart LR"
    assert top_down[1:] == left_right[1:]
    with pytest.raises(ValueError, match="direction"):
        tree_mermaid(small_tree, "BT")


def test_mermaid_colours_every_flow_and_reads_on_dark_and_light(shipped_tree: Tree) -> None:
    diagram = tree_mermaid(shipped_tree)
    flows = {outcome.grant for outcome in shipped_tree.outcomes}
    for flow in flows:
        match = re.search(rf"^  classDef flow_{flow} (.+)$", diagram, re.MULTILINE)
        assert match, flow
        # Fill, stroke and text colour are set together, so the theme cannot leave
        # light text on a light fill.
        assert re.fullmatch(r"fill:#[0-9a-f]{6},stroke:#[0-9a-f]{6},color:#[0-9a-f]{6}", match[1])
    assert len(re.findall(r"^  classDef flow_", diagram, re.MULTILINE)) == len(flows)
    # Refresh tokens are never a grant: they show as a dashed border on their grant's colour.
    assert "flow_refresh_token" not in diagram
    with_refresh = [o for o in shipped_tree.outcomes if o.companions]
    assert with_refresh
    assert "  classDef with_refresh_token stroke-dasharray:6 3" in diagram
    members = re.search(r"^  class (\S+) with_refresh_token$", diagram, re.MULTILINE)
    assert members and set(members[1].split(",")) == {f"o_{o.id}" for o in with_refresh}


def test_mermaid_highlighted_path(small_tree: Tree) -> None:
    diagram = tree_mermaid(small_tree, path=("user_present", "has_browser", "device"))
    assert "  class q_user_present,q_has_browser,o_device on_path" in diagram
    # Edges are numbered in file order: user_present→has_browser is 0, has_browser→device 3.
    assert "  linkStyle 0,3 stroke:#d97706,stroke-width:4px" in diagram
    assert tree_mermaid(small_tree, path=()) == tree_mermaid(small_tree)
    with pytest.raises(ValueError, match="nowhere"):
        tree_mermaid(small_tree, path=("user_present", "nowhere"))


def test_wrap_label_wraps_truncates_and_cleans() -> None:
    assert wrap_label("short", 10, 3) == ["short"]
    assert wrap_label("one two three four", 9, 3) == ["one two", "three", "four"]
    assert wrap_label("one two three four five six", 9, 2) == ["one two", "three…"]
    cut = wrap_label("abcdefghij klmnopqrst uvw", 10, 1)
    assert cut == ["abcdefghi…"] and len(cut[0]) == 10
    assert wrap_label("a\nb\r\n\tc", 20, 2) == ["a b c"]
    assert wrap_label("\x1b[31mred\x1b[0m \u202eevil", 20, 2) == ["red evil"]
    assert wrap_label("\x1b[2J", 20, 2) == []


def test_mermaid_text_encodes_entities_and_defuses_placeholders() -> None:
    assert mermaid_text('a "b" #c; <d> & `e` | f % g \\ h: i') == (
        "a #34;b#34; #35;c#59; #60;d#62; #38; #96;e#96; #124; f #37; g #92; h#58; i"
    )
    # Mermaid's internal placeholders for entities would be decoded in the finished SVG.
    assert mermaid_text("ﬂ°°60¶ß") == "fl°°60¶\u2060ß"
    assert mermaid_text("emoji 🎉 שלום") == "emoji 🎉 שלום"


def test_label_lines_fall_back_to_ids_and_carry_the_flow(escaping_tree: Tree) -> None:
    graph = escaping_tree.question("graph")
    assert graph is not None
    assert question_lines(graph) == ["red link and terminal escapes"]
    outcome = escaping_tree.outcome("subgraph")
    assert outcome is not None
    assert outcome_lines(escaping_tree, outcome)[-1] == "(no OAuth flow)"
    question = escaping_tree.question("style")
    assert question is not None
    assert choice_lines(question.choices[1])[-1].endswith("…")


# -- Markdown reference --------------------------------------------------------------------


def _html(markdown: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).render(markdown)


@pytest.mark.parametrize("tree_name", ["shipped", "escaping"])
def test_reference_anchors_resolve(request: pytest.FixtureRequest, tree_name: str) -> None:
    tree = _tree(request, tree_name)
    html = _html(tree_reference(tree))
    ids = re.findall(r'<a id="([^"]+)"></a>', html)
    assert len(ids) == len(set(ids)), "duplicate anchors"
    expected = {
        *(f"q-{q.id}" for q in tree.questions),
        *(f"o-{o.id}" for o in tree.outcomes),
        *(f"flow-{f.id}" for f in tree.flows),
        *(f"source-{s.id}" for s in tree.sources),
        *("diagram", "questions", "outcomes", "flows", "sources"),
    }
    assert set(ids) == expected
    targets = set(re.findall(r'href="#([^"]+)"', html))
    assert targets <= set(ids), targets - set(ids)
    # Every question and outcome is linked from somewhere (its parent question at least).
    assert {f"q-{q.id}" for q in tree.questions} | {f"o-{o.id}" for o in tree.outcomes} <= targets


def test_reference_structure_survives_hostile_text(escaping_tree: Tree) -> None:
    markdown = tree_reference(escaping_tree)
    html = _html(markdown)
    tree = escaping_tree
    # Only the headings the reference makes: tree text never starts a block.
    assert html.count("<h1>") == 1
    assert html.count("<h2>") == 5
    assert html.count("<h3>") == len(tree.questions) + len(tree.outcomes) + len(tree.flows)
    assert html.count("<ol>") == len(tree.flows)  # the steps of each flow
    # The Mermaid flowchart, and a sequence diagram per flow that has a sequence.
    assert html.count("<pre>") == 1 + sum(1 for flow in tree.flows if flow.sequence)
    assert "<blockquote>" not in html
    assert "<hr />" not in html
    # No HTML from the tree: only the reference's own anchors, line breaks and code.
    tags = set(re.findall(r"<([a-z0-9]+)[\s>/]", html))
    assert tags <= {
        "h1",
        "h2",
        "h3",
        "p",
        "ul",
        "ol",
        "li",
        "a",
        "br",
        "code",
        "pre",
        "em",
        "strong",
    }
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert 'href="javascript:' not in html
    assert "\x1b" not in markdown and "\u202e" not in markdown and "\x9b" not in markdown
    # The heading that ends with "#" keeps it; the link definition stays visible text.
    assert (
        '<h3><a id="o-o"></a># Not a heading, and &quot;quoted&quot; &lt;b&gt;bold&lt;/b&gt; #</h3>'
        in (html)
    )
    assert "[ref]: https://example.com/not-a-definition" in html


def test_reference_content(small_tree: Tree) -> None:
    markdown = tree_reference(small_tree, direction="LR")
    assert markdown.startswith("# Small test tree\n")
    assert "```mermaid\nflowchart LR\n" in markdown
    assert markdown.count("```mermaid") == 1
    assert '### <a id="q-user_present"></a>Is a person signing in?' in markdown
    assert (
        "- `yes`: Yes, a person signs in → [Does the device have a browser?](#q-has_browser)"
        in markdown
    )
    assert "    - Note: A user is present." in markdown
    assert '### <a id="o-device"></a>Device Authorization Grant' in markdown
    assert "**Grant:** [Device Authorization](#flow-device_code) (`grant_type=urn:ietf:params:" in (
        markdown
    )
    assert "- [RFC 9700 §2.1.1](https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1)" in markdown
    assert (
        "**Try it:** `grant-advisor ask --answer user_present=yes --answer has_browser=no_browser`"
        in markdown
    )
    assert '- <a id="source-rfc8628"></a>[RFC 8628](https://www.rfc-editor.org/rfc/rfc8628)' in (
        markdown
    )
    assert "Recommended by: [Client Credentials](#o-m2m)" in markdown
    assert not re.search(r"[ \t]+$", markdown, re.MULTILINE), "no trailing whitespace"


# -- JSON --------------------------------------------------------------------------------------


@pytest.mark.parametrize("tree_name", ["shipped", "escaping"])
def test_tree_json_is_itself_a_valid_tree(request: pytest.FixtureRequest, tree_name: str) -> None:
    tree = _tree(request, tree_name)
    text = json.dumps(tree_data(tree), indent=2, ensure_ascii=False)
    # JSON escapes only C0 controls; YAML (which reads JSON files) forbids raw C1 controls too.
    text = re.sub("[\x7f-\x9f]", lambda m: f"\\u{ord(m[0]):04x}", text)
    reloaded = parse_tree(text, "tree.json").tree
    assert reloaded.model_dump() == tree.model_dump()


def test_tree_json_validates_against_the_schema(escaping_tree: Tree) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(schema_text())
    jsonschema.Draft202012Validator(schema).validate(tree_data(escaping_tree))


# -- the tree and schema commands ---------------------------------------------------------------

TREE = ["--tree", str(SMALL_TREE)]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("direction", ["TD", "LR"])
def test_cli_tree_mermaid(
    small_tree: Tree, direction: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([*TREE, "tree", "--format", "mermaid", "--direction", direction], capsys)
    assert (code, err) == (0, "")
    assert out == tree_mermaid(small_tree, direction)


def test_cli_tree_defaults_to_mermaid_top_down(
    small_tree: Tree, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["tree", *TREE], capsys)
    assert code == 0
    assert out == tree_mermaid(small_tree)


def test_cli_tree_markdown_and_json(small_tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([*TREE, "tree", "-f", "markdown", "--direction", "LR"], capsys)
    assert code == 0
    assert out == tree_reference(small_tree, "LR")
    code, out, _ = run([*TREE, "tree", "-f", "json"], capsys)
    assert code == 0
    assert json.loads(out) == tree_data(small_tree)


def test_cli_tree_output_is_written_atomically(
    small_tree: Tree, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "tree.mmd"
    code, out, err = run([*TREE, "tree", "-o", str(target)], capsys)
    assert code == 0
    assert out == ""
    assert err == f"wrote {target}\n"
    assert target.read_text(encoding="utf-8") == tree_mermaid(small_tree)
    assert [p.name for p in tmp_path.iterdir()] == ["tree.mmd"]  # no temporary file left


def test_cli_tree_refuses_to_overwrite_without_force(
    small_tree: Tree, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "tree.md"
    target.write_text("keep me\n", encoding="utf-8")
    code, out, err = run([*TREE, "tree", "-f", "markdown", "-o", str(target)], capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "already exists" in err and "--force" in err
    assert target.read_text(encoding="utf-8") == "keep me\n"
    code, _, _ = run([*TREE, "tree", "-f", "markdown", "-o", str(target), "--force"], capsys)
    assert code == 0
    assert target.read_text(encoding="utf-8") == tree_reference(small_tree)


def test_cli_tree_unwritable_path_leaves_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    # /proc refuses new files, even for root.
    target = Path("/proc/grant-advisor-tree.mmd")
    code, out, err = run([*TREE, "tree", "-o", str(target)], capsys)
    assert code == 2
    assert out == ""
    assert err.startswith("grant-advisor: error: /proc/grant-advisor-tree.mmd: ")
    assert err.count("\n") == 1
    assert not target.exists()
    assert not list(Path("/proc").glob(".grant-advisor-tree.mmd.*"))


def test_cli_tree_rejects_unknown_format_and_direction(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run([*TREE, "tree", "--format", "svg"], capsys)
    assert code == 2
    assert "invalid choice: 'svg'" in err
    code, _, err = run([*TREE, "tree", "--direction", "BT"], capsys)
    assert code == 2
    assert "invalid choice: 'BT'" in err


def test_cli_tree_with_a_broken_tree_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    broken = sorted((DATA / "broken").glob("*.yaml"))[0]
    code, out, err = run(["--tree", str(broken), "tree"], capsys)
    assert code == 2
    assert out == ""
    assert err.startswith("grant-advisor: error: ")


def test_cli_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["schema"], capsys)
    assert (code, err) == (0, "")
    assert out == schema_text()


def test_cli_schema_output_and_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "schema.json"
    code, _, _ = run(["schema", "-o", str(target)], capsys)
    assert code == 0
    assert target.read_text(encoding="utf-8") == schema_text()
    code, _, err = run(["schema", "-o", str(target)], capsys)
    assert code == 2
    assert err.count("\n") == 1 and "--force" in err
    code, _, _ = run(["schema", "-o", str(target), "--force"], capsys)
    assert code == 0


def test_escaping_tree_covers_what_it_claims(escaping_tree: Tree) -> None:
    text = ESCAPING_TREE.read_text(encoding="utf-8")
    for needle in (
        '\\"',
        "[",
        "#",
        ";",
        "|",
        "<script>",
        "&amp;",
        "`",
        "%%",
        "-->",
        "\\e[31m",
        "\\n",
        "🎉",
        "שלום",
        "\\u202e",
    ):
        assert needle in text, needle
    ids = Counter(node.id for node in (*escaping_tree.questions, *escaping_tree.outcomes))
    assert {"end", "o", "x", "style", "graph", "subgraph", "default"} <= set(ids)
