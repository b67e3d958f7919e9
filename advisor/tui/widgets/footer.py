"""Textual's footer, updated in place when the keys it shows change, and fitted to the width.

Textual's ``Footer`` recomposes (a new widget per key, each styled from scratch) whenever the
screen's bindings may have changed: on every focus change, on mount, on resume. On the walk
that was three rebuilds per answer and three at start-up. This footer keeps its key widgets:
a key that becomes unavailable (Back on the first question) is hidden, one that comes back is
shown again, a key whose display changes (the walk's ``1-9,0`` becoming ``1-2``) is redrawn,
a key that is dimmed or no longer is restyled. It recomposes only for a key it has never
shown; it also composes its keys on mount instead of mounting empty and rebuilding on the
first bindings update.

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
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

COMPACT_BELOW: Final = 100
"""Narrower terminals get the compact footer."""

HELP_ACTION: Final = "help"
"""The app's action that lists every key: its key is always shown."""

Shown = tuple[Binding, bool, str]
"""A binding the footer shows, whether it is enabled, and its tooltip."""


def key_width(key: FooterKey, compact: bool) -> int:
    """The cells ``key`` takes in the footer (Textual's FooterKey padding and margins)."""
    text = cell_len(key.key_display)
    if key.description:
        text += cell_len(key.description) + 1
    if key.has_class("-command-palette"):
        return text + (1 if compact else 3) + 1  # padding, and its border on the left
    return text + (1 if compact else 2)


class KeyFooter(Footer):
    """A :class:`~textual.widgets.Footer` that keeps its key widgets, keeps the help key in
    sight, never cuts a key and does not show keys that do nothing now (disabled: a screen's
    ``check_action`` returned None)."""

    def __init__(self) -> None:
        super().__init__()
        self._composed: dict[str, Binding] = {}
        """The first binding of each action that has a key widget, in the footer's order."""
        self._palette: object = None
        self._inactive: set[str] = set()
        """Actions whose key is composed but not available now (hidden)."""
        # The screen's bindings are complete when the footer mounts: compose them then.
        self.set_reactive(Footer._bindings_ready, True)

    def _shown(self) -> tuple[list[Shown], object]:
        """The bindings the footer shows now (the first per action), and the palette key."""
        palette: Any = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            palette = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        shown: dict[str, Shown] = {}
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show:
                shown.setdefault(binding.action, (binding, enabled, tooltip))
        return list(shown.values()), None if palette is None else palette[1:]

    def compose(self) -> ComposeResult:
        # The footer spans the screen: its width is the app's, even before it is laid out (a
        # screen built ahead of time is fitted before it is first shown).
        self.set_reactive(Footer.compact, self.app.size.width < COMPACT_BELOW)
        self.set_class(self.compact, "-compact")
        shown, self._palette = self._shown()
        self._composed = {binding.action: binding for binding, _, _ in shown}
        self._inactive = set()
        last: list[FooterKey] = []
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                # Born with the footer's style: Textual's keys start compact and are switched
                # back through a data binding, restyling each key twice on every compose.
                # (The palette key has no such binding and stays compact.)
                widget.set_reactive(FooterKey.compact, self.compact)
                if widget.action in (HELP_ACTION, f"app.{HELP_ACTION}"):
                    widget.add_class("-help")
                    last.append(widget)
                    continue
            yield widget
        yield from last
        self.call_after_refresh(self._fit)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if self.is_attached and screen is self.screen and self._update(*self._shown()):
            return
        super().bindings_changed(screen)

    def _update(self, shown: list[Shown], palette: object) -> bool:
        """Show ``shown`` with the key widgets there are; False if that takes new ones."""
        composed = list(self._composed)
        positions = [
            composed.index(b.action) if b.action in self._composed else -1 for b, _, _ in shown
        ]
        if palette != self._palette or -1 in positions or positions != sorted(positions):
            return False
        active = {binding.action: (enabled, tooltip) for binding, enabled, tooltip in shown}
        self._inactive = set(self._composed) - set(active)
        for key in self.query_children(FooterKey):
            if key.has_class("-command-palette") or key.action not in active:
                continue
            enabled, tooltip = active[key.action]
            display = self._key_display(self._composed[key.action])
            if display != key.key_display:
                key.key_display = display
                key.refresh(layout=True)
            if key._disabled == enabled:
                key._disabled = not enabled
                key.set_class(not enabled, "-disabled")
            if (tooltip or None) != key.tooltip:
                key.tooltip = tooltip or None
        self._fit()
        return True

    def _key_display(self, binding: Binding) -> str:
        """How ``binding``'s key is shown: as this footer's screen says (``key_display(binding)``,
        the walk's choice numbers), else as the app says. (The app asks the screen on top,
        which is not this one while another covers it.)"""
        screen_display = getattr(self.screen, "key_display", None)
        shown = screen_display(binding) if callable(screen_display) else None
        return shown if isinstance(shown, str) else self.app.get_key_display(binding)

    def on_resize(self) -> None:
        compact = self.size.width < COMPACT_BELOW
        if compact != self.compact:
            self.compact = compact
        self._fit()

    def _fit(self) -> None:
        """Show the available keys that fit whole, in order, the help key always."""
        width = self.size.width or self.app.size.width
        if not width:
            return
        keys = list(self.query_children(FooterKey))
        fixed = [k for k in keys if k.has_class("-command-palette") or k.has_class("-help")]
        room = width - sum(key_width(k, self.compact) for k in fixed)
        fits = True
        for key in keys:
            if key in fixed:
                continue
            if key.action in self._inactive or key._disabled:
                show = False  # a key that does nothing now takes no room
            else:
                needed = key_width(key, self.compact)
                fits = fits and needed <= room
                if fits:
                    room -= needed
                show = fits
            if key.display != show:
                key.display = show
