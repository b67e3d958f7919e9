"""Tree text on screen: always plain :class:`rich.text.Text`, never markup.

Tree files come from other people. Their text goes through :func:`advisor.core.termsafe.clean`
(no escape sequences) and into ``Text`` objects, so ``[bold]`` in a tree shows as written
instead of being read as Rich or Textual markup.
"""

from __future__ import annotations

from rich.text import Text

from advisor.core.termsafe import clean

Part = str | tuple[str, str]
"""Text, or ``(text, style)``: styles come from our code, the text may come from a tree."""


def plain(*parts: Part) -> Text:
    """Join ``parts`` into one ``Text``; each text is cleaned and never parsed as markup."""
    text = Text()
    for part in parts:
        if isinstance(part, tuple):
            content, style = part
            text.append(clean(content), style=style or None)
        else:
            text.append(clean(part))
    return text


def paragraphs(value: str) -> Text:
    """Multi-paragraph tree text: single line breaks folded, blank lines kept."""
    blocks = [" ".join(block.split()) for block in clean(value).split("\n\n") if block.strip()]
    return Text("\n\n".join(blocks))
