"""Per-language literal filters: the only way a user's value enters generated code.

Each filter turns a value (a client id, an endpoint URL, a scope string, ...) into a literal of
the target language that evaluates back to exactly that value, whatever it contains: quotes,
backslashes, ``$``, backticks, newlines, control characters, non-ASCII text. Templates apply
them as Jinja filters (``{{ client_id | py }}``), so a hostile value can never end a string
early and become code.

All three produce pure printable ASCII: everything else is written as an escape. That keeps a
generated file's lines intact (no raw newline or carriage return from a value) and keeps
invisible or direction-changing characters (U+202E and friends, "Trojan Source") out of code a
user is about to copy and run.

Accepted values: ``str``, ``int`` (not ``bool``) and ``None`` (the language's null; an empty
string for ``sh``, which has no null). NUL (U+0000) is rejected by :func:`sh` with
:class:`~advisor.core.errors.ParameterError`, because a bash variable cannot hold it; the sample
parameters are checked for NUL before rendering, so no language gets one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from advisor.core.errors import ParameterError, TemplateError

LiteralValue = str | int | None
"""What a literal filter accepts."""

_PRINTABLE: Final = frozenset(chr(c) for c in range(0x20, 0x7F))

_PY_ESCAPES: Final[dict[str, str]] = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}

_JS_ESCAPES: Final[dict[str, str]] = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
    # '<' is escaped so that no value can spell "</script" or "<!--" when the module is
    # inlined in an HTML page; \u003c is valid in both JSON and JavaScript.
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
}


def _check_type(value: object, language: str) -> None:
    if isinstance(value, bool) or not isinstance(value, str | int | None):
        raise TemplateError(
            f"the {language} literal filter takes a string, an integer or None, "
            f"not {type(value).__name__}"
        )


def _double_quoted(text: str, escapes: dict[str, str], code_point: Callable[[int], str]) -> str:
    """``text`` in double quotes: a character of ``escapes`` as given there, printable ASCII
    as itself, anything else as ``code_point(ord(char))``."""
    out = ['"']
    for char in text:
        if char in escapes:
            out.append(escapes[char])
        elif char in _PRINTABLE:
            out.append(char)
        else:
            out.append(code_point(ord(char)))
    out.append('"')
    return "".join(out)


def _py_code_point(code: int) -> str:
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _js_code_point(code: int) -> str:
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def py(value: LiteralValue) -> str:
    """A Python literal (a double-quoted ASCII string, an int, or ``None``).

    ``ast.literal_eval(py(s)) == s`` for every string, lone surrogates included.
    """
    _check_type(value, "py")
    if value is None:
        return "None"
    if isinstance(value, int):
        return str(value)
    return _double_quoted(value, _PY_ESCAPES, _py_code_point)


def js(value: LiteralValue) -> str:
    """A JavaScript literal that is also valid JSON (``JSON.parse`` reads it back).

    Strings are double-quoted ASCII: non-ASCII characters (U+2028 and U+2029 included, which
    older engines treat as line ends) become ``\\uXXXX`` (surrogate pairs above U+FFFF), and
    ``<``, ``>``, ``&`` are escaped too, so a value cannot close a ``<script>`` element.
    """
    _check_type(value, "js")
    if value is None:
        return "null"
    if isinstance(value, int):
        if abs(value) > 2**53 - 1:
            raise TemplateError(f"integer {value} is not exactly representable in JavaScript")
        return str(value)
    return _double_quoted(value, _JS_ESCAPES, _js_code_point)


def sh(value: LiteralValue) -> str:
    """A bash word that expands to exactly ``value`` (no expansion, no word splitting).

    Runs of printable ASCII are single-quoted (``'`` itself becomes ``\\'`` between quoted
    runs); every other character is written as its UTF-8 bytes in an ANSI-C quoted run
    (``$'\\xc3\\xa9'``), which bash expands byte for byte whatever the locale. Adjacent quoted
    runs form one word: ``'it'\\''s'$'\\n''ok'``. ``None`` becomes ``''``.

    Raises:
        ParameterError: the value contains NUL, which no bash variable can hold.
    """
    _check_type(value, "sh")
    if value is None:
        return "''"
    if isinstance(value, int):
        return str(value)
    if "\0" in value:
        raise ParameterError("a value contains a NUL character, which a bash script cannot hold")
    if value == "":
        return "''"
    parts: list[str] = []
    plain: list[str] = []
    raw = bytearray()

    def flush_plain() -> None:
        if plain:
            parts.append("'" + "".join(plain) + "'")
            plain.clear()

    def flush_raw() -> None:
        if raw:
            parts.append("$'" + "".join(f"\\x{b:02x}" for b in raw) + "'")
            raw.clear()

    for char in value:
        if char == "'":
            flush_plain()
            flush_raw()
            parts.append("\\'")
        elif char in _PRINTABLE:
            flush_raw()
            plain.append(char)
        else:
            flush_plain()
            raw.extend(char.encode("utf-8", "surrogatepass"))
    flush_plain()
    flush_raw()
    return "".join(parts)


FILTERS: Final = {"py": py, "js": js, "sh": sh}
"""The literal filters by their Jinja name."""
