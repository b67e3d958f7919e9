"""Writing exports to disk: atomically, never clobbering without ``--force``.

The text goes to a temporary file in the target's folder, is flushed to disk, and is renamed
over the target in one step, so a reader (or a crash) never sees half a file. An existing
target, or a symbolic link at the target path, is only replaced with ``force``; a link is
replaced by the file, never followed to overwrite what it points to.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from advisor.core.errors import ExportError


def write_atomic(path: str | os.PathLike[str], text: str, *, force: bool = False) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically and return the path written.

    Raises:
        ExportError: the target exists (without ``force``), is a directory, or its folder
            cannot be written; nothing is left behind.
    """
    target = Path(path)
    shown = str(path)
    if target.is_dir():
        raise ExportError(f"{shown}: is a directory; give a file name")
    if (target.exists() or target.is_symlink()) and not force:
        what = "a symbolic link" if target.is_symlink() else "the file"
        raise ExportError(f"{shown}: {what} already exists; pass --force to replace it")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"{shown}: folder {str(folder)!r} does not exist")
    data = text.encode("utf-8")
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ExportError(f"{shown}: cannot write here: {_why(exc)}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        mode = 0o666 & ~_umask()
        os.chmod(temp_name, mode)
        os.replace(temp_name, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise ExportError(f"{shown}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    return target


def _why(error: OSError) -> str:
    """Why a file cannot be made in a folder that exists. The system says "No such file or
    directory" when a folder such as /proc takes no new files: that reads as if the folder
    were missing, so it is said plainly instead."""
    if error.errno == errno.ENOENT:
        return "the folder takes no new files"
    return error.strerror or str(error)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
