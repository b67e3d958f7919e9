"""``grant-advisor tree --format html`` without a browser: the document's shape, its policy,
its data block, determinism and a golden file.

The golden file is ``tests/golden/tree-small.html`` (the small tree, without samples so it
stays readable). After an intended change to the page (``advisor/exports/page/``) or to
``advisor/exports/html.py``, regenerate it with::

    UPDATE_GOLDEN=1 python -m pytest tests/test_html_export.py

``tests/test_html_page.py`` drives the same page in Chromium.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from advisor.cli import main
from advisor.exports.html import (
    PAGE_DIR,
    PARTICIPANT_NAMES,
    content_security_policy,
    csp_hash,
    page_data,
    script_json,
    tree_html,
)
from advisor.exports.sequence import PARTICIPANTS
from advisor.tree.loader import load_tree
from advisor.tree.models import Tree
from support.golden import GOLDEN, UPDATE
from support.paths import DATA, SMALL_TREE

ESCAPING_TREE = DATA / "trees" / "escaping.yaml"
_BLOCK = re.compile(r"<(script|style)([^>]*)>(.*?)</\1>", re.DOTALL)


def _blocks(page: str) -> list[tuple[str, str, str]]:
    return [(m[1], m[2], m[3]) for m in _BLOCK.finditer(page)]


def _policy(page: str) -> str:
    match = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert match
    return match[1].replace("&#x27;", "'")


def test_golden_small_tree(small_tree: Tree) -> None:
    page = tree_html(small_tree, samples=False)
    path = GOLDEN / "tree-small.html"
    if UPDATE:
        path.write_bytes(page.encode("utf-8"))
        return
    regenerate = "UPDATE_GOLDEN=1 python -m pytest tests/test_html_export.py"
    if not path.is_file():
        pytest.fail(f"golden file {path} is missing; create it with: {regenerate}")
    if page != path.read_bytes().decode("utf-8"):
        pytest.fail(f"the page differs from {path}; if intended, run: {regenerate}")


def test_output_is_deterministic(shipped_tree: Tree) -> None:
    first = tree_html(shipped_tree)
    assert first == tree_html(shipped_tree)
    assert first == tree_html(load_tree())


def test_one_style_one_script_and_one_data_block(shipped_tree: Tree) -> None:
    page = tree_html(shipped_tree)
    blocks = _blocks(page)
    assert [(tag, attrs) for tag, attrs, _ in blocks] == [
        ("style", ""),
        ("script", ' type="application/json" class="ga-data"'),
        ("script", ""),
    ]
    assert page.count("<script") == 2 and page.count("<style") == 1
    assert page.startswith('<!doctype html>\n<html lang="en">\n') and page.endswith("</html>\n")


def test_policy_allows_exactly_the_inline_blocks(shipped_tree: Tree) -> None:
    page = tree_html(shipped_tree)
    policy = _policy(page)
    directives = dict(d.split(" ", 1) for d in policy.split("; "))
    assert directives["default-src"] == "'none'"
    (style,) = [body for tag, attrs, body in _blocks(page) if tag == "style"]
    (script,) = [body for tag, attrs, body in _blocks(page) if tag == "script" and not attrs]
    assert directives["script-src"] == csp_hash(script)
    assert directives["style-src"] == csp_hash(style)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["img-src"] == "data:"
    assert policy == content_security_policy(script, style)


def test_csp_hash_is_base64_sha256() -> None:
    # printf 'alert(1)' | openssl dgst -sha256 -binary | base64
    assert csp_hash("alert(1)") == "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"


def test_no_network_reference(shipped_tree: Tree) -> None:
    page = tree_html(shipped_tree)
    without_data = _BLOCK.sub("", page)
    assert "http://" not in without_data and "https://" not in without_data
    code = (PAGE_DIR / "page.js").read_text(encoding="utf-8")
    css = (PAGE_DIR / "page.css").read_text(encoding="utf-8")
    for forbidden in ("fetch(", "XMLHttpRequest", "import(", "WebSocket", "sendBeacon", "@import"):
        assert forbidden not in code + css, forbidden
    assert "url(" not in css
    assert ".innerHTML" not in code and "insertAdjacentHTML" not in code
    assert "document.write" not in code and "eval(" not in code


def test_data_block_cannot_end_early_and_reads_back(tmp_path: Path) -> None:
    tree = load_tree(ESCAPING_TREE)
    page = tree_html(tree)
    (body,) = [b for tag, attrs, b in _blocks(page) if "application/json" in attrs]
    assert not set(body) & set("<>&\u2028\u2029")
    data = json.loads(body)
    assert data == json.loads(script_json(page_data(tree)))
    titles = {o["title"] for o in data["outcomes"]}
    assert '# Not a heading, and "quoted" <b>bold</b> #' in titles
    assert "\x1b" not in body and "\u202e" not in body  # terminal and bidi controls dropped


def test_script_json_escapes() -> None:
    text = script_json({"a": "</script><!-- & \u2028\u2029 é"})
    assert text == '{"a":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028\\u2029 é"}'
    assert json.loads(text) == {"a": "</script><!-- & \u2028\u2029 é"}


def test_title_is_escaped_in_the_document() -> None:
    page = tree_html(load_tree(ESCAPING_TREE), samples=False)
    title = re.search(r"<title>(.*)</title>", page)
    assert title
    assert "<script>" not in title[1] and "&lt;script&gt;" in title[1]
    assert page.count("<title>") == 1


def test_page_data_resolves_what_the_page_shows(shipped_tree: Tree) -> None:
    data = page_data(shipped_tree)
    assert data["start"] == shipped_tree.start
    assert [q["id"] for q in data["questions"]] == [q.id for q in shipped_tree.questions]
    assert data["questions"][0]["left"] == shipped_tree.questions_left(shipped_tree.start)
    outcome = next(o for o in data["outcomes"] if o["id"] == "cli_loopback")
    assert outcome["references"][0]["url"].startswith("https://")
    assert [s["language"] for s in outcome["samples"]] == ["curl", "python", "javascript"]
    programs = data["programs"]
    assert all(0 <= s["code"] < len(programs) for o in data["outcomes"] for s in o["samples"])
    assert len(programs) == len(set(programs))  # each distinct program once
    flow = next(f for f in data["flows"] if f["id"] == "device_code")
    assert flow["sequence"][0] == {
        "from": "client",
        "to": "auth_server",
        "message": "POST /device_authorization: client_id, scope",
        "response": False,
        "note": "The client is the app on the device without a usable browser",
    }
    assert dict(data["participants"]) == PARTICIPANT_NAMES


def test_participants_match_the_mermaid_export() -> None:
    assert PARTICIPANT_NAMES == PARTICIPANTS
    assert list(PARTICIPANT_NAMES) == list(PARTICIPANTS)


def test_shipped_page_size(shipped_tree: Tree) -> None:
    size = len(tree_html(shipped_tree).encode("utf-8"))
    without_samples = len(tree_html(shipped_tree, samples=False).encode("utf-8"))
    # The samples (every outcome, every language) are most of it; the rest grows with the tree
    # (about 260 kB of YAML for 39 outcomes since issue 13, which doubled it).
    assert without_samples < 400_000
    assert size < 900_000
    code = len((PAGE_DIR / "page.js").read_bytes()) + len((PAGE_DIR / "page.css").read_bytes())
    assert code < 40_000


# -- the command --------------------------------------------------------------------------------


def test_cli_tree_html(
    small_tree: Tree, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "advisor.html"
    assert main(["--tree", str(SMALL_TREE), "tree", "--format", "html", "-o", str(target)]) == 0
    assert capsys.readouterr().err == f"wrote {target}\n"
    assert target.read_bytes().decode("utf-8") == tree_html(small_tree)
    assert main(["--tree", str(SMALL_TREE), "tree", "-f", "html"]) == 0
    assert capsys.readouterr().out == tree_html(small_tree)


def test_cli_tree_html_with_custom_templates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = tmp_path / "tree.yaml"
    text = SMALL_TREE.read_text(encoding="utf-8").replace(
        '    references: [{source: rfc9700, section: "2.5"}]\n',
        '    references: [{source: rfc9700, section: "2.5"}]\n'
        "    sample: {template: ours, languages: [python]}\n",
    )
    tree.write_text(text, encoding="utf-8")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "ours.py.j2").write_text(
        "print({{ client_id | py }})  # </script><b>\n", encoding="utf-8"
    )
    code = main(["--tree", str(tree), "--templates", str(templates), "tree", "-f", "html"])
    assert code == 0
    page = capsys.readouterr().out
    (body,) = [b for tag, attrs, b in _blocks(page) if "application/json" in attrs]
    assert json.loads(body)["programs"] == ['print("YOUR_CLIENT_ID")  # </script><b>\n']
