"""The walk: one question at a time, with the path so far and how much may be left.

The screen is composed once. After an answer only what changed is replaced: the question's
text, its choices, the steps of the breadcrumb that differ, the progress hint. Rebuilding the
whole screen instead (``recompose``) styled and laid out every widget again, footer included,
on every answer; see ``benchmarks/tui_start.py --redraw``.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import ListView, Static

from advisor.session import Session
from advisor.tree.models import Question
from advisor.tui.messages import Answered, Back, Restart
from advisor.tui.text import paragraphs, plain
from advisor.tui.widgets.breadcrumb import Breadcrumb
from advisor.tui.widgets.choices import NUMBER_KEYS, ChoiceList
from advisor.tui.widgets.footer import KeyFooter

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

_DONE = "You have reached a recommendation."
"""What the walk shows, under the recommendation, once there is no question left."""


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

    session: var[Session | None] = var(None, init=False)
    """The walk to show; the app sets it after every change (the watcher updates the widgets:
    a plain reactive would also repaint the whole screen first, for nothing)."""

    def __init__(self, session: Session) -> None:
        super().__init__(id="walk")
        self.set_reactive(WalkScreen.session, session)
        self._choice_help: str | None = None

    def compose(self) -> ComposeResult:
        session = self.session
        assert session is not None
        question = session.current_question
        with Horizontal(id="topbar"):
            yield Static(plain(session.tree.title), id="tree-title")
            yield Static(_progress(session), id="progress")
        yield Breadcrumb(session.steps, id="breadcrumb")
        with VerticalScroll(id="question-box"):
            yield Static(_question_text(question), id="question-text")
            yield Static(_question_help(question), id="question-help")
        yield ChoiceList(question, id="choices")
        yield Static(id="choice-help")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._show_choice_help()

    async def watch_session(self, session: Session | None) -> None:
        if session is None or not self.is_mounted:
            return
        question = session.current_question
        if question is None:
            # The recommendation now covers this screen: keep the last question, which is
            # what Back returns to (and then there is nothing to replace).
            return
        async with self.batch():
            self.query_one("#progress", Static).update(_progress(session))
            await self.query_one("#breadcrumb", Breadcrumb).show(session.steps)
            box = self.query_one("#question-box", VerticalScroll)
            box.scroll_home(animate=False, immediate=True)
            self.query_one("#question-text", Static).update(_question_text(question))
            self.query_one("#question-help", Static).update(_question_help(question))
            choices = self.query_one("#choices", ChoiceList)
            await choices.show(question)
            choices.focus()
            self._show_choice_help()

    def _show_choice_help(self) -> None:
        choice = self.query_one("#choices", ChoiceList).highlighted_choice
        text = choice.help if choice is not None and choice.help else ""
        if text == self._choice_help:
            return  # the same help again (the cursor came back): nothing to lay out
        self._choice_help = text
        widget = self.query_one("#choice-help", Static)
        widget.update(plain(("→ ", "bold"), text) if text else "")
        # A class, not ``display``: an inline display would beat the stylesheet's rule that
        # hides the help texts (h), and the line would stay.
        widget.set_class(not text, "-empty")

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
        self.query_one("#choices", ChoiceList).action_select_cursor()

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
        self.query_one("#breadcrumb", Breadcrumb).focus()


def _progress(session: Session) -> Text:
    done = len(session.steps)
    if session.current_question is None:
        return plain(f"{done} answered · done")
    return plain(f"{done} answered · at most {session.remaining} to go")


def _question_text(question: Question | None) -> Text:
    return plain(_DONE) if question is None else plain((question.text, "bold"))


def _question_help(question: Question | None) -> Text:
    return Text() if question is None else paragraphs(question.help)
