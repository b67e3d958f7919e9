"""The current question's choices: arrows and Enter, number keys (on the screen), or a click.

Each choice is one widget that draws its number key and its label itself
(:class:`~advisor.tui.widgets.rows.KeyedLabel`) instead of a row container holding two labels:
four widgets per choice became one, and every widget costs time to mount, style and lay out, at
start-up and after every answer.
"""

from __future__ import annotations

from textual.content import Content
from textual.selection import Selection
from textual.widgets import ListItem, ListView

from advisor.tree.models import Choice, Question
from advisor.tui.messages import Answered
from advisor.tui.text import plain
from advisor.tui.widgets.rows import KeyedLabel, as_labels

NUMBER_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0")
"""The key that picks each choice, in order: 0 is the tenth."""


class ChoiceItem(ListItem):
    """One choice, with the number key that picks it."""

    def __init__(self, position: int, question: Question, choice: Choice) -> None:
        super().__init__(id=f"choice-{choice.id}")
        key = NUMBER_KEYS[position] if position < len(NUMBER_KEYS) else " "
        self.question_id = question.id
        self.choice = choice
        self.label = KeyedLabel(
            Content.from_rich_text(plain((f" {key} ", "b reverse"))),
            Content.from_rich_text(plain(choice.label)),
        )

    def render(self) -> KeyedLabel:
        return self.label

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return as_labels(selection).extract(self.label.text), "\n"


def _items(question: Question | None) -> list[ChoiceItem]:
    if question is None:
        return []
    return [ChoiceItem(i, question, c) for i, c in enumerate(question.choices)]


class ChoiceList(ListView):
    """The choices of one question. Posts :class:`Answered` when one is selected."""

    def __init__(self, question: Question | None, *, id: str | None = None) -> None:
        super().__init__(*_items(question), initial_index=0, id=id)
        self.question = question
        self.display = question is not None

    async def show(self, question: Question | None, selected: str | None = None) -> None:
        """Replace the choices with those of ``question`` (None: no question, no list), the
        cursor on the choice ``selected`` (the answer given before), else on the first."""
        # Back to the top first, while the old items are there: once they are gone the
        # scroll offset is clamped without the scrollbar hearing of it (a new list starts at
        # the top too).
        self.scroll_home(animate=False, immediate=True)
        ids = [choice.id for choice in question.choices] if question else []
        index = ids.index(selected) if selected in ids else 0
        if question is self.question:  # back to the question shown (e.g. from the outcome)
            self.index = index
            return
        self.question = question
        await self.clear()
        if not self.is_attached:  # the app is closing
            return
        await self.extend(_items(question))
        self.display = question is not None
        self.index = index

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
