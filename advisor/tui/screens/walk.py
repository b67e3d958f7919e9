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
from advisor.tui.messages import Answered, Back, Restart, Undo
from advisor.tui.text import paragraphs, plain
from advisor.tui.widgets.breadcrumb import Breadcrumb
from advisor.tui.widgets.choices import NUMBER_KEYS, ChoiceList
from advisor.tui.widgets.footer import KeyFooter

_CHOOSE: list[BindingType] = [
    Binding(
        key,
        f"choose({number})",
        "Choose",
        key_display="1-9,0",  # in the footer: the numbers of the question shown (key_display)
        show=number == 1,
        tooltip="Pick a choice by its number (0 is the tenth)",
    )
    for number, key in enumerate(NUMBER_KEYS, 1)
]


def number_keys(count: int) -> str:
    """The keys that pick one of ``count`` choices, as the footer shows them: ``1``,
    ``1-2``, ..., ``1-9``, ``1-9,0``."""
    if count <= 1:
        return "1"
    if count <= 9:
        return f"1-{count}"
    return "1-9,0"


_DONE = "You have reached a recommendation."
"""What the walk shows, under the recommendation, once there is no question left."""


class WalkScreen(Screen[None]):
    """Shows ``session``: its current question, the breadcrumb, and a progress hint."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *_CHOOSE,
        Binding("enter", "select", "Select", show=False),
        Binding("escape,backspace", "back", "Back", key_display="esc"),
        Binding("r", "restart", "Restart", tooltip="Back to the first question (u undoes it)"),
        Binding("u", "undo", "Undo restart", tooltip="Back to the answers given before"),
        Binding("h", "toggle_help", "Help text", tooltip="Show or hide the help texts"),
        Binding("p", "focus_path", "Path", tooltip="Move to your answers to change one"),
    ]

    AUTO_FOCUS = "#choices"

    session: var[Session | None] = var(None, init=False)
    """The walk to show; the app sets it after every change (the watcher updates the widgets:
    a plain reactive would also repaint the whole screen first, for nothing)."""
    can_undo: var[bool] = var(False, init=False)
    """Whether a restart can be undone (the app sets it; ``u`` shows in the footer)."""

    def __init__(self, session: Session) -> None:
        super().__init__(id="walk")
        self.set_reactive(WalkScreen.session, session)
        self._choice_help: str | None = None
        self.remember = True
        """Whether the next session shown puts the cursor on the answer given before to its
        question (after Back, not after a restart: the app sets it)."""

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

    async def watch_session(self, old: Session | None, session: Session | None) -> None:
        if session is None or not self.is_mounted:
            return
        question = session.current_question
        self.refresh_bindings()  # Back, and the choice numbers in the footer
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
            await choices.show(question, _answer_before(old, session) if self.remember else None)
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

    def watch_can_undo(self) -> None:
        self.refresh_bindings()

    def key_display(self, binding: Binding) -> str | None:
        """How the footer shows ``binding`` here: the choice numbers of the question shown
        (under the recommendation too: the last question stays, for Back)."""
        question = self.session.current_question if self.session else None
        if question is None and self.is_mounted:
            question = self.query_one("#choices", ChoiceList).question
        if binding.action.startswith("choose(") and question is not None:
            return number_keys(min(len(question.choices), len(NUMBER_KEYS)))
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("back", "restart"):  # nothing to undo on the first question
            return bool(self.session and self.session.steps)
        if action == "undo":
            return self.can_undo
        return True

    def on_list_view_highlighted(self, event: ListView.Highlighted) -> None:
        if isinstance(event.list_view, ChoiceList):
            self._show_choice_help()

    # -- actions: each posts a message; the app changes the session ------------------------

    def action_choose(self, number: int) -> None:
        question = self.session.current_question if self.session else None
        if question is None:
            self.app.bell()
            return
        if not 1 <= number <= len(question.choices):
            # Said, not only rung: a bell is easy to miss, and in a burst of typed-ahead keys
            # the next one answers this question instead.
            self.app.bell()
            key = NUMBER_KEYS[number - 1]
            self.notify(
                f"No choice {key} here: {number_keys(len(question.choices))} picks one.",
                severity="warning",
                timeout=3,
                markup=False,
            )
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
        if self.session is not None and self.session.steps:
            self.post_message(Restart(undoable=True))

    def action_undo(self) -> None:
        self.post_message(Undo())

    def action_toggle_help(self) -> None:
        self.toggle_class("-hide-help")

    def action_focus_path(self) -> None:
        self.query_one("#breadcrumb", Breadcrumb).focus()


def _answer_before(old: Session | None, new: Session) -> str | None:
    """The choice given before to the question ``new`` shows, when the user came back to it
    (Back, a step of the path, Escape from the recommendation): the cursor starts there."""
    if old is None or len(new.steps) >= len(old.steps):
        return None
    step = old.steps[len(new.steps)]
    question = new.current_question
    if question is None or step.question.id != question.id:
        return None
    return step.choice.id


def _progress(session: Session) -> Text:
    done = len(session.steps)
    if session.current_question is None:
        return plain(f"{done} answered · done")
    return plain(f"{done} answered · at most {session.remaining} to go")


def _question_text(question: Question | None) -> Text:
    return plain(_DONE) if question is None else plain((question.text, "bold"))


def _question_help(question: Question | None) -> Text:
    return Text() if question is None else paragraphs(question.help)
