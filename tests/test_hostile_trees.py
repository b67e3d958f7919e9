"""Hostile tree files: each is refused with one clear message, fast, in bounded memory,
without executing or writing anything.

The corpus is tests/data/hostile/, one file per case; cases that cannot live in a repository
(an 8 MiB file, a FIFO, a directory, a missing path) are made in a temporary folder.
"""

from __future__ import annotations

import os
import subprocess
import time
import tracemalloc
from pathlib import Path

import pytest

from advisor.cli import main
from advisor.core.errors import TreeError, TreeValidationError
from advisor.tree.loader import MAX_TREE_BYTES, load
from support.paths import DATA

HOSTILE = DATA / "hostile"
PWNED = Path("/tmp/grant-advisor-pwned")

# file → (exit code of `validate`, key words of the message)
CASES: dict[str, tuple[int, tuple[str, ...]]] = {
    "python_object_apply.yaml": (1, ("unsupported YAML tag", "python/object/apply:os.system")),
    "python_name.yaml": (1, ("unsupported YAML tag", "never constructs objects")),
    "python_module.yaml": (1, ("unsupported YAML tag", "python/module:os")),
    "custom_tag.yaml": (1, ("unsupported YAML tag '!include'",)),
    "binary_tag.yaml": (1, ("unsupported YAML tag '!!binary'",)),
    "merge_key.yaml": (1, ("merge keys",)),
    "alias_bomb.yaml": (1, ("expands to more than 1,000,000 values", "alias expansion bomb")),
    "deep_nesting.yaml": (1, ("nesting deeper than 64 levels",)),
    "deep_mapping.yaml": (1, ("nesting deeper than 64 levels",)),
    "invalid_utf8.yaml": (2, ("not valid UTF-8", "byte 0xe9")),
    "utf16.yaml": (2, ("not valid UTF-8",)),
    "empty.yaml": (2, ("the file is empty",)),
    "whitespace_only.yaml": (2, ("the file is empty",)),
    "comments_only.yaml": (1, ("top level must be a mapping", "not nothing")),
    "root_scalar.yaml": (1, ("top level must be a mapping", "not a string")),
    "root_list.yaml": (1, ("top level must be a mapping", "not a list")),
    "two_documents.yaml": (1, ("exactly one YAML document",)),
    "nul_byte.yaml": (1, ("U+0000 is not allowed",)),
    "recursive_alias.yaml": (1, ("has no complete anchor",)),
    "non_string_key.yaml": (1, ("mapping keys must be plain strings",)),
    "huge_number.yaml": (1, ("a number with 100,000 characters",)),
}


@pytest.fixture
def no_execution(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly if loading a tree tries to run anything."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a tree file tried to execute something: {args!r}")

    monkeypatch.setattr(os, "system", refuse)
    monkeypatch.setattr(os, "popen", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    PWNED.unlink(missing_ok=True)


def _load_bounded(path: Path) -> Exception:
    """Load ``path`` and return the error, checking time and memory bounds."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        load(path)
    except TreeError as exc:
        error: Exception = exc
    else:
        raise AssertionError(f"{path.name} loaded without error")
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    # Safety bounds (not performance figures): a hostile file must not hang or balloon.
    assert elapsed < 1.0, f"{path.name} took {elapsed:.2f}s"
    assert peak < 64 * 1024 * 1024, f"{path.name} used {peak / 2**20:.0f} MiB"
    return error


def test_every_hostile_file_has_a_case() -> None:
    names = {p.name for p in HOSTILE.glob("*.yaml")} - {"control_sequences.yaml"}
    assert names == set(CASES)


@pytest.mark.usefixtures("no_execution")
@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_is_refused_safely(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, words = CASES[name]
    path = HOSTILE / name
    before = sorted(HOSTILE.iterdir())
    error = _load_bounded(path)
    text = (
        "\n".join(p.format() for p in error.problems)
        if isinstance(error, TreeValidationError)
        else str(error)
    )
    for word in words:
        assert word in text, text
    assert str(path) in text
    assert main(["validate", str(path)]) == code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    # Every command that loads the tree refuses it the same way, with exit code 2.
    assert main(["--tree", str(path), "ask"]) == 2
    _, err = capsys.readouterr()
    assert err.startswith("grant-advisor: error: ")
    assert not PWNED.exists()
    assert sorted(HOSTILE.iterdir()) == before


@pytest.mark.usefixtures("no_execution")
def test_file_over_the_size_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"title: " + b"x" * MAX_TREE_BYTES + b"\n")
    error = _load_bounded(big)
    assert "larger than the 8 MiB limit" in str(error)


@pytest.mark.usefixtures("no_execution")
def test_directory_missing_and_fifo_paths(tmp_path: Path) -> None:
    assert "is a directory" in str(_load_bounded(tmp_path))
    assert "no such file" in str(_load_bounded(tmp_path / "missing.yaml"))
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    assert "not a regular file" in str(_load_bounded(fifo))  # would block forever if opened


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path: Path) -> None:
    locked = tmp_path / "locked.yaml"
    locked.write_text("title: t\n")
    locked.chmod(0)
    assert "permission denied" in str(_load_bounded(locked))


def test_control_sequences_load_with_warnings_and_print_harmlessly(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = HOSTILE / "control_sequences.yaml"
    loaded = load(path)
    assert len(loaded.warnings) == 4
    assert all("control character" in w.message for w in loaded.warnings)
    for fmt in ("text", "markdown", "json"):
        answers = ["-a", "user_present=yes", "-a", "has_browser=no_browser"]
        assert main(["--tree", str(path), "ask", *answers, "--format", fmt]) == 0
        out, _ = capsys.readouterr()
        if fmt == "json":
            continue  # JSON escapes control characters itself (\u001b)
        for bad in ("\x1b", "\x9b", "\x07", "\x08", "\u202e"):
            assert bad not in out, (fmt, bad)
        assert "Use the device flow." in out
    assert main(["--tree", str(path), "ask"]) == 0
    out, _ = capsys.readouterr()
    assert "\x1b" not in out
    assert "Is a person signing in?" in out
