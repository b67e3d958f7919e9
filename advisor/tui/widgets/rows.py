"""Rows that one widget draws in parts: a choice (key, label) and a step (question → answer).

A row of labels in a container costs a widget per label plus the container, and mounting,
styling and laying out widgets is most of what a redraw costs. These rows are drawn by their
list item alone, and keep what the labels gave:

- each part has the width, wrapping, ellipsis and style its label had, so the screen looks
  exactly the same (the snapshot tests compare it cell by cell);
- text selection works as before: part ``n`` is line ``n`` of the row's text (the offsets the
  parts carry say so), so a drag within a part selects in that part, and a selection across
  parts copies them on separate lines, as separate labels did.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.content import Content
from textual.css.styles import RulesMap
from textual.geometry import Offset
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

KEY_WIDTH = 5
"""Cells for a choice's key column; a label that wraps continues under its first line."""

ARROW = " → "
"""Between a step's question and its answer."""

_ONE_LINE: RulesMap = {"text_wrap": "nowrap", "text_overflow": "ellipsis"}


def as_labels(selection: Selection) -> Selection:
    """``selection`` as it was when the parts were separate labels.

    Textual ends a selection within one widget after the character under the pointer, and a
    selection across widgets before it; a selection across parts ends as the latter did.
    """
    if selection.start is None or selection.end is None:
        return selection
    if selection.start.y == selection.end.y or selection.end.x == 0:
        return selection
    return Selection(selection.start, selection.end - Offset(1, 0))


def _line_of(selection: Selection | None, line: int) -> Selection | None:
    """``selection`` as seen by the part that is line ``line`` of the row's text."""
    if selection is None or line == 0:
        return selection
    start, end = selection
    shift = Offset(0, line)
    return Selection(None if start is None else start - shift, None if end is None else end - shift)


_MOVED: dict[tuple[RichStyle, int], RichStyle] = {}
"""Styles with their offset moved to another line, by (style, line): rows redraw often."""


def _moved(style: RichStyle, line: int) -> RichStyle:
    key = (style, line)
    moved = _MOVED.get(key)
    if moved is None:
        offset = style.meta.get("offset")
        moved = (
            style if offset is None else style + RichStyle.from_meta({"offset": (offset[0], line)})
        )
        if len(_MOVED) > 4096:
            _MOVED.clear()
        _MOVED[key] = moved
    return moved


def _on_line(strip: Strip, line: int) -> Strip:
    """``strip`` with the text offsets it carries moved to line ``line`` of the row's text."""
    if line == 0:
        return strip
    segments = [
        Segment(text, None if style is None else _moved(style, line), control)
        for text, style, control in strip
    ]
    return Strip(segments, strip.cell_length)


def _part(
    content: Content,
    line: int,
    width: int,
    style: Style,
    options: RenderOptions,
    rules: RulesMap | None = None,
) -> list[Strip]:
    """Part ``line`` of a row, drawn at ``width`` as a label with these ``rules`` would be."""
    part_options = RenderOptions(
        options.get_style,
        options.rules if rules is None else rules,
        _line_of(None if options.selection is None else as_labels(options.selection), line),
        options.selection_style,
    )
    return [
        _on_line(strip, line) for strip in content.render_strips(width, None, style, part_options)
    ]


class KeyedLabel(Visual):
    """``key`` in a column of :data:`KEY_WIDTH` cells, then ``label`` wrapped beside it."""

    def __init__(self, key: Content, label: Content) -> None:
        self.key = key
        self.label = label

    @property
    def text(self) -> str:
        """The row's text: one line per part."""
        return f"{self.key.plain}\n{self.label.plain}"

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return KEY_WIDTH + self.label.get_optimal_width(rules, container_width - KEY_WIDTH)

    def get_minimal_width(self, rules: RulesMap) -> int:
        return KEY_WIDTH + self.label.get_minimal_width(rules)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.label.get_height(rules, max(1, width - KEY_WIDTH))

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        lines = _part(self.label, 1, max(1, width - KEY_WIDTH), style, options)
        rich_style = style.rich_style
        key = _part(self.key, 0, KEY_WIDTH, style, options)[:1]
        first = key[0].adjust_cell_length(KEY_WIDTH, rich_style) if key else None
        blank = Strip.blank(KEY_WIDTH, rich_style)
        strips = [
            Strip.join([first if y == 0 and first else blank, line]) for y, line in enumerate(lines)
        ]
        return strips if height is None else strips[:height]


class StepLine(Visual):
    """``question → answer`` on one line: the question takes at most half the width, the
    answer the rest, each cut with an ellipsis when too long; the arrow has its own style."""

    def __init__(self, question: Content, answer: Content, arrow_style: Style) -> None:
        self.question = question
        self.answer = answer
        self.arrow_style = arrow_style

    @property
    def text(self) -> str:
        """The row's text: one line per part."""
        return f"{self.question.plain}\n{ARROW}\n{self.answer.plain}"

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.question.cell_length + len(ARROW) + self.answer.cell_length

    def get_height(self, rules: RulesMap, width: int) -> int:
        return 1

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        question_width = min(self.question.cell_length, width // 2)
        answer_width = max(0, width - question_width - len(ARROW))
        parts = [
            (self.question, question_width, style),
            (Content(ARROW), len(ARROW), self.arrow_style),
            (self.answer, answer_width, style),
        ]
        strips = []
        for line, (content, cells, part_style) in enumerate(parts):
            if cells > 0:
                rendered = _part(content, line, cells, part_style, options, _ONE_LINE)
                strip = rendered[0] if rendered else Strip([])
                if line < len(parts) - 1:  # the widget pads the end of the row itself
                    strip = strip.adjust_cell_length(cells, part_style.rich_style)
                strips.append(strip)
        return [Strip.join(strips).crop(0, width)]
