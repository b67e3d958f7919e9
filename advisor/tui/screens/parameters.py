"""The sample parameters form: issuer, client ID, scopes, redirect URI, audience."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from advisor.session import Recommendation
from advisor.tui.screens.dialog import Dialog
from advisor.tui.state import PARAMETER_FIELDS, check_parameters, form_values, parse_parameters
from advisor.tui.text import plain

PLACEHOLDERS = {
    "issuer": "https://auth.example.com (placeholder)",
    "client_id": "YOUR_CLIENT_ID (placeholder)",
    "scopes": "space-separated; empty: the sample's default",
    "redirect_uri": "empty: the sample's default",
    "audience": "the API's identifier, if the flow uses one",
}


def field_id(name: str) -> str:
    """The id of a field's input, e.g. ``param-client-id``."""
    return "param-" + name.replace("_", "-")


class ParametersScreen(Dialog[dict[str, Any] | None]):
    """Edits the parameters; dismisses with the new ones, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "apply", "Apply"),
    ]

    AUTO_FOCUS = "Input"

    def __init__(
        self,
        parameters: Mapping[str, Any],
        recommendation: Recommendation | None = None,
        template_dirs: tuple[Path, ...] = (),
    ) -> None:
        super().__init__(id="parameters")
        self.values = form_values(parameters)
        self.recommendation = recommendation
        self.template_dirs = template_dirs

    def compose(self) -> ComposeResult:
        with Vertical(id="params-dialog", classes="dialog"):
            yield Static(plain(("Sample parameters", "bold")), classes="dialog-title")
            with VerticalScroll(id="params-fields"):
                yield Static(
                    plain("Empty fields use placeholders. Apply re-renders the samples."),
                    classes="field-label",
                )
                for name, label in PARAMETER_FIELDS:
                    with Horizontal(classes="field-row"):
                        yield Label(label, classes="field-label")
                        yield Input(
                            self.values[name],
                            placeholder=PLACEHOLDERS[name],
                            id=field_id(name),
                            select_on_focus=False,
                        )
                    yield Static(id=f"{field_id(name)}-error", classes="field-error")
            yield Static(id="params-error", classes="form-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Apply", id="params-apply", variant="primary")
                yield Button("Cancel", id="params-cancel")

    def on_mount(self) -> None:
        for error in self.query(".field-error, .form-error").results(Static):
            error.display = False

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "params-apply":
            self.action_apply()
        else:
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id:
            for error in self.query(f"#{event.input.id}-error").results(Static):
                error.display = False
            event.input.remove_class("-invalid")

    def action_apply(self) -> None:
        form = {
            name: self.query_one(f"#{field_id(name)}", Input).value for name, _ in PARAMETER_FIELDS
        }
        parameters, problems = parse_parameters(form)
        for name, _ in PARAMETER_FIELDS:
            error = self.query_one(f"#{field_id(name)}-error", Static)
            field = self.query_one(f"#{field_id(name)}", Input)
            problem = problems.get(name)
            error.update(plain(problem or ""))
            error.display = problem is not None
            field.set_class(problem is not None, "-invalid")
        general = self.query_one("#params-error", Static)
        general.display = False
        if problems:
            first = next(name for name, _ in PARAMETER_FIELDS if name in problems)
            self.query_one(f"#{field_id(first)}", Input).focus()
            return
        rejected = check_parameters(self.recommendation, parameters, self.template_dirs)
        if rejected:
            general.update(plain(("Not accepted: ", "bold"), rejected))
            general.display = True
            return
        self.dismiss(parameters)

    def action_cancel(self) -> None:
        self.dismiss(None)
