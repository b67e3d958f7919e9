"""Textual's command palette, guarded against three races in Textual 8.2.8.

Both were found by the random-key test:

- Page Up / Page Down pressed after the palette has found commands but before its list has
  been laid out raise ``KeyError`` in ``OptionList._move_page`` (the line map is still empty).
  Those keys now do nothing in that instant.
- A selection (Enter, a click) that arrives after another one has already closed the palette
  ran the command again and dismissed again, and ``Screen.dismiss`` pops whatever screen is on
  top: the screen underneath, or with one screen left, a ``ScreenStackError``. Selections that
  arrive once the palette is no longer on top are now dropped.
- The search worker can still deliver results after the palette has closed and its widgets
  are gone; showing them raised ``NoMatches`` for ``CommandList`` in the worker, which failed
  the app. Results for a palette without its list are now ignored.
"""

from __future__ import annotations

from textual.await_complete import AwaitComplete
from textual.command import CommandList, CommandPalette
from textual.message import Message
from textual.widgets import Button, Input, OptionList

from advisor.tui.screens.dialog import already_done

_SELECTIONS = (OptionList.OptionSelected, Input.Submitted, Button.Pressed)


class GuardedCommandPalette(CommandPalette):
    """The command palette, minus the crashes described above."""

    async def _on_message(self, message: Message) -> None:
        if isinstance(message, _SELECTIONS) and self.app.screen is not self:
            return
        await super()._on_message(message)

    def dismiss(self, result: None = None) -> AwaitComplete:
        if self.app.screen is not self:
            return already_done()
        return super().dismiss(result)

    def _action_command_list(self, action: str) -> None:
        if action.startswith("page_"):
            commands = self.query_one(CommandList)
            if commands.option_count and commands.scrollable_content_region.height == 0:
                return
        super()._action_command_list(action)

    def _watch__list_visible(self) -> None:
        if not self.query(CommandList):  # closed: the list is gone, nothing to show
            return
        super()._watch__list_visible()
