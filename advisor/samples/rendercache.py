"""A cache of rendered samples, so running the same command again does not import Jinja2.

Rendering a recommendation's samples costs more than the rest of ``grant-advisor ask``
together, and most of that is importing Jinja2 (about 20 ms), not rendering. The output of a
shipped template is a function of what goes in: the template files, the code that renders them
(the literal filters, the environment's options) and the template's variables. So the cache
keeps, per input, the program text, and an entry is used only when its recorded input equals
the current one exactly (a checksum only finds the entry).

The input recorded for an entry: this grant-advisor's version; the name, size and modification
time (ns) of every file in the shipped template folder, of every module of ``advisor/samples``
and of Jinja2's ``__init__.py`` (an edited template or filter, or another Jinja2, invalidates
every entry, as a ``.pyc`` is invalidated by its source's time stamp); the template's file
name; and every variable the template sees, as JSON. Templates from a user's folder are never
cached (their folders can be anything); they render every time.

Entries are JSON text read as text, never executed by grant-advisor; the folder is the one
:mod:`advisor.cachedir` names (created 0700), shared with the validated-tree cache and Jinja's
compiled templates, with the same switches (``GRANT_ADVISOR_NO_CACHE=1`` turns it off). A
folder that cannot be written turns the cache off silently. At most :data:`MAX_ENTRIES`
samples are kept.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import json
import os
import tempfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from advisor import __version__
from advisor.cachedir import cache_dir, fingerprint
from advisor.samples.catalog import TEMPLATE_DIR

FORMAT: Final = 1
"""Version of the entry layout."""

MAX_ENTRIES: Final = 256
"""Entries kept; the least recently written go first."""

_CODE_DIR: Final = Path(__file__).resolve().parent


def entry_input(name: str, context: Mapping[str, object]) -> str | None:
    """Everything the output of shipped template ``name`` with ``context`` depends on, as one
    string (the key of :func:`get` and :func:`put`); None if it cannot be told."""
    try:
        variables = json.dumps(dict(context), sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        return None  # a value JSON cannot hold exactly: render, do not guess
    return "\n".join((f"{FORMAT} {__version__}", _fingerprint(), name, variables))


def get(material: str) -> str | None:
    """The program text cached for this :func:`entry_input`, if any."""
    folder = _folder()
    if folder is None:
        return None
    try:
        with (folder / _key(material)).open(encoding="utf-8") as handle:
            entry = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("input") != material:
        return None
    code = entry.get("code")
    return code if isinstance(code, str) else None


def put(material: str, code: str) -> None:
    """Remember ``code`` as the output for this :func:`entry_input`."""
    folder = _folder()
    if folder is None:
        return
    text = json.dumps({"input": material, "code": code}, ensure_ascii=False)
    with contextlib.suppress(OSError):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=folder, prefix=".entry-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temp, folder / _key(material))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        _prune(folder)


def _folder() -> Path | None:
    base = cache_dir()
    return None if base is None else base / "samples"


@functools.lru_cache(maxsize=1)
def _fingerprint() -> str:
    """Jinja2 (its version is in its __init__.py, found without importing it), every shipped
    template and every module of the renderer (read once per process: the files of a running
    installation do not change under it)."""
    places: list[tuple[Path, str]] = []
    spec = importlib.util.find_spec("jinja2")
    if spec is not None and spec.origin:
        places.append((Path(spec.origin), ""))
    places += [(TEMPLATE_DIR, ".j2"), (_CODE_DIR, ".py")]
    return fingerprint(places)


def _key(material: str) -> str:
    data = material.encode("utf-8")
    return f"{zlib.crc32(data):08x}{len(data):x}.json"


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
    for path in entries[:-MAX_ENTRIES]:
        with contextlib.suppress(OSError):
            path.unlink()
