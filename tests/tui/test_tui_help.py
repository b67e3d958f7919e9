"""Help and the palette (issue 17, items 7 and 9): one name per action in the footer and the
palette, no second "Keys" panel from Textual, a keys list with hanging indents that says how
to close it, and a screenshot command that says where it saved, or why it could not.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Input, Static
from textual.widgets._footer import FooterKey

from advisor.tui.app import GrantAdvisorApp
from advisor.tui.screens.dialog import Dialog
from advisor.tui.screens.help import CLOSE_HINT, HelpScreen, help_sections, help_text
from advisor.tui.screens.recommendation import RecommendationScreen
from advisor.tui.widgets.footer import KeyFooter
from support.tui import tui_app


def footer_names(app: GrantAdvisorApp) -> set[str]:
    keys = app.screen.query_one(KeyFooter).query(FooterKey)
    return {k.description for k in keys if k.description and not k.has_class("-disabled")}


async def run_palette(pilot: Pilot[None], search: str) -> None:
    """Open the palette, search, and run the first command found."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*search)
    for _ in range(50):  # the palette searches in the background
        await pilot.pause()
        if pilot.app.screen.query("CommandList") and (
            pilot.app.screen.query_one("CommandList").option_count  # type: ignore[attr-defined]
        ):
            break
    await pilot.press("enter")
    await pilot.pause()


@pytest.mark.parametrize("where", ["walk", "recommendation"])
async def test_palette_names_are_the_footer_names(where: str) -> None:
    app = tui_app()
    async with app.run_test(size=(160, 48)) as pilot:  # wide: the footer shows every key
        await pilot.press("1")
        if where == "recommendation":
            await pilot.press("1")
        await pilot.pause()
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        shown = footer_names(app) - {"Choose", "Keys", "palette"}
        assert shown <= set(commands), shown - set(commands)
        assert list(commands).count("Keys") == 1
        assert commands["Keys"] == "List every key (key: ? or f1)"  # ours, not Textual's panel
        for textual_only in ("Maximize", "Minimize", "Export Markdown", "Edit parameters"):
            assert textual_only not in commands
        if where == "recommendation":
            assert {"Export", "Parameters", "Zoom", "Copy sample", "Save sample"} <= set(commands)
            assert "(key: s)" in commands["Export"]
            # keys the footer leaves out are commands too, and every key is written as the
            # keys list writes it (esc, [, not escape, left_square_bracket)
            assert "(key: [)" in commands["Previous sample"]
            assert "(key: esc)" in commands["Back"]
        assert "(key: ctrl+q)" in commands["Quit"]
        keyless = {"Theme", "Screenshot"}  # commands without a key
        assert all(
            "(key: " in help and "escape" not in help and "square" not in help
            for title, help in commands.items()
            if title not in keyless
        ), commands


async def test_keys_from_the_palette_is_the_keys_list() -> None:
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await run_palette(pilot, "keys")
        for _ in range(10):
            if isinstance(app.screen, HelpScreen):
                break
            await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert not app.screen.query("HelpPanel") and not app.query("HelpPanel")


@pytest.mark.parametrize("key", ["escape", "question_mark", "q", "f1"])
async def test_the_keys_list_says_how_to_close_it_and_closes(key: str) -> None:
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        title = screen.query_one(".dialog-title", Static).content
        assert CLOSE_HINT in str(getattr(title, "plain", title))
        keys = {k.key: k.description for k in screen.query_one(KeyFooter).query(FooterKey)}
        assert keys.get("escape") == "Close"
        await pilot.press(key)
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_the_keys_list_wraps_with_a_hanging_indent_at_80_columns() -> None:
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        widget = app.screen.query_one("#help-keys", Static)
        width = widget.content_region.width
        assert 60 <= width <= 80
    console = Console(width=width, color_system=None, record=True, file=io.StringIO())
    console.print(help_text())
    lines = console.export_text().splitlines()
    column = max(len(keys) for _, rows in help_sections() for keys, _ in rows) + 2
    wrapped = 0
    descriptions = {d for _, rows in help_sections() for _, d in rows}
    for number, line in enumerate(lines):
        if not line.strip() or not line.startswith(" "):
            continue
        # a line that starts with spaces continues a description: under the descriptions
        assert line[:column].strip() == "", line
        assert any(line.strip() in d for d in descriptions), line
        wrapped += 1
        assert lines[number - 1].strip()  # right after the line it continues
    assert wrapped  # some descriptions are longer than 80 columns


async def test_screenshot_says_where_it_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "1")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        await run_palette(pilot, "screenshot")
        for _ in range(30):
            await pilot.pause(0.05)
            if list(tmp_path.glob("*.svg")):
                break
        (saved,) = tmp_path.glob("grant-advisor*.svg")
        assert saved.read_text(encoding="utf-8").startswith("<svg")
        notes = [n for n in app._notifications if n.title == "Screenshot"]
        assert notes and notes[-1].message.replace("\n", "") == f"Saved {saved}"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
async def test_screenshot_says_why_it_could_not_save(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/proc")
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.save_screenshot_here()
        await pilot.pause()
        notes = [n for n in app._notifications if n.title == "Screenshot not saved"]
        assert notes
        assert "cannot write here: the folder takes no new files" in notes[-1].message
        assert notes[-1].severity == "error"


def test_no_key_says_its_name_twice() -> None:
    """A tooltip that starts with the key's name replaces it ("Apply (Enter in a field does it
    too)", not "Apply: Apply (...)"); every description of every screen is checked."""
    rows = [row for _, section in help_sections() for row in section]
    assert rows
    for keys, description in rows:
        name, _, rest = description.partition(": ")
        assert not (rest and rest.casefold().startswith(name.casefold())), (keys, description)
    descriptions = {d for _, d in rows}
    assert "Apply (Enter in a field does it too)" in descriptions


@pytest.mark.parametrize("dialog", ["e", "s", "f"])
@pytest.mark.parametrize("close", ["f1", "escape"])
async def test_f1_opens_the_keys_list_from_a_dialog(dialog: str, close: str) -> None:
    """In the parameters, export and save dialogs ? is typed into the field; F1 (in their
    footer) opens the keys list, and closing it returns to the dialog as it was."""
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "1")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        await pilot.press(dialog)
        await pilot.pause()
        form = app.screen
        assert isinstance(form, Dialog)
        footer = {k.key_display: k.description for k in form.query(FooterKey) if k.display}
        assert footer.get("f1") == "Keys"
        field = form.query_one(Input)
        field.focus()
        await pilot.press("?")  # typed, not the keys list
        await pilot.pause()
        assert app.screen is form and field.value.endswith("?")
        typed = field.value
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press(close)
        await pilot.pause()
        assert app.screen is form
        assert form.query_one(Input).value == typed
