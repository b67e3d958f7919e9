"""The current question's choices: arrows and Enter, number keys (on the screen), or a click."""

from __future__ import annotations

from textual.containers import Horizontal
from textual.widgets import Label, ListItem, ListView

from advisor.models import Choice, Question
from advisor.tui.messages import Answered
from advisor.tui.text import plain

NUMBER_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0")
"""The key that picks each choice, in order: 0 is the tenth."""


class ChoiceItem(ListItem):
    """One choice, with the number key that picks it."""

    def __init__(self, position: int, question: Question, choice: Choice) -> None:
        key = NUMBER_KEYS[position] if position < len(NUMBER_KEYS) else " "
        row = Horizontal(
            Label(plain((f" {key} ", "b reverse")), classes="choice-key"),
            Label(plain(choice.label), classes="choice-label"),
            classes="choice-row",
        )
        super().__init__(row, id=f"choice-{choice.id}")
        self.question_id = question.id
        self.choice = choice


class ChoiceList(ListView):
    """The choices of one question. Posts :class:`Answered` when one is selected."""

    def __init__(self, question: Question, *, id: str | None = None) -> None:
        items = (ChoiceItem(i, question, c) for i, c in enumerate(question.choices))
        super().__init__(*items, initial_index=0, id=id)
        self.question = question

    @property
    def highlighted_choice(self) -> Choice | None:
        """The choice under the cursor."""
        item = self.highlighted_child
        return item.choice if isinstance(item, ChoiceItem) else None

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        event.stop()
        item = event.item
        if isinstance(item, ChoiceItem):
            self.post_message(Answered(item.question_id, item.choice.id))
