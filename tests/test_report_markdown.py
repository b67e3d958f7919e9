"""The recommendation as a Markdown report: golden files, structure that user values cannot
break, fences that survive backticks, and replay (the report regenerates itself).

Regenerate the golden files after an intended change with
``UPDATE_GOLDEN=1 pytest tests/test_report_markdown.py`` and review ``git diff tests/golden``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from advisor.cli import main
from advisor.exports.markdown import code_span, fenced
from advisor.session import Session
from advisor.tree.models import Tree
from support.golden import check_golden
from support.paths import DATA

ESCAPING = DATA / "trees" / "escaping.yaml"

WEB_APP = ["-a", "situation=person_present", "-a", "client_location=web_server",
           "-a", "web_sensitivity=one_api"]  # fmt: skip
PARAMS = [
    "--issuer", "https://login.example.org/tenant",
    "--client-id", "web-portal",
    "--scope", "openid profile",
    "--redirect-uri", "https://portal.example.org/callback",
]  # fmt: skip


def report(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main([*argv, "--format", "markdown"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


def test_golden_shipped_report(capsys: pytest.CaptureFixture[str]) -> None:
    check_golden("report-web_server_code.md", report(["ask", *WEB_APP, *PARAMS], capsys))


def test_golden_escaping_report(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--tree", str(ESCAPING), "ask", "-a", "end=o", "-a", "style=emoji"]
    check_golden("report-escaping.md", report(argv, capsys))


def _walks(tree: Tree) -> list[Session]:
    done, pending = [], [Session(tree)]
    while pending:
        session = pending.pop()
        question = session.current_question
        if question is None:
            done.append(session)
        else:
            pending += [session.answer(c.id) for c in question.choices]
    return done


def test_every_outcome_report_replays_to_itself(
    shipped_tree: Tree, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Replaying a report's recorded answers and parameters gives the same report."""
    seen: set[str] = set()
    for walk in _walks(shipped_tree):
        outcome = walk.outcome
        assert outcome is not None
        if outcome.id in seen:
            continue
        seen.add(outcome.id)
        answers = [f"--answer={q}={c}" for q, c in walk.answers]
        # No redirect URI: the loopback samples only take a 127.0.0.1 one.
        first = report(["ask", *answers, *PARAMS[:6], "--lang", "python"], capsys)
        saved = tmp_path / f"{outcome.id}.md"
        saved.write_text(first, encoding="utf-8")
        again = report(["ask", "--answers-file", str(saved), "--lang", "python"], capsys)
        assert again == first, outcome.id
    assert seen == {o.id for o in shipped_tree.outcomes}


HOSTILE_CLIENT_ID = "web`s ```` ## Heading [x](javascript:alert(1)) <img src=x onerror=y> | *b*"
HOSTILE_ISSUER = "https://login.example.org/a*b_c[d](e)<f>`g`#"


def test_user_values_cannot_break_the_structure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "ask", *WEB_APP,
        "--client-id", HOSTILE_CLIENT_ID,
        "--issuer", HOSTILE_ISSUER.rstrip("#"),
        "--lang", "python", "--lang", "curl",
    ]  # fmt: skip
    text = report(argv, capsys)
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    html = [t.content.strip() for t in tokens if t.type == "html_block"]
    assert html == ["<!-- grant-advisor:answers -->"]  # the only HTML: the replay marker
    inline = [c for t in tokens if t.children for c in t.children]
    assert not [c for c in inline if c.type == "html_inline"]
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert "Heading" not in " ".join(headings)
    links = [c.attrs.get("href") for c in inline if c.type == "link_open"]
    assert all(str(href).startswith("https://") for href in links), links
    fences = [t for t in tokens if t.type == "fence"]
    code = {t.info: t.content for t in fences}
    assert HOSTILE_CLIENT_ID in code["bash"] or "web`s" in code["bash"]
    assert any("```` ## Heading" in t.content for t in fences if t.info == "python")
    # The answers block still replays, hostile parameters included.
    saved = tmp_path / "report.md"
    saved.write_text(text, encoding="utf-8")
    again = report(
        ["ask", "--answers-file", str(saved), "--lang", "python", "--lang", "curl"], capsys
    )
    assert again == text


