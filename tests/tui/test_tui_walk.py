"""Walking the tree in the TUI: keys, mouse, back, restart, the breadcrumb, the progress hint."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.geometry import Offset
from textual.pilot import Pilot
from textual.selection import Selection
from textual.widgets import Static

from advisor.core.errors import TreeError
from advisor.tree.loader import load_tree
from advisor.tui.screens.recommendation import RecommendationScreen
from advisor.tui.screens.walk import WalkScreen, number_keys
from advisor.tui.widgets.breadcrumb import Breadcrumb, StepItem
from advisor.tui.widgets.choices import ChoiceItem, ChoiceList
from support.tui import (
    SIZE,
    answer_by_number,
    drive,
    make_app,
    tui_app,
    walks_to_outcomes,
)


def _shipped_walks() -> list[tuple[str, list[tuple[str, int]]]]:
    try:
        return sorted(walks_to_outcomes(load_tree()).items())
    except TreeError:  # reported by test_every_outcome_has_a_walk, not as a collection error
        return []


SHIPPED_WALKS = _shipped_walks()


def shown(app: object, selector: str) -> str:
    """The plain text a Static shows."""
    widget = app.screen.query_one(selector, Static)  # type: ignore[attr-defined]
    content = widget.content
    return content.plain if isinstance(content, Text) else str(content)


def choice_item(app: object, choice_id: str) -> ChoiceItem:
    """The item that shows choice ``choice_id`` of the question on screen."""
    item = app.screen.query_one("#choices", ChoiceList).item_for(choice_id)  # type: ignore[attr-defined]
    assert item is not None, choice_id
    return item


def test_every_outcome_has_a_walk() -> None:
    tree = load_tree()
    assert {outcome for outcome, _ in SHIPPED_WALKS} == {o.id for o in tree.outcomes}


@pytest.mark.parametrize(
    ("outcome", "walk"), SHIPPED_WALKS, ids=[outcome for outcome, _ in SHIPPED_WALKS]
)
async def test_walk_to_every_outcome_by_keys(outcome: str, walk: list[tuple[str, int]]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await drive(pilot, app, walk, offset=len(outcome))
        assert app.session is not None and app.session.outcome is not None
        assert app.session.outcome.id == outcome
        assert isinstance(app.screen, RecommendationScreen)
        assert shown(app, "#rec-title") == app.session.outcome.title


async def test_walk_by_mouse() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert await pilot.click(choice_item(app, "person_present"))
        await pilot.pause()
        assert await pilot.click(choice_item(app, "cli"))
        await pilot.pause()
        assert app.session is not None
        assert app.session.answers == (("situation", "person_present"), ("client_location", "cli"))
        question = app.session.current_question
        assert question is not None
        assert await pilot.click(choice_item(app, question.choices[0].id))
        await pilot.pause()
        while app.session.current_question is not None:
            await pilot.click(choice_item(app, app.session.current_question.choices[0].id))
            await pilot.pause()
        assert app.session.outcome is not None
        assert isinstance(app.screen, RecommendationScreen)


async def test_tenth_choice_is_zero() -> None:
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("0")
        await pilot.pause()
        assert app.session is not None and app.session.answers == (("what_building", "nothing"),)
        assert app.session.outcome is not None and app.session.outcome.id == "no_oauth"


async def test_number_without_a_choice_does_nothing() -> None:
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("7", "8", "9", "0")  # the second question has two choices
        await pilot.pause()
        assert app.session is not None and app.session.answers == (("what_building", "web"),)


async def test_back_and_restart() -> None:
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.session is not None
        await pilot.press("escape", "backspace")  # nothing to undo yet: no-op
        await pilot.pause()
        assert app.session.steps == ()
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        await pilot.press("escape")  # back from the recommendation
        await pilot.pause()
        assert isinstance(app.screen, WalkScreen)
        assert app.session.answers == (("what_building", "web"),)
        await pilot.press("backspace")
        await pilot.pause()
        assert app.session.answers == ()
        await pilot.press("1", "1")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        await pilot.press("r")  # restart from the recommendation
        await pilot.pause()
        assert app.session.steps == ()
        assert isinstance(app.screen, WalkScreen)
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("r")  # restart mid-walk
        await pilot.pause()
        assert app.session.steps == ()
        assert app.screen.focused is app.screen.query_one("#choices")


async def test_breadcrumb_revisit_by_click_and_by_keys() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.session is not None
        await answer_by_number(pilot, 0)  # situation=person_present
        await answer_by_number(pilot, 1)  # client_location=spa
        assert len(app.session.steps) == 2
        assert app.screen.query_one("#breadcrumb", Breadcrumb).count == 2
        assert await pilot.click("#step-0")
        await pilot.pause()
        assert app.session.steps == ()
        assert app.session.current_question is not None
        assert app.session.current_question.id == "situation"
        # keys: p moves to the path (on the last step), up, Enter revisits that step
        await answer_by_number(pilot, 0)
        await answer_by_number(pilot, 1)
        await pilot.press("p")
        await pilot.pause()
        assert app.screen.focused is app.screen.query_one("#breadcrumb")
        await pilot.press("enter")  # the last step: answer the second question again
        await pilot.pause()
        assert [q for q, _ in app.session.answers] == ["situation"]
        assert app.screen.focused is app.screen.query_one("#choices")
        await answer_by_number(pilot, 1)
        await pilot.press("p", "up", "enter")
        await pilot.pause()
        assert app.session.answers == ()


async def test_revisit_from_the_recommendation() -> None:
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        app.screen.query_one("#step-1").scroll_visible(animate=False, immediate=True)
        await pilot.pause()
        assert await pilot.click("#step-1")
        await pilot.pause()
        assert isinstance(app.screen, WalkScreen)
        assert app.session is not None and app.session.answers == (("what_building", "web"),)


async def test_each_question_starts_at_the_top_of_its_choices() -> None:
    """The screen is updated in place, not rebuilt: no cursor or scroll position carries over."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        choices = app.screen.query_one("#choices", ChoiceList)
        await pilot.press("end")  # the last choice: the list scrolls down
        await pilot.pause()
        assert choices.scroll_y > 0
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.query_one("#choices", ChoiceList) is choices
        assert choices.index == 0 and choices.scroll_y == 0
        assert choices.vertical_scrollbar.position == 0  # the scrollbar agrees
        first = [item.choice.id for item in choices.query(ChoiceItem) if item.display][:2]
        assert first == ["person_present", "person_away"]


