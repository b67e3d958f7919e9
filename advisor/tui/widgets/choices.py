"""The current question's choices: arrows and Enter, number keys (on the screen), or a click.

Each choice is one widget that draws its number key and its label itself
(:class:`~advisor.tui.widgets.rows.KeyedLabel`) instead of a row container holding two labels:
four widgets per choice became one, and every widget costs time to mount, style and lay out, at
start-up and after every answer. The widgets are also kept from question to question: the next
question's choices are drawn by the same items, a question with fewer choices hides the ones it
does not need, and only a question with more choices than ever shown mounts new ones.
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
    """One choice, with the number key that picks it (the item at ``position`` of the list,
    showing whichever question's choice is there now)."""

    def __init__(self, position: int, question: Question, choice: Choice) -> None:
        super().__init__(id=f"choice-{position + 1}")
        self.position = position
        self.question_id = question.id
        self.choice = choice
        self.label = self._label(choice)

    def _label(self, choice: Choice) -> KeyedLabel:
        position = self.position
        key = NUMBER_KEYS[position] if position < len(NUMBER_KEYS) else " "
        return KeyedLabel(
            Content.from_rich_text(plain((f" {key} ", "b reverse"))),
            Content.from_rich_text(plain(choice.label)),
        )

    def show_choice(self, question: Question, choice: Choice) -> None:
        """Show ``choice`` of ``question`` (the item is reused for another question)."""
        self.question_id = question.id
        if choice is not self.choice:
            self.choice = choice
            self.label = self._label(choice)
            self.refresh(layout=True)

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
        self.count = len(question.choices) if question else 0
        """How many items show a choice (the others are hidden, kept for later questions)."""
        self.display = question is not None

    def validate_index(self, index: int | None) -> int | None:
        """The cursor stays on the items that show a choice."""
        index = super().validate_index(index)
        if index is None or not self.count:
            return None if not self.count else index
        return min(index, self.count - 1)

    def item_for(self, choice_id: str) -> ChoiceItem | None:
        """The item showing the choice ``choice_id`` of the question shown."""
        for item in self.children[: self.count]:
            if isinstance(item, ChoiceItem) and item.choice.id == choice_id:
                return item
        return None

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
        choices = list(question.choices) if question else []
        items = [item for item in self.children if isinstance(item, ChoiceItem)]
        for item, choice in zip(items, choices, strict=False):
            assert question is not None
            item.show_choice(question, choice)
            item.display = True
        for item in items[len(choices) :]:
            item.display = False
        self.count = len(choices)
        if len(choices) > len(items) and question is not None and self.is_attached:
            await self.extend(
                ChoiceItem(position, question, choices[position])
                for position in range(len(items), len(choices))
            )
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