def test_fences_and_code_spans_outgrow_backticks() -> None:
    assert fenced("a ``` b", "py").startswith("````py\n")
    assert fenced("````` x").startswith("``````\n")
    assert fenced("plain").startswith("```\n")
    assert code_span("a`b") == "``a`b``"
    assert code_span("`x`") == "`` `x` ``"


def test_report_structure(capsys: pytest.CaptureFixture[str]) -> None:
    text = report(["ask", *WEB_APP, *PARAMS, "--lang", "python"], capsys)
    assert text.startswith("# ")
    assert "**Recommended flow:**" in text and "`grant_type=authorization_code`" in text
    for heading in (
        "## Answers given",
        "## Why",
        "## Security checklist",
        "## References",
        "## Sample code",
        "### python",
        "## Replay",
    ):
        assert f"\n{heading}\n" in text, heading
    assert "\n- [ ] " in text  # the checklist as task items
    assert "| 1 | What should your code do, and for whom? |" in text
    assert "](https://www.rfc-editor.org/rfc/rfc9700#section-" in text
    assert "\n```python\n" in text


def test_incomplete_walk_as_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    text = report(
        ["ask", "-a", "situation=person_present", "-a", "client_location=web_server"], capsys
    )
    assert text.startswith("# Next question: ")
    assert "`regulated`" in text
    assert "<!-- grant-advisor:answers -->" in text


def test_a_report_replays_its_library_flavours(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A report of samples built on Authlib and openid-client records the libraries, and
    replaying it builds them again (it replayed the dependency-free samples before); --lang
    on the replay leaves out the other language's library, and --library overrides."""
    argv = ["ask", *WEB_APP, *PARAMS, "--library", "authlib", "--library", "openid-client"]
    first = report(argv, capsys)
    assert 'libraries: [authlib, "openid-client"]' in first
    saved = tmp_path / "flavoured.md"
    saved.write_text(first, encoding="utf-8")
    again = report(["ask", "--answers-file", str(saved)], capsys)
    assert again == first
    python_only = report(["ask", "--answers-file", str(saved), "--lang", "python"], capsys)
    assert "### python (authlib)" in python_only and "openid-client" not in python_only
    plain = report(
        ["ask", "--answers-file", str(saved), "--lang", "javascript", "--library",
         "openid-client"],
        capsys,
    )  # fmt: skip
    assert "### javascript (openid-client)" in plain and "authlib" not in plain
    without = report(["ask", *WEB_APP, *PARAMS], capsys)
    assert "libraries:" not in without


@pytest.mark.parametrize("listed", ["[nosuchlib]", "authlib", "[1]"])
def test_a_recorded_library_that_is_not_one_is_one_line(
    listed: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "answers.yaml"
    saved.write_text(f"answers:\n  situation: own_service\nlibraries: {listed}\n", encoding="utf-8")
    assert main(["ask", "--answers-file", str(saved)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "libraries must be a list of" in err


def test_a_report_with_crlf_line_endings_replays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A report saved on Windows (or checked out with autocrlf) replays as it was written."""
    first = report(["ask", *WEB_APP, *PARAMS, "--library", "authlib"], capsys)
    saved = tmp_path / "crlf.md"
    saved.write_bytes(first.replace("\n", "\r\n").encode("utf-8"))
    assert report(["ask", "--answers-file", str(saved)], capsys) == first


def test_a_value_holding_the_replay_marker_does_not_hide_the_replay_block(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The replay block ends every report: a client id quoted earlier in the report (in the
    samples) that holds the marker's text is not taken for it."""
    from advisor.exports.markdown import ANSWERS_MARKER

    argv = ["ask", *WEB_APP, "--client-id", ANSWERS_MARKER, "--lang", "python"]
    first = report(argv, capsys)
    assert first.count(ANSWERS_MARKER) >= 2
    saved = tmp_path / "marker.md"
    saved.write_text(first, encoding="utf-8")
    assert report(["ask", "--answers-file", str(saved), "--lang", "python"], capsys) == first
