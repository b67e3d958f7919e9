"""The recommendation: the advice on top, the sample code (one tab per language) below.

After discovery, the advice also shows the "Server compatibility" section (``#findings``):
what the issuer's metadata says about it, errors first, one widget per finding.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar, cast

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.highlight import highlight
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static, TabbedContent, TabPane

from advisor.advice import SECTIONS, Advice
from advisor.core.vocabulary import LANGUAGES
from advisor.session import Recommendation
from advisor.tui.messages import Back, Export, ParamsChanged, Restart
from advisor.tui.screens.export import ExportScreen
from advisor.tui.screens.parameters import AppliedParameters, ParametersScreen
from advisor.tui.state import default_export_name
from advisor.tui.text import paragraphs, plain
from advisor.tui.widgets.breadcrumb import Breadcrumb
from advisor.tui.widgets.footer import KeyFooter


class SamplesBox(Vertical):
    """The samples area; may be zoomed to fill the screen."""

    ALLOW_MAXIMIZE = True


class Report(VerticalScroll):
    """The advice; may be zoomed to fill the screen."""

    ALLOW_MAXIMIZE = True


class RecommendationScreen(Screen[None]):
    """Shows the advice of a complete walk; the app replaces :attr:`advice` when the
    parameters or the server change."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "back", "Back", key_display="esc"),
        Binding(
            "c", "copy", "Copy sample", tooltip="Copy the visible sample to the clipboard (OSC 52)"
        ),
        Binding("s", "export", "Export .md", tooltip="Write the report as Markdown to a file"),
        Binding(
            "e",
            "edit_parameters",
            "Parameters",
            tooltip="Issuer, client ID, scopes, redirect URI, audience for the samples",
        ),
        Binding("z", "zoom", "Zoom", tooltip="Give the focused panel the whole screen"),
        Binding("right_square_bracket", "next_sample", "Next sample", key_display="]"),
        Binding("left_square_bracket", "previous_sample", "Previous sample", show=False),
        Binding("r", "restart", "Restart"),
    ]

    advice: reactive[Advice] = reactive(cast(Advice, None), init=False)
    """The advice shown: the app replaces it when the parameters or the server change."""

    def __init__(self, advice: Advice, template_dirs: tuple[Path, ...] = ()) -> None:
        super().__init__(id="recommendation")
        recommendation = advice.recommendation
        if recommendation is None:
            raise ValueError("the recommendation screen needs the advice of a complete walk")
        self.recommendation: Recommendation = recommendation
        """The recommendation (the same for every advice this screen shows)."""
        self.template_dirs = template_dirs
        self.set_reactive(RecommendationScreen.advice, advice)
        self._highlighted: set[str] = set()
        """Languages whose code widget shows the highlighted sample."""

    @property
    def parameters(self) -> dict[str, Any]:
        """The parameters as the user gave them."""
        return dict(self.advice.parameters)

    @property
    def discover(self) -> bool:
        """Whether discovery is on (the parameters form opens with it ticked)."""
        return self.advice.compatibility is not None

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        outcome = self.recommendation.outcome
        with Vertical(id="rec-header"):
            yield Static(plain((outcome.title, "bold")), id="rec-title")
            yield Static(self._flow_line(), id="rec-flow")
        with Report(id="report"):
            for section in SECTIONS:
                yield from getattr(self, f"_compose_{section.id}")(section.title)
        spec = outcome.sample
        if spec is None:
            yield Static(plain("This recommendation comes without sample code."), id="no-samples")
        else:
            with SamplesBox(id="samples-box"):
                yield Static(id="samples-error")
                with TabbedContent(id="samples"):
                    for language in spec.languages:
                        with TabPane(language, id=f"sample-{language}"):
                            yield Static(id=f"env-{language}", classes="sample-env")
                            with VerticalScroll(
                                id=f"code-scroll-{language}", classes="code-scroll"
                            ):
                                yield Static(id=f"code-{language}", classes="code")
        yield KeyFooter()

    # One method per section of advisor.advice.SECTIONS, in the report's scrolling advice.

    def _compose_summary(self, title: str) -> ComposeResult:
        yield Static(paragraphs(self.recommendation.outcome.summary), id="rec-summary")

    def _compose_answers(self, title: str) -> ComposeResult:
        if self.recommendation.steps:
            yield Breadcrumb(self.recommendation.steps, id="breadcrumb")

    def _compose_findings(self, title: str) -> ComposeResult:
        yield Static(plain((title, "bold")), classes="section-title", id="findings-title")
        with Vertical(id="findings", classes="section"):
            yield Static(id="findings-source")

    def _compose_why(self, title: str) -> ComposeResult:
        yield from _section(
            title, "rec-rationale", [paragraphs(self.recommendation.outcome.rationale)], ""
        )

    def _compose_checklist(self, title: str) -> ComposeResult:
        items = [plain(s) for s in self.recommendation.outcome.security]
        yield from _section(title, "rec-security", items, "☐")

    def _compose_avoid(self, title: str) -> ComposeResult:
        items = [plain((a.what, "bold"), ": ", a.why) for a in self.recommendation.outcome.avoid]
        yield from _section(title, "rec-avoid", items, "✗")

    def _compose_notes(self, title: str) -> ComposeResult:
        yield from _section(title, "rec-notes", [plain(n) for n in self.recommendation.notes], "•")

    def _compose_alternatives(self, title: str) -> ComposeResult:
        items = [
            plain((a.title, "bold"), f" ({a.flow})" if a.flow else "", ": ", a.when)
            for a in self.recommendation.outcome.alternatives
        ]
        yield from _section(title, "rec-alternatives", items, "•")

    def _compose_references(self, title: str) -> ComposeResult:
        items = [
            plain((r.label, "bold"), f": {r.note}" if r.note else "", "\n", (r.url, ""))
            for r in self.recommendation.references
        ]
        yield from _section(title, "rec-references", items, "§")

    def _compose_samples(self, title: str) -> ComposeResult:
        sample = self.recommendation.outcome.sample
        if sample is None:
            return
        notes = [paragraphs(sample.note)] if sample.note else []
        yield from _section("About the samples", "rec-sample-note", notes, "")
        yield from _section("Check before running", "rec-assumptions", self._assumptions(), "!")

    def _flow_line(self) -> Text:
        rec = self.recommendation
        if rec.flow is None:
            line = plain(("Recommended: ", "bold"), "no OAuth flow is needed")
        else:
            line = plain(
                ("Flow: ", "bold"),
                rec.flow.name,
                ("   grant_type=", "bold"),
                (rec.flow.grant_type or "(none: no token request)", "italic"),
            )
        if rec.outcome.instead_of:
            line.append_text(plain("   instead of ", ("the " + rec.outcome.instead_of, "bold")))
        return line

    def _assumptions(self) -> list[Text]:
        return [plain(a.text) for a in self.advice.assumptions]

    async def on_mount(self) -> None:
        self._show_samples()
        await self._show_findings()

    async def watch_advice(self) -> None:
        self._show_samples()
        await self._show_findings()

    async def _show_findings(self) -> None:
        compat = self.advice.compatibility
        self.set_class(compat is None, "-no-findings")
        box = self.query_one("#findings", Vertical)
        # Awaited only when there is something to remove or add: each await waits for the
        # message loop, and the screen usually opens without discovery (no findings at all).
        old = box.query(".finding")
        if old:
            await old.remove()
        if compat is None:
            return
        self.query_one("#findings-source", Static).update(
            plain(
                "Checked against the metadata of ",
                (compat.issuer, "bold"),
                f" (read from {compat.metadata_url})",
                "."
                if compat.findings
                else ": no problems found, the server advertises everything this advice needs.",
            )
        )
        if compat.findings:
            await box.mount_all(
                Static(
                    plain((finding.severity, "bold"), ": ", finding.message, f" [{finding.code}]"),
                    classes=f"finding -{finding.severity}",
                )
                for finding in compat.findings
            )

    def _show_samples(self) -> None:
        advice = self.advice
        for error in self.query("#samples-error").results(Static):
            error.update(plain(("Samples unavailable: ", "bold"), advice.sample_error or ""))
            error.display = advice.sample_error is not None
        for items in self.query("#rec-assumptions").results(Static):
            items.update(_items(self._assumptions(), "!"))
        for widget in self.query("#rec-assumptions, #rec-assumptions-title"):
            widget.display = bool(advice.assumptions)
        spec = self.recommendation.outcome.sample
        if spec is None:
            return
        # Highlighting is most of the cost of showing this screen: only the visible sample is
        # highlighted now, each other one when its tab is first shown (plain until then).
        self._highlighted.clear()
        visible = self.visible_language or spec.languages[0]
        for language in spec.languages:
            sample = advice.samples.get(language)
            # Parameters can arrive while the app shuts down and the tabs are already gone.
            code = next(iter(self.query(f"#code-{language}").results(Static)), None)
            env = next(iter(self.query(f"#env-{language}").results(Static)), None)
            if code is None or env is None:
                continue
            if sample is None:
                code.update(plain("(not rendered)"))
                env.update("")
                continue
            if language == visible:
                self._highlight(language)
            else:
                # The same text and colour as highlight() gives, without the token styles.
                code.update(Content("\n".join(sample.code.splitlines())).stylize_before("$text"))
            env.update(
                plain(
                    ("Reads ", "bold"),
                    ", ".join(sample.env_vars) or "no environment variables",
                    ("   save as ", "bold"),
                    sample.filename,
                )
            )

    def _highlight(self, language: str) -> None:
        sample = self.advice.samples.get(language)
        if sample is None or language in self._highlighted:
            return
        self._highlighted.add(language)
        code = self.query_one(f"#code-{language}", Static)
        code.update(
            highlight(
                sample.code, language=LANGUAGES[language].lexer if language in LANGUAGES else None
            )
        )

    def on_tabbed_content_tab_activated(self) -> None:
        language = self.visible_language
        if language is not None:
            self._highlight(language)

    # -- the visible sample -------------------------------------------------------------------

    @property
    def visible_language(self) -> str | None:
        """The language of the sample tab that is showing, if any."""
        for tabs in self.query("#samples").results(TabbedContent):
            active = tabs.active
            if active.startswith("sample-"):
                return active.removeprefix("sample-")
        return None

    # -- actions ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("copy", "next_sample", "previous_sample"):
            return True if self.recommendation.outcome.sample else None  # None: shown dimmed
        return True

    def action_back(self) -> None:
        self.post_message(Back())

    def action_restart(self) -> None:
        self.post_message(Restart())

    def action_copy(self) -> None:
        language = self.visible_language
        sample = self.advice.samples.get(language) if language else None
        if sample is None:
            self.notify("There is no sample to copy.", severity="warning")
            return
        self.app.copy_to_clipboard(sample.code)
        self.notify(
            f"Copied the {language} sample ({len(sample.code.splitlines())} lines) to the "
            "clipboard through your terminal (OSC 52).",
            title="Copied",
            markup=False,
        )

    def action_edit_parameters(self) -> None:
        if self.app.screen is not self:  # a key queued before a dialog opened
            return

        def changed(applied: AppliedParameters | None) -> None:
            if applied is not None:
                self.post_message(ParamsChanged(applied.parameters, applied.metadata))

        self.app.push_screen(
            ParametersScreen(self.advice, self.template_dirs),
            changed,
        )

    def action_export(self) -> None:
        if self.app.screen is not self:
            return

        def chosen(path: str | None) -> None:
            if path:
                self.post_message(Export(path))

        name = default_export_name(self.recommendation.outcome.id)
        self.app.push_screen(ExportScreen(name), chosen)

    def _switch_sample(self, step: int) -> None:
        spec = self.recommendation.outcome.sample
        language = self.visible_language
        if spec is None or language is None:
            self.app.bell()
            return
        languages: list[str] = list(spec.languages)
        position = (languages.index(language) + step) % len(languages)
        self.query_one("#samples", TabbedContent).active = f"sample-{languages[position]}"

    def action_next_sample(self) -> None:
        self._switch_sample(1)

    def action_previous_sample(self) -> None:
        self._switch_sample(-1)

    def action_zoom(self) -> None:
        """Give the report or the samples (whichever has focus) the whole screen; again to undo."""
        if self.maximized is not None:
            self.minimize()
            return
        target: Widget = self.query_one("#report")
        focused = self.focused
        for box in self.query("#samples-box"):
            if focused is not None and (focused is box or box in focused.ancestors):
                target = box
        self.maximize(target, container=False)


def _items(items: Iterable[Text], marker: str) -> Table:
    """Items with hanging indents: a grid of marker and text (one widget, not one per item)."""
    grid = Table.grid(padding=(0, 1), expand=True)
    if marker:
        grid.add_column(no_wrap=True, style="bold")
    grid.add_column(ratio=1)
    for item in items:
        grid.add_row(*((marker, item) if marker else (item,)))
    return grid


def _section(title: str, widget_id: str, items: list[Text], marker: str) -> ComposeResult:
    """A heading and its items; nothing when there are no items (except assumptions)."""
    if not items and widget_id != "rec-assumptions":
        return
    yield Static(plain((title, "bold")), classes="section-title", id=f"{widget_id}-title")
    yield Static(_items(items, marker), id=widget_id, classes="section")
