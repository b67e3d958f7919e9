"""Where grant-advisor keeps its caches (validated trees, compiled templates), and the rules
that make a cache safe to read.

The folder is ``$GRANT_ADVISOR_CACHE_DIR`` when set, else the user's cache folder as
:mod:`platformdirs` knows it for the platform (``$XDG_CACHE_HOME/grant-advisor`` or
``~/.cache/grant-advisor`` on Linux, ``~/Library/Caches/grant-advisor`` on macOS,
``%LOCALAPPDATA%\\grant-advisor\\Cache`` on Windows). ``GRANT_ADVISOR_NO_CACHE=1`` turns
caching off. Everything in it can be deleted at any time.

A cache is code's input: whoever can write it can change what grant-advisor does (Jinja's
bytecode cache is unpickled). So a folder is used only when it is the user's own
(:func:`private_folder`): a real directory, owned by the user, not writable by group or
others. Otherwise caching is off, with one warning line on stderr. A relative
``$XDG_CACHE_HOME`` is ignored, as the XD Base Directory specification says, and a cache
folder is never created inside a home directory that does not exist.

Each entry records a :func:`fingerprint` of the code that produced it (the name, size and
modification time of its source files, as a ``.pyc`` records its source's), so an edited
checkout or another installed version never gets an entry made by other code.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Final

APP_NAME: Final = "grant-advisor"

MAX_ENTRY_BYTES: Final = 16 * 1024 * 1024
"""The largest cache entry read (16 MiB; a validated shipped tree is about 200 KiB)."""

_warned: set[str] = set()


def warn_once(message: str) -> None:
    """Print ``grant-advisor: warning: message`` on stderr, once per process and message."""
    if message in _warned:
        return
    _warned.add(message)
    # A closed or broken stderr must not stop the command.
    with contextlib.suppress(OSError, ValueError):
        print(f"{APP_NAME}: warning: {message}", file=sys.stderr)


def cache_root() -> Path | None:
    """The cache folder's path (not created), or None when caching is turned off."""
    if os.environ.get("GRANT_ADVISOR_NO_CACHE", "").strip() not in ("", "0"):
        return None
    explicit = os.environ.get("GRANT_ADVISOR_CACHE_DIR", "")
    if explicit:
        if not os.path.isabs(explicit):
            warn_once(
                f"GRANT_ADVISOR_CACHE_DIR={explicit!r} is not an absolute path: caching is off"
            )
            return None
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    saved = None
    if xdg and not os.path.isabs(xdg):
        # The XDG Base Directory specification: relative paths are invalid and ignored.
        saved = os.environ.pop("XDG_CACHE_HOME")
    try:
        import platformdirs

        return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    finally:
        if saved is not None:
            os.environ["XDG_CACHE_HOME"] = saved


def private_folder(path: Path) -> Path | None:
    """``path``, made if needed, when it is safe to keep code's input in; else None.

    Safe: a real directory (not a symlink), owned by the user running grant-advisor, not
    writable by group or others. The folder is made with mode 0700, and so is its parent
    when that is missing, but only inside a folder that exists (a home directory that does
    not exist is never created). When the folder exists but is not safe, one warning line
    says why and the caller goes without a cache.
    """
    try:
        if not path.parent.exists():
            if not path.parent.parent.is_dir():
                return None  # e.g. $HOME names a folder that does not exist
            path.parent.mkdir(mode=0o700, exist_ok=True)
        path.mkdir(mode=0o700, exist_ok=True)
        info = path.lstat()
    except OSError:
        return None  # read-only file system, no permission: no cache, no fuss
    problem = _unsafe(info)
    if problem is not None:
        warn_once(f"cache folder {path} {problem}: caching is off")
        return None
    return path


def _unsafe(info: os.stat_result) -> str | None:
    if not stat.S_ISDIR(info.st_mode):
        return "is not a directory (a symlink?)"
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        return "is owned by another user"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "is writable by other users"
    return None


def cache_dir(kind: str) -> Path | None:
    """The private folder for one cache (``trees``, ``templates``), or None when caching is
    off or no safe folder can be had (see :func:`private_folder`)."""
    root = cache_root()
    if root is None or private_folder(root) is None:
        return None
    return private_folder(root / kind)


def read_entry(path: Path, max_bytes: int = MAX_ENTRY_BYTES) -> bytes | None:
    """A cache entry's bytes, or None unless it is a regular file of at most ``max_bytes``.

    Opened without following a symlink and without blocking (a FIFO put in its place must
    not hang the tool), and checked after opening, so a device, a FIFO or a huge sparse
    file is never read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            return None
        with os.fdopen(fd, "rb", closefd=False) as stream:
            data = stream.read(max_bytes + 1)
        return data if len(data) <= max_bytes else None
    except OSError:
        return None
    finally:
        os.close(fd)


def fingerprint(places: Iterable[tuple[Path, str]]) -> str:
    """Name, size and modification time (ns) of files, in name order.

    Args:
        places: ``(folder, suffix)`` pairs: the folder's files whose names end with the
            suffix; a pair whose path is a file stands for that file (shown with its folder's
            name, e.g. ``jinja2/__init__.py``). Unreadable ones, and files removed while
            they are read, are left out.
    """
    parts = []
    for place, suffix in places:
        try:
            if place.is_file():
                info = place.stat()
                parts.append(f"{place.parent.name}/{place.name}:{info.st_size}:{info.st_mtime_ns}")
                continue
            with os.scandir(place) as entries:
                for entry in sorted(entries, key=lambda e: e.name):
                    if entry.name.endswith(suffix) and entry.is_file():
                        info = entry.stat()
                        parts.append(f"{entry.name}:{info.st_size}:{info.st_mtime_ns}")
        except OSError:
            continue
    return " ".join(parts)
