"""TUI test settings: colours on (NO_COLOR unset), so snapshots and styles are the real ones."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _colour_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
