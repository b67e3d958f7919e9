"""TUI test settings: colours on (NO_COLOR unset), so snapshots and styles are the real ones;
the TUI's remembered choices (the theme) in a folder of the test's own, never the user's."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _colour_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture(autouse=True)
def _own_config_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    monkeypatch.setenv("GRANT_ADVISOR_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
