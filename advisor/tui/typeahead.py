"""Type-ahead: a key typed while the app still handles earlier ones waits for its turn.

Textual hands a key to the widget that has focus *when the key arrives*; the key then travels
up to the screen and the app, where the bindings run, and what a binding starts takes more
steps through message queues (an answer: a message to the app, a new session, the walk screen
updating its widgets or the recommendation being pushed). A key typed in the meantime was
routed by the old state: to a choice list about to be replaced, against a question already
answered, to a screen about to be covered. It was dropped or misapplied, so a burst of three
choice numbers never reached the recommendation.

:class:`KeyQueue` holds a key that arrives while the key before it may still be in progress,
and delivers it once the app has *settled*: the pumps a key and its consequences pass through
(the widget the key went to and its ancestors, the focused widget and its ancestors, every
screen on the stack, the app) have no message or callback left. Settling is observed, not
guessed: a round of callbacks is posted to those pumps, and when the last one has run their
queues are checked; the app has settled after two rounds in a row that end with every pump
idle (a pump in the middle of a handler, awaiting something, looks idle, but cannot run the
second round's callback before its handler is done). Keys are delivered one at a time, in the
order they arrived, like a shell's type-ahead.

Settling is checked :data:`VERIFY_AFTER` seconds after a key is delivered, or at once when
the next key arrives before that: a key typed on its own is delivered at once. (Checking right
after every key would post the rounds' callbacks while the key is being handled; they wake the
screens, which then paint a frame of the screen that is about to go.)

Nothing waits on a worker thread (discovery): only on message queues, which empty within a
frame or two. A round that cannot complete (a pump closed with a callback in it) is given up
after :data:`GIVE_UP` seconds, and the next key is delivered anyway.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final

from textual import events

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode
    from textual.message_pump import MessagePump

MAX_ROUNDS: Final = 200
"""Rounds of callbacks per key at most; a pump that never empties (an animation) cannot hold
the keys back for longer than this."""

GIVE_UP: Final = 1.0
"""Seconds after which a key's settling is given up and the next key delivered."""

VERIFY_AFTER: Final = 0.05
"""Seconds after a key is delivered when the queue checks, unasked, that the app settled."""


class KeyQueue:
    """Delivers the app's keys one at a time, each after the previous one has settled.

    ``deliver`` routes a key as Textual does (priority bindings, then the focused widget); the
    app calls :meth:`receive` for every key from the terminal.
    """

    def __init__(self, app: App[Any], deliver: Callable[[events.Key], Awaitable[None]]) -> None:
        self.app = app
        self._deliver = deliver
        self.held: deque[events.Key] = deque()
        """Keys waiting for their turn, oldest first."""
        self.busy = False
        """A key is being delivered, or keys are waiting for the app to settle."""
        self._unsettled = False
        """A key has been delivered and the app has not been seen to settle since."""
        self._target: DOMNode | None = None
        self._round = 0
        self._rounds = 0
        self._idle_rounds = 0
        self._pending = 0
        self._timeout: asyncio.TimerHandle | None = None
        self._verify: asyncio.TimerHandle | None = None

    async def receive(self, key: events.Key) -> None:
        """Handle ``key`` from the terminal now, or after the keys before it have settled."""
        if self.busy or self.held:
            self.held.append(key)
            return
        if self._unsettled:  # the key before may still be in progress: wait for the app
            self.held.append(key)
            self._settle()
            return
        await self._handle(key)

    async def _handle(self, key: events.Key) -> None:
        self.busy = True
        app = self.app
        self._target = app.focused or app.screen
        try:
            await self._deliver(key)
        finally:
            self._unsettled = True
            if self.held:  # more keys came meanwhile: wait for this one to settle
                self._settle()
            else:
                self.busy = False
                if self._verify is not None:
                    self._verify.cancel()
                loop = asyncio.get_running_loop()
                self._verify = loop.call_later(VERIFY_AFTER, self._check_settled)

    def _check_settled(self) -> None:
        self._verify = None
        if self._unsettled and not self.busy:
            self._settle()

    def _settle(self) -> None:
        """Watch the app settle, then deliver the next held key (if any)."""
        if self._verify is not None:
            self._verify.cancel()
            self._verify = None
        self.busy = True
        self._rounds = self._idle_rounds = 0
        if self._timeout is not None:
            self._timeout.cancel()
        self._timeout = asyncio.get_running_loop().call_later(GIVE_UP, self._give_up)
        self._next_round()

    def _pumps(self) -> list[MessagePump]:
        """What a key and its consequences pass through."""
        app = self.app
        pumps: list[MessagePump] = [app, *app.screen_stack]
        for start in (self._target, app.focused):
            node: DOMNode | None = start
            while node is not None and node is not app and node not in pumps:
                pumps.append(node)
                node = node.parent
        return pumps

    def _next_round(self) -> None:
        self._round += 1
        self._rounds += 1
        self._pending = 0
        for pump in self._pumps():
            if pump.call_later(self._arrived, self._round):
                self._pending += 1
        if not self._pending:
            self._settled()

    def _arrived(self, round_number: int) -> None:
        if round_number != self._round or not self.busy:
            return  # a round given up on
        self._pending -= 1
        if self._pending:
            return
        if all(_idle(pump) for pump in self._pumps()):
            self._idle_rounds += 1
        else:
            self._idle_rounds = 0
        if self._idle_rounds >= 2 or self._rounds >= MAX_ROUNDS:
            self._settled()
        else:
            self._next_round()

    def _give_up(self) -> None:
        self._timeout = None
        if self.busy:
            self._settled()

    def _settled(self) -> None:
        self._round += 1  # callbacks still on their way are ignored
        if self._timeout is not None:
            self._timeout.cancel()
            self._timeout = None
        self.busy = False
        self._unsettled = False
        self._target = None
        if self.held:
            self.busy = True  # nothing overtakes the held keys while the next one is on its way
            self.app.call_later(self._deliver_next)

    async def _deliver_next(self) -> None:
        if not self.held:
            self.busy = False
            return
        await self._handle(self.held.popleft())


def _idle(pump: MessagePump) -> bool:
    """No message waiting in ``pump`` (the queue, or the one it took out of the queue to peek at)
    and no callback queued to run after the current one."""
    return (
        pump.message_queue_size == 0 and pump._pending_message is None and not pump._next_callbacks
    )
