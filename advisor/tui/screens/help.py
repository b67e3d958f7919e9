"""Every key, by screen, read from the screens' own bindings so the list cannot go stale.

Each screen's keys are a grid: the keys in a column of their own, the description wrapped
beside them (a hanging indent), so a long description never runs back under the keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from advisor.tui.screens.confirm import ConfirmScreen
from advisor.tui.screens.dialog import Dialog
from advisor.tui.screens.export import ExportScreen
from advisor.tui.screens.parameters import ParametersScreen
from advisor.tui.screens.recommendation import RecommendationScreen
from advisor.tui.screens.walk import WalkScreen
from advisor.tui.text import plain
from advisor.tui.widgets.footer import KeyFooter

EVERYWHERE: tuple[tuple[str, str], ...] = (
    ("? / f1", "This list of keys (in a dialog: f1, since ? is typed into the field)"),
    ("ctrl+p", "Command palette: every key of the screen by name, the theme, a screenshot"),
    ("tab / shift+tab", "Move between the panels of a screen"),
    ("mouse", "Click a choice to pick it, a step of your answers to change it, a tab"),
    ("ctrl+q", "Quit"),
)

SCREENS: tuple[tuple[str, type[Screen[Any]]], ...] = (
    ("Questions", WalkScreen),
    ("Recommendation", RecommendationScreen),
    ("Sample parameters", ParametersScreen),
    ("Export", ExportScreen),
    ("Confirm", ConfirmScreen),
)

_KEY_NAMES = {
    "escape": "esc",
    "backspace": "backspace",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "question_mark": "?",
}

EXTRA: dict[type[Screen[Any]], tuple[tuple[str, str], ...]] = {
    WalkScreen: (("↑ / ↓, enter", "Move through the choices, pick one"),),
    RecommendationScreen: (
        ("↑ / ↓, pgup / pgdn", "Scroll the focused panel (its title is marked ▶)"),
    ),
}


def key_names(binding: Binding) -> list[str]:
    """``binding``'s keys as the keys list writes them (``esc``, ``[``, ``ctrl+s``)."""
    return [_KEY_NAMES.get(k.strip(), k.strip()) for k in binding.key.split(",")]


def binding_rows(bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    """``(keys, description)`` per action description, merging keys that do the same.

    Keys are listed as bound (``esc / backspace``), except for a group of bindings sharing
    one description (the number keys), which shows its ``key_display`` (``1-9,0``). A
    binding's tooltip, when it has one, follows its description (or replaces it, when it
    starts with it).
    """
    keys: dict[str, list[str]] = {}
    bindings_per: dict[str, int] = {}
    display: dict[str, str] = {}
    tooltip: dict[str, str] = {}
    for binding in bindings:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        name = binding.description
        keys.setdefault(name, []).extend(key_names(binding))
        bindings_per[name] = bindings_per.get(name, 0) + 1
        if binding.key_display:
            display.setdefault(name, binding.key_display)
        if binding.tooltip:
            tooltip.setdefault(name, binding.tooltip)
    return [
        (
            display[name] if bindings_per[name] > 1 and name in display else " / ".join(listed),
            _described(name, tooltip.get(name)),
        )
        for name, listed in keys.items()
    ]


def _described(name: str, tooltip: str | None) -> str:
    """A key's description with its tooltip, saying its name once ("Apply (Enter in a field
    does it too)", not "Apply: Apply (...)")."""
    if not tooltip:
        return name
    if tooltip.casefold().startswith(name.casefold()):
        return tooltip
    return f"{name}: {tooltip}"


CLOSE_HINT = "esc, q, ? or f1 closes this list."


def help_sections() -> list[tuple[str, list[tuple[str, str]]]]:
    """``(title, rows)`` for everywhere and for each screen, in :data:`SCREENS` order."""
    sections: list[tuple[str, list[tuple[str, str]]]] = [("Everywhere", list(EVERYWHERE))]
    for title, screen in SCREENS:
        sections.append((title, binding_rows(screen.BINDINGS) + list(EXTRA.get(screen, ()))))
    return sections


def help_text() -> RenderableType:
    """The whole list: a bold heading per screen, then a grid of keys and descriptions."""
    sections = help_sections()
    width = max(len(keys) for _, rows in sections for keys, _ in rows)
    parts: list[RenderableType] = []
    for number, (title, rows) in enumerate(sections):
        parts.append(Text(("\n" if number else "") + title, style="bold underline"))
        grid = Table.grid(padding=(0, 2), expand=True)
        grid.add_column(no_wrap=True, style="bold", min_width=width)
        grid.add_column(ratio=1)
        for keys, description in rows:
            grid.add_row(keys, description)
        parts.append(grid)
    return Group(*parts)


def help_plain() -> str:
    """The list as plain text, one ``keys  description`` line per key (for tests, search)."""
    return "\n".join(
        f"{title}\n" + "\n".join(f"{keys}  {description}" for keys, description in rows)
        for title, rows in help_sections()
    )


class HelpScreen(Dialog[None], inherit_bindings=False):
    """Lists every key. Any of esc, q, ? or f1 closes it (F1 here closes; the other dialogs'
    F1, which opens this list, is not inherited)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "close", "Close", key_display="esc")
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog", classes="dialog"):
            yield Static(plain(("Keys", "bold"), "   ", (CLOSE_HINT, "")), classes="dialog-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(help_text(), id="help-keys")
        yield KeyFooter()

    def action_close(self) -> None:
        self.dismiss(None)
