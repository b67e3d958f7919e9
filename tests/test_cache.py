"""The cache folder: where it is, when it is safe to use, and what it may read and delete.

A cache is code's input (Jinja's bytecode cache is unpickled), so grant-advisor uses a folder
only when it is the user's own and nobody else can write it; entries are read only when they
are regular files of a bounded size; pruning touches only grant-advisor's own entries.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from advisor.core import cache
from advisor.tree import cache as treecache
from advisor.tree.loader import load
from support.paths import SMALL_TREE


@pytest.fixture(autouse=True)
def _fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "_warned", set())
    monkeypatch.delenv("GRANT_ADVISOR_NO_CACHE", raising=False)


def test_root_comes_from_platformdirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("GRANT_ADVISOR_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_root() == tmp_path / "xdg" / "grant-advisor"


def test_a_relative_xdg_cache_home_is_ignored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The XDG specification says relative paths are invalid: no cache folder in the
    current directory."""
    monkeypatch.delenv("GRANT_ADVISOR_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    root = cache.cache_root()
    assert root is not None and root.is_absolute()
    assert os.environ["XDG_CACHE_HOME"] == "relative/cache"  # left as it was
    cache.cache_dir("trees")
    assert not (tmp_path / "relative").exists()


def test_a_relative_cache_dir_turns_caching_off(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRANT_ADVISOR_CACHE_DIR", "some/folder")
    assert cache.cache_root() is None
    assert "not an absolute path: caching is off" in capsys.readouterr().err


def test_a_missing_home_is_never_created(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("GRANT_ADVISOR_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "no-such-home"))
    assert cache.cache_dir("trees") is None
    assert not (tmp_path / "no-such-home").exists()
    assert load(SMALL_TREE).tree.title == "Small test tree"  # still works, without a cache


def test_folders_are_made_private(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GRANT_ADVISOR_CACHE_DIR", str(tmp_path / "c"))
    folder = cache.cache_dir("trees")
    assert folder == tmp_path / "c" / "trees"
    assert (tmp_path / "c").stat().st_mode & 0o777 == 0o700
    assert folder.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o722])
def test_a_folder_others_can_write_is_not_used(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    mode: int,
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(mode)
    monkeypatch.setenv("GRANT_ADVISOR_CACHE_DIR", str(shared))
    assert cache.cache_dir("templates") is None
    assert "is writable by other users: caching is off" in capsys.readouterr().err
    assert not (shared / "templates").exists()


def test_a_folder_owned_by_someone_else_is_not_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "c"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(os, "geteuid", lambda: os.stat(folder).st_uid + 1)
    monkeypatch.setenv("GRANT_ADVISOR_CACHE_DIR", str(folder))
    assert cache.cache_dir("trees") is None
    assert "owned by another user" in capsys.readouterr().err


def test_a_symlinked_cache_folder_is_not_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "c").mkdir(mode=0o700)
    (tmp_path / "c" / "trees").symlink_to(real)
    monkeypatch.setenv("GRANT_ADVISOR_CACHE_DIR", str(tmp_path / "c"))
    assert cache.cache_dir("trees") is None
    assert "is not a directory" in capsys.readouterr().err


def test_the_warning_is_printed_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("GRANT_ADVISOR_CACHE_DIR", str(shared))
    for _ in range(3):
        load(SMALL_TREE)
    assert capsys.readouterr().err.count("warning:") == 1


def test_pruning_deletes_only_our_own_entries(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = tmp_path / "c"
    trees = root / "trees"
    trees.mkdir(parents=True, mode=0o700)
    root.chmod(0o700)
    theirs = [trees / f"notes-{i}.json" for i in range(10)] + [root / "other.json"]
    for path in theirs:
        path.write_text("{}")
    monkeypatch.setenv("GRANT_ADVISOR_CACHE_DIR", str(root))
    monkeypatch.setattr(treecache, "MAX_ENTRIES", 2)
    for index in range(4):
        variant = tmp_path / f"t{index}.yaml"
        variant.write_text(SMALL_TREE.read_text() + f"# {index}\n")
        load(variant)
    assert all(path.exists() for path in theirs)
    assert len(list(trees.glob("tree-*.json"))) == 2


def test_read_entry_refuses_what_is_not_a_small_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    done: list[bytes | None] = []
    reader = threading.Thread(target=lambda: done.append(cache.read_entry(fifo)), daemon=True)
    reader.start()
    reader.join(timeout=5)
    assert done == [None], "reading a FIFO entry blocked"
    big = tmp_path / "big"
    with big.open("wb") as stream:
        stream.truncate(cache.MAX_ENTRY_BYTES + 1)  # sparse: huge but no disk used
    assert cache.read_entry(big) is None
    link = tmp_path / "link"
    small = tmp_path / "small"
    small.write_bytes(b"ok")
    link.symlink_to(small)
    assert cache.read_entry(link) is None
    assert cache.read_entry(small) == b"ok"
    assert cache.read_entry(tmp_path) is None  # a directory


def test_a_fifo_in_place_of_an_entry_does_not_hang_a_command(tmp_path: Path) -> None:
    """The promise is about the process: ``ask`` finishes although its entry is a FIFO."""
    root = tmp_path / "c"
    (root / "trees").mkdir(parents=True, mode=0o700)
    root.chmod(0o700)
    content = SMALL_TREE.read_bytes()
    os.mkfifo(root / "trees" / treecache.key(content))
    result = subprocess.run(
        [sys.executable, "-m", "advisor", "--tree", str(SMALL_TREE), "ask"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "GRANT_ADVISOR_CACHE_DIR": str(root)},
    )
    assert result.returncode == 0, result.stderr
    assert "Question 1" in result.stdout
