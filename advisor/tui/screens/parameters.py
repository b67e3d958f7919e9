"""The sample parameters form: issuer, discovery, client ID, scopes, redirect URI, audience,
the client authentication the samples use (the methods the outcome's sample supports, the
advised ones first; "As advised" leaves the choice to the advice, as ``ask`` without
``--client-auth`` does), and the client libraries the samples are built on (the flavours the
outcome's sample comes in, as ``ask --library``).

With "Discover from the issuer" ticked, Apply asks the app to read the issuer's metadata (in a
worker thread) and waits, showing that it does; the app answers by setting :attr:`discovery`.
The form closes with the parameters and the metadata, or stays open with the error under the
fields, so nothing the user typed is lost and the samples behind it stay as they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import var
from textual.widgets import Button, Checkbox, Input, Label, LoadingIndicator, Select, Static

from advisor.advice import Advice, outcome_client_auth
from advisor.core.vocabulary import LIBRARIES, sample_label
from advisor.tui.messages import DiscoverRequested
from advisor.tui.screens.dialog import Dialog
from advisor.tui.state import (
    PARAMETER_FIELDS,
    Discovery,
    form_values,
    offered_libraries,
    parse_parameters,
    sample_parameter_problem,
)
from advisor.tui.text import plain
from advisor.tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from advisor.server.model import ServerMetadata

PLACEHOLDERS = {
    "issuer": "https://auth.example.com (placeholder)",
    "client_id": "YOUR_CLIENT_ID (placeholder)",
    "scopes": "space-separated; empty: the sample's default",
    "redirect_uri": "empty: the sample's default",
    "audience": "the API's identifier, if the flow uses one",
}

NEEDS_ISSUER = "Discovery needs the issuer: the authorization server's issuer URL"
"""What the form says when discovery is ticked without an issuer (``ask --discover`` refuses
the same way)."""


def field_id(name: str) -> str:
    """The id of a field's input, e.g. ``param-client-id``."""
    return "param-" + name.replace("_", "-")


@dataclass(frozen=True, slots=True)
class AppliedParameters:
    """What the form closes with."""

    parameters: dict[str, Any]
    """The fields given (``SampleParams`` names), as the CLI records them."""
    metadata: ServerMetadata | None = None
    """The issuer's metadata when discovery is ticked, None when it is not."""
    libraries: tuple[str, ...] = ()
    """The library flavours ticked (:data:`~advisor.core.vocabulary.LIBRARIES` ids, in its
    order), as ``ask --library`` takes them."""


