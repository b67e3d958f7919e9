"""Smaller things (issue 17, item 9): the theme is remembered between runs, the footer's
choice numbers match the question, backticks from the tree show as code, and the flow line
names what an outcome replaces ("the password grant", "the implicit flow").
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from advisor.tree.loader import load_tree
from advisor.tui.app import GrantAdvisorApp
from advisor.tui.screens.recommendation import RecommendationScreen
from advisor.tui.text import CODE_STYLE
from advisor.tui.widgets.footer import KeyFooter
from support.tui import drive, make_app, tui_app, walks_to_outcomes


def shown(app: GrantAdvisorApp, selector: str) -> Text:
    content = app.screen.query_one(selector, Static).content
    assert isinstance(content, Text)
    return content


def choose_key(app: GrantAdvisorApp) -> str:
    keys = app.screen.query_one(KeyFooter).query(FooterKey)
    (choose,) = [k for k in keys if k.description == "Choose"]
    return choose.key_display


async def test_the_theme_is_remembered_between_runs() -> None:
    config = Path(os.environ["GRANT_ADVISOR_CONFIG_DIR"])  # the test's own (conftest)
    first = tui_app()
    async with first.run_test(size=(80, 24)) as pilot:
        assert first.theme == "textual-dark"
        first.theme = "nord"
        await pilot.pause()
    assert json.loads((config / "tui.json").read_text(encoding="utf-8")) == {"theme": "nord"}
    second = tui_app()
    assert second.theme == "nord"
    async with second.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert second.theme == "nord"
    (config / "tui.json").write_text("{not json", encoding="utf-8")  # unreadable: ignored
    third = tui_app()
    assert third.theme == "textual-dark"


async def test_the_footer_shows_the_numbers_of_the_question() -> None:
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert choose_key(app) == "1-9,0"  # ten choices
        await pilot.press("1")
        await pilot.pause()
        assert choose_key(app) == "1-2"  # two
        await pilot.press("escape")
        await pilot.pause()
        assert choose_key(app) == "1-9,0"


async def test_backticks_from_the_tree_show_as_code() -> None:
    app = tui_app()
    async with app.run_test(size=(100, 32)) as pilot:
        help_line = shown(app, "#choice-help")
        assert help_line.plain.endswith("that can keep a client_secret.")
        assert "`" not in help_line.plain
        codes = [help_line.plain[s.start : s.end] for s in help_line.spans if CODE_STYLE in s.style]
        assert codes == ["client_secret"]
        await pilot.press("1", "1")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        grid = app.screen.query_one("#rec-security", Static).content
        cells = [cell for column in grid.columns for cell in column._cells]  # type: ignore[attr-defined]
        item = next(c for c in cells if isinstance(c, Text) and "on the callback" in c.plain)
        assert item.plain == "Check state and iss on the callback."
        assert [item.plain[s.start : s.end] for s in item.spans if CODE_STYLE in s.style] == [
            "state",
            "iss",
        ]


INSTEAD = {"password": "instead of the password grant", "implicit": "instead of the implicit flow"}


def _instead_of_outcomes() -> list[tuple[str, str]]:
    tree = load_tree()
    return sorted((o.id, o.instead_of) for o in tree.outcomes if o.instead_of)


@pytest.mark.parametrize(("outcome", "instead_of"), _instead_of_outcomes())
async def test_the_flow_line_names_what_it_replaces(outcome: str, instead_of: str) -> None:
    walk = walks_to_outcomes(load_tree())[outcome]
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await drive(pilot, app, walk)
        await pilot.pause()
        line = shown(app, "#rec-flow").plain
        assert INSTEAD[instead_of] in line
        assert not line.endswith(f"the {instead_of}")


async def test_a_number_without_a_choice_says_so() -> None:
    """A number key past the last choice answers nothing, rings and says why (a bell alone is
    easy to miss, and in typed-ahead keys the next number answers the same question)."""
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1")
        await pilot.pause()
        assert choose_key(app) == "1-2"
        assert app.session is not None
        steps = len(app.session.steps)
        await pilot.press("7")
        await pilot.pause()
        assert len(app.session.steps) == steps  # not answered
        messages = [n.message for n in app._notifications]
        assert messages == ["No choice 7 here: 1-2 picks one."]
