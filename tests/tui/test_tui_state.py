"""The TUI's plain-Python side: parameter checks, export names, text that is never markup."""

from __future__ import annotations

import pytest

from advisor.core.errors import TreeError
from advisor.tui.state import (
    default_export_name,
    error_lines,
    form_values,
    load_tree,
    parse_parameters,
)
from advisor.tui.text import paragraphs, plain
from support.tui import BROKEN


def test_parameters_are_recorded_as_the_cli_records_them() -> None:
    form = {
        "issuer": " https://login.example.org ",
        "client_id": "app",
        "scopes": "openid  profile",
        "redirect_uri": "",
        "audience": "",
    }
    parameters, problems = parse_parameters(form)
    assert problems == {}
    assert parameters == {
        "issuer": "https://login.example.org",
        "client_id": "app",
        "scopes": ("openid", "profile"),
    }
    assert list(parameters) == ["issuer", "client_id", "scopes"]  # advisor.cli order
    assert form_values(parameters)["scopes"] == "openid profile"
    assert form_values({})["issuer"] == ""


@pytest.mark.parametrize(
    "issuer", ["http://127.0.0.1:3000", "http://localhost/realms/x", "https://a.example/t"]
)
def test_loopback_http_and_https_issuers_are_accepted(issuer: str) -> None:
    assert parse_parameters({"issuer": issuer}) == ({"issuer": issuer}, {})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("issuer", "http://auth.example.com"),
        ("issuer", "auth.example.com"),
        ("client_id", "tab\there"),
        ("client_id", "esc\x1b[31m"),
        ("audience", "new\nline"),
        ("redirect_uri", "callback"),
        ("scopes", "a\\b"),
    ],
)
def test_bad_values_are_problems_not_exceptions(field: str, value: str) -> None:
    parameters, problems = parse_parameters({field: value})
    assert field in problems
    assert field not in parameters


def test_export_name() -> None:
    assert default_export_name("m2m_client_secret") == "grant-advisor-m2m-client-secret.md"


def test_load_errors_become_lines() -> None:
    loaded, error = load_tree(str(BROKEN / "many_problems.yaml"), ())
    assert loaded is None and error is not None
    lines = error_lines(error)
    assert lines[0].endswith("problems in the decision tree")
    assert all(":" in line for line in lines[1:])
    loaded, error = load_tree("missing.yaml", ())
    assert isinstance(error, TreeError) and error_lines(error) == ["missing.yaml: no such file"]


def test_tree_text_is_plain_and_clean() -> None:
    text = plain("\x1b]52;c;QUJD\x07[bold]hi[/bold] \x1b[31mred", ("[i]x[/i]", "bold"))
    assert text.plain == "[bold]hi[/bold] red[i]x[/i]"
    assert not text.markup.startswith("[bold]hi")  # escaped if ever rendered as markup
    assert paragraphs("one\ntwo\n\n three \u202e").plain == "one two\n\nthree"
