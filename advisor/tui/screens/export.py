"""Ask where to write the Markdown report."""

from __future__ import annotations

import os
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from advisor.tui.screens.dialog import Dialog
from advisor.tui.text import plain


class ExportScreen(Dialog[str | None]):
    """A file name (default: in the current folder); dismisses with it, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    AUTO_FOCUS = "#export-path"

    def __init__(self, default_name: str) -> None:
        super().__init__(id="export")
        self.default_name = default_name

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog", classes="dialog"):
            yield Static(plain(("Export the report as Markdown", "bold")), classes="dialog-title")
            yield Static(
                plain("File name (relative to the folder grant-advisor was started in):"),
                classes="field-label",
            )
            yield Input(self.default_name, id="export-path", select_on_focus=False)
            yield Static(id="export-error", classes="form-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="export-save", variant="primary")
                yield Button("Cancel", id="export-cancel")

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

    def action_save(self) -> None:
        path = self.query_one("#export-path", Input).value.strip()
        error = self.query_one("#export-error", Static)
        problem = None
        if not path:
            problem = "Give a file name."
        elif "\0" in path or any(ord(c) < 32 for c in path):
            problem = "The file name contains control characters."
        if problem:
            error.update(plain(problem))
            error.display = True
            return
        self.dismiss(os.path.expanduser(path))

    def action_cancel(self) -> None:
        self.dismiss(None)
