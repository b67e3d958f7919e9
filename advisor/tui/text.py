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
