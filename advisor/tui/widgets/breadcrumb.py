"""The path so far: one line per answered question, each one a way back to that question.

Each step is one widget that draws its line itself (:class:`~advisor.tui.widgets.rows.StepLine`)
instead of a row holding three labels: mounting, styling and laying out widgets is most of the
cost of a redraw, and a step is added or removed on every answer. The step widgets are kept:
a step taken back is hidden, and shown again (with the new answer) when a step is added.
"""

from __future__ import annotations

from typing import ClassVar

from textual.content import Content
from textual.selection import Selection
from textual.widget import AwaitMount
from textual.widgets import ListItem, ListView

from advisor.session import Step
from advisor.tui.messages import Revisit
from advisor.tui.text import plain
from advisor.tui.widgets.rows import StepLine, as_labels


class StepItem(ListItem):
    """One answered question: ``n. question → answer``."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"step-arrow"}

    def __init__(self, index: int, step: Step | None) -> None:
        super().__init__(id=f"step-{index}")
        self.index = index
        self.question_id = ""
        self.choice_id = ""
        self.question = self.answer = Content()
        if step is not None:
            self.show_step(step)

    def show_step(self, step: Step) -> None:
        """Show ``step`` (the item is reused for another answer at its place)."""
        if (self.question_id, self.choice_id) == (step.question.id, step.choice.id):
            return
        self.question_id = step.question.id
        self.choice_id = step.choice.id
        self.question = Content.from_rich_text(plain(f"{self.index + 1}. ", step.question.text))
        self.answer = Content.from_rich_text(plain((step.choice.label, "bold")))
        self.tooltip = plain(step.question.text, "\n→ ", step.choice.label)
        if self.is_mounted:
            self.refresh(layout=True)

    def render(self) -> StepLine:
        return StepLine(self.question, self.answer, self.get_visual_style("step-arrow"))

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return as_labels(selection).extract(self.render().text), "\n"


class Breadcrumb(ListView):
    """The answers given so far; select one (Enter or a click) to answer it again.

    Hidden while there are none.
    """

    def __init__(self, steps: tuple[Step, ...], *, spare: int = 0, id: str | None = None) -> None:
        """``spare``: hidden items made in advance, for the steps of walks to come."""
        items = [StepItem(i, step) for i, step in enumerate(steps)]
        spares = [StepItem(i, None) for i in range(len(steps), len(steps) + spare)]
        for item in spares:
            item.display = False
        super().__init__(*items, *spares, initial_index=None, id=id)
        self.border_title = "Your answers (select one to change it)"
        self.count = len(steps)
        """How many items show a step (the others are hidden, kept for later answers)."""
        self.can_focus = self.display = bool(steps)

    def validate_index(self, index: int | None) -> int | None:
        """The cursor stays on the items that show a step."""
        index = super().validate_index(index)
        if index is None or not self.count:
            return None
        return min(index, self.count - 1)

    async def show(self, steps: tuple[Step, ...]) -> None:
        """Show ``steps``: each item shows the step at its place, more are mounted only when
        there are more steps than ever before."""
        mounting = self.show_now(steps)
        if mounting is not None:
            await mounting

    def show_now(self, steps: tuple[Step, ...]) -> AwaitMount | None:
        """:meth:`show`, returning what is left to await (new items mounting), if anything."""
        items = [item for item in self.children if isinstance(item, StepItem)]
        self.index = None
        self.scroll_home(animate=False, immediate=True)  # first: see ChoiceList.show
        for item, step in zip(items, steps, strict=False):
            item.show_step(step)
            item.display = True
        for item in items[len(steps) :]:
            item.display = False
        self.count = len(steps)
        self.can_focus = self.display = bool(steps)
        if len(steps) > len(items) and self.is_attached:  # (not attached: the app is closing)
            return self.extend(StepItem(i, steps[i]) for i in range(len(items), len(steps)))
        return None

    def on_focus(self) -> None:
        """Arriving at the path (Tab, ``p``): start on the last answer, the likeliest to change."""
        if self.index is None and self.count:
            self.index = self.count - 1

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        event.stop()
        item = event.item
        if isinstance(item, StepItem):
            self.post_message(Revisit(item.index, item.question_id))
