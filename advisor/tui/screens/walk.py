"""The walk: one question at a time, with the path so far and how much may be left."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, ListView, Static

from advisor.session import Session
from advisor.tui.messages import Answered, Back, Restart
from advisor.tui.text import paragraphs, plain
from advisor.tui.widgets.breadcrumb import Breadcrumb
from advisor.tui.widgets.choices import NUMBER_KEYS, ChoiceList

_CHOOSE: list[BindingType] = [
    Binding(
        key,
        f"choose({number})",
        "Choose",
        key_display="1-9,0",
        show=number == 1,
        tooltip="Pick a choice by its number (0 is the tenth)",
    )
    for number, key in enumerate(NUMBER_KEYS, 1)
]


class WalkScreen(Screen[None]):
    """Shows ``session``: its current question, the breadcrumb, and a progress hint."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *_CHOOSE,
        Binding("enter", "select", "Select", show=False),
        Binding("escape,backspace", "back", "Back", key_display="esc"),
        Binding("r", "restart", "Restart"),
        Binding("h", "toggle_help", "Help text", tooltip="Show or hide the help texts"),
        Binding("p", "focus_path", "Path", tooltip="Move to your answers to change one"),
    ]

    AUTO_FOCUS = "#choices"

    session: reactive[Session | None] = reactive(None, recompose=True)
    """The walk to show; the app sets it after every change."""

    def __init__(self, session: Session) -> None:
        super().__init__(id="walk")
        self.set_reactive(WalkScreen.session, session)

    def compose(self) -> ComposeResult:
        session = self.session
        assert session is not None
        question = session.current_question
        with Horizontal(id="topbar"):
            yield Static(plain(session.tree.title), id="tree-title")
            yield Static(plain(self._progress(session)), id="progress")
        if session.steps:
            yield Breadcrumb(session.steps, id="breadcrumb")
        if question is None:
            yield Static(plain("You have reached a recommendation."), id="question-text")
        else:
            with VerticalScroll(id="question-box"):
                yield Static(plain((question.text, "bold")), id="question-text")
                yield Static(paragraphs(question.help), id="question-help")
            yield ChoiceList(question, id="choices")
            yield Static(id="choice-help")
        yield Footer()

    def _progress(self, session: Session) -> str:
        done = len(session.steps)
        if session.current_question is None:
            return f"{done} answered · done"
        return f"{done} answered · at most {session.remaining} to go"

    async def recompose(self) -> None:
        await super().recompose()
        self._focus_choices()
        self._show_choice_help()

    def on_mount(self) -> None:
        self._show_choice_help()

    def _focus_choices(self) -> None:
        for choices in self.query("#choices").results(ChoiceList):
            choices.focus()

    def _show_choice_help(self) -> None:
        choices = self.query("#choices").results(ChoiceList)
        help_text = self.query("#choice-help").results(Static)
        for widget, list_view in zip(help_text, choices, strict=False):
            choice = list_view.highlighted_choice
            text = choice.help if choice is not None and choice.help else ""
            widget.update(plain(("→ ", "bold"), text) if text else "")
            widget.display = bool(text)

    def on_list_view_highlighted(self, event: ListView.Highlighted) -> None:
        if isinstance(event.list_view, ChoiceList):
            self._show_choice_help()

    # -- actions: each posts a message; the app changes the session ------------------------

    def action_choose(self, number: int) -> None:
        question = self.session.current_question if self.session else None
        if question is None or not 1 <= number <= len(question.choices):
            self.app.bell()
            return
        self.post_message(Answered(question.id, question.choices[number - 1].id))

    def action_select(self) -> None:
        """Enter where no list has focus: pick the highlighted choice."""
        for choices in self.query("#choices").results(ChoiceList):
            choices.action_select_cursor()

    def action_back(self) -> None:
        if self.session is None or not self.session.steps:
            self.app.bell()
            return
        self.post_message(Back())

    def action_restart(self) -> None:
        self.post_message(Restart())

    def action_toggle_help(self) -> None:
        self.toggle_class("-hide-help")

    def action_focus_path(self) -> None:
        for path in self.query("#breadcrumb").results(Breadcrumb):
            path.focus()
