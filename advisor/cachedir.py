"""Where grant-advisor keeps its caches (validated trees, compiled templates, rendered samples).

``$GRANT_ADVISOR_CACHE_DIR``, else ``$XDG_CACHE_HOME/grant-advisor``, else
``~/.cache/grant-advisor``; ``GRANT_ADVISOR_NO_CACHE=1`` turns caching off. Everything in it
can be deleted at any time.

Each cache records, with every entry, a :func:`fingerprint` of the code that produced it (the
name, size and modification time of its source files, as a ``.pyc`` records its source's), so
an edited checkout or another installed version never gets an entry made by other code.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is turned off."""
    if os.environ.get("GRANT_ADVISOR_NO_CACHE", "").strip() not in ("", "0"):
        return None
    explicit = os.environ.get("GRANT_ADVISOR_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "grant-advisor"


def fingerprint(places: Iterable[tuple[Path, str]]) -> str:
    """Name, size and modification time (ns) of files, in name order.

    Args:
        places: ``(folder, suffix)`` pairs: the folder's files whose names end with the
            suffix; a pair whose path is a file stands for that file (shown with its folder's
            name, e.g. ``jinja2/__init__.py``). Unreadable ones are left out.
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
