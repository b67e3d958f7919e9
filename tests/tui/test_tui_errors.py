"""A tree that fails to load: every problem on screen, a clean exit with code 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import Static

from advisor.core.errors import TreeValidationError
from advisor.tree.loader import load
from advisor.tui.app import GrantAdvisorApp
from advisor.tui.screens.error import ErrorScreen
from support.tui import BROKEN, REPO, SIZE, make_app

BROKEN_TREES = sorted(BROKEN.glob("*.yaml"))


def plain(app: GrantAdvisorApp, selector: str) -> str:
    content = app.screen.query_one(selector, Static).content
    assert isinstance(content, Text)
    return content.plain


@pytest.mark.parametrize("path", BROKEN_TREES, ids=[p.stem for p in BROKEN_TREES])
async def test_error_screen_lists_every_problem(path: Path) -> None:
    with pytest.raises(TreeValidationError) as caught:
        load(path)
    problems = caught.value.problems
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, ErrorScreen)
        assert plain(app, "#error-title") == "The decision tree could not be loaded"
        shown = [plain(app, f"#problem-{n}") for n in range(len(problems))]
        assert len(app.screen.query(".problem")) == len(problems)
        for problem, text in zip(problems, shown, strict=True):
            assert text.startswith(problem.location())
            assert problem.line is None or f":{problem.line}" in text
            if problem.node:
                assert f"[{problem.node}]" in text
            assert problem.message in text
        await pilot.press("1", "down", "enter")  # nothing to walk; Enter closes
        await pilot.pause()
    assert app.return_code == 2


async def test_unreadable_tree_shows_the_message() -> None:
    app = make_app("no/such/tree.yaml")
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, ErrorScreen)
        assert plain(app, "#problem-0") == "no/such/tree.yaml: no such file"
        await pilot.press("question_mark", "escape")  # help is off here; escape quits
        await pilot.pause()
    assert app.return_code == 2


def test_run_returns_2_and_prints_the_problems(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``grant-advisor --tree BROKEN`` (headless here): the error screen, then exit code 2."""
    from advisor.cli import main

    original = GrantAdvisorApp.run

    def headless_run(self: GrantAdvisorApp, **kwargs: object) -> None:
        async def quit_from_the_error_screen(pilot: object) -> None:
            assert isinstance(self.screen, ErrorScreen)
            await pilot.press("q")  # type: ignore[attr-defined]

        original(self, headless=True, size=SIZE, auto_pilot=quit_from_the_error_screen)

    monkeypatch.setattr(GrantAdvisorApp, "run", headless_run)
    path = BROKEN / "many_problems.yaml"
    assert main(["--tree", str(path)]) == 2
    err = capsys.readouterr().err
    with pytest.raises(TreeValidationError) as caught:
        load(path)
    for problem in caught.value.problems:
        assert problem.format() in err
    assert "Traceback" not in err


def test_importing_the_tui_package_does_not_import_textual() -> None:
    probe = "import sys, advisor.tui; print('textual' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert result.stdout.strip() == "False"
