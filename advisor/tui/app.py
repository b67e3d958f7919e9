"""The app: owns the session and the parameters, and turns messages into engine calls.

Only what the first question needs is imported up front (the walk screen, the session): the
other screens, and what they pull in (Pygments for the samples, the form widgets), are imported
where they are first shown, so starting the TUI does not pay for them. The HTTP client (httpx)
is imported by the discovery worker, the first time the user asks for discovery.

Ahead of time, so that a recommendation appears within a few frames of the last answer: while
the first question is read, a worker imports what the recommendation needs and the app then
builds its one recommendation screen off screen; while each question is shown, a worker
advises on the outcomes it leads to directly and highlights their first sample. Showing the
recommendation then fills widgets that exist with advice that is ready.

Keys go through :class:`~advisor.tui.typeahead.KeyQueue`: one typed while the app is still
handling the previous one (a screen changing) waits for its turn instead of being routed by
the old screen.

Discovery: the parameters form posts :class:`~advisor.tui.messages.DiscoverRequested`; a
thread worker reads the issuer's metadata (the UI keeps running) and the app hands the result
back to the form, which closes with the parameters and the metadata (a ``ParamsChanged``) or
shows the error. The app keeps the metadata: every recommendation reached afterwards gets the
server's endpoints in its samples and is checked against it, as ``ask --discover`` does.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.geometry import Size
from textual.reactive import var
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from advisor.core.errors import AnswerError
from advisor.session import Session
from advisor.tui import messages
from advisor.tui.prefs import load_theme, save_theme
from advisor.tui.screens.walk import WalkScreen
from advisor.tui.state import Discovery, advice_for, discover_metadata, load_tree, one_line
from advisor.tui.typeahead import KeyQueue

if TYPE_CHECKING:
    from advisor.advice import Advice
    from advisor.server.model import ServerMetadata
    from advisor.tui.screens.recommendation import RecommendationScreen

SHORT_TERMINAL = 26
"""Below this many rows the layout drops blank lines and secondary lines."""

AHEAD_AFTER = 0.25
"""Seconds a question has been shown before the outcomes it leads to are prepared."""

AHEAD_KEPT = 16
"""Advice made ahead of time that is kept (those of the last few questions)."""

WIDE_TERMINAL = 120
"""From this many columns on, the recommendation shows the advice and the samples side by
side (the app has class ``-wide``)."""


class Ahead(NamedTuple):
    """Advice made ahead of time, and what it was made with (it is used only while the app
    still has these same values)."""

    parameters: dict[str, Any]
    metadata: ServerMetadata | None
    libraries: tuple[str, ...]
    advice: Advice


class GrantAdvisorApp(App[None]):
    """Walk the decision tree, then read, tune, copy and export the recommendation."""

    CSS_PATH = "grant_advisor.tcss"
    TITLE = "grant-advisor"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Keys", key_display="?"),
        # F1 also in dialogs, where ? is typed into the field: a priority binding reaches
        # past a modal screen (and no field uses F1).
        Binding("f1", "help", "Keys", key_display="f1", priority=True),
    ]

    session: var[Session | None] = var(None, init=False)
    """The walk. Every change goes through an engine call in a message handler below."""
    parameters: var[dict[str, Any]] = var(dict, init=False, always_update=True)
    """Sample parameters the user gave (``SampleParams`` field names), as the CLI records them.
    Every assignment re-renders the samples (the metadata may have changed with them)."""

    def __init__(self, tree_path: str | None = None, template_dirs: tuple[Path, ...] = ()) -> None:
        super().__init__()
        self.template_dirs = template_dirs
        loaded, self.load_error = load_tree(tree_path, template_dirs)
        self.metadata: ServerMetadata | None = None
        """The issuer's metadata while discovery is on (set with the parameters)."""
        self.libraries: tuple[str, ...] = ()
        """Library flavours the samples are built on (``ask --library``), set with the
        parameters: each replaces the dependency-free sample of its language when the
        outcome's sample has it."""
        self.advice: Advice | None = None
        """The advice for the walk once it reaches an outcome (None before)."""
        self.undo: Session | None = None
        """The walk before the last restart, while that restart can be undone."""
        self._recommendation: RecommendationScreen | None = None
        self._fresh_start = False
        """The session change under way is a restart (no cursor memory)."""
        self._ahead: dict[tuple[tuple[str, str], ...], Ahead] = {}
        """Advice made ahead of time, by answers; see :meth:`_prepare_outcomes`."""
        if loaded is not None:
            self.set_reactive(GrantAdvisorApp.session, Session(loaded.tree))
        self.keys = KeyQueue(self, self._route_key)
        """Keys typed while earlier ones are handled wait here for their turn (type-ahead)."""
        self._remembered_theme = load_theme(frozenset(self.available_themes))
        if self._remembered_theme is not None:
            self.theme = self._remembered_theme

    def get_default_screen(self) -> Screen[Any]:
        if self.session is None:
            from advisor.tui.screens.error import ErrorScreen

            assert self.load_error is not None
            return ErrorScreen(self.load_error)
        return WalkScreen(self.session)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            await self.keys.receive(event)  # in order, each after the previous has settled
        else:
            await super().on_event(event)

    async def _route_key(self, key: events.Key) -> None:
        """Route ``key`` as Textual does (priority bindings, then the focused widget)."""
        await super().on_event(key)

    def on_load(self) -> None:
        # Everything alive now (Textual, pydantic, the tree) lives as long as the app. Moving it
        # out of the collector's sight makes its full passes cheap: one of them used to land
        # in the start-up and cost about 12 ms, and later ones would land in a redraw.
        gc.freeze()

    def on_unmount(self) -> None:
        gc.unfreeze()

    def on_mount(self) -> None:
        self._fit(self.size)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.session is not None:
            # While the user reads the first question, import what the recommendation will
            # need (Jinja2, Pygments, the screen): reaching it then costs a render, not imports.
            self.call_after_refresh(
                self.run_worker,
                _prefetch,
                thread=True,
                exclusive=True,
                group="prefetch",
                exit_on_error=False,
            )

    def _remember_theme(self, theme: Theme) -> None:
        if theme.name != self._remembered_theme and save_theme(theme.name):
            self._remembered_theme = theme.name

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size)

    def _fit(self, size: Size) -> None:
        # Short terminals (60×20) drop spacing and secondary lines; wide ones put the advice
        # and the samples side by side: see the .tcss.
        self.set_class(size.height < SHORT_TERMINAL, "-short")
        self.set_class(size.width >= WIDE_TERMINAL, "-wide")

    def recommendation_screen(self) -> RecommendationScreen:
        """The recommendation screen: one for every outcome, installed so that it is kept
        (and its widgets with it) when the user goes back."""
        if self._recommendation is None:
            from advisor.tui.screens.recommendation import RecommendationScreen

            tree = self.session.tree if self.session is not None else None
            depth = tree.questions_left(tree.start) if tree is not None else 0
            self._recommendation = RecommendationScreen(
                template_dirs=self.template_dirs, max_steps=depth
            )
            self.install_screen(self._recommendation, "recommendation")
        return self._recommendation

    def _build_recommendation_screen(self) -> None:
        """Compose the recommendation screen now, off screen, while the user reads the
        questions, so that reaching an outcome fills widgets instead of making them."""
        screen = self.recommendation_screen()
        if not screen.is_running and screen not in self.screen_stack:
            # What push_screen does first (Textual 8.2.8): register the screen, which composes
            # and mounts it; it is laid out when it is shown.
            self._get_screen(screen)
        if self.session is not None:
            self.set_timer(AHEAD_AFTER, partial(self._prepare_outcomes, self.session))

    # -- state flows down ---------------------------------------------------------------------

    def watch_session(self, session: Session | None) -> None:
        if session is None:
            return
        walk = self.screen_stack[0]
        if isinstance(walk, WalkScreen):
            walk.remember = not self._fresh_start
            walk.session = session
        if not session.is_complete:
            self.advice = None
            while len(self.screen_stack) > 1:
                self.pop_screen()
            # While this question is read, get the recommendations it may lead to ready (not
            # at once: not while a burst of keys is still being handled, nor in the redraw).
            self.set_timer(AHEAD_AFTER, partial(self._prepare_outcomes, session))
            return
        self.advice = self._advise(session)
        screen = self.recommendation_screen()
        screen.show(self.advice)  # filled before it is drawn
        if screen not in self.screen_stack:
            self.push_screen(screen)

    def watch_parameters(self) -> None:
        self._ahead.clear()
        if self.session is None or not self.session.is_complete:
            return
        self.advice = self._advise(self.session)
        self.recommendation_screen().show(self.advice, from_top=True)

    def _advise(self, session: Session) -> Advice:
        """The advice for ``session``: the call ``ask`` makes, with what the user set here
        (rendering problems are shown with the samples instead of raised); made ahead of time
        while the question before it was shown, if it was."""
        ahead = self._ahead.get(session.answers)
        if (
            ahead is not None
            and ahead.parameters is self.parameters
            and ahead.metadata is self.metadata
            and ahead.libraries == self.libraries
        ):
            return ahead.advice
        return advice_for(
            session, self.parameters, self.libraries, self.metadata, self.template_dirs
        )

    def _prepare_outcomes(self, session: Session) -> None:
        """Advise, in a worker thread, on the outcomes ``session``'s question leads to
        directly, and highlight their first sample: choosing one then shows it at once."""
        question = session.current_question
        if session is not self.session or question is None or self._recommendation is None:
            return  # the user moved on; or the screen (and what it imports) is not ready yet
        ends = [c.id for c in question.choices if session.tree.question(c.next) is None]
        if ends:
            self.run_worker(
                partial(
                    self._advise_ahead,
                    session,
                    ends,
                    self.parameters,
                    self.metadata,
                    self.libraries,
                ),
                thread=True,
                exclusive=True,
                group="ahead",
                exit_on_error=False,
            )

    def _advise_ahead(
        self,
        session: Session,
        choices: list[str],
        parameters: dict[str, Any],
        metadata: ServerMetadata | None,
        libraries: tuple[str, ...] = (),
    ) -> None:
        """(In a worker thread.) What :meth:`_prepare_outcomes` says; pure engine calls."""
        from textual.worker import get_current_worker

        from advisor.tui.screens.recommendation import highlighted

        worker = get_current_worker()
        if len(self._ahead) > AHEAD_KEPT:
            self._ahead.clear()
        for choice in choices:
            if worker.is_cancelled:
                return
            complete = session.answer(choice)
            advice = advice_for(complete, parameters, libraries, metadata, self.template_dirs)
            self._ahead[complete.answers] = Ahead(parameters, metadata, libraries, advice)
            for sample in list(advice.samples.values())[:1]:
                highlighted(sample.code, sample.language)

    # -- messages come up -----------------------------------------------------------------------

    def _change(self, change: str, *args: Any) -> None:
        """Apply a session transition; a stale or impossible one is ignored with a bell."""
        if self.session is None:
            return
        try:
            session = getattr(self.session, change)(*args)
        except AnswerError:
            self.bell()
            return
        self._set_undo(None)
        self._fresh_start = change == "restart"
        self.session = session
        self._fresh_start = False

    def _set_undo(self, session: Session | None) -> None:
        if session is None and self.undo is not None:
            # The "press u to undo" message must not outlive the undo it offers.
            self.clear_notifications()
        self.undo = session
        walk = self.screen_stack[0] if self.screen_stack else None
        if isinstance(walk, WalkScreen):
            walk.can_undo = session is not None

    @on(messages.Answered)
    def _answered(self, message: messages.Answered) -> None:
        self._change("answer", message.choice_id, message.question_id)

    @on(messages.Back)
    def _back(self) -> None:
        self._change("back")

    @on(messages.Restart)
    def _restart(self, message: messages.Restart) -> None:
        before = self.session
        self._change("restart")
        if message.undoable and before is not None and before.steps:
            self._set_undo(before)
            self.notify(
                "Back at the first question: press u to undo.", title="Restarted", timeout=8
            )

    @on(messages.Undo)
    def _undo(self) -> None:
        before = self.undo
        if before is None:
            self.bell()
            return
        self._set_undo(None)
        self.session = before

    @on(messages.Revisit)
    def _revisit(self, message: messages.Revisit) -> None:
        steps = self.session.steps if self.session else ()
        if message.index < len(steps) and steps[message.index].question.id == message.question_id:
            self._change("revisit", message.index)
        else:
            self.bell()

    @on(messages.ParamsChanged)
    def _params_changed(self, message: messages.ParamsChanged) -> None:
        self.metadata = message.metadata
        self.libraries = message.libraries
        self.parameters = message.parameters  # last: its watcher advises again

    @on(messages.DiscoverRequested)
    def _discover_requested(self, message: messages.DiscoverRequested) -> None:
        # A thread: discovery blocks on the network for up to its total timeout (15 s).
        self.run_worker(
            partial(discover_metadata, message.issuer),
            name=message.issuer,
            group="discovery",
            exclusive=True,  # a newer request replaces an older one
            thread=True,
            exit_on_error=False,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "prefetch" and event.state == WorkerState.SUCCESS:
            self.call_after_refresh(self._build_recommendation_screen)
            return
        if worker.group == "ahead":
            return
        if worker.group != "discovery":
            return
        if event.state == WorkerState.SUCCESS and isinstance(worker.result, Discovery):
            discovery = worker.result
        elif event.state == WorkerState.ERROR:  # a bug, but the user gets a line, not a crash
            error = worker.error
            discovery = Discovery(worker.name, error=one_line(f"{type(error).__name__}: {error}"))
        else:
            return
        from advisor.tui.screens.parameters import ParametersScreen

        for screen in self.screen_stack:
            if isinstance(screen, ParametersScreen):
                screen.discovery = discovery  # the form checks it is the answer it waits for

    # -- keys and the command palette -----------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The key list describes the walk: no use on the error screen.
        return not (action == "help" and self.session is None)

    def action_help(self) -> None:
        from advisor.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
        else:
            self.push_screen(HelpScreen())

    def action_command_palette(self) -> None:
        from advisor.tui.screens.palette import GuardedCommandPalette

        if self.use_command_palette and not any(
            isinstance(screen, CommandPalette) for screen in self.screen_stack
        ):
            self.push_screen(GuardedCommandPalette(id="--command-palette"))

    def search_themes(self) -> None:
        from textual.theme import ThemeProvider

        from advisor.tui.screens.palette import GuardedCommandPalette

        self.push_screen(
            GuardedCommandPalette(providers=[ThemeProvider], placeholder="Search for themes…")
        )

    def get_key_display(self, binding: Binding) -> str:
        if isinstance(self.screen, WalkScreen):
            shown = self.screen.key_display(binding)
            if shown is not None:
                return shown
        return super().get_key_display(binding)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's Theme and Quit, our own Keys and Screenshot, and the screen's own keys
        under the names the footer gives them (one name per action everywhere)."""
        for command in super().get_system_commands(screen):
            # Textual's Keys panel duplicates ours (and squeezes the layout), Maximize is our
            # Zoom, and its Screenshot goes to a Downloads folder without saying why it failed.
            if command.title == "Theme":
                yield command
            elif command.title == "Quit":
                yield SystemCommand(
                    command.title, f"{command.help} (key: ctrl+q)", command.callback
                )
        yield SystemCommand("Keys", "List every key (key: ? or f1)", self.action_help)
        yield SystemCommand(
            "Screenshot",
            f"Save an SVG picture of the screen in {Path.cwd()}",
            lambda: self.set_timer(0.1, self.save_screenshot_here),  # once the palette is gone
        )
        if self.session is not None:
            yield from binding_commands(screen)

    def save_screenshot_here(self) -> None:
        """Save an SVG picture of the screen in the folder grant-advisor was started in, and
        say where, or why not."""
        from textual._files import generate_datetime_filename

        from advisor.core.errors import ExportError
        from advisor.exports.files import write_atomic
        from advisor.tui.state import path_lines

        name = generate_datetime_filename("grant-advisor", ".svg")
        try:
            written = write_atomic(Path(name), self.export_screenshot())
        except ExportError as exc:
            self.notify(str(exc), title="Screenshot not saved", severity="error", markup=False)
            return
        width = max(20, min(60, self.size.width // 2) - 3)
        self.notify(
            path_lines(f"Saved {written.resolve()}", width), title="Screenshot", markup=False
        )


def binding_commands(screen: Screen[Any]) -> Iterable[SystemCommand]:
    """A palette command for each key of the screen that it allows now, those the footer
    leaves out too (Previous sample): the footer's name, and the key as the keys list writes
    it in the help text."""
    from advisor.tui.screens.help import key_names

    for binding in screen.BINDINGS:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        if binding.action.startswith("choose("):
            continue  # a number per choice: not a command
        if screen.check_action(binding.action.partition("(")[0], ()) is not True:
            continue
        key = binding.key_display or key_names(binding)[0]
        yield SystemCommand(
            binding.description,
            f"{binding.tooltip or binding.description} (key: {key})",
            partial(screen.run_action, binding.action),
        )


def _prefetch() -> None:
    """Import the recommendation screen's dependencies (runs in a worker thread)."""
    import advisor.advice
    import advisor.exports.markdown
    import advisor.tui.screens.recommendation  # noqa: F401  (Pygments via the highlighter)
