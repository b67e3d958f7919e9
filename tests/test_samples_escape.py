"""Property tests of the per-language literal filters (advisor.samples.escape).

Each filter must turn any value into a literal that evaluates back to exactly that value in
its language. Python literals are checked in-process with ``ast.literal_eval``; JavaScript and
bash literals are evaluated by ``node`` and ``bash``, one process per batch of examples (a
hypothesis example is a list of strings), so the whole file runs in a few seconds.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from advisor.core.errors import ParameterError, TemplateError
from advisor.samples.escape import js, py, sh

# Everything, lone surrogates included (Python and JavaScript strings can hold them).
ANY_TEXT = st.text(st.characters(codec=None, categories=None))
# What bash can hold: no NUL (rejected, tested separately) and no lone surrogates (bash holds
# bytes; a lone surrogate has no UTF-8 form a user's value could arrive in).
BASH_TEXT = st.text(st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)))
NASTY = [
    "",
    "'",
    '"',
    "\\",
    "'\\''",
    "$HOME",
    "${IFS}",
    "$(touch /tmp/x)",
    "`id`",
    "a\nb",
    "a\r\nb",
    "\t",
    "</script><script>alert(1)</script>",
    "<!--",
    "\u2028\u2029",
    "\u202e evil",
    "é 日本 🔐",
    "\x7f\x1b[31m",
    "%s %d {{ x }} {% y %}",
    "\\u0041",
    "\\x41",
    "\\'",
]

PRINTABLE = {chr(c) for c in range(0x20, 0x7F)}


def _require(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        reason = f"{program} is not on PATH"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
        pytest.skip(reason)
    return path


# --- Python --------------------------------------------------------------------------------


@given(ANY_TEXT)
@example("")
@settings(max_examples=500)
def test_py_literal_round_trips(value: str) -> None:
    literal = py(value)
    assert ast.literal_eval(literal) == value
    assert set(literal) <= PRINTABLE, "the literal is printable ASCII on one line"
    assert isinstance(ast.parse(literal, mode="eval").body, ast.Constant)


@pytest.mark.parametrize("value", NASTY)
def test_py_nasty_values(value: str) -> None:
    assert ast.literal_eval(py(value)) == value


def test_py_non_strings() -> None:
    assert py(None) == "None"
    assert py(5) == "5"
    with pytest.raises(TemplateError, match="string, an integer or None"):
        py(True)
    with pytest.raises(TemplateError):
        py(["a"])  # type: ignore[arg-type]


# --- JavaScript ------------------------------------------------------------------------------


@given(ANY_TEXT)
@settings(max_examples=500)
def test_js_literal_is_json(value: str) -> None:
    literal = js(value)
    assert json.loads(literal) == value
    assert set(literal) <= PRINTABLE
    for forbidden in ("<", ">", "&", "\u2028", "\u2029"):
        assert forbidden not in literal


def _node_eval(literals: list[str], tmp_path: Path) -> list[str]:
    """Evaluates JavaScript literals in one node process; returns their values."""
    node = _require("node")
    module = tmp_path / "literals.mjs"
    body = ",\n".join(literals)
    module.write_text(
        f"const values = [\n{body}\n];\nprocess.stdout.write(JSON.stringify(values));\n",
        encoding="ascii",
    )
    result = subprocess.run(
        [node, str(module)], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr
    values: list[str] = json.loads(result.stdout)
    return values


@given(values=st.lists(ANY_TEXT, min_size=1, max_size=200))
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_js_literals_evaluate_in_node(values: list[str], tmp_path: Path) -> None:
    assert _node_eval([js(v) for v in values], tmp_path) == values


def test_js_nasty_values_in_node(tmp_path: Path) -> None:
    assert _node_eval([js(v) for v in NASTY], tmp_path) == NASTY


def test_js_non_strings() -> None:
    assert js(None) == "null"
    assert js(30) == "30"
    with pytest.raises(TemplateError):
        js(2**60)
    with pytest.raises(TemplateError):
        js(False)


# --- bash ------------------------------------------------------------------------------------


def _bash_eval(literals: list[str], tmp_path: Path) -> list[bytes]:
    """Expands bash words in one bash process; returns each one's bytes."""
    bash = _require("bash")
    script = tmp_path / "literals.sh"
    script.write_text(
        "".join(f"printf '%s\\0' {literal}\n" for literal in literals), encoding="ascii"
    )
    result = subprocess.run(
        [bash, str(script)], capture_output=True, timeout=30, check=False, env={"LC_ALL": "C"}
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split(b"\0")[:-1]


@given(values=st.lists(BASH_TEXT, min_size=1, max_size=200))
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_sh_literals_expand_in_bash(values: list[str], tmp_path: Path) -> None:
    literals = [sh(v) for v in values]
    for literal in literals:
        assert set(literal) <= PRINTABLE, "one printable ASCII line, no raw control character"
    assert _bash_eval(literals, tmp_path) == [v.encode("utf-8") for v in values]


def test_sh_nasty_values_in_bash(tmp_path: Path) -> None:
    assert _bash_eval([sh(v) for v in NASTY], tmp_path) == [v.encode() for v in NASTY]


def test_sh_rejects_nul() -> None:
    """A bash variable cannot hold NUL, so the value is refused rather than truncated."""
    with pytest.raises(ParameterError, match="NUL"):
        sh("a\0b")


def test_sh_non_strings() -> None:
    assert sh(None) == "''"
    assert sh(5) == "5"
    with pytest.raises(TemplateError):
        sh(True)


def test_sh_keeps_printable_values_readable() -> None:
    assert sh("https://auth.example.com/token") == "'https://auth.example.com/token'"
    assert sh("it's") == "'it'\\''s'"
    assert sh("a\nb") == "'a'$'\\x0a''b'"


@pytest.mark.parametrize("value", NASTY)
def test_no_invisible_characters_survive(value: str) -> None:
    """Bidi overrides, line separators and control characters always come out escaped."""
    for literal in (py(value), js(value), sh(value)):
        assert not any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in literal)
