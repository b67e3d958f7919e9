"""Where grant-advisor keeps its caches (validated trees, compiled templates, rendered samples).

``$GRANT_ADVISOR_CACHE_DIR``, else ``$XDG_CACHE_HOME/grant-advisor``, else
``~/.cache/grant-advisor``; ``GRANT_ADVISOR_NO_CACHE=1`` turns caching off. Everything in it
can be deleted at any time.
"""

from __future__ import annotations

import os
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
