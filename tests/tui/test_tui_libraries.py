"""Library flavours in the TUI (``ask --library`` in the parameters form): the form offers the
flavours the outcome's sample comes in, a ticked one replaces its language's sample (the tab
says so), copy and save use it, and the choice carries over to the next outcome."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Checkbox, TabbedContent

from advisor.advice import advise
from advisor.core.vocabulary import LIBRARIES
from advisor.samples.files import find_template
from advisor.session import Session
from advisor.tree.loader import load_tree
from advisor.tree.models import Tree
from advisor.tui.screens.export import ExportScreen
from advisor.tui.screens.parameters import ParametersScreen, offered_libraries
from advisor.tui.screens.recommendation import RecommendationScreen, sample_for
from support.tui import make_app, walk_to, walks_to_outcomes


def flavoured(tree: Tree, library: str) -> list[str]:
    """Outcomes whose sample has a ``library`` flavour, in walk order."""
    language = LIBRARIES[library].language
    found = []
    for outcome_id in walks_to_outcomes(tree):
        outcome = tree.outcome(outcome_id)
        assert outcome is not None
        sample = outcome.sample
        if (
            sample is not None
            and language in sample.languages
            and find_template(sample.template, language, (), library)
        ):
            found.append(outcome_id)
    return found


def unflavoured(tree: Tree) -> str:
    """An outcome with samples and no library flavour at all."""
    for outcome_id in walks_to_outcomes(tree):
        outcome = tree.outcome(outcome_id)
        assert outcome is not None
        sample = outcome.sample
        if sample is not None and not any(
            find_template(sample.template, lib.language, (), lib.id) for lib in LIBRARIES.values()
        ):
            return outcome_id
    raise AssertionError("every sample has a flavour: pick another case")


def tab_label(screen: RecommendationScreen, language: str) -> str:
    tabs = screen.query_one("#samples", TabbedContent)
    label: object = tabs.get_tab(f"sample-{language}").label
    return str(label)


@pytest.mark.parametrize("library", list(LIBRARIES))
async def test_a_ticked_library_replaces_its_languages_sample(
    library: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = load_tree()
    language = LIBRARIES[library].language
    first, second, *_ = flavoured(tree, library)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await walk_to(pilot, app, tree, first)
        assert tab_label(screen, language) == language
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ParametersScreen)
        boxes = {box.id for box in form.query(".param-library").results(Checkbox)}
        assert f"param-library-{library}" in boxes
        form.query_one(f"#param-library-{library}", Checkbox).value = True
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert app.libraries == (library,)
        # what `ask --library` renders for the same walk
        session = Session.replay(tree, app.session.answers if app.session else ())
        expected = advise(session, {}, libraries=[library], strict=True)
        flavour = expected.samples[f"{language}:{library}"]
        assert sample_for(app.advice, language) == flavour
        assert tab_label(screen, language) == f"{language} ({library})"
        # the tab shows it, and save proposes its file name
        tabs = screen.query_one("#samples", TabbedContent)
        tabs.active = f"sample-{language}"
        await pilot.pause()
        monkeypatch.chdir(tmp_path)
        await pilot.press("f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        assert f"({library})" in str(dialog.title_text)
        await pilot.press("enter")
        await pilot.pause()
        assert (tmp_path / flavour.filename).read_text(encoding="utf-8") == flavour.code
        # the next outcome keeps the choice
        await pilot.press("r")
        await pilot.pause()
        screen = await walk_to(pilot, app, tree, second)
        assert tab_label(screen, language) == f"{language} ({library})"
        sample = sample_for(app.advice, language)
        assert sample is not None and sample.library == library
        # unticked: the dependency-free sample again
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ParametersScreen)
        box = form.query_one(f"#param-library-{library}", Checkbox)
        assert box.value  # the form starts with the choice made
        box.value = False
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.libraries == ()
        sample = sample_for(app.advice, language)
        assert sample is not None and sample.library is None
        assert tab_label(screen, language) == language


async def test_the_form_offers_only_the_flavours_the_sample_has() -> None:
    tree = load_tree()
    outcome_id = unflavoured(tree)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await walk_to(pilot, app, tree, outcome_id)
        assert app.advice is not None
        assert offered_libraries(app.advice) == ()
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ParametersScreen)
        assert not form.query(".param-library")


async def test_a_library_kept_for_later_outcomes_survives_one_without_it() -> None:
    """authlib chosen, then Apply on an outcome whose sample has no flavour: still chosen."""
    tree = load_tree()
    app = make_app()
    app.libraries = ("authlib",)
    async with app.run_test(size=(100, 30)) as pilot:
        await walk_to(pilot, app, tree, unflavoured(tree))
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ParametersScreen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        assert app.libraries == ("authlib",)
