"""Tree text in Markdown output keeps inline Markdown but never becomes HTML or a link to a
terminal: checked with a CommonMark parser (markdown-it) on hostile and random text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from advisor.exports.markdown import link_url, prose

PARSER = MarkdownIt("commonmark")
HOSTILE = [
    "Use PKCE `<img src=x onerror=alert(1)>``",  # one backtick opens, two close: no span
    "\\`<img src=x onerror=alert(1)>`",  # an escaped backtick opens nothing
    "``<script>alert(1)</script>`",
    "`a``<b onmouseover=x>``c`",
    "<a href='x`y'>`z",
    "[link](`<img src=x>`)",
    "&lt;img src=x&gt; &amp;",
]


def html_tokens(markdown: str) -> list[str]:
    found = []
    for token in PARSER.parse(markdown):
        for item in [token, *(token.children or [])]:
            if item.type in ("html_inline", "html_block"):
                found.append(item.content)
    return found


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_tree_text_renders_no_html(text: str) -> None:
    assert html_tokens(prose(text)) == []


def test_code_spans_are_kept() -> None:
    assert prose("use `code <a>` here") == "use `code <a>` here"
    tokens = PARSER.parseInline(prose("use `code <a>` here"))[0].children or []
    assert [t.content for t in tokens if t.type == "code_inline"] == ["code <a>"]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="`\\<>&a b/=\"'[]()!*_", max_size=40))
def test_random_text_never_renders_html(text: str) -> None:
    assert html_tokens(prose(text)) == []


def test_link_urls_carry_no_controls_or_delimiters() -> None:
    url = link_url("https://example.com/x\x1b]52;c;cHduZWQ=\x07(y) <z>\u202e\u2028")
    assert url == "https://example.com/x%28y%29%20%3Cz%3E"
    assert url.isascii() and url.isprintable()
