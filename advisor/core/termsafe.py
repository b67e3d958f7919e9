"""Make text from outside safe to print on a terminal, and to write as JSON.

Tree files are written by other people, and metadata and HTTP responses come from servers.
Their text could hold escape sequences that move the cursor, rewrite the screen, set the
clipboard (OSC 52) or hide links (OSC 8); bidi controls and invisible marks can make text read
differently from what it is ("Trojan Source"); U+2028 and U+2029 break lines where no line
break is seen; a lone surrogate cannot even be written as UTF-8. Everything printed from a
tree, a server or an exception message goes through :func:`clean`; JSON output goes through
:func:`json_text`, which writes the same characters as ``\\uXXXX`` escapes.

The characters concerned (:data:`UNSAFE`): C0 controls except tab and newline, DEL, C1
controls (U+0080 to U+009F), the bidi marks, embeddings, overrides and isolates (U+061C,
U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069), other invisible format characters
(U+00AD, U+180E, U+200B, U+2061 to U+2064, U+206A to U+206F, U+FEFF, U+FFF9 to U+FFFB,
and the tag characters U+E0000 to U+E007F), the line and paragraph separators
(U+2028, U+2029) and lone surrogates (U+D800 to U+DFFF).
"""

from __future__ import annotations

import json
import re
from typing import Final

UNSAFE_CHARS: Final = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 (tab and newline kept), DEL, C1
    "\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u206f\ufeff"  # bidi, invisible marks
    # Soft hyphen, invisible operators, annotations. U+2060 (word joiner) stays: it hides
    # nothing, and the Mermaid exports need it to keep "¶ß" from reading as a placeholder.
    "\u00ad\u180e\u2061-\u2064\ufff9-\ufffb"
    "\U000e0000-\U000e007f"  # tag characters (hidden text)
    "\u2028\u2029"  # line and paragraph separators
    "\ud800-\udfff"  # lone surrogates (not UTF-8)
)
"""The characters :func:`clean` removes, as the inside of a regular expression's ``[...]``."""

UNSAFE: Final = re.compile(f"[{UNSAFE_CHARS}]")
"""One character a terminal (or a reader) could be fooled by; see the module docstring."""

# Whole ANSI sequences first (so their parameters don't leak as text), then lone controls.
_SEQUENCES: Final = re.compile(
    r"""
    \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?     # OSC ... BEL or ST (window titles, OSC 8, OSC 52)
  | \x1b[P^_X][^\x1b]*(?:\x1b\\)?          # DCS / PM / APC / SOS strings
  | \x1b\[[0-?]*[ -/]*[@-~]                # CSI: cursor moves, colours, erase
  | \x9b[0-?]*[ -/]*[@-~]                  # 8-bit CSI
  | \x9d[^\x07\x1b\x9c]*(?:\x07|\x9c)?     # 8-bit OSC ... BEL or ST
  | \x1b[@-Z\\-_]                          # other two-byte escapes
    """,
    re.VERBOSE,
)
_SEPARATORS: Final = re.compile("[\u2028\u2029]")


def clean(text: str) -> str:
    """``text`` without terminal control sequences or unsafe characters.

    Args:
        text: Any text, typically from a tree file, a server or an exception message.

    Returns:
        The text with whole escape sequences removed, U+2028 and U+2029 turned into a newline
        (what they mean), and every other character of :data:`UNSAFE` removed. Tab and
        newline are kept; callers that need one line fold whitespace themselves.
    """
    if text.isprintable():
        return text
    text = _SEPARATORS.sub("\n", _SEQUENCES.sub("", text))
    return UNSAFE.sub("", text)


def shown_path(path: object) -> str:
    """A file name for a message: as it is when printable, else quoted with escapes, so the
    name shown is the name meant and stays on one line."""
    text = str(path)
    return text if text.isprintable() and not UNSAFE.search(text) else repr(text)


def one_line(text: str) -> str:
    """``text`` cleaned (:func:`clean`) with its whitespace, line breaks included, folded."""
    return " ".join(clean(text).split())


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def escape_json(text: str) -> str:
    """JSON text from ``json.dumps(..., ensure_ascii=False)`` with every :data:`UNSAFE`
    character written as a ``\\uXXXX`` escape.

    JSON escapes C0 controls itself but leaves DEL, C1 controls, bidi controls, U+2028 and
    lone surrogates raw. Outside strings, JSON text is ASCII punctuation, digits and
    keywords, so every such character sits inside a string, where the escape means the same.
    """
    return UNSAFE.sub(_escape, text)


def json_text(data: object, *, indent: int | None = 2) -> str:
    """``data`` as JSON (UTF-8 text, non-ASCII kept) ending in a newline, terminal-safe.

    The result reads back to exactly ``data`` (``json.loads``), is valid UTF-8 (lone
    surrogates are escaped), and holds no raw character of :data:`UNSAFE`, so it is also
    valid YAML.

    Raises:
        TypeError: ``data`` holds something JSON cannot represent.
    """
    return escape_json(json.dumps(data, indent=indent, ensure_ascii=False)) + "\n"
