"""Writing exports to disk: atomically, never clobbering without ``--force``, and never putting
a file where something other than a file was.

What :func:`write_atomic` does with the path it is given:

- missing: the file is created;
- a regular file: replaced atomically with ``force``, else refused;
- a symbolic link to a regular file, or a dangling one: with ``force`` the link is replaced
  by the file (what it points to is never touched), else refused;
- a character device or a FIFO (``/dev/null``, a named pipe), and ``/dev/stdout``,
  ``/dev/stderr``, ``/dev/fd/N``, ``/proc/self/fd/N`` whatever they point to: written in place,
  as a shell's ``>`` would (opened for writing, never created, renamed or removed), with or
  without ``force``;
- a directory, a block device, a socket, or a link to one of those or to a device: refused.

A file is written to a temporary file in the target's folder, flushed to disk, and put in
place in one step, so a reader (or a crash) never sees half a file. Without ``force`` it is
put in place with a hard link, which fails if the name exists, so a file created by someone
else after the check is still never overwritten (on a file system without hard links, the
target is created exclusively and written directly). SIGTERM or SIGHUP while writing removes
the temporary file before the process ends as the signal says.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from advisor.core.errors import ExportError
from advisor.core.termsafe import shown_path

_STREAM_NAME = re.compile(r"/dev/(stdout|stderr|fd/\d+)|/proc/(self|\d+)/fd/\d+")
"""Names of a process's own open files: written through, whatever they point to."""

_NO_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EMLINK})
"""``os.link`` errors that mean the file system has no (more) hard links, not a conflict."""


def write_atomic(path: str | os.PathLike[str], text: str, *, force: bool = False) -> Path:
    """Write ``text`` (UTF-8) to ``path`` and return the path written (see the module
    docstring for what happens with each kind of path).

    Args:
        path: The output file.
        text: The whole content; characters UTF-8 cannot hold (lone surrogates) are written
            as ``?``.
        force: Replace an existing file or symbolic link.

    Raises:
        ExportError: the target exists (without ``force``), is a directory or another thing
            that is not a file, or cannot be written; no temporary file is left behind.
    """
    target = Path(path)
    shown = shown_path(path)
    data = text.encode("utf-8", "replace")
    if str(path).endswith(("/", os.sep)):  # Path("x/") would drop the slash
        raise ExportError(f"{shown}: names a folder (it ends with /); give a file name")
    # POSIX keeps a leading "//" apart; Linux reads it as "/" (so //dev/stdout is /dev/stdout).
    name = "/" + os.path.normpath(os.path.abspath(target)).lstrip("/")
    if _STREAM_NAME.fullmatch(name):
        _write_in_place(target, shown, data, stream=True)
        return target
    try:
        info: os.stat_result | None = os.lstat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise ExportError(f"{shown}: cannot write: {exc.strerror or exc}") from None
    if info is not None:
        if stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode):
            _write_in_place(target, shown, data, stream=False)
            return target
        _check_replaceable(target, shown, info, force)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"{shown}: folder {str(folder)!r} does not exist")
    _write_file(target, shown, data, force)
    return target


def _check_replaceable(target: Path, shown: str, info: os.stat_result, force: bool) -> None:
    """Refuse what is not a regular file or a link to one (or a dangling link), and, without
    ``force``, anything that exists."""
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        try:
            mode = os.stat(target).st_mode
        except OSError:
            mode = stat.S_IFREG  # dangling (or a loop): the link itself is what is replaced
        if stat.S_ISDIR(mode):
            raise ExportError(f"{shown}: is a directory; give a file name")
        if not stat.S_ISREG(mode):
            raise ExportError(
                f"{shown}: is a symbolic link to {_kind(mode)}: refused (give the device's own "
                "name to write to it)"
            )
        if not force:
            raise ExportError(
                f"{shown}: a symbolic link already exists; pass --force to replace it"
            )
        return
    if stat.S_ISDIR(mode):
        raise ExportError(f"{shown}: is a directory; give a file name")
    if not stat.S_ISREG(mode):
        raise ExportError(f"{shown}: is {_kind(mode)}, not a file: refused")
    if not force:
        raise ExportError(f"{shown}: the file already exists; pass --force to replace it")


