"""A tree full of terminal control sequences renders harmlessly in the TUI.

``tests/data/hostile/control_sequences.yaml`` holds screen clears, an OSC 52 clipboard write,
an OSC 8 hidden link, a bidi override and an 8-bit CSI in its title, a question, a choice label
and an outcome summary. None of them may reach the terminal; the readable text must.
"""

from __future__ import annotations

import html
import re

from advisor.tui.screens.recommendation import RecommendationScreen
from support.tui import REPO, SIZE, make_app

HOSTILE = REPO / "tests" / "data" / "hostile" / "control_sequences.yaml"
FORBIDDEN = ("\x1b", "\x9b", "\x07", "\x08", "\u202e", "]52;", "]8;;")


def screen_text(svg: str) -> str:
    """The characters on screen, from Textual's SVG screenshot of it."""
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def assert_harmless(text: str) -> None:
    for bad in FORBIDDEN:
        assert bad not in text, repr(bad)


async def test_control_sequences_never_reach_the_terminal() -> None:
    app = make_app(HOSTILE)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = screen_text(app.export_screenshot())
        assert "Is a person signing in?" in first
        assert "Evil" in first
        assert_harmless(first)
        await pilot.press("1")  # the label with the hidden OSC 8 link and bidi override
        await pilot.press("2")  # no browser: the outcome whose summary moves the cursor
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        result = screen_text(app.export_screenshot())
        assert "Use the device flow." in result
        assert_harmless(result)
