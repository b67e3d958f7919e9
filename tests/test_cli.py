"""The command line, in-process (argv in, stdout/stderr and exit code out)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from advisor import __version__
from advisor.cli import main
from support.paths import SMALL_TREE
from support.walks import sessions_to_outcomes

TREE = ["--tree", str(SMALL_TREE)]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--version"], capsys)
    assert code == 0
    assert out.strip() == f"grant-advisor {__version__}"


def test_ask_without_answers_prints_the_first_question(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run([*TREE, "ask"], capsys)
    assert code == 0
    assert err == ""
    assert "Is a person signing in?" in out
    assert "  yes  Yes, a person signs in" in out
    assert "grant-advisor ask --answer user_present=CHOICE" in out


def test_ask_incomplete_prints_the_command_to_continue(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run([*TREE, "ask", "-a", "user_present=yes"], capsys)
    assert code == 0
    assert "Question 2 of at most 2: Does the device have a browser?" in out
    assert "--answer user_present=yes --answer has_browser=CHOICE" in out


def test_ask_json_question_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([*TREE, "ask", "-a", "user_present=yes", "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["status"] == "question"
    assert data["question"]["id"] == "has_browser"
    assert data["question"]["text"] == "Does the device have a browser?"
    assert data["question"]["help"].startswith("Redirect-based")
    assert [c["id"] for c in data["question"]["choices"]] == ["browser", "no_browser"]
    assert data["answers"][0]["question"] == "user_present"
    assert data["answers"][0]["choice"] == "yes"


def test_ask_json_recommendation_shape(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [*TREE, "ask", "-a", "user_present=yes", "-a", "has_browser=no_browser", "-f", "json"]
    code, out, _ = run(argv, capsys)
    assert code == 0
    data = json.loads(out)
    assert data["status"] == "recommendation"
    rec = data["recommendation"]
    assert rec["id"] == "device"
    assert rec["flow"] == "device_code"
    assert rec["grant_type"] == "urn:ietf:params:oauth:grant-type:device_code"
    for key in ("title", "summary", "rationale", "security", "avoid", "references", "notes"):
        assert key in rec
    assert rec["notes"] == ["A user is present.", "Mind device-code phishing."]
    assert rec["references"][0]["url"] == "https://www.rfc-editor.org/rfc/rfc8628"
    assert len(data["answers"]) == 2


def test_ask_text_recommendation(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([*TREE, "ask", "-a", "user_present=no"], capsys)
    assert code == 0
    assert out.startswith("Recommended flow: Client Credentials (grant_type=client_credentials)")
    assert "[ ] Prefer private_key_jwt." in out
    assert "RFC 9700 §2.5 <https://www.rfc-editor.org/rfc/rfc9700#section-2.5>" in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["-a", "user_present=maybe"], "'maybe' is not a choice of question 'user_present'"),
        (["-a", "usr_present=yes"], "unknown question 'usr_present': did you mean"),
        (["-a", "user_present=no", "-a", "has_browser=browser"], "is not on the path"),
        (["-a", "user_present"], "expected QUESTION=CHOICE"),
        (["--answers-file", "/nonexistent/answers.yaml"], "no such file"),
    ],
)
def test_ask_bad_input_is_one_line_and_exit_2(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([*TREE, "ask", *argv], capsys)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("grant-advisor: error: ")
    assert words in err


def test_missing_tree_file_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["--tree", "/nonexistent/tree.yaml", "ask"], capsys)
    assert code == 2
    assert err.strip() == "grant-advisor: error: /nonexistent/tree.yaml: no such file"


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["ask", "--format", "yaml"], capsys)
    assert code == 2
    assert "invalid choice: 'yaml'" in err


def test_validate_good_tree(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["validate", str(SMALL_TREE)], capsys)
    assert code == 0
    assert out.strip() == (f"{SMALL_TREE}: valid: 2 questions, 3 outcomes, 3 flows, 2 sources")


def test_validate_uses_global_tree_flag(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([*TREE, "validate"], capsys)
    assert code == 0
    assert str(SMALL_TREE) in out


def test_validate_unreadable_path_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["validate", str(tmp_path)], capsys)
    assert code == 2
    assert "is a directory" in err


def test_answers_file_yaml_mapping(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("user_present: 'yes'\nhas_browser: browser\n")
    code, out, _ = run([*TREE, "ask", "--answers-file", str(answers), "-f", "json"], capsys)
    assert code == 0
    assert json.loads(out)["recommendation"]["id"] == "code"


def test_answers_file_accepts_ask_json_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run([*TREE, "ask", "-a", "user_present=yes", "-f", "json"], capsys)
    saved = tmp_path / "partial.json"
    saved.write_text(out)
    code, out, _ = run(
        [*TREE, "ask", "--answers-file", str(saved), "-a", "has_browser=browser", "-f", "json"],
        capsys,
    )
    assert code == 0
    assert json.loads(out)["recommendation"]["id"] == "code"


def test_flag_overrides_answers_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"user_present": "yes", "has_browser": "browser"}))
    argv = [*TREE, "ask", "--answers-file", str(answers), "-a", "has_browser=no_browser"]
    code, out, _ = run([*argv, "-f", "json"], capsys)
    assert code == 0
    assert json.loads(out)["recommendation"]["id"] == "device"


def test_output_file_is_written_and_not_overwritten_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "rec.json"
    argv = [*TREE, "ask", "-a", "user_present=no", "-f", "json", "-o", str(target)]
    code, out, err = run(argv, capsys)
    assert code == 0
    assert out == ""
    assert err.strip() == f"wrote {target}"
    assert json.loads(target.read_text())["recommendation"]["id"] == "m2m"
    target.write_text("keep me")
    code, _, err = run(argv, capsys)
    assert code == 2
    assert "already exists; pass --force" in err
    assert target.read_text() == "keep me"
    code, _, _ = run([*argv, "--force"], capsys)
    assert code == 0
    assert json.loads(target.read_text())["recommendation"]["id"] == "m2m"


def test_output_to_missing_folder_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "rec.md"
    code, _, err = run([*TREE, "ask", "-a", "user_present=no", "-o", str(target)], capsys)
    assert code == 2
    assert "does not exist" in err
    assert not target.parent.exists()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_output_to_unwritable_folder_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    # /proc refuses new files even for root, unlike a chmod-ed folder.
    target = Path("/proc/grant-advisor-report.md")
    code, _, err = run([*TREE, "ask", "-a", "user_present=no", "-o", str(target)], capsys)
    assert code == 2
    assert err.startswith(f"grant-advisor: error: {target}: cannot write here")
    assert len(err.strip().splitlines()) == 1
    assert not target.exists()


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "advisor", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"grant-advisor {__version__}"


def test_installed_console_script() -> None:
    script = shutil.which("grant-advisor")
    if script is None:
        if os.environ.get("CI"):
            pytest.fail("the grant-advisor console script is not installed")
        pytest.skip("grant-advisor is not installed (pip install -e .)")
    result = subprocess.run(
        [script, *TREE, "ask", "-a", "user_present=no", "-f", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["recommendation"]["flow"] == "client_credentials"


def test_asking_for_a_language_the_outcome_lacks_is_a_note_not_an_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["ask", "-a", "situation=legacy", "-a", "legacy_which=implicit",
            "--lang", "python", "--lang", "javascript", "-f", "json"]  # fmt: skip
    assert main(argv) == 0
    rec = json.loads(capsys.readouterr().out)["recommendation"]
    assert list(rec["samples"]) == ["javascript"]
    assert "no python sample for this recommendation; it has javascript" in rec["assumptions"]


def _walks_to_every_outcome() -> dict[str, list[tuple[str, str]]]:
    """One answer sequence per outcome of the shipped tree (breadth first: the shortest)."""
    from advisor.tree.loader import load_tree

    walks = sessions_to_outcomes(load_tree())
    return {outcome: list(session.answers) for outcome, session in walks.items()}


def test_text_output_never_breaks_a_link(capsys: pytest.CaptureFixture[str]) -> None:
    """Wrapping the text output must not split a URL at a hyphen (``rfc-`` / ``editor.org``)
    or anywhere else: each reference's link appears whole, on one line, for every outcome."""
    walks = _walks_to_every_outcome()
    assert len(walks) >= 20
    for outcome, answers in walks.items():
        argv = ["ask", *(f"--answer={q}={c}" for q, c in answers), "--lang", "none"]
        code, out, _ = run(argv, capsys)
        assert code == 0, outcome
        data = json.loads(run([*argv, "--format", "json"], capsys)[1])
        urls = [ref["url"] for ref in data["recommendation"]["references"]]
        assert urls, outcome
        for url in urls:
            assert f"<{url}>" in out, f"{outcome}: {url} is broken across lines"


def test_every_format_flag_and_answers_file_have_help() -> None:
    import argparse

    from advisor.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    seen = 0
    for name, command in commands.items():
        for action in command._actions:
            if "--format" in action.option_strings:
                seen += 1
                assert action.help, f"{name} --format has no help"
    assert seen == 3  # ask, tree, check-server
    answers = next(a for a in commands["ask"]._actions if "--answers-file" in a.option_strings)
    assert answers.help is not None and "Markdown report" in answers.help
