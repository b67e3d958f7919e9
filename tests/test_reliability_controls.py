"""Issue 15, kinds 4 and 11: text from outside never reaches a terminal, or JSON, raw.

Bidi controls, C1 controls, U+2028/U+2029, invisible marks and lone surrogates from a tree or a
server are stripped from terminal, Markdown and Mermaid output and escaped in JSON; error
messages are cleaned centrally, whatever raised them (``scan_controls.py`` of the repro
scripts lists the same characters).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from advisor.cli import main
from advisor.core.errors import DiscoveryError
from advisor.core.termsafe import UNSAFE, clean, json_text, one_line
from support.paths import SMALL_TREE

# Every kind of character the issue names, plus whole escape sequences.
HOSTILE = (
    "a\u202eb\u2066c\u2069d\u200ee\u200ff\u061cg\u200bh\ufeffi\u2028j\u2029k"
    "\x85l\x9b2Jm\x9d0;t\x07n\x7fo\x1b]52;c;eA==\x07p\x1b[2Jq"
)
DANGEROUS = [
    "\u202e", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c", "\u200b", "\ufeff",
    "\u2028", "\u2029", "\x85", "\x9b", "\x9d", "\x07", "\x7f", "\x1b",
]  # fmt: skip


def _raw_controls(text: str) -> list[str]:
    return [c for c in DANGEROUS if c in text] + [c for c in text if 0xD800 <= ord(c) <= 0xDFFF]


def test_clean_drops_every_unsafe_character_and_keeps_the_text() -> None:
    cleaned = clean(HOSTILE + "\ud800")
    assert _raw_controls(cleaned) == []
    assert UNSAFE.search(cleaned) is None
    assert "52;c" not in cleaned and "2J" not in cleaned  # whole sequences go
    assert cleaned.replace("\n", "") == "abcdefghijklmnopq"
    assert "i\nj\nk" in cleaned  # a line separator still separates lines
    assert one_line("x\u2028y\tz\n") == "x y z"
    assert clean("tab\tand\nnewline, emoji 👩\u200d👧, word\u2060joiner") == (
        "tab\tand\nnewline, emoji 👩\u200d👧, word\u2060joiner"
    )


def test_json_text_escapes_what_json_dumps_leaves_raw() -> None:
    data = {"k": HOSTILE + "\ud800", "é": ["ok ✓"]}
    text = json_text(data)
    assert _raw_controls(text) == []
    assert json.loads(text) == data  # the escapes mean the same
    assert "ok ✓" in text and "é" in text  # other non-ASCII text stays readable
    text.encode("utf-8")  # a lone surrogate no longer makes it unwritable
    readable = {"k": HOSTILE}
    assert yaml.safe_load(json_text(readable)) == readable  # so it is valid YAML too


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _hostile_tree(tmp_path: Path) -> Path:
    tree = yaml.safe_load(SMALL_TREE.read_text(encoding="utf-8"))
    tree["title"] = "Title " + HOSTILE
    tree["questions"][0]["text"] = "Is a person " + HOSTILE + " signing in?"
    tree["outcomes"][2]["summary"] = "Use client " + HOSTILE + " credentials."
    tree["outcomes"][2]["security"] = ["Prefer " + HOSTILE]
    path = tmp_path / "hostile.yaml"
    path.write_text(json.dumps(tree), encoding="utf-8")  # escapes: YAML refuses raw controls
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ["ask", "--format", "json"],
        ["ask", "-a", "user_present=no", "--format", "json", "--lang", "none"],
        ["ask", "-a", "user_present=no", "--format", "text", "--lang", "none"],
        ["ask", "-a", "user_present=no", "--format", "markdown", "--lang", "none"],
        ["ask"],
        ["tree", "--format", "json"],
        ["tree", "--format", "markdown"],
        ["tree", "--format", "mermaid"],
        ["tree", "--format", "html"],
        ["validate"],
    ],
)
def test_tree_text_is_never_output_raw(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _hostile_tree(tmp_path)
    assert main(["--tree", str(path), *argv]) == 0
    out, err = capsys.readouterr()
    assert _raw_controls(out) == [], argv
    assert _raw_controls(err) == [], argv
    if argv[-2:] == ["--format", "json"] or argv == ["tree", "--format", "json"]:
        document = json.loads(out)  # escaped, not lost
        assert any(HOSTILE in text for text in _strings(document))


def test_validate_warns_about_each_kind_it_strips(tmp_path: Path) -> None:
    from advisor.tree.loader import load

    loaded = load(_hostile_tree(tmp_path))
    assert loaded.warnings
    assert all("escaped in JSON" in (w.hint or "") for w in loaded.warnings)
    for character in ("\u2028", "\u200f", "\ufeff", "\x85"):
        single = tmp_path / f"one-{ord(character):x}.yaml"
        tree = yaml.safe_load(SMALL_TREE.read_text(encoding="utf-8"))
        tree["title"] = f"x{character}y"
        single.write_text(json.dumps(tree), encoding="utf-8")
        assert [w.message for w in load(single).warnings] == [
            f"text contains control character U+{ord(character):04X}"
        ]


def test_error_messages_are_cleaned_centrally(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whatever raises it, an error reaches the terminal as one clean line."""

    def hostile_discovery(issuer: str) -> None:
        raise DiscoveryError("HTTP 404 Not Found" + HOSTILE + "\nsecond line\ud800")

    monkeypatch.setattr("advisor.cli._discover", hostile_discovery)
    argv = ["--tree", str(SMALL_TREE), "ask", "-a", "user_present=no"]
    assert main([*argv, "--issuer", "http://127.0.0.1:9", "--discover"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("grant-advisor: error: HTTP 404 Not Found")
    assert "second line" in err
    assert _raw_controls(err) == []
