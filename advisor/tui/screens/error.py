"""A tree that failed to load: every problem, then a clean exit with code 2."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from advisor.core.errors import TreeError, TreeValidationError
from advisor.tui.text import plain
from advisor.tui.widgets.footer import KeyFooter

EXIT_CODE = 2
"""What the process exits with after a tree failed to load (as every CLI command does)."""


class ErrorScreen(Screen[None]):
    """Shows ``error``: each problem's file:line:col, node, message and hint."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape,enter", "quit", "Quit", key_display="q")
    ]

    def __init__(self, error: TreeError) -> None:
        super().__init__(id="error")
        self.error = error

    def compose(self) -> ComposeResult:
        error = self.error
        yield Static(plain(("The decision tree could not be loaded", "bold")), id="error-title")
        with VerticalScroll(id="error-problems"):
            if isinstance(error, TreeValidationError):
                yield Static(plain(str(error)), id="error-summary")
                for number, problem in enumerate(error.problems):
                    yield Static(
                        plain(
                            (problem.location(), "bold"),
                            f"  {problem.severity}",
                            *(
                                (("  [", ""), (problem.node, "italic"), ("]", ""))
                                if problem.node
                                else ()
                            ),
                            "\n",
                            problem.message,
                            *(
                                (("\n", ""), ("hint: ", "bold"), (problem.hint, ""))
                                if problem.hint
                                else ()
                            ),
                        ),
                        id=f"problem-{number}",
                        classes=f"problem -{problem.severity}",
                    )
            else:
                yield Static(plain(str(error)), id="problem-0", classes="problem -error")
        yield Static(
            plain(
                "Fix the file (", ("grant-advisor validate", "bold"), " checks it), then try again."
            ),
            id="error-hint",
        )
        yield KeyFooter()

    def action_quit(self) -> None:
        self.app.exit(return_code=EXIT_CODE)
