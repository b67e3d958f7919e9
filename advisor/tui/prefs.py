"""What the TUI remembers between runs: the theme, in a tiny JSON file.

The file is ``tui.json`` in ``$GRANT_ADVISOR_CONFIG_DIR`` when that is set (an absolute path),
else in the user's configuration folder as :mod:`platformdirs` knows it for the platform
(``$XDG_CONFIG_HOME/grant-advisor`` or ``~/.config/grant-advisor`` on Linux,
``~/Library/Application Support/grant-advisor`` on macOS, ``%LOCALAPPDATA%\\grant-advisor`` on
Windows).

Reading never fails and never trusts the file: a missing, unreadable, oversized or malformed
file, or a value that is not a known theme, is as if nothing had been remembered. Writing is
atomic (:func:`advisor.exports.files.write_atomic`) and best effort: a folder that cannot be
written only means the choice is not remembered.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Final

APP_NAME: Final = "grant-advisor"
FILE_NAME: Final = "tui.json"
MAX_BYTES: Final = 4096
"""The largest file read: a theme name is a few bytes."""


def config_file() -> Path | None:
    """Where the TUI's choices are kept (the file may not exist), or None if nowhere."""
    explicit = os.environ.get("GRANT_ADVISOR_CONFIG_DIR", "")
    if explicit:
        return Path(explicit) / FILE_NAME if os.path.isabs(explicit) else None
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / FILE_NAME


def load_theme(known: set[str] | frozenset[str]) -> str | None:
    """The theme chosen last time, if it is one of ``known``."""
    path = config_file()
    if path is None:
        return None
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            return None
        value = json.loads(data.decode("utf-8"))
    except (OSError, ValueError):  # (UnicodeDecodeError and JSONDecodeError are ValueErrors)
        return None
    theme = value.get("theme") if isinstance(value, dict) else None
    return theme if isinstance(theme, str) and theme in known else None


def save_theme(theme: str) -> bool:
    """Remember ``theme`` for the next run; False if it could not be written."""
    from advisor.core.errors import ExportError
    from advisor.exports.files import write_atomic

    path = config_file()
    if path is None:
        return False
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomic(path, json.dumps({"theme": theme}) + "\n", force=True)
    except (OSError, ExportError):
        return False
    return True
