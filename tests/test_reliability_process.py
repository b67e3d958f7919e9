"""Issue 15, kinds 5, 9 and 10: the process ends in one line and exit code 2, never a traceback.

Covers a closed stdout, a stdout whose writes fail (ENOSPC, simulated: no device file is
written), a stdout that cannot encode the text (``PYTHONIOENCODING=ascii``), the TUI started
without a terminal on stdin, non-string parameters in an answers file
(``answers_param_types_traceback.sh``) and a Markdown report made with ``--interval``.
"""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.cli import main
from support.paths import REPO, SMALL_TREE

SMALL = ["--tree", str(SMALL_TREE)]
"""The tests walk the small test tree: independent of the shipped tree's questions."""
CLIENT_CREDENTIALS = [*SMALL, "ask", "-a", "user_present=no"]


def _run(argv: list[str], *, stdin: int | None = None, env: dict[str, str] | None = None,
         close_stdout: bool = False) -> subprocess.CompletedProcess[bytes]:  # fmt: skip
    """``python -m advisor ARGV`` from this checkout, in a fresh process."""
    command = [sys.executable, "-m", "advisor", *argv]
    if close_stdout:  # the shell's `>&-`: file descriptor 1 is not open at all
        command = ["sh", "-c", 'exec "$@" >&-', "sh", *command]
    return subprocess.run(
        command,
        stdin=stdin,
        stdout=None if close_stdout else subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        cwd=REPO,
        timeout=60,
        check=False,
    )


def _one_error_line(result: subprocess.CompletedProcess[bytes]) -> str:
    err = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    assert err.count("\n") == 1 and err.startswith("grant-advisor: error: "), err
    return err


def test_a_closed_stdout_is_one_line_and_exit_2() -> None:
    result = _run([*CLIENT_CREDENTIALS, "--lang", "none"], close_stdout=True)
    assert result.returncode == 2
    assert "standard output is closed" in _one_error_line(result)


class _FullDisk(io.TextIOWrapper):
    """A stdout on a full disk: every write fails with ENOSPC."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8")

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_stdout_on_a_full_disk_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdout", _FullDisk())
    assert main([*CLIENT_CREDENTIALS, "--lang", "none"]) == 2
    err = capsys.readouterr().err
    assert err == "grant-advisor: error: cannot write to standard output: No space left on device\n"


@pytest.mark.parametrize("argv", [CLIENT_CREDENTIALS, ["ask"], ["validate"]])
def test_a_stdout_that_cannot_encode_degrades_to_escapes(argv: list[str]) -> None:
    result = _run(argv, env={"PYTHONIOENCODING": "ascii", "LC_ALL": "C"})
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b""
    result.stdout.decode("ascii")  # nothing but ASCII reached the stream
    if argv[0] == "ask" and len(argv) > 1:
        assert b"Recommended flow: Client Credentials" in result.stdout
        assert b"\\u" in result.stdout or b"\\x" in result.stdout  # escaped, not dropped


@pytest.mark.parametrize("stdin", ["closed", "devnull"])
def test_the_tui_without_a_terminal_is_one_line_and_exit_2(stdin: str, tmp_path: Path) -> None:
    if stdin == "devnull":
        result = _run([], stdin=subprocess.DEVNULL)
    else:  # the shell's `<&-`: file descriptor 0 is not open at all
        result = subprocess.run(
            ["sh", "-c", 'exec "$@" <&-', "sh", sys.executable, "-m", "advisor"],
            capture_output=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            cwd=REPO,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    expected = "it is closed" if stdin == "closed" else "it is a file or a pipe"
    err = _one_error_line(result)
    assert "needs a terminal on standard input" in err and expected in err
    assert result.stdout == b""


# -- answers files -----------------------------------------------------------------------------

A_WALK = "answers: {user_present: 'no'}"


@pytest.mark.parametrize(
    ("parameter", "words"),
    [
        ("issuer: 123", "issuer must be text, not 123"),
        ("client_id: [1, 2]", "client id must be text, not [1, 2]"),
        ("scopes: 5", "scopes must be text, not 5"),
        ("scopes: [1, 2]", "scopes must be text"),
        ("redirect_uri: {a: b}", "redirect uri must be text"),
        ("audience: 1.5", "audience must be text, not 1.5"),
        ("token_endpoint: true", "token endpoint must be text, not True"),
        ("client_auth: 7", "client auth must be text, not 7"),
        ("interval: [7]", "interval must be a whole number of seconds"),
        ("interval: true", "interval must be a whole number of seconds"),
    ],
)
def test_non_string_parameters_in_an_answers_file_are_one_line(
    parameter: str, words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """answers_param_types_traceback.sh."""
    answers = tmp_path / "answers.yaml"
    answers.write_text(f"{A_WALK}\nparameters: {{{parameter}}}\n", encoding="utf-8")
    assert main([*SMALL, "ask", "--answers-file", str(answers), "--lang", "none"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("grant-advisor: error: ")
    assert words in err


def test_a_report_made_with_interval_replays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "decision.md"
    walk = [*SMALL, "ask", "-a", "user_present=yes", "-a", "has_browser=no_browser"]
    assert main([*walk, "--interval", "7", "--format", "markdown", "-o", str(report)]) == 0
    assert "  interval: 7\n" in report.read_text(encoding="utf-8")  # a number, not text
    first = report.read_text(encoding="utf-8")
    assert main([*SMALL, "ask", "--answers-file", str(report), "--format", "markdown"]) == 0
    assert capsys.readouterr().out == first
    # A report written before the fix recorded the number as text: it replays too.
    report.write_text(first.replace("  interval: 7\n", '  interval: "7"\n'), encoding="utf-8")
    assert main([*SMALL, "ask", "--answers-file", str(report), "--format", "markdown"]) == 0
    assert capsys.readouterr().out == first
