"""Helpers for the TUI tests: building the app, enumerating walks, driving it by keys."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from textual import events
from textual.pilot import Pilot

from advisor.tree.models import Tree
from advisor.tui.app import GrantAdvisorApp
from advisor.tui.screens.recommendation import RecommendationScreen
from advisor.tui.widgets.choices import NUMBER_KEYS

HERE = Path(__file__).resolve().parent.parent / "tui"
"""The TUI tests' folder."""
DATA = HERE / "data"
TUI_TREE = DATA / "tree.yaml"
"""The TUI's own tree (snapshots use it, so edits to the shipped tree don't move them)."""
TUI_TEMPLATES = DATA / "templates"
REPO = HERE.parent.parent
BROKEN = REPO / "tests" / "data" / "broken"
SIZE = (100, 32)

Walk = list[tuple[str, int]]
"""``(question id, choice position)`` per step."""


def make_app(tree: Path | str | None = None, templates: tuple[Path, ...] = ()) -> GrantAdvisorApp:
    """The app on ``tree`` (None: the shipped tree), with animations off."""
    app = GrantAdvisorApp(tree_path=None if tree is None else str(tree), template_dirs=templates)
    app.animation_level = "none"
    return app


def tui_app() -> GrantAdvisorApp:
    """The app on the TUI's own tree and templates."""
    return make_app(TUI_TREE, (TUI_TEMPLATES,))


def walks_to_outcomes(tree: Tree) -> dict[str, Walk]:
    """One shortest walk to every reachable outcome (breadth-first from the start)."""
    found: dict[str, Walk] = {}
    queue: deque[tuple[str, Walk]] = deque([(tree.start, [])])
    seen = {tree.start}
    while queue:
        node_id, walk = queue.popleft()
        question = tree.question(node_id)
        if question is None:
            found.setdefault(node_id, walk)
            continue
        for position, choice in enumerate(question.choices):
            if choice.next not in seen:
                seen.add(choice.next)
                queue.append((choice.next, [*walk, (question.id, position)]))
    return found


def answer_flags(tree: Tree, walk: Walk) -> list[str]:
    """``walk`` as ``grant-advisor ask`` flags: ``["-a", "question=choice", ...]``."""
    flags: list[str] = []
    for question_id, position in walk:
        question = tree.question(question_id)
        assert question is not None
        flags += ["-a", f"{question_id}={question.choices[position].id}"]
    return flags


async def answer_by_number(pilot: Pilot[None], position: int) -> None:
    """Pick the choice at ``position`` with its number key."""
    await pilot.press(NUMBER_KEYS[position])


async def answer_by_arrows(pilot: Pilot[None], position: int) -> None:
    """Pick the choice at ``position`` with the arrow keys and Enter."""
    await pilot.press(*(["down"] * position), "enter")


async def drive(pilot: Pilot[None], app: GrantAdvisorApp, walk: Walk, offset: int = 0) -> None:
    """Answer ``walk``, alternating number keys and arrows+Enter (starting per ``offset``)."""
    for step, (question_id, position) in enumerate(walk):
        assert app.session is not None
        current = app.session.current_question
        assert current is not None and current.id == question_id, (current, question_id)
        if (step + offset) % 2 == 0:
            await answer_by_number(pilot, position)
        else:
            await answer_by_arrows(pilot, position)


_CHARACTERS = {"question_mark": "?", "left_square_bracket": "[", "right_square_bracket": "]"}


async def walk_to(
    pilot: Pilot[None], app: GrantAdvisorApp, tree: Tree, outcome_id: str
) -> RecommendationScreen:
    """Answer a shortest walk of ``tree`` to ``outcome_id``; its recommendation screen."""
    await drive(pilot, app, walks_to_outcomes(tree)[outcome_id])
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, RecommendationScreen), screen
    return screen


async def burst(pilot: Pilot[None], *keys: str) -> None:
    """Send ``keys`` as a terminal delivers keys typed quickly: all of them queued before the
    app handles the first. (``pilot.press`` waits for the app to go idle after each key, so
    it never lets keys overtake a screen change.)"""
    app = pilot.app
    driver = app._driver
    assert driver is not None
    for key in keys:
        char = _CHARACTERS.get(key, key if len(key) == 1 else None)
        event = events.Key(key, char)
        event.set_sender(app)
        driver.send_message(event)


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 5.0
) -> bool:
    """Let the app run until ``condition()`` holds (True), or ``timeout`` seconds pass (False).

    Then wait for the app to be idle, so that anything still queued has been handled."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    await pilot.pause()
    return condition()


async def wait_for_screen(pilot: Pilot[None], screen: type[object], timeout: float = 5.0) -> bool:
    """Let the app run until its screen is a ``screen`` (True) or ``timeout`` passes (False)."""
    return await wait_until(pilot, lambda: isinstance(pilot.app.screen, screen), timeout)
