"""Snapshots of the TUI, on the TUI tests' own tree and templates (tests/tui/data).

Regenerate with ``pytest tests/tui --snapshot-update`` and read the report before accepting.
Animations are off (``make_app``) and NO_COLOR is unset (conftest), so the pictures are the
real, coloured ones; nothing in them depends on the clock or the machine's paths.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from support.tui import HERE, SIZE, make_app, tui_app

SnapCompare = Callable[..., bool]


def test_first_question(snap_compare: SnapCompare) -> None:
    """The first question: ten choices (the tenth on 0), help text, markup shown literally."""
    assert snap_compare(tui_app(), terminal_size=SIZE)


def test_first_question_small_terminal(snap_compare: SnapCompare) -> None:
    """The same at 60×20: the choices scroll, the footer still shows the main keys."""
    assert snap_compare(tui_app(), terminal_size=(60, 20))


def test_mid_walk_with_breadcrumb(snap_compare: SnapCompare) -> None:
    """After one answer: the breadcrumb shows it, the progress hint counts on."""
    assert snap_compare(tui_app(), press=["1"], terminal_size=SIZE)


def test_recommendation_with_code(snap_compare: SnapCompare) -> None:
    """The recommendation: title, flow, grant_type; "Check before running" first in the
    advice (focused: marked title), the curl sample below."""
    assert snap_compare(tui_app(), press=["1", "1"], terminal_size=SIZE)


def test_recommendation_80x24(snap_compare: SnapCompare) -> None:
    """At 80x24: the title on one line, advice and code half each, the footer's keys that
    fit whole and ``? Keys`` always."""
    assert snap_compare(tui_app(), press=["1", "1"], terminal_size=(80, 24))


def test_recommendation_160x48(snap_compare: SnapCompare) -> None:
    """At 160x48: the advice and the code side by side."""
    assert snap_compare(tui_app(), press=["1", "1"], terminal_size=(160, 48))


def test_recommendation_code_focused_and_wrapped(snap_compare: SnapCompare) -> None:
    """Tab to the samples (their panel is marked as focused), ``w`` wraps long lines."""
    assert snap_compare(tui_app(), press=["1", "1", "tab", "tab", "w"], terminal_size=(80, 24))


def test_error_screen(snap_compare: SnapCompare, monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken tree: every problem with file:line:col and node, and the way out."""
    monkeypatch.chdir(HERE)  # the path on screen is the relative one the user gave
    assert snap_compare(make_app("data/broken_tree.yaml"), terminal_size=SIZE)
