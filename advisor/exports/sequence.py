"""A flow's sequence diagram (its ``sequence`` in the catalogue) as Mermaid text.

One ``sequenceDiagram`` per flow: the participants the flow's messages name, in a fixed order
(user, their device, the browser, the client, the authorization server, the API), then each
message as an arrow, solid for a request and dashed for a response, numbered
(``autonumber``), with its note, if any, over the two participants.

Labels are built as :mod:`advisor.exports.mermaid` builds them: terminal control characters
removed, whitespace folded, wrapped with ``<br>`` (and cut with ``…`` past
:data:`MESSAGE_LINES` lines), and every
character Mermaid or HTML would read written as an entity code (:func:`mermaid_text`). In a
sequence diagram a message runs unquoted from the ``:`` to the end of the line, where a raw
``#`` would start a comment, ``;`` end the statement and a leading ``wrap:`` change the
layout: all three are entity codes. Participant ids are fixed Mermaid-safe words, never tree
text, and their display names are fixed too.
"""

from __future__ import annotations

import textwrap
from typing import Final

from advisor.core.termsafe import clean
from advisor.exports.mermaid import _unplaceholder, mermaid_text
from advisor.tree.models import Flow, SequenceStep

PARTICIPANTS: Final[dict[str, str]] = {
    "user": "User",
    "device": "User's device",
    "browser": "Browser",
    "client": "Client",
    "auth_server": "Authorization server",
    "api": "API (resource server)",
}
"""Every participant id, in drawing order (left to right), with its display name."""

MESSAGE_WIDTH: Final = 44
"""Characters per line of a message or note."""
MESSAGE_LINES: Final = 12
"""Lines a message or note may take (longer text is cut with ``…``)."""

_LINE_BREAK: Final = "<br>"


def participants(flow: Flow) -> list[str]:
    """The ids of the participants ``flow``'s sequence names, in :data:`PARTICIPANTS` order."""
    used = {p for step in flow.sequence for p in (step.sender, step.receiver)}
    return [p for p in PARTICIPANTS if p in used]


def label_lines(text: str) -> list[str]:
    """The lines a message or note shows: cleaned, folded and wrapped (``[]`` when blank).

    Words are not broken (a ``grant_type=urn:...`` value stays on one line, however long);
    past :data:`MESSAGE_LINES` lines the text is cut and the last line ends in ``…``. Text
    that would form one of Mermaid's entity placeholders is defused as in
    :func:`advisor.exports.mermaid.wrap_label`.
    """
    folded = " ".join(
        _unplaceholder(clean(text)).split()
    )  # clean first: the placeholder fix adds U+2060
    lines = textwrap.wrap(
        folded, width=MESSAGE_WIDTH, break_long_words=False, break_on_hyphens=False
    )
    if len(lines) > MESSAGE_LINES:
        lines = [*lines[: MESSAGE_LINES - 1], lines[MESSAGE_LINES - 1] + "…"]
    return lines


def _label(text: str, fallback: str) -> str:
    return _LINE_BREAK.join(mermaid_text(line) for line in label_lines(text) or [fallback])


def _arrow(step: SequenceStep) -> str:
    return "-->>" if step.response else "->>"


def sequence_mermaid(flow: Flow) -> str:
    """``flow``'s sequence as a Mermaid ``sequenceDiagram``.

    Args:
        flow: A catalogue flow with a non-empty ``sequence``.

    Returns:
        The diagram source, ending with a newline (no fence around it). The same flow always
        gives the same text.

    Raises:
        ValueError: the flow has no sequence.
    """
    if not flow.sequence:
        raise ValueError(f"flow {flow.id!r} has no sequence")
    name = " ".join(clean(flow.name).split()) or flow.id
    lines = [
        "sequenceDiagram",
        f"  accTitle: {mermaid_text(name)}",
        "  accDescr: "
        + mermaid_text(
            f"Sequence diagram of {name}: {len(flow.sequence)} messages between "
            + ", ".join(PARTICIPANTS[p] for p in participants(flow))
            + ", in order."
        ),
        "  autonumber",
    ]
    for participant in participants(flow):
        kind = "actor" if participant == "user" else "participant"
        lines.append(f"  {kind} {participant} as {mermaid_text(PARTICIPANTS[participant])}")
    for number, step in enumerate(flow.sequence, 1):
        message = _label(step.message, f"message {number}")
        lines.append(f"  {step.sender}{_arrow(step)}{step.receiver}: {message}")
        if step.note:
            over = step.sender if step.sender == step.receiver else f"{step.sender},{step.receiver}"
            lines.append(f"  Note over {over}: {_label(step.note, 'note')}")
    return "\n".join(lines) + "\n"
