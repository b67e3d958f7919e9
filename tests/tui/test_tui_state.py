"""The TUI's plain-Python side: parameter checks, export names, text that is never markup."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.advice import SampleChoice, advise
from advisor.core.errors import DiscoveryError, TreeError
from advisor.samples.params import Assumption
from advisor.tree.models import Tree
from advisor.tui.prefs import load_theme, save_theme
from advisor.tui.screens.recommendation import assumption_text
from advisor.tui.state import (
    clipboard_is_known,
    default_export_name,
    error_lines,
    form_values,
    load_tree,
    parse_parameters,
    path_lines,
)
from advisor.tui.text import CODE_STYLE, FORM_FIELDS, paragraphs, plain, tui_words
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


# -- issue 17: the clipboard, paths in messages, inline code, remembered theme, TUI words ------


@pytest.mark.parametrize(
    ("environ", "known"),
    [
        ({"TERM": "xterm-kitty"}, True),
        ({"TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"}, True),
        ({"TERM": "foot"}, True),
        ({"TERM": "xterm-256color", "WT_SESSION": "x"}, True),
        ({"TERM": "xterm-kitty", "TMUX": "/tmp/tmux-0/default,1,0"}, False),  # tmux in between
        ({"TERM": "screen", "STY": "1.pts-0"}, False),
        ({"TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app"}, False),  # asks the user
        ({"TERM": "xterm-256color"}, False),  # unknown
        ({}, False),
    ],
)
def test_clipboard_is_known_only_where_osc52_is_known_to_arrive(
    environ: dict[str, str], known: bool
) -> None:
    assert clipboard_is_known(environ) is known


def test_paths_in_messages_break_after_a_slash_never_inside_a_name() -> None:
    text = "Wrote /tmp/pytest-of-root/pytest-12/test_export0/grant-advisor-m2m-client-secret.md"
    lines = path_lines(text, 37).split("\n")
    assert "".join(lines) == text
    assert lines[0] == "Wrote /tmp/pytest-of-root/pytest-12/"
    assert all(line.endswith("/") for line in lines[:-1])
    assert all(len(line) <= 37 for line in lines[:-1])
    assert lines[-1] == "grant-advisor-m2m-client-secret.md"
    assert path_lines("Wrote /a/b.md", 37) == "Wrote /a/b.md"
    # a name longer than the width keeps a line of its own, whole
    assert path_lines("Wrote /x/" + "n" * 50, 20).split("\n") == ["Wrote /x/", "n" * 50]


def test_backticks_show_as_code_without_the_backticks() -> None:
    text = plain("use `gh auth login --device` or `az`; a lone ` stays")
    assert text.plain == "use gh auth login --device or az; a lone ` stays"
    codes = [text.plain[span.start : span.end] for span in text.spans if span.style == CODE_STYLE]
    assert codes == ["gh auth login --device", "az"]
    styled = plain(("bold `x` part", "bold"))
    assert [(styled.plain[s.start : s.end], s.style) for s in styled.spans] == [
        ("bold ", "bold"),
        ("x", f"bold {CODE_STYLE}"),
        (" part", "bold"),
    ]
    assert paragraphs("a `b`\n\nc").plain == "a b\n\nc"
    assert plain("[b]`x`[/b]").plain == "[b]x[/b]"  # still never markup


@pytest.mark.parametrize(
    ("assumption", "tui"),
    [
        (
            Assumption(
                "issuer https://auth.example.com is a placeholder",
                "pass --issuer",
                "issuer",
                "placeholder",
            ),
            "issuer https://auth.example.com is a placeholder: press e to set your issuer",
        ),
        (
            Assumption(
                "client id YOUR_CLIENT_ID is a placeholder",
                "pass --client-id",
                "client_id",
                "placeholder",
            ),
            "client id YOUR_CLIENT_ID is a placeholder: press e to set your client ID",
        ),
        (
            Assumption(
                "token_endpoint https://a.example/token is derived from the issuer, not known",
                "pass --token-endpoint or --discover",
                "token_endpoint",
                "derived",
            ),
            "token_endpoint https://a.example/token is derived from the issuer, not known: "
            "press e, set your issuer and tick Discover to read it from your server",
        ),
        (
            Assumption(
                "redirect URI http://127.0.0.1:8000/callback is a default",
                "pass --redirect-uri with the one registered for your client",
                "redirect_uri",
                "default",
            ),
            "redirect URI http://127.0.0.1:8000/callback is a default: press e to set the "
            "redirect URI registered for your client",
        ),
        (  # no key in the TUI sets an endpoint: what to check, without the CLI's flag
            Assumption(
                "the server's metadata has no token_endpoint; x is derived from the issuer",
                "pass --token-endpoint if the server has one",
                "token_endpoint",
                "not_discovered",
            ),
            "the server's metadata has no token_endpoint; x is derived from the issuer",
        ),
        (
            Assumption(
                "issuer http://x uses plain http: fine for a local test server, never for a "
                "real one",
                field="issuer",
                kind="insecure",
            ),
            "issuer http://x uses plain http: fine for a local test server, never for a real one",
        ),
        (
            Assumption("no python sample for this recommendation; it has curl"),
            "no python sample for this recommendation; it has curl",
        ),
    ],
)
def test_assumptions_say_which_key_fixes_them(assumption: Assumption, tui: str) -> None:
    assert assumption_text(assumption) == tui
    assert "--" not in assumption_text(assumption)


@pytest.mark.parametrize(
    ("parameters", "discovery_error", "fix"),
    [
        ({}, None, "press e, set your issuer and tick Discover to read it from your server"),
        (
            {"issuer": "https://login.example.org"},
            None,
            "press e and tick Discover to read it from your server",
        ),
        (
            {"issuer": "https://login.example.org"},
            DiscoveryError("no metadata", code="metadata_not_found"),
            None,
        ),
    ],
    ids=["placeholder-issuer", "issuer-set", "discovery-failed"],
)
def test_a_derived_endpoint_is_fixed_by_what_is_still_missing(
    parameters: dict[str, str], discovery_error: DiscoveryError | None, fix: str | None
) -> None:
    """Once the issuer is set, the TUI no longer asks for it; once discovery ran, it no longer
    asks to tick Discover (the statement says discovery found nothing)."""
    advice = advise(
        SampleChoice("client_credentials", "client_credentials"),
        parameters,
        languages=["python"],
        discovery_error=discovery_error,
    )
    derived = [a for a in advice.assumptions if a.kind == "derived"]
    assert derived, advice.assumptions
    for assumption in derived:
        text = assumption_text(assumption, advice.params)
        if fix is None:
            assert text == assumption.what
            assert "discovery found no usable metadata" in text
        else:
            assert text == f"{assumption.what}: {fix}"


def test_the_theme_is_remembered_safely(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRANT_ADVISOR_CONFIG_DIR", str(tmp_path / "cfg"))
    known = frozenset({"textual-dark", "nord"})
    assert load_theme(known) is None  # nothing yet
    assert save_theme("nord")
    assert json.loads((tmp_path / "cfg" / "tui.json").read_text()) == {"theme": "nord"}
    assert load_theme(known) == "nord"
    assert load_theme(frozenset({"textual-dark"})) is None  # not a theme any more
    for junk in (b"\xff\xfe", b"[1, 2]", b'{"theme": 3}', b"{", b" " * 5000):
        (tmp_path / "cfg" / "tui.json").write_bytes(junk)
        assert load_theme(known) is None, junk
    monkeypatch.setenv("GRANT_ADVISOR_CONFIG_DIR", "relative/dir")
    assert load_theme(known) is None and not save_theme("nord")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("GRANT_ADVISOR_CONFIG_DIR", str(blocker / "sub"))
    assert not save_theme("nord")  # cannot be written: not remembered, no error


@pytest.mark.parametrize(
    ("cli", "tui"),
    [
        (
            "Point --issuer at the tenant and --scope at the resource's .default scope",
            "Point the Issuer field (press e) at the tenant and the Scopes field at the "
            "resource's .default scope",
        ),
        (
            "pass --scope offline_access (with the others you need)",
            "put offline_access in the Scopes field (press e) (with the others you need)",
        ),
        (
            "set --audience to what the STS documents",
            "set the Audience field (press e) to what the STS documents",
        ),
        ("pass --discover", "tick Discover (press e)"),
        (  # a command to run stays as written
            "then `grant-advisor sample refresh_token --client-auth none` shows each run",
            "then `grant-advisor sample refresh_token --client-auth none` shows each run",
        ),
        (  # flags the form has no field for, and look-alikes, stay
            "pass --token-endpoint if it has one; --issuer-url; x--scope",
            "pass --token-endpoint if it has one; --issuer-url; x--scope",
        ),
    ],
)
def test_cli_flags_become_form_fields(cli: str, tui: str) -> None:
    assert tui_words(cli) == tui


def test_no_shipped_sample_note_speaks_cli_in_the_tui(shipped_tree: Tree) -> None:
    """Every sample note and outcome note of the shipped tree, as the TUI shows it: no flag of
    the parameters form outside a command in backticks."""
    import re

    texts = [o.sample.note for o in shipped_tree.outcomes if o.sample and o.sample.note]
    texts += [note for q in shipped_tree.questions for c in q.choices for note in c.notes]
    assert any("--issuer" in text for text in texts)  # there is something to translate
    for text in texts:
        outside = re.sub(r"`[^`\n]+`", "", tui_words(text))
        for flag in FORM_FIELDS:
            assert not re.search(rf"(?<![\w-]){flag}\b(?!-)", outside), (flag, text)