class ParametersScreen(Dialog[AppliedParameters | None]):
    """Edits the parameters; dismisses with the new ones, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "apply", "Apply", tooltip="Apply (Enter in a field does it too)"),
        Binding("escape", "cancel", "Cancel"),
    ]

    AUTO_FOCUS = "Input"

    discovery: var[Discovery | None] = var(None, init=False, always_update=True)
    """The answer to this form's last discovery request (set by the app)."""

    def __init__(
        self,
        advice: Advice,
        template_dirs: tuple[Path, ...] = (),
        libraries: tuple[str, ...] = (),
        kept: Mapping[str, Any] | None = None,
    ) -> None:
        """``libraries`` and ``kept``: the flavours and parameters chosen so far, including
        those that do not apply to this outcome (they stay chosen for later ones; see
        :func:`~advisor.tui.state.applicable`); None: the advice's parameters."""
        super().__init__(id="parameters")
        self.advice = advice
        """The advice whose parameters the form edits."""
        recommendation = advice.recommendation
        self.offered = offered_libraries(
            recommendation.outcome if recommendation is not None else None, template_dirs
        )
        """The library flavours the form offers (see :func:`offered_libraries`)."""
        self.libraries = libraries
        """The library flavours chosen before (also those this outcome does not offer: they
        are kept for the next outcome)."""
        self.values = form_values(advice.parameters)
        self.client_auth: str | None = (kept if kept is not None else advice.parameters).get(
            "client_auth"
        )
        """The client authentication the user picked (None: as advised), perhaps on an outcome
        whose sample offers it where this one does not."""
        self.template_dirs = template_dirs
        self.discover = advice.compatibility is not None
        """Whether discovery is on (the checkbox starts ticked)."""
        self._pending: dict[str, Any] | None = None
        """The parameters waiting for the discovery the form asked for."""
        self._ready: AppliedParameters | None = None
        """A result that arrived while another screen covered the form."""

    def compose(self) -> ComposeResult:
        with Vertical(id="params-dialog", classes="dialog"):
            recommendation = self.advice.recommendation
            has_sample = recommendation is not None and recommendation.outcome.sample is not None
            title = "Sample parameters" if has_sample else "Parameters"
            intro = (
                "Empty fields use placeholders. Apply re-renders the samples."
                if has_sample
                else "This advice has no sample code: with Discover ticked, Apply checks it "
                "against your authorization server."
            )
            yield Static(plain((title, "bold")), classes="dialog-title")
            with VerticalScroll(id="params-fields"):
                yield Static(plain(intro), classes="field-label")
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
                    if name == "issuer":  # right under the issuer: visible without scrolling
                        with Horizontal(classes="field-row"):
                            yield Label("", classes="field-label")
                            yield Checkbox(
                                plain("Discover from the issuer"),
                                self.discover,
                                id="param-discover",
                                tooltip="Reads the issuer's metadata (RFC 8414 / OpenID "
                                "Discovery): the samples get the server's real endpoints, and "
                                "the advice is checked against what the server supports",
                            )
                recommendation = self.advice.recommendation
                methods, advised = (
                    outcome_client_auth(recommendation.outcome) if recommendation else ((), None)
                )
                if len(methods) > 1:
                    with Horizontal(classes="field-row"):
                        yield Label("Client auth", classes="field-label")
                        yield Select(
                            [(plain(method), method) for method in methods],
                            prompt=(
                                "As advised, for the server"
                                if self.discover
                                else f"As advised ({advised})"
                            ),
                            value=self.client_auth if self.client_auth in methods else Select.NULL,
                            id="param-client-auth",
                            tooltip="How the samples authenticate the client at the token "
                            "endpoint; the advice prefers the first ones listed",
                        )
                for index, library_id in enumerate(self.offered):
                    library = LIBRARIES[library_id]
                    with Horizontal(classes="field-row"):
                        yield Label("Library" if index == 0 else "", classes="field-label")
                        yield Checkbox(
                            plain(
                                f"{sample_label(library.language, library_id)}: built on "
                                f"{library.name}"
                            ),
                            library_id in self.libraries,
                            id=f"param-library-{library_id}",
                            classes="param-library",
                            tooltip=f"Builds the {library.language} sample on {library.name} "
                            f"({library.install}) instead of the standard library only",
                        )
            # At the bottom of the dialog whatever the fields above need: a long error must
            # not push the buttons out of sight (the fields scroll instead).
            with Vertical(id="params-bottom", classes="dialog-bottom"):
                with Horizontal(id="params-discovering"):
                    yield LoadingIndicator(id="params-discovering-indicator")
                    yield Static(id="params-discovering-text")
                yield Static(id="params-error", classes="form-error")
                with Horizontal(classes="dialog-buttons"):
                    yield Button("Apply", id="params-apply", variant="primary")
                    yield Button("Cancel", id="params-cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        for error in self.query(".field-error, .form-error").results(Static):
            error.display = False

    def on_screen_resume(self) -> None:
        ready, self._ready = self._ready, None
        if ready is not None:
            self.dismiss(ready)

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
        self._stop_waiting()  # the values asked about are not the ones in the form any more

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._stop_waiting()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self._stop_waiting()
        for error in self.query("#param-issuer-error").results(Static):
            error.display = False

    def action_apply(self) -> None:
        form = {
            name: self.query_one(f"#{field_id(name)}", Input).value for name, _ in PARAMETER_FIELDS
        }
        parameters, problems = parse_parameters(form)
        discover = self.query_one("#param-discover", Checkbox).value
        if discover and "issuer" not in parameters and "issuer" not in problems:
            problems["issuer"] = NEEDS_ISSUER
        general = self.query_one("#params-error", Static)
        general.display = False
        self._stop_waiting()
        if self._show_problems(problems):
            return
        choices = list(self.query("#param-client-auth").results(Select))
        for choice in choices:
            if isinstance(choice.value, str):  # last, where ``ask`` records --client-auth
                parameters["client_auth"] = choice.value
        if not choices and self.client_auth is not None:
            parameters["client_auth"] = self.client_auth  # not offered here: kept for later
        libraries = self._libraries()
        rejected = sample_parameter_problem(self.advice, parameters, self.template_dirs, libraries)
        if rejected is not None:
            field, message = rejected
            if field in dict(PARAMETER_FIELDS):  # next to the field it is about
                self._show_problems({field: message})
            else:
                general.update(plain(("Not accepted: ", "bold"), message))
                general.display = True
            return
        if not discover:
            self.dismiss(AppliedParameters(parameters, libraries=libraries))
            return
        issuer = str(parameters["issuer"])
        self._pending = parameters
        self.query_one("#params-discovering-text", Static).update(
            plain("Reading the metadata of ", (issuer, "bold"), "…")
        )
        self.add_class("-discovering")
        self.post_message(DiscoverRequested(issuer))

    def watch_discovery(self, discovery: Discovery | None) -> None:
        parameters = self._pending
        if discovery is None or parameters is None or discovery.issuer != parameters["issuer"]:
            return  # not (or no longer) what this form is waiting for
        self._stop_waiting()
        if discovery.metadata is None:
            general = self.query_one("#params-error", Static)
            general.update(plain(("Discovery failed: ", "bold"), discovery.error or "no metadata"))
            general.display = True
            return
        applied = AppliedParameters(parameters, discovery.metadata, self._libraries())
        if self.app.screen is self:
            self.dismiss(applied)
        else:
            self._ready = applied  # dismissed when the form is back on top

    def _show_problems(self, problems: Mapping[str, str]) -> bool:
        """Show each field's problem under it (and clear the others), focus the first field
        with one; whether there was any."""
        for name, _ in PARAMETER_FIELDS:
            error = self.query_one(f"#{field_id(name)}-error", Static)
            field = self.query_one(f"#{field_id(name)}", Input)
            problem = problems.get(name)
            error.update(plain(problem or ""))
            error.display = problem is not None
            field.set_class(problem is not None, "-invalid")
        first = next((name for name, _ in PARAMETER_FIELDS if name in problems), None)
        if first is not None:
            self.query_one(f"#{field_id(first)}", Input).focus()
        return first is not None

    def _libraries(self) -> tuple[str, ...]:
        """The flavours ticked, and those chosen before that this outcome does not offer."""
        ticked = {
            library_id
            for library_id in self.offered
            if self.query_one(f"#param-library-{library_id}", Checkbox).value
        }
        kept = {library_id for library_id in self.libraries if library_id not in self.offered}
        return tuple(library_id for library_id in LIBRARIES if library_id in ticked | kept)

    def _stop_waiting(self) -> None:
        self._pending = None
        self.remove_class("-discovering")

    def action_cancel(self) -> None:
        self.dismiss(None)
