"""The recommendation: what to check first, the advice, and the sample code (a tab per language).

One screen serves every outcome. The app builds it once, while the user reads the first
question, and hands it each new :class:`~advisor.advice.Advice`; showing a recommendation then
fills widgets that exist already instead of composing sixty new ones (composing, styling and
laying them out was most of the quarter of a second the screen took to appear). Every section
and every language's tab is composed up front; what an outcome lacks is hidden.

Layout: the advice (``#report``) and the samples (``#samples-box``) are two panels, stacked on
terminals narrower than :data:`WIDE` columns and side by side from there on. The focused panel
is marked (its border and title, see the stylesheet's ``.panel.-focused``), so ↑/↓, ``z`` and
``w`` are predictable. "Check before running" comes first and says which key fixes what.

After discovery, the advice also shows the "Server compatibility" section (``#findings``):
what the issuer's metadata says about it, errors first, one widget per finding.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar, Final

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.highlight import highlight
from textual.screen import Screen
from textual.widget import AwaitMount, Widget
from textual.widgets import Static, TabbedContent, TabPane, Tabs

from advisor.advice import SECTIONS, Advice
from advisor.core.vocabulary import LANGUAGES
from advisor.samples.params import PLACEHOLDER_ISSUER, Assumption, SampleParams
from advisor.samples.render import RenderedSample
from advisor.session import Recommendation
from advisor.tui.messages import Back, ParamsChanged, Restart
from advisor.tui.screens.export import ExportScreen
from advisor.tui.screens.parameters import AppliedParameters, ParametersScreen
from advisor.tui.state import clipboard_is_known, default_export_name, path_lines
from advisor.tui.text import paragraphs, plain, tui_words
from advisor.tui.widgets.breadcrumb import Breadcrumb
from advisor.tui.widgets.footer import KeyFooter

WIDE: Final = 120
"""From this many columns on, the advice and the samples are side by side."""

INSTEAD_OF: Final = {"password": "the password grant", "implicit": "the implicit flow"}
"""How the flow line names the anti-pattern an outcome replaces."""

FIX_KEYS: Final = {
    "issuer": "press e to set your issuer",
    "client_id": "press e to set your client ID",
    "redirect_uri": "press e to set the redirect URI registered for your client",
}
"""What fixes a placeholder or a default here, by the parameter it concerns."""

DERIVED_FIX: Final = "press e, set your issuer and tick Discover to read it from your server"
"""What fixes an endpoint derived from the placeholder issuer (the form has discovery, not
endpoints)."""

DERIVED_FIX_WITH_ISSUER: Final = "press e and tick Discover to read it from your server"
"""What fixes an endpoint derived from an issuer the user gave, discovery not asked."""


def assumption_text(assumption: Assumption, params: SampleParams | None = None) -> str:
    """``assumption`` as the TUI says it: what is assumed, and the key that fixes it here (the
    command line's flags mean nothing to a TUI user).

    Args:
        assumption: One of :attr:`Advice.assumptions`.
        params: The parameters the advice was made with; the fix for a derived endpoint depends
            on them (set the issuer first, or only tick Discover, or nothing left to press once
            discovery ran and failed). None: as for the placeholder issuer.
    """
    fix: str | None = None
    if assumption.kind in ("placeholder", "default") and assumption.field in FIX_KEYS:
        fix = FIX_KEYS[assumption.field]
    elif assumption.kind == "set_aside":
        fix = "press e to change it"
    elif assumption.kind == "derived":
        if params is None or params.issuer == PLACEHOLDER_ISSUER:
            fix = DERIVED_FIX
        elif params.discovery == "none":
            fix = DERIVED_FIX_WITH_ISSUER
        else:
            return assumption.what  # discovery ran: the statement says what it found
    elif assumption.fix is not None:
        return assumption.what  # a flag the TUI has no key for: say what to check, only
    return f"{assumption.what}: {fix}" if fix else tui_words(assumption.text)


_HIGHLIGHTED: dict[tuple[str, str], Content] = {}
_HIGHLIGHTED_LOCK = threading.Lock()
HIGHLIGHTED_KEPT: Final = 32
"""Highlighted samples kept (the same sample shows again after Back, a theme change, the
parameters form; a worker highlights the next outcomes' samples ahead of time)."""


def sample_for(advice: Advice | None, language: str | None) -> RenderedSample | None:
    """The sample the ``language`` tab shows: the dependency-free one, or the library flavour
    rendered instead of it (``python:authlib``); None when there is none."""
    if advice is None or language is None:
        return None
    return next((s for s in advice.samples.values() if s.language == language), None)


def highlighted(code: str, language: str) -> Content:
    """``code`` with syntax highlighting (theme-independent: the styles are theme variables).

    Cached, and thread-safe: a worker thread may highlight samples ahead of time.
    """
    key = (code, language)
    with _HIGHLIGHTED_LOCK:
        content = _HIGHLIGHTED.get(key)
    if content is None:
        lexer = LANGUAGES[language].lexer if language in LANGUAGES else None
        content = highlight(code, language=lexer)
        with _HIGHLIGHTED_LOCK:
            if len(_HIGHLIGHTED) >= HIGHLIGHTED_KEPT:
                del _HIGHLIGHTED[next(iter(_HIGHLIGHTED))]
            _HIGHLIGHTED[key] = content
    return content


def is_highlighted(code: str, language: str) -> bool:
    """Whether :func:`highlighted` has ``code`` ready (showing it costs no highlighting)."""
    with _HIGHLIGHTED_LOCK:
        return (code, language) in _HIGHLIGHTED


def unhighlighted(code: str) -> Content:
    """``code`` in the text colour :func:`highlighted` gives, without the token styles."""
    return Content("\n".join(code.splitlines())).stylize_before("$text")


class Report(VerticalScroll):
    """The advice; may be zoomed to fill the screen."""

    ALLOW_MAXIMIZE = True
    TITLE: ClassVar[str] = "Advice"
    HINT: ClassVar[str] = "↑↓ scroll · z zoom"
    """The keys that act on the panel, shown in its title while it has the focus."""


class SamplesBox(Vertical):
    """The samples area; may be zoomed to fill the screen."""

    ALLOW_MAXIMIZE = True
    TITLE: ClassVar[str] = "Sample code"
    HINT: ClassVar[str] = "[ ] samples · ↑↓ scroll · w wrap · z zoom"


Panel = Report | SamplesBox
"""A titled part of the recommendation that shows whether the focus is inside it."""


PATH_HINT: Final = "↑↓ your answers · enter change one · z zoom"
"""The advice panel's keys while the focus is on the path of answers inside it (the arrows
move through the answers there, they do not scroll)."""


def show_focus(panel: Panel, focused: bool, hint: str | None = None) -> None:
    """Mark ``panel`` as the one with the focus, or not: class ``-focused`` (a heavy accent
    border, see the stylesheet) and a title that starts with ▶ and names the keys that act
    where the focus is (``hint``; None: the panel's own)."""
    panel.set_class(focused, "-focused")
    shown = hint if hint is not None else panel.HINT
    panel.border_title = f"▶ {panel.TITLE} · {shown}" if focused else panel.TITLE


class RecommendationScreen(Screen[None]):
    """Shows the advice of a complete walk; the app calls :meth:`show` for each outcome
    reached, and again when the parameters or the server change."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "back", "Back", key_display="esc"),
        Binding("c", "copy", "Copy sample", tooltip="Copy the visible sample (OSC 52)"),
        Binding("s", "export", "Export", tooltip="Write the report as Markdown to a file"),
        Binding(
            "e",
            "edit_parameters",
            "Parameters",
            tooltip="Issuer, client ID, scopes, redirect URI, audience for the samples",
        ),
        Binding("r", "restart", "Restart", tooltip="Back to the first question (u undoes it)"),
        Binding("f", "save_sample", "Save sample", tooltip="Write the visible sample to a file"),
        Binding("z", "zoom", "Zoom", tooltip="Give the focused panel the whole screen"),
        Binding("w", "wrap", "Wrap code", tooltip="Wrap long code lines, or scroll them"),
        Binding("right_square_bracket", "next_sample", "Next sample", key_display="]"),
        Binding("left_square_bracket", "previous_sample", "Previous sample", show=False),
    ]
    """In the footer's order, which is also the order of importance: what does not fit a
    narrow footer is left out from the end (``?`` lists them all)."""

    AUTO_FOCUS = "#report"

    def __init__(
        self,
        advice: Advice | None = None,
        template_dirs: tuple[Path, ...] = (),
        *,
        max_steps: int = 0,
    ) -> None:
        """``max_steps``: the most answers a walk can have (the breadcrumb's items for them
        are made with the screen, not when an outcome is shown)."""
        super().__init__(id="recommendation", classes="-no-findings")
        self.max_steps = max_steps
        self._styled_for: object = None
        """The theme and the app's classes the screen's styles were last refreshed for."""
        if advice is not None and advice.recommendation is None:
            raise ValueError("the recommendation screen needs the advice of a complete walk")
        self.template_dirs = template_dirs
        self.advice: Advice | None = advice
        """The advice shown (None until the first outcome is reached): see :meth:`show`."""
        self._code: dict[str, str] = {}
        """The code each language's widget shows, highlighted or not yet."""
        self._highlighted: set[str] = set()
        """Languages whose code widget shows the highlighted sample."""
        self._outcome: str | None = None
        """The outcome shown (a new one starts at the top, with the advice focused)."""

    @property
    def recommendation(self) -> Recommendation:
        """The recommendation shown."""
        advice = self.advice
        assert advice is not None and advice.recommendation is not None
        return advice.recommendation

    @property
    def parameters(self) -> dict[str, Any]:
        """The parameters as the user gave them."""
        return dict(self.advice.parameters) if self.advice else {}

    @property
    def discover(self) -> bool:
        """Whether discovery is on (the parameters form opens with it ticked)."""
        return self.advice is not None and self.advice.compatibility is not None

    @property
    def has_samples(self) -> bool:
        """Whether sample code is shown (the outcome has a sample, and it rendered)."""
        return self.advice is not None and bool(self.advice.samples)

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="rec-header"):
            yield Static(id="rec-title")
            yield Static(id="rec-flow")
            yield Static(id="rec-companions")
        with Horizontal(id="rec-body"):
            with Report(id="report", classes="panel"):
                yield from self._compose_check()
                for section in SECTIONS:
                    yield from getattr(self, f"_compose_{section.id}")(section.title)
            with SamplesBox(id="samples-box", classes="panel"):
                yield Static(id="samples-error")
                with TabbedContent(id="samples"):
                    # Every language, in the catalogue's order (the order outcomes list them
                    # in); those the outcome lacks are hidden.
                    for language in LANGUAGES:
                        with TabPane(language, id=f"sample-{language}"):
                            yield Static(id=f"env-{language}", classes="sample-env")
                            with VerticalScroll(
                                id=f"code-scroll-{language}", classes="code-scroll"
                            ):
                                yield Static(id=f"code-{language}", classes="code")
            yield Static(plain("This recommendation comes without sample code."), id="no-samples")
        yield KeyFooter()

    # One method per section of advisor.advice.SECTIONS composes its widgets (empty), and one
    # fills them from the advice; "Check before running" comes first, before them all.

    def _compose_check(self) -> ComposeResult:
        yield from _section("Check before running", "rec-assumptions")

    def _compose_summary(self, title: str) -> ComposeResult:
        yield Static(id="rec-summary")

    def _compose_answers(self, title: str) -> ComposeResult:
        yield Breadcrumb((), spare=self.max_steps, id="breadcrumb")

    def _compose_findings(self, title: str) -> ComposeResult:
        yield Static(plain((title, "bold")), classes="section-title", id="findings-title")
        with Vertical(id="findings", classes="section"):
            yield Static(id="findings-source")

    def _compose_why(self, title: str) -> ComposeResult:
        yield from _section(title, "rec-rationale")

    def _compose_sequence(self, title: str) -> ComposeResult:
        yield from _section(title, "rec-sequence")

    def _compose_checklist(self, title: str) -> ComposeResult:
        yield from _section(title, "rec-security")

    def _compose_avoid(self, title: str) -> ComposeResult:
        yield from _section(title, "rec-avoid")

    def _compose_notes(self, title: str) -> ComposeResult:
        yield from _section(title, "rec-notes")

    def _compose_alternatives(self, title: str) -> ComposeResult:
        yield from _section(title, "rec-alternatives")

    def _compose_references(self, title: str) -> ComposeResult:
        yield from _section(title, "rec-references")

    def _compose_samples(self, title: str) -> ComposeResult:
        yield from _section("About the samples", "rec-sample-note")

    def _show_check(self, advice: Advice) -> None:
        items = [plain(assumption_text(a, advice.params)) for a in advice.assumptions]
        self._fill("rec-assumptions", items, "!")
        self.set_class(not items, "-nothing-to-check")  # the summary then starts at the top

    def _show_summary(self, advice: Advice) -> None:
        self.query_one("#rec-summary", Static).update(
            paragraphs(self.recommendation.outcome.summary)
        )

    def _show_answers(self, advice: Advice) -> None:
        pass  # the breadcrumb mounts and removes steps: see _show_steps

    def _show_findings(self, advice: Advice) -> None:
        pass  # findings are widgets, mounted and removed: see _show_finding_widgets

    def _show_why(self, advice: Advice) -> None:
        rec = self.recommendation
        items = [paragraphs(rec.outcome.rationale)]
        # The header says what comes with the grant (one line each on short terminals); why
        # it comes is said here, whole, as the text and Markdown reports say it.
        for companion in rec.companions:
            items.append(
                plain(
                    "\n",
                    ("Comes with ", "bold"),
                    (companion.summary, "bold"),
                    "\n",
                    ("Why: ", "italic"),
                    companion.companion.why,
                )
            )
        self._fill("rec-rationale", items, "")

    def _show_sequence(self, advice: Advice) -> None:
        flow = self.recommendation.flow
        steps = flow.sequence if flow is not None else ()
        items = [
            plain((f"{step.sender} → {step.receiver}", "bold"), ": ", step.message)
            for step in steps
        ]
        self._fill("rec-sequence", items, "•")

    def _show_checklist(self, advice: Advice) -> None:
        self._fill("rec-security", [plain(s) for s in self.recommendation.outcome.security], "☐")

    def _show_avoid(self, advice: Advice) -> None:
        items = [plain((a.what, "bold"), ": ", a.why) for a in self.recommendation.outcome.avoid]
        self._fill("rec-avoid", items, "✗")

    def _show_notes(self, advice: Advice) -> None:
        self._fill("rec-notes", [plain(tui_words(n)) for n in self.recommendation.notes], "•")

    def _show_alternatives(self, advice: Advice) -> None:
        items = [
            plain((a.title, "bold"), f" ({a.flow})" if a.flow else "", ": ", a.when)
            for a in self.recommendation.outcome.alternatives
        ]
        self._fill("rec-alternatives", items, "•")

    def _show_references(self, advice: Advice) -> None:
        items = [
            plain((r.label, "bold"), f": {r.note}" if r.note else "", "\n", (r.url, ""))
            for r in self.recommendation.references
        ]
        self._fill("rec-references", items, "§")

    def _show_samples(self, advice: Advice) -> None:
        # The advice's note: it names the client authentication the samples really use.
        notes = [paragraphs(tui_words(advice.sample_note))] if advice.sample_note else []
        self._fill("rec-sample-note", notes, "")

    def _fill(self, widget_id: str, items: list[Text], marker: str) -> None:
        """Show ``items`` under their heading, or hide both when there are none."""
        self.query_one(f"#{widget_id}", Static).update(_items(items, marker))
        for widget in self.query(f"#{widget_id}, #{widget_id}-title"):
            widget.display = bool(items)

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
            instead = INSTEAD_OF.get(rec.outcome.instead_of, f"the {rec.outcome.instead_of} flow")
            line.append_text(plain("   instead of ", (instead, "bold")))
        return line

    def _companion_lines(self) -> Text:
        """One line per flow that comes with the grant (on short terminals each is cut to a
        line: the Why section has them whole)."""
        lines = [plain(("+ ", "bold"), c.summary) for c in self.recommendation.companions]
        return Text("\n").join(lines)

    # -- showing an advice ----------------------------------------------------------------------

    def on_mount(self) -> None:
        for panel in (self.query_one(Report), self.query_one(SamplesBox)):
            show_focus(panel, False)
        # The tab strip takes no focus: Tab goes from the advice to the code, whose arrows
        # scroll as the title says; [ and ] (or a click) switch samples.
        self.query_one("#samples", TabbedContent).query_one(Tabs).can_focus = False
        if self.advice is not None:
            self._show_advice(self.advice)

    def show(self, advice: Advice, from_top: bool = False) -> None:
        """Show ``advice``: every widget that exists is filled now, before the screen is
        drawn; the few that must be mounted or removed (more answers than any outcome shown
        before had, the findings after discovery) follow. ``from_top``: scroll the advice back
        to its start (new parameters: what to check before running comes first).

        Raises:
            ValueError: ``advice`` is for an incomplete walk.
        """
        if advice.recommendation is None:
            raise ValueError("the recommendation screen needs the advice of a complete walk")
        self.advice = advice
        if self.is_mounted:
            self._show_advice(advice)
            if from_top:
                self.query_one(Report).scroll_home(animate=False, immediate=True)
        # (else on_mount fills the widgets)

    def _show_advice(self, advice: Advice) -> None:
        outcome = self.recommendation.outcome
        title = self.query_one("#rec-title", Static)
        title.update(plain((outcome.title, "bold")))
        title.tooltip = plain(outcome.title)  # cut on short terminals
        self.query_one("#rec-flow", Static).update(self._flow_line())
        companions = self.query_one("#rec-companions", Static)
        companions.update(self._companion_lines())
        companions.display = bool(self.recommendation.companions)
        self._show_check(advice)
        for section in SECTIONS:
            getattr(self, f"_show_{section.id}")(advice)
        self._show_code(advice)
        # What needs samples is dimmed without them: the footer now, before the first frame.
        self.query_one(KeyFooter).bindings_changed(self)
        if outcome.id != self._outcome:
            self._outcome = outcome.id
            self._start_over()
        steps = self.query_one("#breadcrumb", Breadcrumb).show_now(self.recommendation.steps)
        self._show_compatibility(advice)
        if steps is not None or advice.compatibility is not None or self.query(".finding"):
            self.call_later(self._mount_widgets, advice, steps)

    async def _mount_widgets(self, advice: Advice, steps: AwaitMount | None) -> None:
        if steps is not None:
            await steps
        if advice is self.advice:
            await self._show_finding_widgets(advice)

    def _start_over(self) -> None:
        """A new outcome: the advice at the top and focused, the code at its start."""
        if self.maximized is not None:
            self.minimize()
        report = self.query_one("#report", Report)
        report.scroll_home(animate=False, immediate=True)
        for scroll in self.query(".code-scroll").results(VerticalScroll):
            scroll.scroll_home(animate=False, immediate=True)
        self.set_focus(report, scroll_visible=False)

    def _show_compatibility(self, advice: Advice) -> None:
        """The "Server compatibility" heading and where the metadata came from (the findings
        themselves are widgets: :meth:`_show_finding_widgets`)."""
        compat = advice.compatibility
        self.set_class(compat is None, "-no-findings")
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

    async def _show_finding_widgets(self, advice: Advice) -> None:
        compat = advice.compatibility
        box = self.query_one("#findings", Vertical)
        # Awaited only when there is something to remove or add: each await waits for the
        # message loop, and the screen usually shows no findings at all.
        old = box.query(".finding")
        if old:
            await old.remove()
        if compat is not None and compat.findings:
            await box.mount_all(
                Static(
                    plain((finding.severity, "bold"), ": ", finding.message, f" [{finding.code}]"),
                    classes=f"finding -{finding.severity}",
                )
                for finding in compat.findings
            )

    def _show_code(self, advice: Advice) -> None:
        spec = self.recommendation.outcome.sample
        error = self.query_one("#samples-error", Static)
        error.update(plain(("Samples unavailable: ", "bold"), advice.sample_error or ""))
        error.display = advice.sample_error is not None
        self.query_one("#samples-box").display = spec is not None
        self.query_one("#no-samples").display = spec is None
        if spec is None:
            return
        tabs = self.query_one("#samples", TabbedContent)
        languages = [language for language in LANGUAGES if language in spec.languages]
        for language in LANGUAGES:
            if language in languages:
                tabs.show_tab(f"sample-{language}")
            else:
                tabs.hide_tab(f"sample-{language}")
        if self.visible_language not in languages:
            tabs.active = f"sample-{languages[0]}"
        # Highlighting is the costliest part: only the visible sample is highlighted now,
        # each other one when its tab is first shown (plain until then).
        visible = self.visible_language or languages[0]
        for language in languages:
            sample = sample_for(advice, language)
            tabs.get_tab(f"sample-{language}").label = plain(
                sample.label if sample is not None else language
            )
            code = self.query_one(f"#code-{language}", Static)
            env = self.query_one(f"#env-{language}", Static)
            if sample is None:
                self._code.pop(language, None)
                self._highlighted.discard(language)
                code.update(plain("(not rendered)"))
                env.update("")
                continue
            if self._code.get(language) != sample.code:
                self._code[language] = sample.code
                self._highlighted.discard(language)
                if language != visible:
                    code.update(unhighlighted(sample.code))
            if language == visible:
                if is_highlighted(sample.code, language):
                    self._highlight(language)
                else:  # the advice first, the colours a frame later
                    code.update(unhighlighted(sample.code))
                    self.call_after_refresh(self._highlight, language)
            env.update(
                plain(
                    ("Reads ", "bold"),
                    ", ".join(sample.env_vars) or "no environment variables",
                    ("   save as ", "bold"),
                    sample.filename,
                )
            )

    def _highlight(self, language: str) -> None:
        code = self._code.get(language)
        if code is None or language in self._highlighted or not self.is_attached:
            return
        self._highlighted.add(language)
        self.query_one(f"#code-{language}", Static).update(highlighted(code, language))

    def on_tabbed_content_tab_activated(self) -> None:
        language = self.visible_language
        if language is not None:
            self._highlight(language)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual restyles every widget of a screen when it comes back (about 15 ms here, on
        # the way to the first frame of a recommendation). The styles only depend on what is
        # checked below (the widgets' own classes restyle them when they change): skip it
        # when that is as it was.
        styled_for = (self.app.theme, frozenset(self.app.classes), self.app.pseudo_classes)
        if styled_for == self._styled_for:
            event.refresh_styles = False
        self._styled_for = styled_for

    # -- focus --------------------------------------------------------------------------------

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self._show_focus()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        self.call_after_refresh(self._show_focus)  # the next widget may not have it yet

    def _show_focus(self) -> None:
        focused = self.focused
        on_path = isinstance(focused, Breadcrumb)
        for panel in (self.query_one(Report), self.query_one(SamplesBox)):
            show_focus(
                panel,
                focused is not None and (focused is panel or panel in focused.ancestors),
                PATH_HINT if on_path else None,
            )

    # -- the visible sample -------------------------------------------------------------------

    @property
    def visible_language(self) -> str | None:
        """The language of the sample tab that is showing, if any."""
        if not self.has_samples:
            return None
        for tabs in self.query("#samples").results(TabbedContent):
            active = tabs.active
            if active.startswith("sample-"):
                return active.removeprefix("sample-")
        return None

    # -- actions ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # None disables a key, and KeyFooter does not show disabled keys: a key that would do
        # nothing here takes no room in the footer. (None, not False: the footer keeps the
        # key's widget, so an outcome with samples shows it again without recomposing.)
        if action in ("copy", "save_sample", "next_sample", "previous_sample", "wrap"):
            return True if self.has_samples else None
        if action == "edit_parameters":
            # Without samples the parameters still matter when there is a grant: the issuer
            # and Discover check it against the server (Server compatibility).
            usable = self.advice is not None and (
                self.recommendation.outcome.sample is not None
                or self.recommendation.flow is not None
            )
            return True if usable else None
        return True

    def action_back(self) -> None:
        self.post_message(Back())

    def action_restart(self) -> None:
        self.post_message(Restart(undoable=True))

    def action_copy(self) -> None:
        language = self.visible_language
        sample = sample_for(self.advice, language)
        if sample is None:
            self.notify("There is no sample to copy.", severity="warning")
            return
        self.app.copy_to_clipboard(sample.code)
        lines = len(sample.code.splitlines())
        if clipboard_is_known():
            self.notify(
                f"Copied the {sample.label} sample ({lines} lines) to the clipboard (OSC 52).",
                title="Copied",
                markup=False,
            )
        else:
            # No terminal says whether it honoured OSC 52; tmux ignores it unless its
            # set-clipboard option is on, and many terminals ask or refuse.
            self.notify(
                f"Sent the {sample.label} sample ({lines} lines) to the terminal's clipboard "
                "(OSC 52); if nothing was copied, save the sample with f.",
                title="Sent to the clipboard",
                markup=False,
            )

    def action_save_sample(self) -> None:
        language = self.visible_language
        advice = self.advice
        sample = sample_for(advice, language)
        if self.app.screen is not self:  # a key queued before a dialog opened
            return
        if sample is None:
            self.notify("There is no sample to save.", severity="warning")
            return
        code = sample.code

        def write(path: Path, force: bool) -> Path:
            from advisor.exports.files import write_atomic

            return write_atomic(path, code, force=force)

        self.app.push_screen(
            ExportScreen(f"Save the {sample.label} sample", sample.filename, write),
            self._saved,
        )

    def _saved(self, path: Path | None) -> None:
        if path is not None:
            # A toast is at most half the screen wide: the path is broken after a "/", never
            # inside a name.
            width = max(20, min(60, self.app.size.width // 2) - 3)
            self.notify(path_lines(f"Wrote {path.resolve()}", width), title="Saved", markup=False)

    def action_edit_parameters(self) -> None:
        if self.app.screen is not self or self.advice is None:
            return

        def changed(applied: AppliedParameters | None) -> None:
            if applied is not None:
                self.post_message(
                    ParamsChanged(applied.parameters, applied.metadata, applied.libraries)
                )

        libraries: tuple[str, ...] = getattr(self.app, "libraries", ())
        kept: dict[str, Any] | None = getattr(self.app, "parameters", None)
        self.app.push_screen(
            ParametersScreen(self.advice, self.template_dirs, libraries, kept), changed
        )

    def action_export(self) -> None:
        advice = self.advice
        if self.app.screen is not self or advice is None:
            return

        def write(path: Path, force: bool) -> Path:
            from advisor.exports.files import write_atomic
            from advisor.exports.markdown import recommendation_markdown

            return write_atomic(path, recommendation_markdown(advice), force=force)

        def exported(path: Path | None) -> None:
            if path is None:
                return
            self._saved(path)
            if advice.sample_error:
                self.notify(
                    f"The report has no samples: {advice.sample_error}",
                    severity="warning",
                    markup=False,
                )

        name = default_export_name(self.recommendation.outcome.id)
        self.app.push_screen(ExportScreen("Export the report as Markdown", name, write), exported)

    def action_wrap(self) -> None:
        """Wrap long code lines at the panel's width, or let them scroll sideways."""
        self.query_one("#samples-box", SamplesBox).toggle_class("-wrap")

    def _switch_sample(self, step: int) -> None:
        spec = self.recommendation.outcome.sample if self.advice else None
        language = self.visible_language
        if spec is None or language is None:
            self.app.bell()
            return
        languages: list[str] = list(spec.languages)
        target = languages[(languages.index(language) + step) % len(languages)]
        focused = self.focused
        # The code of the sample shown had focus: the next sample's code gets it (the old one
        # is hidden with its tab, which left nothing focused and the arrows dead).
        in_code = focused is not None and focused.has_class("code-scroll")
        self.query_one("#samples", TabbedContent).active = f"sample-{target}"
        if in_code:
            self.query_one(f"#code-scroll-{target}", VerticalScroll).focus(scroll_visible=False)

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
        box = self.query_one("#samples-box")
        if box.display and focused is not None and (focused is box or box in focused.ancestors):
            target = box
        self.maximize(target, container=False)


def _items(items: Iterable[Text], marker: str) -> Table:
    """Items with hanging indents: a grid of marker and text (one widget, not one per item)."""
    grid = Table.grid(padding=(0, 1), expand=True)
    if marker:
        grid.add_column(no_wrap=True, style="bold")
    grid.add_column(ratio=1, overflow="fold")  # a word wider than the panel (a URL) folds
    for item in items:
        grid.add_row(*((marker, item) if marker else (item,)))
    return grid


def _section(title: str, widget_id: str) -> ComposeResult:
    """A heading and the widget its items go in (both hidden until there are items)."""
    yield Static(plain((title, "bold")), classes="section-title", id=f"{widget_id}-title")
    yield Static(id=widget_id, classes="section")
