"""The result screen at common sizes (issue 17, items 2, 3, 4 and 8): the focused panel is
marked, advice and code both get room, the footer keeps ``?`` and never cuts a key, long code
lines wrap on ``w``, "Check before running" comes first in TUI words, and copying says when
the terminal may have ignored it (with a way to save the sample instead).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.content import Content
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.widgets._footer import FooterKey

from advisor.tree.loader import load_tree
from advisor.tui.app import GrantAdvisorApp
from advisor.tui.screens.confirm import ConfirmScreen
from advisor.tui.screens.export import ExportScreen
from advisor.tui.screens.parameters import ParametersScreen
from advisor.tui.screens.recommendation import RecommendationScreen, Report, SamplesBox
from advisor.tui.widgets.footer import KeyFooter, key_width
from support.tui import make_app, tui_app, walk_to, walks_to_outcomes

SIZES = [(80, 24), (160, 48)]
IDS = [f"{w}x{h}" for w, h in SIZES]


def text_of(widget: Static) -> str:
    """The plain text a Static shows (Text, Content, or a Rich grid of items)."""
    content: Any = widget.content
    if isinstance(content, (Text, Content)):
        return content.plain
    if hasattr(content, "columns"):
        return "\n".join(
            " ".join(str(getattr(cell, "plain", cell)) for cell in row)
            for row in zip(*(column._cells for column in content.columns), strict=True)
        )
    return str(content)


async def to_web_out(pilot: Pilot[None]) -> RecommendationScreen:
    """Walk the TUI tree to its outcome with samples (curl and python)."""
    await pilot.press("1")
    await pilot.press("1")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, RecommendationScreen)
    return screen


def inside(widget: Widget, panel: Widget) -> bool:
    return widget is panel or panel in widget.ancestors


# -- 2: the focused panel is marked ------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_the_focused_panel_is_marked(size: tuple[int, int]) -> None:
    app = tui_app()
    async with app.run_test(size=size) as pilot:
        screen = await to_web_out(pilot)
        report, samples = screen.query_one(Report), screen.query_one(SamplesBox)
        assert screen.focused is report  # the advice first: what to check is there
        assert report.has_class("-focused") and not samples.has_class("-focused")
        assert str(report.border_title).startswith("▶ Advice")
        assert str(samples.border_title) == "Sample code"
        for _ in range(5):  # Tab on: the path, then the sample tabs
            await pilot.press("tab")
            if screen.focused is not None and inside(screen.focused, samples):
                break
        assert screen.focused is not None and inside(screen.focused, samples)
        assert samples.has_class("-focused") and not report.has_class("-focused")
        assert str(samples.border_title).startswith("▶ Sample code")
        assert "w wrap" in str(samples.border_title) and "z zoom" in str(samples.border_title)
        assert str(report.border_title) == "Advice"
        await pilot.press("z")  # zooms what is marked
        assert screen.maximized is samples


@pytest.mark.parametrize("keys", [("right_square_bracket",), ("left_square_bracket",)])
@pytest.mark.parametrize("zoomed", [False, True], ids=["normal", "zoomed"])
async def test_switching_samples_keeps_the_focus_on_the_code(
    keys: tuple[str, ...], zoomed: bool
) -> None:
    """With the code focused, [ and ] show the next sample and focus its code: the arrows keep
    scrolling and the panel stays marked (the hidden tab took the focus with it before)."""
    app = make_app()  # the shipped tree: samples longer than a zoomed panel
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await walk_to(pilot, app, load_tree(), "web_server_code")
        samples = screen.query_one(SamplesBox)
        language = screen.visible_language
        screen.query_one(f"#code-scroll-{language}").focus()
        await pilot.pause()
        if zoomed:
            await pilot.press("z")
            assert screen.maximized is samples
        await pilot.press(*keys)
        await pilot.pause()
        assert screen.visible_language != language
        focused = screen.focused
        assert focused is not None and focused.id == f"code-scroll-{screen.visible_language}"
        assert samples.has_class("-focused")
        assert str(samples.border_title).startswith("▶ Sample code")
        await pilot.press("down", "down")
        await pilot.pause()
        assert focused.scroll_offset.y > 0
        assert (screen.maximized is samples) == zoomed


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_where_the_title_says_arrows_scroll_they_scroll(size: tuple[int, int]) -> None:
    """Tab from the advice: the path of answers (the title says the arrows move through it),
    then the code (they scroll it); the tab strip takes no focus (the title said "↑↓ scroll"
    there, and they did nothing)."""
    app = make_app()  # the shipped tree: long advice and long samples
    async with app.run_test(size=size) as pilot:
        screen = await walk_to(pilot, app, load_tree(), "web_server_code")
        report, samples = screen.query_one(Report), screen.query_one(SamplesBox)
        seen = []
        for _ in range(4):
            await pilot.press("tab")
            await pilot.pause()
            focused = screen.focused
            assert focused is not None
            assert focused.__class__.__name__ != "Tabs"
            seen.append(focused)
            if inside(focused, samples):
                assert str(samples.border_title).startswith("▶ Sample code")
                assert "↑↓ scroll" in str(samples.border_title)
                before = focused.scroll_offset.y
                await pilot.press("down", "down")
                await pilot.pause()
                assert focused.scroll_offset.y > before
                break
            if focused.id == "breadcrumb":
                assert "↑↓ your answers" in str(report.border_title)
                assert "scroll" not in str(report.border_title)
        assert any(inside(f, samples) for f in seen)


async def test_the_focus_marker_shows_in_every_theme() -> None:
    """Not a colour alone: a heavy border against a thin one, in the theme's accent against
    a muted secondary, and a title reversed onto the accent."""
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await to_web_out(pilot)
        report, samples = screen.query_one(Report), screen.query_one(SamplesBox)
        for theme in sorted(app.available_themes):
            app.theme = theme
            await pilot.pause()
            focused_type, focused_colour = report.styles.border_top
            other_type, other_colour = samples.styles.border_top
            assert (focused_type, other_type) == ("heavy", "solid"), theme
            assert focused_colour != other_colour, theme
            title_background = report.styles.border_title_background
            assert title_background.a > 0, theme  # the focused title sits on a colour
            assert report.styles.border_title_color != title_background, theme
            assert "bold" in str(report.styles.border_title_style), theme


# -- 3: the screen fits ------------------------------------------------------------------------


async def test_at_80x24_advice_and_code_both_get_room() -> None:
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await to_web_out(pilot)
        report = screen.query_one(Report)
        code = screen.query_one("#code-scroll-curl")
        assert report.region.y < code.region.y  # stacked
        assert report.content_region.height >= 8
        assert code.region.height >= 7
        # the advice starts with what to check, not with a wall of summary
        first = next(w for w in report.children if w.display)
        assert first.id == "rec-assumptions-title"


async def test_from_120_columns_advice_and_code_are_side_by_side() -> None:
    app = tui_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await to_web_out(pilot)
        report, samples = screen.query_one(Report), screen.query_one(SamplesBox)
        assert report.region.y == samples.region.y
        assert report.region.right <= samples.region.x
        assert report.region.height >= 40 and samples.region.height >= 40
        await pilot.resize_terminal(100, 30)  # narrower: stacked again
        assert screen.query_one(Report).region.y < screen.query_one(SamplesBox).region.y


@pytest.mark.parametrize("size", [(60, 18), (80, 24), (100, 30), (160, 48)], ids=str)
async def test_the_footer_keeps_help_and_cuts_no_key(size: tuple[int, int]) -> None:
    app = tui_app()
    async with app.run_test(size=size) as pilot:
        for step in ("first question", "recommendation"):
            if step == "recommendation":
                await to_web_out(pilot)
            footer = app.screen.query_one(KeyFooter)
            keys = [k for k in footer.query(FooterKey) if k.display]
            help_key = next(k for k in keys if k.key == "question_mark")
            palette = next(k for k in keys if k.has_class("-command-palette"))
            assert help_key.region.width > 0 and help_key.region.right <= palette.region.x
            for key in keys:  # each key whole: its full width, inside the row, before ^p
                if key is palette:
                    continue
                assert key.region.width == key_width(key, footer.compact) - (
                    1 if footer.compact else 0
                ), (step, key.key)
                assert key.region.right <= palette.region.x, (step, key.key)
            shown = [k.key for k in sorted(keys, key=lambda k: k.region.x)]  # left to right
            assert shown[-2:] == ["question_mark", "ctrl+p"], (step, shown)


async def test_w_wraps_long_code_lines_and_back() -> None:
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await to_web_out(pilot)
        app.parameters = {"issuer": "https://" + "a" * 70 + ".example.com"}  # long lines
        await pilot.pause()
        scroll = screen.query_one("#code-scroll-curl")
        code = screen.query_one("#code-curl")
        assert scroll.max_scroll_x > 0  # the long line runs off to the right
        lines = code.region.height
        await pilot.press("w")
        await pilot.pause()
        assert screen.query_one(SamplesBox).has_class("-wrap")
        assert scroll.max_scroll_x == 0  # nothing to scroll sideways: it wraps
        assert code.region.height > lines
        await pilot.press("w")
        await pilot.pause()
        assert scroll.max_scroll_x > 0


# -- 4: what to check comes first, in TUI words ------------------------------------------------


async def test_check_before_running_is_first_and_names_the_keys() -> None:
    app = tui_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await to_web_out(pilot)
        report = screen.query_one(Report)
        assert [w.id for w in report.children][:2] == ["rec-assumptions-title", "rec-assumptions"]
        shown = text_of(screen.query_one("#rec-assumptions", Static))
        assert "issuer https://auth.example.com is a placeholder: press e to set your issuer" in (
            " ".join(shown.split())
        )
        assert "press e to set your client ID" in " ".join(shown.split())
        assert "pass --" not in shown and "--discover" not in shown
        # the same assumptions as the command line, one item each
        assert app.advice is not None
        for assumption in app.advice.assumptions:
            assert " ".join(assumption.what.split()) in " ".join(shown.split())
        # once set, the placeholder is gone
        app.parameters = {"issuer": "https://login.example.org", "client_id": "app"}
        await pilot.pause()
        shown = text_of(screen.query_one("#rec-assumptions", Static))
        assert "placeholder" not in shown


# -- 8: copy says what it can know; the sample can be saved instead ----------------------------


async def test_copy_in_tmux_does_not_claim_success(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    monkeypatch.setenv("TERM", "xterm-kitty")
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_web_out(pilot)
        await pilot.press("c")
        await pilot.pause()
        assert app.advice is not None and app.clipboard == app.advice.samples["curl"].code
        title, message = [(n.title, n.message) for n in app._notifications][-1]
        assert title == "Sent to the clipboard"
        assert "Copied" not in message
        assert "(OSC 52); if nothing was copied, save the sample with f." in message


async def test_copy_in_an_unknown_terminal_does_not_claim_success(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.delenv("TERM_PROGRAM", raising=False)
    monkeypatch.delenv("WT_SESSION", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_web_out(pilot)
        await pilot.press("c")
        await pilot.pause()
        titles = [n.title for n in app._notifications]
        assert titles[-1] == "Sent to the clipboard"


async def test_save_the_visible_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_web_out(pilot)
        assert app.advice is not None
        sample = app.advice.samples["curl"]
        await pilot.press("f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        assert dialog.query_one("#export-path", Input).value == sample.filename
        assert "Save the curl sample" in text_of(dialog.query_one(".dialog-title", Static))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        assert (tmp_path / sample.filename).read_text(encoding="utf-8") == sample.code
        assert [n.title for n in app._notifications][-1] == "Saved"
        # again: the same overwrite question as the export; no keeps the file
        (tmp_path / sample.filename).write_text("mine\n", encoding="utf-8")
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        assert (tmp_path / sample.filename).read_text(encoding="utf-8") == "mine\n"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        assert (tmp_path / sample.filename).read_text(encoding="utf-8") == sample.code
        # the python tab's sample, under its own name
        await pilot.press("right_square_bracket", "f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        assert (
            dialog.query_one("#export-path", Input).value == app.advice.samples["python"].filename
        )


async def test_an_outcome_without_samples_hides_what_needs_them() -> None:
    app = tui_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("0")  # no OAuth at all: no samples, no grant
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RecommendationScreen)
        keys = {k.key: k for k in screen.query_one(KeyFooter).query(FooterKey) if k.display}
        for key in ("c", "e", "f", "w", "right_square_bracket"):
            assert key not in keys, key
        assert not keys["s"].has_class("-disabled")  # the report can still be exported
        assert "?" in {k.key_display for k in keys.values()}
        await pilot.press("e", "f", "w", "c")
        await pilot.pause()
        assert app.screen is screen  # no form, no dialog
        assert isinstance(app, GrantAdvisorApp)


async def test_an_outcome_with_a_grant_and_no_samples_keeps_its_parameters() -> None:
    """Without samples, the issuer and Discover still check the grant against the server: the
    parameters key stays; the sample keys go."""
    tree = load_tree()
    outcome = next(o for o in tree.outcomes if o.sample is None and o.grant != "none")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await walk_to(pilot, app, tree, outcome.id)
        keys = {k.key for k in screen.query_one(KeyFooter).query(FooterKey) if k.display}
        assert "e" in keys
        assert "c" not in keys
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ParametersScreen)
        # it says what Apply does here: no samples to re-render
        assert text_of(form.query_one(".dialog-title", Static)) == "Parameters"
        intro = text_of(form.query_one("#params-fields .field-label", Static))
        assert "no sample code" in intro and "Discover" in intro


async def test_side_by_side_without_samples_keeps_the_advice_wide() -> None:
    """An outcome without sample code at 160 columns: the advice keeps the width (the note
    about the missing samples took it all before, leaving the advice 3 columns)."""
    app = tui_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("0")  # "Nothing": an outcome without samples
        await pilot.pause(0.3)
        assert isinstance(app.screen, RecommendationScreen)
        report = app.screen.query_one("#report")
        note = app.screen.query_one("#no-samples")
        assert note.display
        assert report.region.width >= 100, report.region
        assert note.region.width <= 40, note.region


async def test_long_reference_urls_fold_whole_at_80_columns() -> None:
    """A reference URL wider than the advice panel folds onto the next line instead of ending
    in an ellipsis: every URL can be read (and copied) whole at 80 columns."""
    from rich.console import Console

    tree = load_tree()
    walks = walks_to_outcomes(tree)

    def longest_url(outcome_id: str) -> int:
        outcome = tree.outcome(outcome_id)
        assert outcome is not None
        sources = (tree.source(c.source) for c in outcome.references)
        return max(len(s.url) for s in sources if s is not None)

    outcome_id = max(walks, key=longest_url)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await walk_to(pilot, app, tree, outcome_id)
        widget = screen.query_one("#rec-references", Static)
        width = widget.content_region.width
        urls = [r.url for r in screen.recommendation.references]
        assert max(len(u) for u in urls) > width  # the case this test is about
        console = Console(width=width, record=True)
        console.print(widget.content)
        lines = [line.strip() for line in console.export_text().splitlines()]
        joined = "".join(line for line in lines if not line.startswith("§"))
        for url in urls:
            assert url in joined, url
        assert "…" not in console.export_text()


async def test_at_80x24_the_header_takes_a_line_per_grant_and_the_why_says_the_rest() -> None:
    """The title, the flow and each companion get one line each on a short terminal (the
    longest companion summary took four lines before); the Why section has them whole."""
    tree = load_tree()
    walks = walks_to_outcomes(tree)

    def companion_length(outcome_id: str) -> int:
        outcome = tree.outcome(outcome_id)
        assert outcome is not None
        return sum(len(c.why) for c in outcome.companions)

    outcome_id = max(walks, key=companion_length)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await walk_to(pilot, app, tree, outcome_id)
        companions = screen.recommendation.companions
        assert companions
        title = screen.query_one("#rec-title")
        assert title.outer_size.height <= 2
        assert screen.query_one("#rec-companions").outer_size.height == len(companions)
        why = text_of(screen.query_one("#rec-rationale", Static))
        for companion in companions:
            assert " ".join(companion.companion.why.split()) in " ".join(why.split())
            assert companion.summary in " ".join(why.split())


async def test_with_nothing_to_check_the_advice_starts_on_its_first_line() -> None:
    """No "Check before running" (nothing assumed): the summary is the first line of the
    advice, not a blank line (the summary's margin separates it from that section)."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await walk_to(pilot, app, load_tree(), "no_oauth_session")
        assert app.advice is not None and not app.advice.assumptions
        report = screen.query_one(Report)
        summary = screen.query_one("#rec-summary")
        assert not screen.query_one("#rec-assumptions").display
        assert summary.region.y == report.content_region.y
        # with something to check, the section comes first and the summary after a blank line
        await pilot.press("r")
        await pilot.pause()
        screen = await walk_to(pilot, app, load_tree(), "web_server_code")
        summary = screen.query_one("#rec-summary")
        check = screen.query_one("#rec-assumptions")
        assert check.display and summary.region.y == check.region.bottom + 1


async def test_at_80x24_every_shipped_title_is_shown_whole() -> None:
    """The longest title of the shipped tree fits whole in the two lines a short terminal
    gives it (it was cut to one line with an ellipsis, and shown whole nowhere)."""
    tree = load_tree()
    walks = walks_to_outcomes(tree)

    def title_length(outcome_id: str) -> int:
        outcome = tree.outcome(outcome_id)
        assert outcome is not None
        return len(outcome.title)

    outcome_id = max(walks, key=title_length)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await walk_to(pilot, app, tree, outcome_id)
        title = screen.query_one("#rec-title", Static)
        assert title_length(outcome_id) > title.content_region.width  # needs two lines
        lines = title.render_lines(title.content_region.reset_offset)
        shown = " ".join("".join(seg.text for seg in line).strip() for line in lines)
        assert " ".join(shown.split()) == screen.recommendation.outcome.title


async def test_at_80x24_a_long_grant_type_is_shown_whole() -> None:
    """The flow line wraps rather than cutting the wire grant_type (token exchange's URN was
    cut to "urn:ietf:params:oauth:grant…")."""
    tree = load_tree()
    outcome_id = next(o.id for o in tree.outcomes if o.grant == "token_exchange")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await walk_to(pilot, app, tree, outcome_id)
        flow = screen.query_one("#rec-flow", Static)
        lines = flow.render_lines(flow.content_region.reset_offset)
        shown = "".join("".join(seg.text for seg in line).strip() for line in lines)
        assert "urn:ietf:params:oauth:grant-type:token-exchange" in shown


async def test_after_apply_the_advice_starts_from_what_to_check() -> None:
    """New parameters change "Check before running": the advice scrolls back to it."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await walk_to(pilot, app, load_tree(), "web_server_code")
        report = screen.query_one(Report)
        report.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert report.scroll_offset.y > 0
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert report.scroll_offset.y == 0
