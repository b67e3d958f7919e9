"""Issue 15, kinds 2 and 13: ``-o`` never puts a file where a device was, never clobbers a file
created after the check, and leaves no temporary file behind when the process is killed.

No real device file is touched: a device is a mocked ``os.lstat`` (over a FIFO or a file in
a temporary folder), and the stream names are tried through ``/proc/self/fd`` of a pipe.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from advisor.cli import main
from advisor.core.errors import ExportError
from advisor.exports import files
from advisor.exports.files import write_atomic
from support.paths import REPO


def _fake_lstat(monkeypatch: pytest.MonkeyPatch, path: Path, kind: int) -> None:
    """Make ``os.lstat(path)`` report a ``kind`` file (its other fields are the real ones)."""
    real = os.lstat

    def lstat(name: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        info = real(name, *args, **kwargs)
        if os.fspath(name) == os.fspath(path):
            return _as(info, kind)
        return info

    monkeypatch.setattr(os, "lstat", lstat)


def _stat_as(path: Path, kind: int) -> Callable[..., os.stat_result]:
    """An ``os.stat`` that reports a ``kind`` file for ``path`` reached through links."""
    real = os.stat

    def stat_(name: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        info = real(name, *args, **kwargs)
        following = kwargs.get("follow_symlinks", True)
        if following and os.path.realpath(name) == os.path.realpath(path):
            return _as(info, kind)
        return info

    return stat_


def _as(info: os.stat_result, kind: int) -> os.stat_result:
    fields = list(info)
    fields[0] = kind | 0o666
    return os.stat_result(fields)


def _no_rename(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Fail the test if anything is renamed or linked into ``folder``."""
    for name in ("replace", "rename", "link"):
        real = getattr(os, name)

        def refuse(src: Any, dst: Any, *args: Any, _real: Any = real, **kwargs: Any) -> None:
            if Path(dst).resolve().parent == folder.resolve():
                raise AssertionError(f"a file was put in place: {dst}")
            _real(src, dst, *args, **kwargs)

        monkeypatch.setattr(os, name, refuse)


class _Reader:
    """Reads a FIFO in a thread (a FIFO write blocks until a reader opens it)."""

    def __init__(self, path: Path) -> None:
        self.data = b""
        self.thread = threading.Thread(target=self._read, args=(path,), daemon=True)
        self.thread.start()

    def _read(self, path: Path) -> None:
        with open(path, "rb") as stream:
            self.data = stream.read()

    def result(self) -> bytes:
        self.thread.join(10)
        assert not self.thread.is_alive()
        return self.data


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# -- devices and special files (kind 2) -------------------------------------------------------


@pytest.mark.parametrize("force", [False, True])
def test_a_character_device_is_written_in_place_never_replaced(
    fifo: Path, monkeypatch: pytest.MonkeyPatch, force: bool
) -> None:
    """``-o /dev/null --force`` as root renamed a file over the device node."""
    _fake_lstat(monkeypatch, fifo, stat.S_IFCHR)
    _no_rename(monkeypatch, fifo.parent)
    reader = _Reader(fifo)
    assert write_atomic(fifo, "report\n", force=force) == fifo
    assert reader.result() == b"report\n"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still the same special file
    assert _leftovers(fifo.parent) == []


def test_a_fifo_is_written_in_place(fifo: Path) -> None:
    reader = _Reader(fifo)
    write_atomic(fifo, "through the pipe\n")
    assert reader.result() == b"through the pipe\n"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_the_cli_writes_a_device_in_place(
    fifo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _fake_lstat(monkeypatch, fifo, stat.S_IFCHR)
    _no_rename(monkeypatch, fifo.parent)
    reader = _Reader(fifo)
    assert main(["ask", "--format", "json", "-o", str(fifo), "--force"]) == 0
    assert b'"status": "question"' in reader.result()
    assert capsys.readouterr().err == f"wrote {fifo}\n"


@pytest.mark.parametrize(
    ("kind", "words"), [(stat.S_IFBLK, "is a block device"), (stat.S_IFSOCK, "is a socket")]
)
def test_other_special_files_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: int, words: str
) -> None:
    target = tmp_path / "disk"
    target.write_text("precious\n")
    _fake_lstat(monkeypatch, target, kind)
    _no_rename(monkeypatch, tmp_path)
    for force in (False, True):
        with pytest.raises(ExportError, match=f"{words}, not a file: refused"):
            write_atomic(target, "x", force=force)
    assert target.read_text() == "precious\n"


