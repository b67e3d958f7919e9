"""Navigation memory (issue 17, item 6): going back puts the cursor on the answer given
before, and a restart says how to undo it (``u``) and can be undone.
"""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from advisor.tree.loader import load_tree
from advisor.tui.app import GrantAdvisorApp
from advisor.tui.screens.recommendation import RecommendationScreen
from advisor.tui.screens.walk import WalkScreen
from advisor.tui.widgets.choices import NUMBER_KEYS, ChoiceList
from advisor.tui.widgets.footer import KeyFooter
from support.tui import make_app, tui_app

SIZES = [(80, 24), (160, 48)]
IDS = [f"{w}x{h}" for w, h in SIZES]


def cursor(app: GrantAdvisorApp) -> tuple[str | None, str | None]:
    """The question shown and the choice under the cursor."""
    choices = app.screen.query_one("#choices", ChoiceList)
    choice = choices.highlighted_choice
    return (choices.question.id if choices.question else None), (choice.id if choice else None)


def footer(app: GrantAdvisorApp) -> dict[str, str]:
    keys = app.screen.query_one(KeyFooter).query(FooterKey)
    return {k.key: k.description for k in keys if k.display}


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_back_from_the_recommendation_puts_the_cursor_on_the_answer(
    size: tuple[int, int],
) -> None:
    app = tui_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("3")  # a native app: straight to its recommendation
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WalkScreen)
        assert cursor(app) == ("what_building", "native")
        await pilot.press("1", "2")  # web, then "no": the second question's second choice
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert cursor(app) == ("web_offline", "no")
        await pilot.press("backspace")
        await pilot.pause()
        assert cursor(app) == ("what_building", "web")
        await pilot.press("enter", "enter")  # the remembered answers, again
        await pilot.pause()
        assert app.session is not None
        assert app.session.answers == (("what_building", "web"), ("web_offline", "yes"))


async def test_back_on_the_shipped_tree_and_through_the_path() -> None:
    """A first answer other than the first choice, then Back and a step of the path."""
    tree = load_tree()
    start = tree.question(tree.start)
    assert start is not None
    position, choice = next(
        (i, c)
        for i, c in enumerate(start.choices)
        if i > 0 and i < len(NUMBER_KEYS) and tree.question(c.next) is not None
    )
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(NUMBER_KEYS[position])
        await pilot.pause()
        assert app.session is not None and len(app.session.steps) == 1
        await pilot.press("backspace")
        await pilot.pause()
        assert cursor(app) == (start.id, choice.id)
        await pilot.press("enter")  # the same answer again, from the cursor
        await pilot.pause()
        second = app.session.current_question
        assert second is not None
        await pilot.press("p", "enter")  # the path: its last step (the first answer)
        await pilot.pause()
        assert cursor(app) == (start.id, choice.id)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_restart_from_the_recommendation_can_be_undone(size: tuple[int, int]) -> None:
    app = tui_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("1", "2")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        answers = app.session.answers if app.session else ()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, WalkScreen)
        assert app.session is not None and app.session.steps == ()
        assert cursor(app) == ("what_building", "web")  # a fresh start: the first choice
        notes = [(n.title, n.message) for n in app._notifications]
        assert ("Restarted", "Back at the first question: press u to undo.") in notes
        assert footer(app).get("u") == "Undo restart"
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        assert app.session.answers == answers
        await pilot.press("escape")  # the undo is used up
        await pilot.pause()
        assert "u" not in footer(app)


async def test_an_answer_after_a_restart_ends_the_undo() -> None:
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "2", "r", "3")  # restart, then another walk
        await pilot.pause()
        assert app.session is not None
        assert app.session.answers == (("what_building", "native"),)
        assert app.undo is None
        # The "press u to undo" message goes with the undo it offered.
        assert not [n for n in app._notifications if n.title == "Restarted"]
        await pilot.press("escape")
        await pilot.pause()
        assert "u" not in footer(app)
        await pilot.press("u")  # nothing to undo: nothing happens
        await pilot.pause()
        assert app.session.answers == ()


async def test_nothing_to_restart_or_go_back_to_on_the_first_question() -> None:
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        keys = footer(app)
        assert "escape" not in keys and "r" not in keys
        await pilot.press("r", "escape")
        await pilot.pause()
        assert not any(n.title == "Restarted" for n in app._notifications)
        await pilot.press("1")
        await pilot.pause()
        keys = footer(app)
        assert keys["escape"] == "Back" and keys["r"] == "Restart"
