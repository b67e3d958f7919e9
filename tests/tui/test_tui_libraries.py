"""Library flavours in the TUI (``ask --library`` in the parameters form): the form offers the
flavours the outcome's sample comes in, a ticked one replaces its language's sample (the tab
says so), copy and save use it, and the choice carries over to the next outcome."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Checkbox, TabbedContent
from textual.widgets._footer import FooterKey

from advisor.advice import advise
from advisor.core.vocabulary import LIBRARIES
from advisor.samples.files import find_template
from advisor.session import Session
from advisor.tree.loader import load_tree
from advisor.tree.models import Tree
from advisor.tui.screens.export import ExportScreen
from advisor.tui.screens.parameters import ParametersScreen
from advisor.tui.screens.recommendation import (
    RecommendationScreen,
    assumption_text,
    sample_for,
)
from advisor.tui.state import applicable, offered_libraries
from advisor.tui.widgets.footer import KeyFooter
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
        assert offered_libraries(tree.outcome(outcome_id)) == ()
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


def test_what_an_outcome_does_not_offer_is_kept_but_not_applied() -> None:
    tree = load_tree()
    web, spa = tree.outcome("web_server_code"), tree.outcome("spa_browser_pkce")
    assert web is not None and spa is not None
    chosen = {"issuer": "https://login.example.org", "client_auth": "client_secret_basic"}
    libraries = ("authlib", "openid-client")
    assert applicable(web, chosen, libraries) == (chosen, libraries)
    # a public client in the browser: no client secret, no flavour; the rest applies
    assert applicable(spa, chosen, libraries) == ({"issuer": "https://login.example.org"}, ())
    assert chosen["client_auth"] == "client_secret_basic"  # the caller's copy is untouched


async def test_a_choice_made_on_one_outcome_never_breaks_another() -> None:
    """client_secret_basic and both flavours chosen for a web app's server, then a single-page
    app (a public client, one JavaScript sample, no flavour): its sample renders, nothing in
    "Check before running" speaks of the choices, and the next web app gets them again."""
    tree = load_tree()
    app = make_app()
    app.libraries = ("authlib", "openid-client")
    app.parameters = {"client_auth": "client_secret_basic"}
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await walk_to(pilot, app, tree, "spa_browser_pkce")
        advice = app.advice
        assert advice is not None
        assert advice.sample_error is None
        assert list(advice.samples) == ["javascript"]
        assert screen.has_samples
        texts = " ".join(a.text for a in advice.assumptions)
        assert "library" not in texts and "flavour" not in texts and "client_auth" not in texts
        # Apply on this outcome's form (no client auth or library fields) keeps the choices
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ParametersScreen)
        assert not form.query(".param-library") and not form.query("#param-client-auth")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert app.parameters.get("client_auth") == "client_secret_basic"
        assert app.libraries == ("authlib", "openid-client")
        await pilot.press("r")
        await pilot.pause()
        await walk_to(pilot, app, tree, "web_server_code")
        advice = app.advice
        assert advice is not None
        assert advice.parameters.get("client_auth") == "client_secret_basic"
        assert {s.key for s in advice.samples.values()} == {
            "curl",
            "python:authlib",
            "javascript:openid-client",
        }
        assert "OAUTH_CLIENT_SECRET" in advice.samples["python:authlib"].env_vars


async def test_without_rendered_samples_the_sample_keys_go() -> None:
    """A sample that fails to render (here: a client authentication it cannot use, forced past
    the TUI's filter) shows its error; copy, save, wrap and the tab keys are not offered, the
    parameters key is (it is how to fix it)."""
    tree = load_tree()
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await walk_to(pilot, app, tree, "spa_browser_pkce")
        assert app.advice is not None
        from advisor.advice import advise

        broken = advise(app.advice.subject, {"client_auth": "client_secret_basic"}, strict=False)
        assert broken.sample_error is not None and not broken.samples
        app.advice = broken
        screen.show(broken)
        await pilot.pause()
        keys = {k.key for k in screen.query_one(KeyFooter).query(FooterKey) if k.display}
        assert {"c", "f", "w", "right_square_bracket"}.isdisjoint(keys)
        assert {"e", "s"} <= keys


async def test_a_value_another_outcome_took_is_set_aside_and_said() -> None:
    """An https redirect URI set for a web app, then a command-line tool (its sample must use
    a loopback one): the sample renders with its own default, "Check before running" says
    first that the value is not used here and which key changes it, and the web app gets the
    value again."""
    tree = load_tree()
    app = make_app()
    app.parameters = {"redirect_uri": "https://app.example.com/cb"}
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await walk_to(pilot, app, tree, "cli_loopback")
        advice = app.advice
        assert advice is not None and advice.sample_error is None and advice.samples
        first = advice.assumptions[0]
        assert first.kind == "set_aside" and first.field == "redirect_uri"
        assert "https://app.example.com/cb is not used here" in first.text
        shown = assumption_text(first, advice.params)
        assert shown.endswith(": press e to change it")
        assert screen.has_samples
        assert app.parameters == {"redirect_uri": "https://app.example.com/cb"}  # kept
        await pilot.press("r")
        await pilot.pause()
        await walk_to(pilot, app, tree, "web_server_code")
        advice = app.advice
        assert advice is not None
        assert advice.params.redirect_uri == "https://app.example.com/cb"
        assert not any(a.kind == "set_aside" for a in advice.assumptions)
