"""Textual's footer, rebuilt only when the keys it shows change, and fitted to the width.

Textual's ``Footer`` recomposes (a new widget per key, each styled from scratch) whenever the
screen's bindings may have changed: on every focus change, on mount, on resume. On the walk
that was three rebuilds per answer and three at start-up, and the keys shown were the same
each time. This footer compares what it would show with what it shows and skips the rebuild
when they are equal; it also composes its keys on mount instead of mounting empty and
rebuilding on the first bindings update.

Fitted: Textual's footer lays the keys out in a row and cuts the row at the right edge, in the
middle of a word if need be, and what is cut is whatever comes last. Here the help key (``?``)
always comes last and always shows; the keys before it show as far as they fit whole, in the
order the screen lists them (most used first). Below :data:`COMPACT_BELOW` columns the keys
are drawn compact (less padding), as Textual's ``compact`` footer does.
"""

from __future__ import annotations

from typing import Any, Final

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

COMPACT_BELOW: Final = 100
"""Narrower terminals get the compact footer."""

HELP_ACTION: Final = "help"
"""The app's action that lists every key: its key is always shown."""


def key_width(key: FooterKey, compact: bool) -> int:
    """The cells ``key`` takes in the footer (Textual's FooterKey padding and margins)."""
    text = cell_len(key.key_display)
    if key.description:
        text += cell_len(key.description) + 1
    if key.has_class("-command-palette"):
        return text + (1 if compact else 3) + 1  # padding, and its border on the left
    return text + (1 if compact else 2)


class KeyFooter(Footer):
    """A :class:`~textual.widgets.Footer` that recomposes only when its keys change, keeps the
    help key in sight and never cuts a key."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: object = None
        # The screen's bindings are complete when the footer mounts: compose them then.
        self.set_reactive(Footer._bindings_ready, True)

    def _keys(self) -> tuple[object, dict[str, str]]:
        """What :meth:`Footer.compose` depends on (the shown bindings and their state), and how
        each action's key is displayed (the walk's choice numbers change with the question:
        that needs no rebuild, see :meth:`bindings_changed`)."""
        palette: Any = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            palette = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        shown = [
            (binding, enabled, tooltip)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        ]
        displays = {binding.action: self.app.get_key_display(binding) for binding, *_ in shown}
        return (tuple(shown), None if palette is None else palette[1:]), displays

    def compose(self) -> ComposeResult:
        self._shown = self._keys()[0]
        last: list[FooterKey] = []
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                # Born with the footer's style: Textual's keys start compact and are switched
                # back through a data binding, restyling each key twice on every compose.
                # (The palette key has no such binding and stays compact.)
                widget.set_reactive(FooterKey.compact, self.compact)
                if widget.action == HELP_ACTION:
                    widget.add_class("-help")
                    last.append(widget)
                    continue
            yield widget
        yield from last
        self.call_after_refresh(self._fit)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if self.is_attached and screen is self.screen:
            keys, displays = self._keys()
            if keys == self._shown:
                self._update_displays(displays)
                return
        super().bindings_changed(screen)

    def _update_displays(self, displays: dict[str, str]) -> None:
        """New key displays for the same keys (``1-2`` after ``1-9,0``): redrawn in place."""
        changed = False
        for key in self.query_children(FooterKey):
            display = displays.get(key.action)
            if display is not None and display != key.key_display:
                key.key_display = display
                key.refresh(layout=True)
                changed = True
        if changed:
            self._fit()

    def on_resize(self) -> None:
        compact = self.size.width < COMPACT_BELOW
        if compact != self.compact:
            self.compact = compact
        self._fit()

    def _fit(self) -> None:
        """Show the keys that fit whole, in order, the help key always."""
        width = self.size.width
        if not width:
            return
        keys = list(self.query_children(FooterKey))
        fixed = [k for k in keys if k.has_class("-command-palette") or k.has_class("-help")]
        room = width - sum(key_width(k, self.compact) for k in fixed)
        fits = True
        for key in keys:
            if key in fixed:
                continue
            needed = key_width(key, self.compact)
            fits = fits and needed <= room
            if fits:
                room -= needed
            if key.display != fits:
                key.display = fits
