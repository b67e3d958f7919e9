"""Textual's footer, rebuilt only when the keys it shows change.

Textual's ``Footer`` recomposes (a new widget per key, each styled from scratch) whenever the
screen's bindings may have changed: on every focus change, on mount, on resume. On the walk
that was three rebuilds per answer and three at start-up, and the keys shown were the same
each time. This footer compares what it would show with what it shows and skips the rebuild
when they are equal; it also composes its keys on mount instead of mounting empty and
rebuilding on the first bindings update. It looks and behaves like Textual's.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    """A :class:`~textual.widgets.Footer` that recomposes only when its keys change."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: object = None
        # The screen's bindings are complete when the footer mounts: compose them then.
        self.set_reactive(Footer._bindings_ready, True)

    def _keys(self) -> object:
        """What :meth:`Footer.compose` depends on: the shown bindings and their state."""
        palette: Any = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            palette = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        return (
            tuple(
                (binding, enabled, tooltip)
                for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
                if binding.show
            ),
            None if palette is None else palette[1:],
        )

    def compose(self) -> ComposeResult:
        self._shown = self._keys()
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                # Born with the footer's style: Textual's keys start compact and are switched
                # back through a data binding, restyling each key twice on every compose.
                # (The palette key has no such binding and stays compact.)
                widget.set_reactive(FooterKey.compact, self.compact)
            yield widget

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if self.is_attached and screen is self.screen and self._keys() == self._shown:
            return
        super().bindings_changed(screen)
