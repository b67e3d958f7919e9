"""External tools some tests need (Node, Chromium, mkdocs): find them, or skip with the
reason, except under CI, where a missing tool fails the run."""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    """Skip the test with ``reason``; with ``CI`` set, fail it instead."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


def chromium() -> str | None:
    """The Chromium to drive: ``$GRANT_ADVISOR_CHROMIUM``, else the first one on PATH."""
    named = os.environ.get("GRANT_ADVISOR_CHROMIUM")
    if named:
        return named
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None
