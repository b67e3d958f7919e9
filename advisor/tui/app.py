"""The app: owns the session and the parameters, and turns messages into engine calls.

Only what the first question needs is imported up front (the walk screen, the session): the
other screens, and what they pull in (Pygments for the samples, the form widgets), are imported
where they are first shown, so starting the TUI does not pay for them. The HTTP client (httpx)
is imported by the discovery worker, the first time the user asks for discovery.

Discovery: the parameters form posts :class:`~advisor.tui.messages.DiscoverRequested`; a
thread worker reads the issuer's metadata (the UI keeps running) and the app hands the result
back to the form, which closes with the parameters and the metadata (a ``ParamsChanged``) or
shows the error. The app keeps the metadata: every recommendation reached afterwards gets the
server's endpoints in its samples and is checked against it, as ``ask --discover`` does.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeGuard

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.reactive import var
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from advisor.core.errors import AnswerError, ExportError
from advisor.session import Session
from advisor.tui import messages
from advisor.tui.screens.walk import WalkScreen
from advisor.tui.state import Discovery, discover_metadata, load_tree, one_line
from advisor.tui.typeahead import KeyQueue

if TYPE_CHECKING:
    from advisor.advice import Advice
    from advisor.server.model import ServerMetadata
    from advisor.tui.screens.recommendation import RecommendationScreen

SHORT_TERMINAL = 26
"""Below this many rows the layout drops blank lines and secondary lines."""


class GrantAdvisorApp(App[None]):
    """Walk the decision tree, then read, tune, copy and export the recommendation."""

    CSS_PATH = "grant_advisor.tcss"
    TITLE = "grant-advisor"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,f1", "help", "Keys", key_display="?")
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
        self.advice: Advice | None = None
        """The advice for the walk once it reaches an outcome (None before)."""
        if loaded is not None:
            self.set_reactive(GrantAdvisorApp.session, Session(loaded.tree))
        self.keys = KeyQueue(self, self._route_key)
        """Keys typed while earlier ones are handled wait here for their turn (type-ahead)."""

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
        self._fit(self.size.height)
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

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.height)

    def _fit(self, height: int) -> None:
        # Short terminals (60×20) drop spacing and secondary lines: see the .tcss.
        self.set_class(height < SHORT_TERMINAL, "-short")

    # -- state flows down ---------------------------------------------------------------------

    def watch_session(self, session: Session | None) -> None:
        if session is None:
            return
        walk = self.screen_stack[0]
        if isinstance(walk, WalkScreen):
            walk.session = session
        if not session.is_complete:
            self.advice = None
            while len(self.screen_stack) > 1:
                self.pop_screen()
            return
        self.advice = self._advise(session)
        from advisor.tui.screens.recommendation import RecommendationScreen

        if not any(isinstance(s, RecommendationScreen) for s in self.screen_stack):
            self.push_screen(RecommendationScreen(self.advice, self.template_dirs))

    def watch_parameters(self) -> None:
        if self.session is None or not self.session.is_complete:
            return
        self.advice = self._advise(self.session)
        from advisor.tui.screens.recommendation import RecommendationScreen

        for screen in self.screen_stack:
            if isinstance(screen, RecommendationScreen):
                screen.advice = self.advice

    def _advise(self, session: Session) -> Advice:
        """The advice for ``session``: the call ``ask`` makes, with what the user set here
        (rendering problems are shown with the samples instead of raised)."""
        from advisor.advice import advise

        return advise(
            session,
            self.parameters,
            template_dirs=self.template_dirs,
            metadata=self.metadata,
            strict=False,
        )

    # -- messages come up -----------------------------------------------------------------------

    def _change(self, change: str, *args: Any) -> None:
        """Apply a session transition; a stale or impossible one is ignored with a bell."""
        if self.session is None:
            return
        try:
            self.session = getattr(self.session, change)(*args)
        except AnswerError:
            self.bell()

    @on(messages.Answered)
    def _answered(self, message: messages.Answered) -> None:
        self._change("answer", message.choice_id, message.question_id)

    @on(messages.Back)
    def _back(self) -> None:
        self._change("back")

    @on(messages.Restart)
    def _restart(self) -> None:
        self._change("restart")

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
        self.parameters = message.parameters

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

    @on(messages.Export)
    def _export(self, message: messages.Export) -> None:
        advice = self.advice
        if advice is None or advice.recommendation is None:
            return
        path = Path(message.path)
        if not message.force and (path.is_symlink() or path.is_file()):

            def replace(yes: bool | None) -> None:
                if yes:
                    self.post_message(messages.Export(message.path, force=True))

            from advisor.tui.screens.confirm import ConfirmScreen

            self.push_screen(
                ConfirmScreen(f"{message.path} exists. Replace it?", "Replace"), replace
            )
            return
        from advisor.exports.files import write_atomic
        from advisor.exports.markdown import recommendation_markdown

        text = recommendation_markdown(advice)
        try:
            written = write_atomic(path, text, force=message.force)
        except ExportError as exc:
            self.notify(str(exc), title="Not exported", severity="error", markup=False)
            return
        self.notify(f"Wrote {written.resolve()}", title="Exported", markup=False)
        if advice.sample_error:
            self.notify(
                f"The report has no samples: {advice.sample_error}",
                severity="warning",
                markup=False,
            )

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

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Keys: list every key", "Show the help screen", self.action_help)
        if self.session is None:
            return
        yield SystemCommand(
            "Restart", "Back to the first question", lambda: self.post_message(messages.Restart())
        )
        if self.session.steps:
            yield SystemCommand(
                "Back", "Undo the last answer", lambda: self.post_message(messages.Back())
            )
        if _is_recommendation(screen):
            yield SystemCommand(
                "Export Markdown", "Write the report to a file", screen.action_export
            )
            yield SystemCommand(
                "Copy sample", "Copy the visible sample to the clipboard", screen.action_copy
            )
            yield SystemCommand(
                "Edit parameters",
                "Issuer, client ID, scopes, redirect URI, audience",
                screen.action_edit_parameters,
            )


def _is_recommendation(screen: Screen[Any]) -> TypeGuard[RecommendationScreen]:
    """Whether ``screen`` is the recommendation (without importing it before it is needed)."""
    module = sys.modules.get("advisor.tui.screens.recommendation")
    return module is not None and isinstance(screen, module.RecommendationScreen)


def _prefetch() -> None:
    """Import the recommendation screen's dependencies (runs in a worker thread)."""
    import advisor.advice
    import advisor.exports.markdown
    import advisor.tui.screens.recommendation  # noqa: F401  (Pygments via the highlighter)
