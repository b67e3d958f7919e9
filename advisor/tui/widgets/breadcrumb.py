"""The path so far: one line per answered question, each one a way back to that question."""

from __future__ import annotations

from textual.containers import Horizontal
from textual.widgets import Label, ListItem, ListView

from advisor.session import Step
from advisor.tui.messages import Revisit
from advisor.tui.text import plain


class StepItem(ListItem):
    """One answered question: ``n. question → answer``."""

    def __init__(self, index: int, step: Step) -> None:
        row = Horizontal(
            Label(plain(f"{index + 1}. ", step.question.text), classes="step-question"),
            Label(" → ", classes="step-arrow"),
            Label(plain((step.choice.label, "bold")), classes="step-answer"),
            classes="step-row",
        )
        super().__init__(row, id=f"step-{index}")
        self.index = index
        self.question_id = step.question.id
        self.tooltip = plain(step.question.text, "\n→ ", step.choice.label)


class Breadcrumb(ListView):
    """The answers given so far; select one (Enter or a click) to answer it again."""

    def __init__(self, steps: tuple[Step, ...], *, id: str | None = None) -> None:
        super().__init__(
            *(StepItem(i, step) for i, step in enumerate(steps)), initial_index=None, id=id
        )
        self.border_title = "Your answers (select one to change it)"
        self.can_focus = bool(steps)

    def on_focus(self) -> None:
        """Arriving at the path (Tab, ``p``): start on the last answer, the likeliest to change."""
        if self.index is None and self.children:
            self.index = len(self.children) - 1

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        event.stop()
        item = event.item
        if isinstance(item, StepItem):
            self.post_message(Revisit(item.index, item.question_id))
