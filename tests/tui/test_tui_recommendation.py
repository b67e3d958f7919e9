"""The recommendation screen: advice, samples, copy, parameters, export, palette, help."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static, TabbedContent
from textual.widgets._tabbed_content import ContentTab

from advisor.cli import main as cli_main
from advisor.tree.loader import load_tree
from advisor.tui.app import GrantAdvisorApp
from advisor.tui.screens.confirm import ConfirmScreen
from advisor.tui.screens.export import ExportScreen
from advisor.tui.screens.help import SCREENS, HelpScreen, binding_rows, help_plain
from advisor.tui.screens.parameters import ParametersScreen
from advisor.tui.screens.recommendation import RecommendationScreen
from support.tui import (
    SIZE,
    TUI_TEMPLATES,
    TUI_TREE,
    answer_flags,
    drive,
    make_app,
    tui_app,
    walks_to_outcomes,
)


def shown(app: GrantAdvisorApp, selector: str) -> str:
    """The plain text a Static shows (Rich Text, Textual Content, or a grid of Text)."""
    content: Any = app.screen.query_one(selector, Static).content
    if isinstance(content, (Text, Content)):
        return content.plain
    if hasattr(content, "columns"):  # a Rich grid of items
        return "\n".join(
            " ".join(str(getattr(cell, "plain", cell)) for cell in row)
            for row in zip(*(column._cells for column in content.columns), strict=True)
        )
    return str(content)


async def to_web_out(pilot: Pilot[None]) -> None:
    """Walk the TUI tree to its outcome with samples."""
    await pilot.press("1")
    await pilot.pause()
    await pilot.press("1")
    await pilot.pause()


async def set_fields(
    pilot: Pilot[None], values: dict[str, str], *, type_first: bool = False
) -> None:
    """Fill the parameters form by value (the first field by typing, with ``type_first``)."""
    screen = pilot.app.screen
    assert isinstance(screen, ParametersScreen)
    for number, (widget_id, value) in enumerate(values.items()):
        field = screen.query_one(f"#{widget_id}", Input)
        if number == 0 and type_first:
            field.focus()
            field.value = ""
            await pilot.press(*value)
        else:
            field.value = value
    await pilot.pause()


async def test_recommendation_shows_every_part() -> None:
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_web_out(pilot)
        assert isinstance(app.screen, RecommendationScreen)
        assert "Authorization Code" in shown(app, "#rec-flow")
        assert "grant_type=authorization_code" in shown(app, "#rec-flow")
        assert "confidential client" in shown(app, "#rec-summary")
        assert "keep a client secret" in shown(app, "#rec-rationale")
        assert "Use PKCE with S256." in shown(app, "#rec-security")
        assert "The implicit flow" in shown(app, "#rec-avoid")
        assert "leak through history" in shown(app, "#rec-avoid")
        assert "Backend for Frontend" in shown(app, "#rec-alternatives")
        references = shown(app, "#rec-references")
        assert "RFC 9700 §2.1.1" in references
        assert "https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1" in references
        assert "must be rotated" in shown(app, "#rec-notes")
        assert "placeholder" in shown(app, "#rec-assumptions")
        tabs = app.screen.query_one("#samples", TabbedContent)
        assert tabs.active == "sample-curl"
        shown_tabs = [tab.id for tab in tabs.query(ContentTab) if tab.display]
        assert shown_tabs == ["--content-tab-sample-curl", "--content-tab-sample-python"]
        code = app.screen.query_one("#code-curl", Static).content
        assert isinstance(code, Content) and code.spans  # highlighted
        assert "curl -sS 'https://auth.example.com/token'" in code.plain
        assert "OAUTH_CLIENT_SECRET" in shown(app, "#env-curl")


async def test_outcome_without_samples() -> None:
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("0")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        assert "no OAuth flow" in shown(app, "#rec-flow")
        assert "without sample code" in shown(app, "#no-samples")
        await pilot.press("c", "right_square_bracket", "z", "z")  # nothing to copy: no crash
        await pilot.pause()
        assert not app.screen.query_one("#samples-box").display
        assert app.screen.query_one("#no-samples").display


async def test_each_sample_is_highlighted_when_its_tab_is_shown() -> None:
    """Only the visible sample is highlighted up front (it is most of the screen's cost)."""
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_web_out(pilot)
        code = app.advice.samples["python"].code
        curl = app.screen.query_one("#code-curl", Static).content
        python = app.screen.query_one("#code-python", Static).content
        assert isinstance(curl, Content) and len(curl.spans) > 1
        assert isinstance(python, Content) and len(python.spans) == 1  # only the text colour
        assert python.plain == code.rstrip("\n")
        await pilot.press("right_square_bracket")
        await pilot.pause()
        python = app.screen.query_one("#code-python", Static).content
        assert isinstance(python, Content) and len(python.spans) > 1
        assert python.plain == code.rstrip("\n")


async def test_copy_the_visible_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.setenv("TERM", "xterm-kitty")  # a terminal known to take OSC 52
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_web_out(pilot)
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == app.advice.samples["curl"].code
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert app.screen.query_one("#samples", TabbedContent).active == "sample-python"
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == app.advice.samples["python"].code
        messages = [n.message for n in app._notifications]
        assert any("Copied the python sample" in m and "OSC 52" in m for m in messages)
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert app.screen.query_one("#samples", TabbedContent).active == "sample-curl"


async def test_parameters_re_render_the_samples() -> None:
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_web_out(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ParametersScreen)
        assert app.screen.focused is app.screen.query_one("#param-issuer")
        await set_fields(
            pilot,
            {
                "param-client-id": "my-app",
                "param-issuer": "https://login.example.org",
                "param-scopes": "read  write",
                "param-audience": "https://api.example.org",
            },
            type_first=True,
        )
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        assert app.parameters == {
            "issuer": "https://login.example.org",
            "client_id": "my-app",
            "scopes": ("read", "write"),
            "audience": "https://api.example.org",
        }
        python = app.screen.query_one("#code-python", Static).content
        assert isinstance(python, Content)
        assert 'TOKEN_ENDPOINT = "https://login.example.org/token"' in python.plain
        assert 'CLIENT_ID = "my-app"' in python.plain
        assert 'SCOPE = "read write"' in python.plain
        assert "placeholder" not in shown(app, "#rec-assumptions")
        # the form opens with the values given; cancelling keeps them
        await pilot.press("e")
        await pilot.pause()
        assert app.screen.query_one("#param-client-id", Input).value == "my-app"
        assert app.screen.query_one("#param-scopes", Input).value == "read write"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        assert app.parameters["client_id"] == "my-app"


@pytest.mark.parametrize(
    ("widget_id", "value", "message"),
    [
        ("param-issuer", "ftp://auth.example.com", "https URL"),
        ("param-issuer", "https://auth.example.com/?tenant=1", "query or fragment"),
        ("param-issuer", "http://[::1", "not a valid URL"),
        ("param-scopes", 'read "write"', "RFC 6749 §3.3"),
        ("param-redirect-uri", "/callback", "is not absolute"),
        ("param-redirect-uri", "https://app.example.com/cb#frag", "fragment"),
        ("param-issuer", "https://user:pw@auth.example.com", "must not contain credentials"),
        ("param-client-id", "bidi\u202eevil", "control characters"),
        ("param-audience", "bell\x07", "control characters"),
    ],
)
async def test_bad_parameters_show_an_inline_error(
    widget_id: str, value: str, message: str
) -> None:
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_web_out(pilot)
        await pilot.press("e")
        await pilot.pause()
        await set_fields(pilot, {widget_id: value})
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ParametersScreen)
        error = app.screen.query_one(f"#{widget_id}-error", Static)
        assert error.display
        assert message in shown(app, f"#{widget_id}-error")
        assert app.screen.query_one(f"#{widget_id}", Input).has_class("-invalid")
        assert app.parameters == {}
        # fixing the value clears the error and applies
        app.screen.query_one(f"#{widget_id}", Input).value = ""
        await pilot.pause()
        assert not error.display
        await pilot.click("#params-apply")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)