async def test_the_footer_is_not_rebuilt_by_an_answer() -> None:
    """From one question to the next the keys are the same (only the choice numbers change):
    the footer keeps its widgets and redraws the numbers."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.session is not None
        tree = app.session.tree
        await answer_by_number(pilot, 0)  # to a question with Back in the footer
        question = app.session.current_question
        assert question is not None
        keys = list(app.screen.query("FooterKey"))
        assert [key.key for key in keys][:2] == ["1", "escape"]
        position, after = next(
            (i, tree.question(choice.next))
            for i, choice in enumerate(question.choices)
            if tree.question(choice.next) is not None
        )
        assert after is not None
        await answer_by_number(pilot, position)
        await pilot.pause()
        assert app.session.current_question is after
        assert list(app.screen.query("FooterKey")) == keys
        assert keys[0].key_display == number_keys(len(after.choices))


async def test_progress_hint_and_help_text() -> None:
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        assert shown(app, "#progress") == "0 answered · at most 2 to go"
        assert "kind of client" in shown(app, "#question-help")
        assert shown(app, "#choice-help").startswith("→ Server-rendered pages")
        await pilot.press("h")  # hide the help text
        await pilot.pause()
        assert not app.screen.query_one("#question-help").display
        await pilot.press("h")
        await pilot.pause()
        assert app.screen.query_one("#question-help").display
        await pilot.press("1")
        await pilot.pause()
        assert shown(app, "#progress") == "1 answered · at most 1 to go"


async def test_h_hides_the_choice_help_too() -> None:
    """``h`` hides the highlighted choice's help line as well as the question's help."""
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        question_help = screen.query_one("#question-help")
        choice_help = screen.query_one("#choice-help")
        assert question_help.display and choice_help.display
        assert choice_help.region.height > 0
        await pilot.press("h")
        await pilot.pause()
        assert not question_help.display
        assert not choice_help.display
        assert choice_help.region.height == 0  # not laid out: nothing left on screen
        await pilot.press("down", "up")  # highlighting choices does not bring it back
        await pilot.pause()
        assert not choice_help.display
        await pilot.press("h")
        await pilot.pause()
        assert question_help.display and choice_help.display
        assert shown(app, "#choice-help").startswith("→ Server-rendered pages")
        await pilot.press("down")  # a choice without help: the line goes, help shown or not
        await pilot.pause()
        assert not choice_help.display
        await pilot.press("up")
        await pilot.pause()
        assert choice_help.display and choice_help.region.height > 0


async def test_tree_text_is_shown_as_written_not_as_markup() -> None:
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        assert shown(app, "#tree-title") == "TUI test tree [b]not bold[/b]"
        assert "[bold]this[/bold]" in shown(app, "#question-help")
        choice = choice_item(app, "nothing")
        assert "[red]Nothing[/red]" in choice.render_line(0).text  # as drawn on screen
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        assert shown(app, "#rec-title") == "Authorization Code with PKCE [i]for a web app[/i]"


async def test_text_in_choices_and_steps_can_be_selected_as_before() -> None:
    """Rows draw their parts themselves; selecting copies what the separate labels gave."""
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        choice = choice_item(app, "nothing")
        app.screen.selections = {choice: Selection(Offset(0, 1), Offset(6, 1))}
        assert app.screen.get_selected_text() == "[red]N"
        app.screen.selections = {choice: Selection(Offset(1, 0), Offset(7, 1))}
        assert app.screen.get_selected_text() == "0 \n[red]N"  # key, then label
        await pilot.press("1")
        await pilot.pause()
        step = app.screen.query_one("#step-0", StepItem)
        app.screen.selections = {step: Selection(Offset(3, 0), Offset(4, 2))}
        # across parts the end is exclusive, as it was across labels (Textual's own rule)
        assert app.screen.get_selected_text() == "What are you building?\n → \nA w"


async def test_the_app_survives_resizing() -> None:
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        for size in [(60, 20), (40, 10), (200, 60), (80, 24)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        await pilot.resize_terminal(20, 8)
        await pilot.press("1")
        await pilot.pause()
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)


def test_run_returns_0_when_the_user_quits(monkeypatch: pytest.MonkeyPatch) -> None:
    """``grant-advisor`` (headless here): answer one question, ctrl+q, exit code 0."""
    from advisor.cli import main
    from advisor.tui.app import GrantAdvisorApp

    original = GrantAdvisorApp.run
    answered: list[int] = []

    def headless_run(self: GrantAdvisorApp, **kwargs: object) -> None:
        async def answer_then_quit(pilot: Pilot[None]) -> None:
            await pilot.press("1")
            assert self.session is not None
            answered.append(len(self.session.steps))
            await pilot.press("ctrl+q")

        original(self, headless=True, size=SIZE, auto_pilot=answer_then_quit)

    monkeypatch.setattr(GrantAdvisorApp, "run", headless_run)
    assert main([]) == 0
    assert answered == [1]
