"""Ask for a file name and write a file there: the Markdown report, or one sample.

The dialog writes the file itself, with the writer it is given (the same atomic writer as
``ask -o``: :func:`advisor.exports.files.write_atomic`), so whatever goes wrong is said next to
the field, in the writer's words, and what was typed stays there to be corrected. A file that
exists is replaced only after a yes; no returns to the file name.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from advisor.core.errors import ExportError
from advisor.tui.screens.confirm import ConfirmScreen
from advisor.tui.screens.dialog import Dialog
from advisor.tui.text import plain
from advisor.tui.widgets.footer import KeyFooter

Writer = Callable[[Path, bool], Path]
"""Writes the file at a path (replacing it when the flag is set); returns the path written or
raises :class:`~advisor.core.errors.ExportError`."""


class ExportScreen(Dialog[Path | None]):
    """A file name (default: in the folder grant-advisor was started in), then the file
    written there; dismisses with the path written, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", tooltip="Save (Enter in the field does it too)"),
        Binding("escape", "cancel", "Cancel"),
    ]

    AUTO_FOCUS = "#export-path"

    def __init__(self, title: str, default_name: str, write: Writer) -> None:
        super().__init__(id="export")
        self.title_text = title
        self.default_name = default_name
        self.write = write
        self.folder = Path.cwd()
        """Where a relative file name goes: the folder grant-advisor was started in."""

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog", classes="dialog"):
            yield Static(plain((self.title_text, "bold")), classes="dialog-title")
            yield Static(
                plain("File name, relative to ", (str(self.folder), "bold"), ":"),
                id="export-label",
                classes="field-label",
            )
            yield Input(self.default_name, id="export-path", select_on_focus=False)
            yield Static(id="export-error", classes="form-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="export-save", variant="primary")
                yield Button("Cancel", id="export-cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#export-error").display = False

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "export-save":
            self.action_save()
        else:
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show_error(None)

    def action_save(self) -> None:
        if self.app.screen is not self:  # a second Enter while the question is open
            return
        name = self.query_one("#export-path", Input).value.strip()
        if not name:
            self._show_error("Give a file name.")
            return
        if "\0" in name or any(ord(c) < 32 for c in name):
            self._show_error("The file name contains control characters.")
            return
        path = Path(os.path.expanduser(name))
        if path.is_symlink() or (path.exists() and not path.is_dir()):

            def replace(yes: bool | None) -> None:
                if yes:
                    self._write(path, force=True)
                else:  # back to the file name, to change it
                    self.query_one("#export-path", Input).focus()

            self.app.push_screen(ConfirmScreen(f"{name} exists. Replace it?", "Replace"), replace)
            return
        self._write(path, force=False)

    def _write(self, path: Path, force: bool) -> None:
        try:
            written = self.write(path, force)
        except ExportError as exc:
            self._show_error(str(exc))
            self.query_one("#export-path", Input).focus()
            return
        self.dismiss(written)

    def _show_error(self, problem: str | None) -> None:
        error = self.query_one("#export-error", Static)
        error.update(plain(problem or ""))
        error.display = problem is not None
        self.query_one("#export-path", Input).set_class(problem is not None, "-invalid")

    def action_cancel(self) -> None:
        self.dismiss(None)