def _kind(mode: int) -> str:
    kinds = (
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "a special file")


def _write_in_place(target: Path, shown: str, data: bytes, *, stream: bool) -> None:
    """Write to a device, a FIFO or one of the process's open files, as a shell's ``>``
    would: opened for writing (appending, not truncating), never created, renamed or removed.

    ``stream``: ``target`` names one of the process's own files (``/dev/stdout``), which may
    be a regular file its shell opened; otherwise only a character device or a FIFO is
    written, checked again once it is open.
    """
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(target, flags)
    except OSError as exc:
        raise ExportError(f"{shown}: cannot write: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        allowed = stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or (stream and stat.S_ISREG(mode))
        if not allowed:
            raise ExportError(f"{shown}: is {_kind(mode)}, not a file: refused")
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except BrokenPipeError:
        raise  # the reader went away, as with stdout
    except OSError as exc:
        raise ExportError(f"{shown}: cannot write: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _why(error: OSError) -> str:
    """Why a file cannot be made in a folder that exists. The system says "No such file or
    directory" when a folder such as /proc takes no new files: that reads as if the folder
    were missing, so it is said plainly instead."""
    if error.errno == errno.ENOENT:
        return "the folder takes no new files"
    return error.strerror or str(error)


def _write_file(target: Path, shown: str, data: bytes, force: bool) -> None:
    """Write ``data`` to a temporary file and put it at ``target`` (see the module docstring)."""
    with _removed_on_signal() as temp:
        try:
            handle, temp_name = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
            )
        except OSError as exc:
            raise ExportError(f"{shown}: cannot write here: {_why(exc)}") from None
        temp.append(temp_name)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temp_name, 0o666 & ~_umask())
            if force:
                os.replace(temp_name, target)
            else:
                _put_without_replacing(temp_name, target, shown, data)
        except ExportError:
            _remove(temp_name)
            raise
        except OSError as exc:
            _remove(temp_name)
            raise ExportError(f"{shown}: cannot write: {exc.strerror or exc}") from None
        except BaseException:
            _remove(temp_name)
            raise


def _put_without_replacing(temp_name: str, target: Path, shown: str, data: bytes) -> None:
    """Give the finished temporary file the name ``target`` unless that name exists by now.

    Raises:
        ExportError: the name exists (whoever made it, whenever).
        OSError: the file system failed otherwise.
    """
    exists = ExportError(f"{shown}: the file already exists; pass --force to replace it")
    try:
        os.link(temp_name, target)
    except FileExistsError:
        raise exists from None
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
        # No hard links here: create the name exclusively and write it (not atomic for a
        # reader, but still never over someone else's file).
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(target, flags, 0o666)
        except FileExistsError:
            raise exists from None
        try:
            with os.fdopen(fd, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
        except BaseException:
            _remove(str(target))
            raise
    _remove(temp_name)


@contextlib.contextmanager
def _removed_on_signal() -> Iterator[list[str]]:
    """While the block runs, SIGTERM and SIGHUP first remove the temporary file whose name
    the block appends to the yielded list, then end the process as they would have.

    Only in the main thread (where Python runs signal handlers), and only for a signal whose
    handling is the default: a program that handles or ignores it keeps its handler.
    """
    temp: list[str] = []
    if threading.current_thread() is not threading.main_thread():
        yield temp
        return
    previous: dict[int, object] = {}

    def restore() -> None:
        for number, handler in previous.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(number, handler)  # type: ignore[arg-type]

    def on_signal(number: int, frame: FrameType | None) -> None:
        for name in temp:
            _remove(name)
        restore()
        os.kill(os.getpid(), number)  # the default action: the process ends by the signal

    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) == signal.SIG_DFL:
            previous[number] = signal.SIG_DFL
            signal.signal(number, on_signal)
    try:
        yield temp
    finally:
        restore()


def _remove(name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
