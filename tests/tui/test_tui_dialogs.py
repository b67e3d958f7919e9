"""Dialogs (issue 17, item 5): their own footer keys, errors inside the dialog next to the
field with what was typed kept, buttons in sight at 80x24, "no" to the overwrite question back
to the file name, a success message that does not cut the path inside a name, the folder a
relative name is relative to.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.text import Text
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input, Static
from textual.widgets._footer import FooterKey

from advisor.tui.screens.confirm import ConfirmScreen
from advisor.tui.screens.export import ExportScreen
from advisor.tui.screens.parameters import ParametersScreen
from advisor.tui.screens.recommendation import RecommendationScreen
from advisor.tui.widgets.footer import KeyFooter
from support.tui import tui_app

UNREACHABLE = "http://127.0.0.1:9"
"""The discard port: nothing listens there, so discovery fails at once."""


def text_of(widget: Static) -> str:
    content = widget.content
    return content.plain if isinstance(content, (Text, Content)) else str(content)


def footer_keys(pilot: Pilot[None]) -> dict[str, str]:
    """The keys the top screen's own footer shows: key -> description."""
    footer = pilot.app.screen.query_one(KeyFooter)
    return {k.key: k.description for k in footer.query(FooterKey) if k.display}


async def to_web_out(pilot: Pilot[None]) -> None:
    await pilot.press("1", "1")
    await pilot.pause()
    assert isinstance(pilot.app.screen, RecommendationScreen)


async def open_export(pilot: Pilot[None]) -> ExportScreen:
    await pilot.press("s")
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, ExportScreen)
    return dialog


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
async def test_dialogs_show_their_own_keys(size: tuple[int, int]) -> None:
    app = tui_app()
    async with app.run_test(size=size) as pilot:
        await to_web_out(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ParametersScreen)
        keys = footer_keys(pilot)
        assert keys == {"ctrl+s": "Apply", "escape": "Cancel", "f1": "Keys"}
        footer = app.screen.query_one(KeyFooter)
        assert footer.region.bottom == size[1]  # on the bottom row, over the screen's own
        await pilot.press("escape")
        await pilot.pause()
        await open_export(pilot)
        assert footer_keys(pilot) == {"ctrl+s": "Save", "escape": "Cancel", "f1": "Keys"}
        await pilot.press("ctrl+s")  # the footer's key does what it says
        await pilot.pause()
        assert (
            not isinstance(app.screen, ExportScreen)
            or app.screen.query_one("#export-error").display
        )


async def test_a_discovery_error_keeps_apply_and_cancel_in_sight_at_80x24() -> None:
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_web_out(pilot)
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ParametersScreen)
        form.query_one("#param-issuer", Input).value = UNREACHABLE
        form.query_one("#param-discover", Checkbox).value = True
        await pilot.pause()
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        for _ in range(50):
            await pilot.pause()
            if form.query_one("#params-error").display:
                break
        error = form.query_one("#params-error", Static)
        assert error.display and "Discovery failed" in text_of(error)
        screen_height = app.size.height - 1  # above the dialog's footer
        assert error.region.height > 0 and error.region.bottom <= screen_height
        for button_id in ("#params-apply", "#params-cancel"):
            button = form.query_one(button_id, Button)
            assert button.region.height >= 1, button_id
            assert button.region.bottom <= screen_height, button_id
        assert form.query_one("#param-issuer", Input).value == UNREACHABLE  # kept
        # Apply again: the same failure is reported again (an equal answer used to be lost,
        # leaving "Reading the metadata…" on screen for good)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        for _ in range(50):
            await pilot.pause()
            if error.display:
                break
        assert error.display and "Discovery failed" in text_of(error)
        assert not form.has_class("-discovering")
        await pilot.click("#params-cancel")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)


@pytest.mark.parametrize("where", ["proc", "directory", "missing folder"])
async def test_an_export_error_stays_in_the_dialog(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    if where == "proc":
        if not Path("/proc/self").is_dir():
            pytest.skip("needs Linux /proc")
        typed, message = (
            "/proc/x.md",
            "/proc/x.md: cannot write here: the folder takes no new files",
        )
    elif where == "directory":
        (tmp_path / "reports").mkdir()
        typed, message = "reports", "reports: is a directory; give a file name"
    else:
        typed, message = "no/such/x.md", "no/such/x.md: folder 'no/such' does not exist"
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_web_out(pilot)
        dialog = await open_export(pilot)
        field = dialog.query_one("#export-path", Input)
        field.value = typed
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog  # still open
        assert field.value == typed  # what was typed is kept
        error = dialog.query_one("#export-error", Static)
        assert error.display and text_of(error) == message
        assert "No such file or directory" not in text_of(error)
        assert error.region.y == field.region.bottom  # right under the field
        assert field.has_class("-invalid")
        assert app.screen.focused is field  # to correct it
        await pilot.press("x")  # typing clears the error
        await pilot.pause()
        assert not error.display and not field.has_class("-invalid")
    assert not any(n.title == "Saved" for n in app._notifications)


async def test_no_to_replacing_returns_to_the_file_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.md").write_text("mine\n", encoding="utf-8")
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_web_out(pilot)
        dialog = await open_export(pilot)
        dialog.query_one("#export-path", Input).value = "mine.md"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is dialog
        assert dialog.focused is dialog.query_one("#export-path", Input)
        assert dialog.query_one("#export-path", Input).value == "mine.md"
        assert (tmp_path / "mine.md").read_text(encoding="utf-8") == "mine\n"
        dialog.query_one("#export-path", Input).value = "other.md"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        assert (tmp_path / "other.md").read_text(encoding="utf-8").startswith("# ")


async def test_the_label_shows_the_folder_and_success_keeps_names_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "reports" / "security-review"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_web_out(pilot)
        dialog = await open_export(pilot)
        label = text_of(dialog.query_one("#export-label", Static))
        assert label == f"File name, relative to {folder}:"
        name = dialog.query_one("#export-path", Input).value
        await pilot.press("enter")
        await pilot.pause()
        assert (folder / name).is_file()
        saved = [n for n in app._notifications if n.title == "Saved"][-1]
        lines = saved.message.split("\n")
        assert "".join(lines) == f"Wrote {folder / name}"
        assert len(lines) > 1  # too long for one line of the toast at 80 columns
        assert all(line.endswith("/") for line in lines[:-1])  # broken after a "/" only
        assert lines[-1] == name
        # A toast is 60 cells wide but at most half the screen, less its padding (1 + 1) and
        # its border (1): 37 cells at 80 columns, so Textual does not wrap the lines again.
        toast_width = min(60, app.size.width // 2) - 3
        assert all(len(line) <= toast_width for line in lines)


async def test_every_parameter_field_can_be_reached_at_80x24() -> None:
    """The fields scroll inside the dialog: the last one, focused, is in sight above the
    error line and the buttons (before, it sat under them and typing there was invisible)."""
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1")
        await pilot.pause(0.3)
        while app.session is not None and app.session.current_question is not None:
            await pilot.press("1")
            await pilot.pause(0.3)
        await pilot.press("e")
        await pilot.pause(0.5)
        screen = app.screen
        fields = screen.query_one("#params-fields")
        bottom = screen.query_one(".dialog-bottom")
        last = list(fields.query(Input))[-1]
        last.focus()
        await pilot.pause(0.3)
        assert fields.region.contains_region(last.region), (fields.region, last.region)
        assert last.region.bottom <= bottom.region.y, (last.region, bottom.region)