async def test_parameters_the_engine_rejects_show_its_message() -> None:
    walk = walks_to_outcomes(load_tree())["native_app"]  # loopback redirect sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await drive(pilot, app, walk)
        await pilot.press("e")
        await pilot.pause()
        await set_fields(pilot, {"param-redirect-uri": "https://app.example.com/callback"})
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ParametersScreen)
        # the sample's refusal goes under the field it is about, which gets the focus
        error = "#param-redirect-uri-error"
        assert "loopback redirect URI must be http://127.0.0.1" in shown(app, error)
        field = form.query_one("#param-redirect-uri", Input)
        assert field.has_class("-invalid") and form.focused is field
        assert field.value == "https://app.example.com/callback"
        assert not form.query_one("#params-error").display
        field.value = "http://127.0.0.1:8765/cb"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        assert app.parameters == {"redirect_uri": "http://127.0.0.1:8765/cb"}


def cli_markdown(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    capsys.readouterr()
    assert cli_main(argv) == 0
    return capsys.readouterr().out


async def test_export_writes_what_ask_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    tree = load_tree()
    walk = walks_to_outcomes(tree)["m2m_client_secret"]
    # Textual captures stdout while the app runs: ask the CLI first.
    expected = cli_markdown(
        capsys,
        [
            "ask",
            *answer_flags(tree, walk),
            "--format",
            "markdown",
            "--issuer",
            "https://login.example.org/tenant",
            "--client-id",
            'svc "quoted" $HOME',
            "--scope",
            "read:items write:items",
            "--audience",
            "https://api.example.org",
        ],
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await drive(pilot, app, walk)
        await pilot.press("e")
        await pilot.pause()
        await set_fields(
            pilot,
            {
                "param-issuer": "https://login.example.org/tenant",
                "param-client-id": 'svc "quoted" $HOME',
                "param-scopes": "read:items write:items",
                "param-audience": "https://api.example.org",
            },
        )
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        name = "grant-advisor-m2m-client-secret.md"
        assert app.screen.query_one("#export-path", Input).value == name
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        written = (tmp_path / name).read_text(encoding="utf-8")
        wrote = [n.message for n in app._notifications if n.title == "Saved"]
        assert wrote and wrote[-1].replace("\n", "") == f"Wrote {tmp_path / name}"
        assert written == expected

        # Exporting again asks before replacing: no keeps the file, yes replaces it.
        (tmp_path / name).write_text("mine\n", encoding="utf-8")
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # no: back to the file name, to change it
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        assert app.screen.query_one("#export-path", Input).value == name
        assert (tmp_path / name).read_text(encoding="utf-8") == "mine\n"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#confirm-yes")
        await pilot.pause()
        assert (tmp_path / name).read_text(encoding="utf-8") == expected


async def test_export_without_parameters_matches_ask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app(TUI_TREE, (TUI_TEMPLATES,))
    async with app.run_test(size=SIZE) as pilot:
        await to_web_out(pilot)
        await pilot.press("s")
        await pilot.pause()
        field = app.screen.query_one("#export-path", Input)
        field.value = "sub/report.md"  # the folder does not exist: said in the dialog
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        assert "does not exist" in shown(app, "#export-error")
        app.screen.query_one("#export-path", Input).value = "report.md"
        await pilot.click("#export-save")
        await pilot.pause()
    expected = cli_markdown(
        capsys,
        [
            "--tree",
            str(TUI_TREE),
            "--templates",
            str(TUI_TEMPLATES),
            "ask",
            "-a",
            "what_building=web",
            "-a",
            "web_offline=yes",
            "--format",
            "markdown",
        ],
    )
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == expected


async def test_export_dialog_refuses_an_empty_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_web_out(pilot)
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one("#export-path", Input).value = "  "
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        assert "Give a file name" in shown(app, "#export-error")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        assert list(tmp_path.iterdir()) == []


async def test_command_palette_entries() -> None:
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Theme", "Keys", "Help text", "Path"} <= set(titles)
        assert "Back" not in titles and "Restart" not in titles  # nothing to undo yet
        await to_web_out(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Theme", "Restart", "Back", "Export", "Copy sample", "Parameters"):
            assert title in titles
        # through the palette itself
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"paramet")
        for _ in range(50):  # the palette searches in the background
            await pilot.pause()
            if app.screen.query("CommandList") and app.screen.query_one("CommandList").option_count:
                break
        await pilot.press("enter")
        for _ in range(20):
            await pilot.pause()
            if isinstance(app.screen, ParametersScreen):
                break
        assert isinstance(app.screen, ParametersScreen)


async def test_help_screen_lists_every_key() -> None:
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = help_plain()
        for _, screen in SCREENS:
            for keys, description in binding_rows(screen.BINDINGS):
                assert description in text
                assert keys in text
        await pilot.press("f1")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_theme_change_keeps_highlighting() -> None:
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_web_out(pilot)
        app.theme = "textual-light"
        await pilot.pause()
        code = app.screen.query_one("#code-curl", Static).content
        assert isinstance(code, Content) and code.spans


async def test_zoom_the_report_or_the_samples() -> None:
    app = tui_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await to_web_out(pilot)
        screen = app.screen
        await pilot.press("z")
        assert screen.maximized is screen.query_one("#report")
        await pilot.press("z")
        assert screen.maximized is None
        screen.query_one(".code-scroll").focus()
        await pilot.press("z")
        assert screen.maximized is screen.query_one("#samples-box")
        await pilot.press("escape")  # leaves the zoom first, without going back
        assert screen.maximized is None
        assert isinstance(app.screen, RecommendationScreen)


async def test_export_agrees_with_ask_on_client_authentication(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """offline_access is a confidential web client whose refresh sample is public by default:
    the TUI must pick the outcome's client authentication exactly as ``ask`` does."""
    monkeypatch.chdir(tmp_path)
    tree = load_tree()
    walk = walks_to_outcomes(tree)["offline_access"]
    expected = cli_markdown(capsys, ["ask", *answer_flags(tree, walk), "-f", "markdown"])
    assert "refresh token rotation, private_key_jwt." in expected  # the outcome's first choice
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await drive(pilot, app, walk)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    assert (tmp_path / "grant-advisor-offline-access.md").read_text(encoding="utf-8") == expected


async def _open_parameters(pilot: Pilot[None]) -> ParametersScreen:
    await pilot.press("e")
    await pilot.pause()
    form = pilot.app.screen
    assert isinstance(form, ParametersScreen)
    return form


async def test_client_authentication_can_be_chosen_and_matches_ask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """web_server_code advises private_key_jwt; a user who has a client secret picks
    client_secret_basic in the form: the samples and the export are then what
    ``ask --client-auth client_secret_basic`` prints."""
    monkeypatch.chdir(tmp_path)
    tree = load_tree()
    walk = walks_to_outcomes(tree)["web_server_code"]
    expected = cli_markdown(
        capsys,
        [
            "ask",
            *answer_flags(tree, walk),
            "--client-auth",
            "client_secret_basic",
            "-f",
            "markdown",
        ],
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await drive(pilot, app, walk)
        assert "OAUTH_PRIVATE_KEY_FILE" in app.advice.samples["python"].code  # as advised
        form = await _open_parameters(pilot)
        select = form.query_one("#param-client-auth", Select)
        assert select.is_blank()  # "As advised"
        assert [value for _, value in select._options[1:]] == [
            "private_key_jwt",  # the outcome's preference first, then the template's others
            "client_secret_basic",
            "client_secret_post",
        ]
        select.value = "client_secret_basic"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        assert app.parameters == {"client_auth": "client_secret_basic"}
        python = app.advice.samples["python"].code
        assert "OAUTH_CLIENT_SECRET" in python and "OAUTH_PRIVATE_KEY_FILE" not in python

        form = await _open_parameters(pilot)  # reopens with the choice
        assert form.query_one("#param-client-auth", Select).value == "client_secret_basic"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    assert (tmp_path / "grant-advisor-web-server-code.md").read_text(encoding="utf-8") == expected


async def _parameters_of(pilot: Pilot[None], outcome: str) -> ParametersScreen:
    """Walk the shipped tree to ``outcome`` and open the parameters form there."""
    assert isinstance(pilot.app, GrantAdvisorApp)
    await drive(pilot, pilot.app, walks_to_outcomes(load_tree())[outcome])
    return await _open_parameters(pilot)


async def test_back_to_as_advised_drops_the_choice() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await _parameters_of(pilot, "web_server_code")
        form.query_one("#param-client-auth", Select).value = "client_secret_post"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.parameters == {"client_auth": "client_secret_post"}
        form = await _open_parameters(pilot)
        form.query_one("#param-client-auth", Select).clear()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.parameters == {}
        assert "OAUTH_PRIVATE_KEY_FILE" in app.advice.samples["python"].code


async def test_no_choice_when_the_sample_has_one_client_authentication() -> None:
    """A native app's loopback sample is a public client (``none`` only): nothing to pick."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await _parameters_of(pilot, "native_app")
        assert not form.query("#param-client-auth")
