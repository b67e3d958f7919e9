"""The base of every modal dialog: dismissing twice must not close the screen underneath.

``Screen.dismiss`` pops whatever screen is on top. A dialog can receive a second submit after
its first one closed it (two Enter presses queued before the first was handled); without this
guard that second dismiss would pop the screen below, e.g. the recommendation.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen

ResultType = TypeVar("ResultType")


def already_done() -> AwaitComplete:
    """An ``AwaitComplete`` that has nothing left to do (what a second dismiss returns)."""
    return AwaitComplete.nothing()  # type: ignore[no-any-return,no-untyped-call]


class Dialog(ModalScreen[ResultType]):
    """A modal screen that can be dismissed once, with F1 for the keys list in its footer (the
    app's F1 reaches past a modal screen; ``?`` would be typed into a field)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "app.help", "Keys", key_display="f1"),
    ]

    def dismiss(self, result: ResultType | None = None) -> AwaitComplete:
        if self.app.screen is not self:
            return already_done()
        return super().dismiss(result)
