"""A cache of validated trees, so commands do not validate an unchanged tree file again.

Validating a tree means building pydantic's validators (tens of milliseconds, more than the
rest of ``grant-advisor ask`` together) and running every graph check. For a file whose bytes
this version of grant-advisor has already validated, the answer is known. So the cache keeps,
per tree file content, a copy of that content, the validated tree and its warnings; an entry
is used only when its copy equals the file byte for byte and its grant-advisor version and
code fingerprint (:func:`advisor.core.cache.fingerprint` of the engine's modules) are this
one's. A hit is turned back into models without validation (``model_construct``), like a
``.pyc`` file stands in for parsing.

Safety: entries are JSON, never pickle, so a cache file cannot execute anything; they live in
the user's private cache folder (:func:`advisor.core.cache.cache_dir`), are read only when
they are regular files of a bounded size, and carry a SHA-256 digest of their content, so an
entry edited or damaged on disk is ignored and the tree validated again. Only valid trees are
cached (a broken tree is always validated, so every problem is reported with its line). The
template check depends on the file system, not the tree's bytes, so it runs on every load.

Where: the ``trees`` folder of the cache folder (see :mod:`advisor.core.cache`); entries are
named ``tree-<key>.json`` and pruning touches nothing else. At most :data:`MAX_ENTRIES` trees
are kept. ``GRANT_ADVISOR_NO_CACHE=1`` turns it off; a folder that cannot be written turns it
off silently.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel

from advisor import __version__
from advisor.core.cache import cache_dir, fingerprint, read_entry
from advisor.core.errors import Problem
from advisor.tree.models import NESTED_MODELS, Tree

FORMAT: Final = 3
"""Version of the entry layout."""

MAX_ENTRIES: Final = 64
"""Entries kept; the least recently written go first."""

_PROBLEM_FIELDS: Final = ("message", "line", "column", "node", "hint", "severity")


@functools.lru_cache(maxsize=1)
def code() -> str:
    """What validation depends on besides the tree's bytes: the modules of ``advisor.tree``
    and ``advisor.core`` (an edited checkout validates again, as a new version does)."""
    here = Path(__file__).resolve().parent
    return fingerprint([(here, ".py"), (here.parent / "core", ".py")])


def key(content: bytes) -> str:
    """Where the entry for a tree file's bytes is kept.

    A checksum only finds the entry: :func:`get` compares the entry's copy of the source with
    ``content`` before trusting it, so a collision can never hand out another tree.
    """
    return f"tree-{zlib.crc32(content):08x}{len(content):x}.json"


def get(content: bytes, file: str) -> tuple[Tree, tuple[Problem, ...]] | None:
    """The cached tree and warnings for a tree file's bytes (warnings located in ``file``)."""
    folder = cache_dir("trees")
    if folder is None:
        return None
    raw = read_entry(folder / key(content))
    if raw is None:
        return None
    try:
        body, _, digest = raw.rpartition(b"\n")
        if hashlib.sha256(body).hexdigest().encode() != digest:
            return None  # edited or cut short on disk
        entry = json.loads(body)
        if (
            entry["format"] != FORMAT
            or entry["advisor"] != __version__
            or entry["code"] != code()
            or entry["source"] != content.decode("utf-8")
        ):
            return None
        tree = construct(Tree, entry["tree"])
        warnings = tuple(
            Problem(file=file, **{name: item[name] for name in _PROBLEM_FIELDS})
            for item in entry["warnings"]
        )
    except Exception:  # a damaged cache entry must never stop the tool
        return None
    if not isinstance(tree, Tree):
        return None
    return tree, warnings


def put(content: bytes, tree: Tree, warnings: Sequence[Problem]) -> None:
    """Remember a validated tree; any failure to write only means no caching."""
    folder = cache_dir("trees")
    if folder is None:
        return
    entry = {
        "format": FORMAT,
        "advisor": __version__,
        "code": code(),
        "source": content.decode("utf-8"),
        "tree": tree.model_dump(mode="json"),
        "warnings": [{name: getattr(p, name) for name in _PROBLEM_FIELDS} for p in warnings],
    }
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        body = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        with os.fdopen(handle, "wb") as stream:
            stream.write(body + b"\n" + hashlib.sha256(body).hexdigest().encode())
        os.replace(temp, folder / key(content))
        _prune(folder)
    except OSError:
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(temp)


def _prune(folder: Path) -> None:
    # Only this cache's own entries: the folder may hold other files (never ours to delete).
    entries = sorted(folder.glob("tree-*.json"), key=_mtime, reverse=True)
    for old in entries[MAX_ENTRIES:]:
        with contextlib.suppress(OSError):
            old.unlink()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def construct(model: type[BaseModel], data: Any) -> BaseModel:
    """Rebuild a model from its ``model_dump(mode="json")`` without validating it.

    Only for data this module wrote from a validated model: lists become tuples (every
    sequence field of the models is a tuple), nested models are rebuilt per
    :data:`advisor.tree.models.NESTED_MODELS`.
    """
    if not isinstance(data, dict):
        raise TypeError(f"expected an object for {model.__name__}")
    if data.keys() != model.model_fields.keys():  # a dump has every field, nothing else
        raise KeyError(f"fields of {model.__name__} do not match")
    nested = NESTED_MODELS.get(model, {})
    values: dict[str, Any] = {}
    for name, value in data.items():
        inner = nested.get(name)
        if isinstance(value, list):
            values[name] = tuple(construct(inner, v) if inner else v for v in value)
        elif inner is not None and value is not None:
            values[name] = construct(inner, value)
        else:
            values[name] = value
    return model.model_construct(**values)
