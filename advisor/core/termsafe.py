"""Make text from a tree safe to print on a terminal.

Tree files are written by other people. Their text could hold escape sequences that move the
cursor, rewrite the screen, set the clipboard (OSC 52) or hide links (OSC 8); bidi overrides
can make text read differently from what it is. Everything printed from a tree goes through
:func:`clean`.
"""

from __future__ import annotations

import re
from typing import Final

# Whole ANSI sequences first (so their parameters don't leak as text), then lone controls.
_SEQUENCES: Final = re.compile(
    r"""
    \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?     # OSC ... BEL or ST (window titles, OSC 8, OSC 52)
  | \x1b[P^_X][^\x1b]*(?:\x1b\\)?          # DCS / PM / APC / SOS strings
  | \x1b\[[0-?]*[ -/]*[@-~]                # CSI: cursor moves, colours, erase
  | \x9b[0-?]*[ -/]*[@-~]                  # 8-bit CSI
  | \x1b[@-Z\\-_]                          # other two-byte escapes
    """,
    re.VERBOSE,
)
_CONTROLS: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """``text`` without terminal control sequences or control characters (tab, newline kept)."""
    if text.isprintable():
        return text
    return _CONTROLS.sub("", _SEQUENCES.sub("", text))
