"""Exports are written atomically and never clobber or follow links without --force."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from advisor.core.errors import ExportError
from advisor.exports.files import write_atomic


def test_writes_and_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    write_atomic(target, "one\n")
    with pytest.raises(ExportError, match="already exists; pass --force"):
        write_atomic(target, "two\n")
    assert target.read_text() == "one\n"
    write_atomic(target, "two\n", force=True)
    assert target.read_text() == "two\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_a_symlink_is_never_followed(tmp_path: Path) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("do not touch\n")
    link = tmp_path / "report.md"
    link.symlink_to(precious)
    with pytest.raises(ExportError, match="a symbolic link already exists"):
        write_atomic(link, "evil\n")
    write_atomic(link, "report\n", force=True)  # replaces the link itself
    assert precious.read_text() == "do not touch\n"
    assert not link.is_symlink()
    assert link.read_text() == "report\n"


def test_a_dangling_symlink_is_not_followed_either(tmp_path: Path) -> None:
    link = tmp_path / "report.md"
    link.symlink_to(tmp_path / "elsewhere.txt")
    with pytest.raises(ExportError, match="symbolic link"):
        write_atomic(link, "x\n")
    assert not (tmp_path / "elsewhere.txt").exists()


def test_a_failure_leaves_no_partial_or_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.md"
    target.write_text("old\n")

    def broken_replace(src: str, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(ExportError, match="No space left on device"):
        write_atomic(target, "new\n", force=True)
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_directory_and_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="is a directory"):
        write_atomic(tmp_path, "x")
    with pytest.raises(ExportError, match="does not exist"):
        write_atomic(tmp_path / "no" / "such" / "file.md", "x")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_a_folder_that_takes_no_files_is_said_plainly() -> None:
    """/proc exists but takes no new files; the system's "No such file or directory" would
    read as if the folder were missing."""
    with pytest.raises(ExportError) as caught:
        write_atomic("/proc/grant-advisor-x.md", "x")
    assert str(caught.value) == (
        "/proc/grant-advisor-x.md: cannot write here: the folder takes no new files"
    )
    assert "No such file" not in str(caught.value)


def test_file_mode_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        path = write_atomic(tmp_path / "r.md", "x")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o640
