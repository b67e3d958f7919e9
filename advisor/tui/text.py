"""Tree text on screen: always plain :class:`rich.text.Text`, never markup.

Tree files come from other people. Their text goes through :func:`advisor.core.termsafe.clean`
(no escape sequences) and into ``Text`` objects, so ``[bold]`` in a tree shows as written
instead of being read as Rich or Textual markup. The one convention read is Markdown's inline
code: text between a pair of backticks (`` `gh auth login` ``) is shown in :data:`CODE_STYLE`,
without the backticks.
"""

from __future__ import annotations

import re
from typing import Final

from rich.text import Text

from advisor.core.termsafe import clean

Part = str | tuple[str, str]
"""Text, or ``(text, style)``: styles come from our code, the text may come from a tree."""

CODE_STYLE: Final = "reverse"
"""Inline code: reversed colours read as code in every theme, light or dark."""

_CODE = re.compile(r"`([^`\n]+)`")


def _append(text: Text, content: str, style: str | None) -> None:
    """Append ``content`` (cleaned) to ``text``; inline code in :data:`CODE_STYLE`."""
    position = 0
    for match in _CODE.finditer(content):
        text.append(content[position : match.start()], style=style)
        text.append(match.group(1), style=f"{style} {CODE_STYLE}" if style else CODE_STYLE)
        position = match.end()
    text.append(content[position:], style=style)


def plain(*parts: Part) -> Text:
    """Join ``parts`` into one ``Text``; each text is cleaned and never parsed as markup."""
    text = Text()
    for part in parts:
        if isinstance(part, tuple):
            content, style = part
            _append(text, clean(content), style or None)
        else:
            _append(text, clean(part), None)
    return text


def paragraphs(value: str) -> Text:
    """Multi-paragraph tree text: single line breaks folded, blank lines kept."""
    blocks = [" ".join(block.split()) for block in clean(value).split("\n\n") if block.strip()]
    text = Text()
    _append(text, "\n\n".join(blocks), None)
    return text


FORM_FIELDS: Final = {
    "--issuer": "Issuer",
    "--client-id": "Client ID",
    "--scope": "Scopes",
    "--redirect-uri": "Redirect URI",
    "--audience": "Audience",
    "--client-auth": "Client auth",
    "--library": "Library",
    "--discover": "Discover",
}
"""The command line's parameter flags, by the parameters form field that sets the same."""

_FLAGS: Final = "|".join(map(re.escape, FORM_FIELDS))
_PASS = re.compile(r"\bpass (" + _FLAGS + r")\b(?!-)(?: ((?!-)[^\s,;:()]+))?")
"""``pass --scope offline_access``: the command line's way of saying "give this value"."""
_FLAG = re.compile(r"(?<![\w`-])(" + _FLAGS + r")\b(?!-)")


def tui_words(value: str) -> str:
    """Advice text written for the command line, in the TUI's words: a parameter flag outside
    inline code becomes the form field that sets it (``Point --issuer at ...``: ``Point the
    Issuer field (press e) at ...``; ``pass --scope offline_access``: ``put offline_access in
    the Scopes field (press e)``); a command in backticks is left as it is, since it can be
    run as written. The first field named says which key opens the form."""
    parts = re.split(r"(`[^`\n]+`)", value)
    told = False

    def named(flag: str) -> str:
        nonlocal told
        words = "Discover" if flag == "--discover" else f"the {FORM_FIELDS[flag]} field"
        if not told:
            told = True
            words += " (press e)"
        return words

    def passed(match: re.Match[str]) -> str:
        flag, given = match.group(1), match.group(2)
        if flag == "--discover":
            return f"tick {named(flag)}"
        return f"put {given} in {named(flag)}" if given else f"set {named(flag)}"

    for index in range(0, len(parts), 2):  # outside backticks
        parts[index] = _PASS.sub(passed, parts[index])
        parts[index] = _FLAG.sub(lambda match: named(match.group(1)), parts[index])
    return "".join(parts)
