"""Type-ahead: keys typed while a screen changes are applied in order, none lost.

``burst`` queues every key before the app handles the first, as a terminal does when a user
who knows the way types quickly. Before the key queue (advisor/tui/typeahead.py) the second
number key was read against the question the first one had just answered: its answer was
stale and dropped with a bell, so a burst of three numbers never reached the recommendation.
"""

from __future__ import annotations

import pytest

from advisor.tree.loader import load_tree
from advisor.tui.screens.parameters import ParametersScreen
from advisor.tui.screens.recommendation import RecommendationScreen
from advisor.tui.screens.walk import WalkScreen
from advisor.tui.widgets.choices import NUMBER_KEYS
from support.tui import burst, make_app, tui_app, wait_for_screen, walks_to_outcomes

SIZES = [(80, 24), (160, 48)]
REPEAT = 5


def _longest_shipped_walk() -> tuple[str, list[str]]:
    """The outcome with the longest shortest walk in the shipped tree, and its number keys."""
    walks = walks_to_outcomes(load_tree())
    outcome, walk = max(sorted(walks.items()), key=lambda item: len(item[1]))
    return outcome, [NUMBER_KEYS[position] for _, position in walk]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_a_burst_of_numbers_reaches_the_recommendation(size: tuple[int, int]) -> None:
    """The issue's case: three (or more) choice numbers in one burst, in fresh runs."""
    outcome, keys = _longest_shipped_walk()
    assert len(keys) >= 3
    for _ in range(REPEAT):
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await burst(pilot, *keys)
            reached = await wait_for_screen(pilot, RecommendationScreen)
            assert reached, (app.session.answers if app.session else None, app.screen)
            assert app.session is not None and app.session.outcome is not None
            assert app.session.outcome.id == outcome
            assert len(app.session.steps) == len(keys)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_pilot_press_with_several_keys(size: tuple[int, int]) -> None:
    """The same walk through ``pilot.press`` with every key in one call."""
    outcome, keys = _longest_shipped_walk()
    for _ in range(REPEAT):
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await pilot.press(*keys)
            assert await wait_for_screen(pilot, RecommendationScreen)
            assert app.session is not None and app.session.outcome is not None
            assert app.session.outcome.id == outcome


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_keys_across_several_screen_changes_apply_in_order(size: tuple[int, int]) -> None:
    """Answer, answer (the recommendation opens), back (the question again), another answer
    (a second recommendation), then ``e`` (its parameters form), all in one burst."""
    for _ in range(REPEAT):
        app = tui_app()
        async with app.run_test(size=size) as pilot:
            await burst(pilot, "1", "1", "escape", "2", "e")
            assert await wait_for_screen(pilot, ParametersScreen)
            assert app.session is not None
            assert app.session.answers == (("what_building", "web"), ("web_offline", "no"))
            assert [type(s) for s in app.screen_stack] == [
                WalkScreen,
                RecommendationScreen,
                ParametersScreen,
            ]


async def test_arrows_and_enter_typed_ahead() -> None:
    """Arrows move the cursor of the question that is showing when their turn comes."""
    for _ in range(REPEAT):
        app = tui_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await burst(pilot, "enter", "down", "enter")
            assert await wait_for_screen(pilot, RecommendationScreen)
            assert app.session is not None
            assert app.session.answers == (("what_building", "web"), ("web_offline", "no"))


async def test_typed_ahead_into_a_dialog() -> None:
    """Keys typed after the key that opens a dialog go into the dialog's field."""
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(pilot, "1", "1", "e", *"my-issuer")
        assert await wait_for_screen(pilot, ParametersScreen)
        await pilot.pause()
        field = app.screen.query_one("#param-issuer")
        assert field.value == "my-issuer"  # type: ignore[attr-defined]
