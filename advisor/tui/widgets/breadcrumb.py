"""The path so far: one line per answered question, each one a way back to that question.

Each step is one widget that draws its line itself (:class:`~advisor.tui.widgets.rows.StepLine`)
instead of a row holding three labels: mounting, styling and laying out widgets is most of the
cost of a redraw, and a step is added or removed on every answer.
"""

from __future__ import annotations

from typing import ClassVar

from textual.content import Content
from textual.selection import Selection
from textual.widgets import ListItem, ListView

from advisor.session import Step
from advisor.tui.messages import Revisit
from advisor.tui.text import plain
from advisor.tui.widgets.rows import StepLine, as_labels


class StepItem(ListItem):
    """One answered question: ``n. question → answer``."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"step-arrow"}

    def __init__(self, index: int, step: Step) -> None:
        super().__init__(id=f"step-{index}")
        self.index = index
        self.question_id = step.question.id
        self.choice_id = step.choice.id
        self.question = Content.from_rich_text(plain(f"{index + 1}. ", step.question.text))
        self.answer = Content.from_rich_text(plain((step.choice.label, "bold")))
        self.tooltip = plain(step.question.text, "\n→ ", step.choice.label)

    def render(self) -> StepLine:
        return StepLine(self.question, self.answer, self.get_visual_style("step-arrow"))

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return as_labels(selection).extract(self.render().text), "\n"


class Breadcrumb(ListView):
    """The answers given so far; select one (Enter or a click) to answer it again.

    Hidden while there are none.
    """

    def __init__(self, steps: tuple[Step, ...], *, id: str | None = None) -> None:
        super().__init__(
            *(StepItem(i, step) for i, step in enumerate(steps)), initial_index=None, id=id
        )
        self.border_title = "Your answers (select one to change it)"
        self.can_focus = self.display = bool(steps)

    async def show(self, steps: tuple[Step, ...]) -> None:
        """Show ``steps``: the items that differ are replaced, the others kept."""
        items = [item for item in self.children if isinstance(item, StepItem)]
        keep = 0
        for item, step in zip(items, steps, strict=False):
            if (item.question_id, item.choice_id) != (step.question.id, step.choice.id):
                break
            keep += 1
        self.index = None
        self.scroll_home(animate=False, immediate=True)  # first: see ChoiceList.show
        if keep < len(items):
            await self.remove_children(items[keep:])
        if keep < len(steps) and self.is_attached:  # (not attached: the app is closing)
            await self.extend(StepItem(i, steps[i]) for i in range(keep, len(steps)))
        self.can_focus = self.display = bool(steps)

    def on_focus(self) -> None:
        """Arriving at the path (Tab, ``p``): start on the last answer, the likeliest to change."""
        if self.index is None and self.children:
            self.index = len(self.children) - 1

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        event.stop()
        item = event.item
        if isinstance(item, StepItem):
            self.post_message(Revisit(item.index, item.question_id))