def test_a_link_to_a_device_is_refused_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    device = tmp_path / "device"
    device.write_text("")
    link = tmp_path / "out.md"
    link.symlink_to(device)
    monkeypatch.setattr(os, "stat", _stat_as(device, stat.S_IFCHR))
    _no_rename(monkeypatch, tmp_path)
    with pytest.raises(ExportError, match="symbolic link to a character device: refused"):
        write_atomic(link, "x", force=True)
    assert link.is_symlink()


def test_a_standard_stream_name_is_written_through(monkeypatch: pytest.MonkeyPatch) -> None:
    """``-o /dev/stdout``: tried through ``/proc/self/fd/N`` of a pipe (same rule, no /dev)."""
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("no /proc/self/fd here")
    read, write = os.pipe()
    try:
        write_atomic(f"/proc/self/fd/{write}", "to the stream\n")
        os.close(write)
        with os.fdopen(read, "rb") as stream:
            assert stream.read() == b"to the stream\n"
    finally:
        for fd in (read, write):
            with pytest.raises(OSError):
                os.close(fd)


def test_stream_names() -> None:
    names = ["/dev/stdout", "/dev/stderr", "/dev/fd/3", "/proc/self/fd/1", "/proc/42/fd/7"]
    assert all(files._STREAM_NAME.fullmatch(n) for n in names)
    others = ["/dev/null", "/dev/sda", "/dev/stdout2", "/tmp/dev/stdout", "/proc/self/fd"]
    assert not any(files._STREAM_NAME.fullmatch(n) for n in others)


# -- no clobbering, no leftovers (kind 13) ------------------------------------------------------


def test_a_file_created_after_the_check_is_never_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Check-then-rename replaced a file made between the two; the link cannot."""
    target = tmp_path / "report.md"
    real_mkstemp = files.tempfile.mkstemp

    def racing_mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
        made = real_mkstemp(*args, **kwargs)
        target.write_text("someone else's\n")  # after the check, before the rename
        return made

    monkeypatch.setattr(files.tempfile, "mkstemp", racing_mkstemp)
    with pytest.raises(ExportError, match="already exists; pass --force"):
        write_atomic(target, "ours\n")
    assert target.read_text() == "someone else's\n"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("raced", [False, True])
def test_without_hard_links_the_target_is_created_exclusively(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raced: bool
) -> None:
    import errno

    target = tmp_path / "report.md"

    def no_links(*args: Any, **kwargs: Any) -> None:
        if raced:
            target.write_text("someone else's\n")
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    if raced:
        with pytest.raises(ExportError, match="already exists"):
            write_atomic(target, "ours\n")
        assert target.read_text() == "someone else's\n"
    else:
        write_atomic(target, "ours\n")
        assert target.read_text() == "ours\n"
    assert _leftovers(tmp_path) == []


SLOW_WRITER = """
import os, sys, time
import advisor.exports.files as files

def slow_fsync(fd):
    print("writing", flush=True)
    time.sleep(60)

files.os.fsync = slow_fsync
files.write_atomic(sys.argv[1], "x" * 100000)
print("finished", flush=True)
"""


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGHUP"])
def test_a_signal_while_writing_leaves_no_temporary_file(tmp_path: Path, signal_name: str) -> None:
    number = getattr(signal, signal_name, None)
    if number is None:
        pytest.skip(f"no {signal_name} here")
    target = tmp_path / "report.md"
    child = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITER, str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == b"writing\n"
        assert len(_leftovers(tmp_path)) == 1  # the temporary file is there, half done
        child.send_signal(number)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -number  # ended by the signal, as it would have
    assert _leftovers(tmp_path) == []
    assert not target.exists()
