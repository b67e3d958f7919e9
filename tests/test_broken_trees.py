"""A corpus of broken trees, one failure mode per file: each is reported, located, explained."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.cli import main
from advisor.core.errors import TreeValidationError
from advisor.tree.loader import load
from support.paths import DATA

BROKEN = DATA / "broken"

CASES: dict[str, tuple[int, tuple[str, ...]]] = {
    "yaml_syntax.yaml": (18, ("YAML syntax error",)),
    "unknown_field.yaml": (17, ("unknown field 'hlep'", "did you mean 'help'?")),
    "missing_field.yaml": (36, ("rationale", "required field is missing")),
    "bad_id.yaml": (12, ("'Has-Browser' is not a valid id", "snake_case")),
    "unknown_flow.yaml": (37, ("'device_cod'", "did you mean 'device_code'?")),
    "anti_pattern_recommended.yaml": (44, ("'password' is not one of",)),
    "duplicate_node_id.yaml": (36, ("duplicate id 'code'", "an outcome")),
    "duplicate_choice_id.yaml": (24, ("duplicate choice id 'browser'",)),
    "dangling_next.yaml": (26, ("leads to 'devise'", "did you mean 'device'?")),
    "bad_start.yaml": (4, ("start names 'user_presence'", "did you mean 'user_present'?")),
    "start_is_outcome.yaml": (4, ("start must be a question", "'code' is an outcome")),
    "unreachable_question.yaml": (17, ("question 'has_browser' is not reachable",)),
    "unreachable_outcome.yaml": (36, ("no path from start reaches outcome 'device'",)),
    "cycle.yaml": (26, ("cycle: user_present → has_browser → user_present",)),
    "flow_not_in_catalogue.yaml": (37, ("'device_code'", "flows catalogue does not describe")),
    "unknown_source.yaml": (42, ("unknown source 'rfc8268'", "did you mean 'rfc8628'?")),
    "wrong_grant_type.yaml": (
        58,
        (
            "not the grant_type of flow 'device_code'",
            "urn:ietf:params:oauth:grant-type:device_code",
        ),
    ),
    "missing_template.yaml": (43, ("no python template", "device_code_tv_edition")),
    "duplicate_key.yaml": (39, ("duplicate key 'title'", "first defined on line 38")),
    "boolean_label.yaml": (11, ("got the boolean true", "quote the text")),
    "too_few_choices.yaml": (20, ("choices", "at least 2 items")),
    "no_references.yaml": (42, ("references", "at least 1 item")),
    "http_source_url.yaml": (76, ("is not an absolute https URL",)),
    "bad_section.yaml": (49, ("'two point five' is not a section number",)),
    "not_a_mapping.yaml": (1, ("top level must be a mapping", "not a list")),
    "many_problems.yaml": (26, ("leads to 'devise'",)),
    "refresh_token_grant.yaml": (
        30,
        ("'refresh_token' is not a grant of its own", "under companions", "'Keep a refresh"),
    ),
}
"""file → (line of the first problem, key words of its message)."""


def test_every_file_in_the_corpus_has_a_case() -> None:
    assert sorted(p.name for p in BROKEN.glob("*.yaml")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_tree_is_reported_with_location_and_words(name: str) -> None:
    line, words = CASES[name]
    path = BROKEN / name
    with pytest.raises(TreeValidationError) as caught:
        load(path)
    problems = caught.value.problems
    text = "\n".join(p.format() for p in problems)
    assert all(p.file == str(path) for p in problems)
    assert problems[0].line == line, text
    for word in words:
        assert word in text, text


def test_many_problems_are_reported_together() -> None:
    with pytest.raises(TreeValidationError) as caught:
        load(BROKEN / "many_problems.yaml")
    messages = [p.message for p in caught.value.problems]
    assert len(messages) == 3, messages
    assert any("'devise'" in m for m in messages)  # graph problem
    assert any("'rfc8268'" in m for m in messages)  # graph problem in a valid outcome
    assert any("'client_credential'" in m for m in messages)  # shape problem


def test_node_id_is_attached(tmp_path: Path) -> None:
    with pytest.raises(TreeValidationError) as caught:
        load(BROKEN / "dangling_next.yaml")
    assert caught.value.problems[0].node == "has_browser"


@pytest.mark.parametrize("name", sorted(CASES))
def test_validate_command_reports_every_problem_and_exits_1(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["validate", str(BROKEN / name)])
    out, err = capsys.readouterr()
    assert code == 1
    assert err == ""
    lines = out.splitlines()
    assert lines[-1].endswith("not valid")
    assert all(line.startswith(str(BROKEN / name)) for line in lines)
    assert "Traceback" not in out


def test_ask_with_broken_tree_exits_2_and_points_to_validate(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["--tree", str(BROKEN / "cycle.yaml"), "ask"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "grant-advisor validate" in err.splitlines()[0]
    assert "cycle: user_present" in err


def test_a_tree_written_before_grant_and_companions_says_what_changed(tmp_path: Path) -> None:
    """Outcomes used to name their ``flow``; the error says it is now ``grant``."""
    old = (DATA / "trees" / "small.yaml").read_text(encoding="utf-8")
    path = tmp_path / "old.yaml"
    path.write_text(old.replace("    grant: ", "    flow: "), encoding="utf-8")
    with pytest.raises(TreeValidationError) as caught:
        load(path)
    text = "\n".join(p.format() for p in caught.value.problems)
    assert "unknown field 'flow'" in text
    assert "now 'grant'" in text and "companions" in text
