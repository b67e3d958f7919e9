"""Lint, format and type checks are part of the suite, so CI enforces them too."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from support.paths import TESTS

ROOT = TESTS.parent


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False, timeout=300)


@pytest.mark.parametrize(
    "argv", [["check", "."], ["format", "--check", "."]], ids=["lint", "format"]
)
def test_ruff(argv: list[str]) -> None:
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    result = _run([ruff, *argv])
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_the_package() -> None:
    pytest.importorskip("mypy", reason="mypy is not installed (pip install -e '.[test]')")
    result = _run([sys.executable, "-m", "mypy"])  # files and strictness: [tool.mypy]
    assert result.returncode == 0, result.stdout + result.stderr
