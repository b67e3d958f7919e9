"""Kinds of failure an adversarial review found after the reliability work, one test each:
file names that are folders or streams in disguise, output names and argument errors that
must stay one clean line, unusable endpoints that must be named, answers-file errors that must
say why, and characters that hide text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from advisor.cli import main
from advisor.core.errors import ExportError
from advisor.core.termsafe import clean, json_text
from advisor.exports.files import write_atomic
from support.metadata_stub import MetadataStub


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def stub() -> Iterator[MetadataStub]:
    with MetadataStub() as server:
        yield server


def test_a_path_ending_with_a_slash_is_refused_not_made_a_file(tmp_path: Path) -> None:
    for name in (f"{tmp_path}/new/", f"{tmp_path}/existing.txt/"):
        (tmp_path / "existing.txt").write_text("keep")
        with pytest.raises(ExportError, match="names a folder"):
            write_atomic(name, "x", force=True)
    assert (tmp_path / "existing.txt").read_text() == "keep"
    assert not (tmp_path / "new").exists()


def test_a_doubled_leading_slash_still_names_the_stream(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``//dev/stdout`` is ``/dev/stdout`` on Linux: written in place, never renamed over."""
    written: list[str] = []

    def fake_in_place(target: Path, shown: str, data: bytes, *, stream: bool) -> None:
        written.append(str(target))

    import advisor.exports.files as files

    monkeypatch.setattr(files, "_write_in_place", fake_in_place)
    write_atomic("//dev/stdout", "x")
    write_atomic("///proc/self/fd/1", "x")
    assert written == [str(Path("//dev/stdout")), str(Path("///proc/self/fd/1"))]


def test_an_odd_output_name_is_shown_escaped_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = tmp_path / "a\x1b]0;TITLE\x07\nb\u202ec"
    code, _, err = run(["schema", "-o", str(name)], capsys)
    assert code == 0 and name.exists()
    assert err.count("\n") == 1 and "\x1b" not in err and "\u202e" not in err
    assert repr(str(name)) in err  # the name written, with its escapes, not a cleaned one


def test_argument_errors_quote_what_was_typed_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["ask", "\x1b]0;PWNED\x07\u202ex\ny"], capsys)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err


def test_check_server_names_an_unusable_endpoint(
    stub: MetadataStub, capsys: pytest.CaptureFixture[str]
) -> None:
    stub.json(
        "/.well-known/oauth-authorization-server",
        {
            "issuer": stub.issuer,
            "token_endpoint": "https://user:pw@evil.example/token",
            "authorization_endpoint": "javascript:alert(1)",
        },
    )
    code, out, _ = run(["check-server", stub.issuer, "--format", "json"], capsys)
    assert code == 0
    report = json.loads(out)
    invalid = [f["message"] for f in report["findings"] if f["code"] == "invalid_endpoint"]
    assert any("token_endpoint" in m for m in invalid), report["findings"]
    assert any("authorization_endpoint" in m for m in invalid), report["findings"]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ('situation: !!python/object/apply:os.system ["id"]\n', "unsupported YAML tag"),
        ("a: 1\n---\nb: 2\n", "exactly one YAML document"),
        ("a: &a [1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
         "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
         "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
         "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
         "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
         "g: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n", "alias expansion bomb"),
    ],
    ids=["tag", "two-documents", "alias-bomb"],
)  # fmt: skip
def test_an_answers_file_error_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, words: str
) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(content)
    code, out, err = run(["ask", "--answers-file", str(answers)], capsys)
    assert (code, out) == (2, "")
    assert words in err and "(in the answers file)" in err
    assert "in the decision tree" not in err


@pytest.mark.parametrize(
    "hidden",
    ["\U000e0069\U000e0067", "\u2061", "\u00ad", "\u180e", "\ufff9", "\u2064"],
    ids=["tags", "function-application", "soft-hyphen", "mongolian-vs", "annotation", "plus"],
)
def test_invisible_format_characters_are_cleaned_and_escaped(hidden: str) -> None:
    assert clean(f"Guide{hidden}end") == "Guideend"
    out = json_text({"title": f"Guide{hidden}end"})
    assert hidden not in out and "\\u" in out
