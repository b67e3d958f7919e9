"""What screens tell the app. Attributes go down, these messages come up.

Screens never change the session themselves: they post one of these and the app turns it into
an engine call. Messages that refer to a question carry its id, so a click on a widget that is
about to be replaced (a fast double click, a key pressed during a redraw) is recognised as stale
and ignored instead of answering the wrong question.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from advisor.server.model import ServerMetadata


class Answered(Message):
    """The user picked ``choice_id`` for question ``question_id``."""

    def __init__(self, question_id: str, choice_id: str) -> None:
        super().__init__()
        self.question_id = question_id
        self.choice_id = choice_id


class Back(Message):
    """Undo the last answer."""


class Restart(Message):
    """Back to the first question (``undoable``: say how to undo it, and keep what undoes it)."""

    def __init__(self, undoable: bool = False) -> None:
        super().__init__()
        self.undoable = undoable


class Undo(Message):
    """Undo the last restart: back to the answers given before it."""


class Revisit(Message):
    """Go back to step ``index`` (whose question is ``question_id``) and answer it again."""

    def __init__(self, index: int, question_id: str) -> None:
        super().__init__()
        self.index = index
        self.question_id = question_id


class ParamsChanged(Message):
    """New sample parameters: only the fields the user gave (``SampleParams`` names).

    ``metadata`` is the issuer's metadata when discovery is on (the samples then use its
    endpoints and the advice is checked against it), None when it is off. ``libraries``: the
    library flavours the samples are built on (``ask --library``).
    """

    def __init__(
        self,
        parameters: Mapping[str, Any],
        metadata: ServerMetadata | None = None,
        libraries: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self.parameters = dict(parameters)
        self.metadata = metadata
        self.libraries = libraries
        """Library flavours for the samples (``ask --library`` ids), in order."""


class DiscoverRequested(Message):
    """Read ``issuer``'s metadata (the app does it in a worker, then answers the form)."""

    def __init__(self, issuer: str) -> None:
        super().__init__()
        self.issuer = issuer
