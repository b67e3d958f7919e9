"""Load a decision tree file: read it safely, validate its shape, then its graph.

Problems are collected, not raised one at a time: a tree author sees every problem of a broken
tree in one run, each with file, line:column, node id and a did-you-mean where one helps.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ValidationError

from advisor.core.errors import DataPath, Problem, TreeError, TreeValidationError
from advisor.core.suggest import did_you_mean
from advisor.core.vocabulary import GRANT_TYPES
from advisor.samples.files import find_template
from advisor.tree.checks import (
    Invalid,
    TemplateLookup,
    check_templates,
    check_tree,
    may_hold_controls,
)
from advisor.tree.models import (
    NESTED_MODELS,
    Flow,
    Outcome,
    Question,
    Source,
    Tree,
)

MAX_TREE_BYTES: Final = 8 * 1024 * 1024
"""Largest tree file accepted (8 MiB; the shipped tree is about 3% of that)."""

PACKAGED_TREE: Final = Path(__file__).resolve().parents[1] / "data" / "decision_tree.yaml"
"""Where the wheel carries the canonical tree."""

SOURCE_TREE: Final = Path(__file__).resolve().parents[2] / "decision_tree.yaml"
"""The canonical tree at the root of a source checkout."""

# Which model a mapping holds, by the key (or list) it sits under; used for did-you-mean on
# unknown keys.
_MODEL_UNDER: Final[dict[str, type[BaseModel]]] = {
    key: model for fields in NESTED_MODELS.values() for key, model in fields.items()
}


@dataclass(frozen=True, slots=True)
class LoadedTree:
    """A valid tree with where it came from and the warnings found while loading it."""

    tree: Tree
    file: str
    """The path as the user gave it (or the default tree's path)."""
    warnings: tuple[Problem, ...] = ()


def default_tree_path() -> Path:
    """The shipped tree: inside the installed package, else at the source checkout's root."""
    if PACKAGED_TREE.is_file():
        return PACKAGED_TREE
    return SOURCE_TREE


def load_tree(path: str | os.PathLike[str] | None = None) -> Tree:
    """Load and fully validate a tree (the shipped one when ``path`` is None).

    Raises:
        TreeError: the file cannot be read or parsed safely.
        TreeValidationError: the tree has problems; ``.problems`` holds all of them.
    """
    return load(path).tree


def load(
    path: str | os.PathLike[str] | None = None, template_dirs: Sequence[Path] = ()
) -> LoadedTree:
    """Like :func:`load_tree`, also returning the file name and warnings.

    A file whose exact bytes this version already validated comes from the validated-tree
    cache (:mod:`advisor.tree.cache`); only the template check, which depends on the file
    system, runs again.
    """
    from advisor.tree import cache as treecache

    file_path = Path(path) if path is not None else default_tree_path()
    file = str(path) if path is not None else str(file_path)
    content = read_bytes(file_path, file)
    cached = treecache.get(content, file)
    if cached is not None:
        tree, warnings = cached
        if not check_templates(tree, _template_lookup(template_dirs)):
            return LoadedTree(tree=tree, file=file, warnings=warnings)
    loaded = parse_tree(decode(content, file), file, template_dirs)
    treecache.put(content, loaded.tree, loaded.warnings)
    return loaded


def read_text(path: Path, file: str) -> str:
    """Read a tree (or answers) file as UTF-8 text, with size and type limits."""
    return decode(read_bytes(path, file), file)


def read_bytes(path: Path, file: str) -> bytes:
    """Read a tree file's bytes: a regular file of at most :data:`MAX_TREE_BYTES`."""
    try:
        if path.is_dir():
            raise TreeError(f"{file}: is a directory, not a tree file")
        if path.exists() and not path.is_file():
            # A FIFO or device would block or never end: only regular files are read.
            raise TreeError(f"{file}: not a regular file")
        with path.open("rb") as handle:
            data = handle.read(MAX_TREE_BYTES + 1)
    except FileNotFoundError:
        raise TreeError(f"{file}: no such file") from None
    except PermissionError:
        raise TreeError(f"{file}: permission denied") from None
    except OSError as exc:
        raise TreeError(f"{file}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_TREE_BYTES:
        raise TreeError(
            f"{file}: larger than the {MAX_TREE_BYTES // (1024 * 1024)} MiB limit for tree files"
        )
    return data


def decode(data: bytes, file: str) -> str:
    """UTF-8 text of a file's bytes (a BOM is allowed), refusing invalid and empty files."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TreeError(
            f"{file}:{line}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}); save the file as UTF-8"
        ) from None
    if not text.strip():
        raise TreeError(f"{file}: the file is empty")
    return text


def _template_lookup(template_dirs: Sequence[Path]) -> TemplateLookup:
    def has_template(template: str, language: str) -> bool:
        return find_template(template, language, template_dirs) is not None

    return has_template


def parse_tree(text: str, file: str = "<tree>", template_dirs: Sequence[Path] = ()) -> LoadedTree:
    """Validate tree text: YAML safety, then shape, then graph. Collects every problem."""
    with _gc_paused():
        return _parse_tree(text, file, template_dirs)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Loading builds up to a million small objects and no reference cycles; the cyclic
    collector's full passes over that growing heap made a 10,000-node load superlinear."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _parse_tree(text: str, file: str, template_dirs: Sequence[Path]) -> LoadedTree:
    # Imported here: a tree from the validated-tree cache never needs the YAML parser.
    from advisor.tree import yamlsafe

    data, problems = yamlsafe.parse(text, file)
    if not isinstance(data, dict):
        kinds = {
            str: "a string",
            int: "a number",
            float: "a number",
            bool: "a boolean",
            list: "a list",
        }
        kind = "nothing" if data is None else kinds.get(type(data), type(data).__name__)
        problem = Problem(
            f"the top level must be a mapping (title, start, questions, ...), not {kind}",
            file=file,
            line=1,
        )
        raise TreeValidationError(file, [problem])
    located: list[tuple[DataPath, Problem]] = []
    tree: Tree | None = None
    has_template = _template_lookup(template_dirs)
    scan = may_hold_controls(text)
    try:
        tree = Tree.model_validate(data)
    except ValidationError as exc:
        located += _shape_problems(exc, data)
        # Check the graph of the valid part too, so one run reports every problem.
        partial, invalid, positions_of = _partial_tree(data)
        for path, problem in check_tree(partial, has_template, invalid, scan_text=scan):
            if len(path) >= 2 and isinstance(path[1], int) and str(path[0]) in positions_of:
                path = (path[0], positions_of[str(path[0])][path[1]], *path[2:])
            located.append((path, problem))
    else:
        located += check_tree(tree, has_template, scan_text=scan)
    wanted = {path[:length] for path, _ in located for length in range(len(path) + 1)}
    positions = yamlsafe.locate(text, wanted) if located else {}
    for path, problem in located:
        line_col = _position(positions, path)
        problems.append(
            replace(
                problem,
                file=file,
                line=line_col[0] if line_col else None,
                column=line_col[1] if line_col else None,
            )
        )
    problems.sort(key=lambda p: (p.severity != "error", p.line or 0, p.column or 0))
    errors = [p for p in problems if p.severity == "error"]
    if errors or tree is None:
        raise TreeValidationError(file, problems)
    return LoadedTree(tree=tree, file=file, warnings=tuple(problems))


def _partial_tree(data: dict[str, Any]) -> tuple[Tree, Invalid, dict[str, list[int]]]:
    """The valid entries of a tree that failed validation, as a tree (not validated as a
    whole), the ids of the invalid entries, and each kept entry's index in the file."""
    kept: dict[str, tuple[Any, ...]] = {}
    invalid: dict[str, set[str]] = {}
    positions_of: dict[str, list[int]] = {}
    models: dict[str, type[BaseModel]] = {
        "questions": Question,
        "outcomes": Outcome,
        "flows": Flow,
        "sources": Source,
    }
    for section, model in models.items():
        entries = data.get(section)
        good: list[Any] = []
        positions_of[section] = []
        invalid[section] = set()
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            try:
                good.append(model.model_validate(entry))
                positions_of[section].append(index)
            except ValidationError:
                if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                    invalid[section].add(entry["id"])
        kept[section] = tuple(good)
    start = data.get("start")
    values: dict[str, Any] = {"version": 1, "title": "", "start": start, **kept}
    if not isinstance(start, str):
        values["start"] = ""
    tree = Tree.model_construct(**values)
    gaps = Invalid(
        nodes=frozenset(invalid["questions"] | invalid["outcomes"]),
        flows=frozenset(invalid["flows"]),
        sources=frozenset(invalid["sources"]),
    )
    return tree, gaps, positions_of


def _position(positions: dict[DataPath, tuple[int, int]], path: DataPath) -> tuple[int, int] | None:
    """The position of ``path``, or of its nearest located ancestor."""
    for length in range(len(path), -1, -1):
        found = positions.get(path[:length])
        if found:
            return found
    return None


def _shape_problems(exc: ValidationError, data: dict[str, Any]) -> list[tuple[DataPath, Problem]]:
    """Turn pydantic's errors into located problems, one per data path and message."""
    by_path: dict[DataPath, list[dict[str, Any]]] = {}
    for error in exc.errors(include_url=False):
        path = _data_path(data, error["loc"])
        if error["type"] == "missing":
            path = (*path, error["loc"][-1]) if error["loc"] else path
        by_path.setdefault(path, []).append(dict(error))
    located: list[tuple[DataPath, Problem]] = []
    for path, errors in by_path.items():
        if len(errors) > 1:  # `X | None` reports both branches; "should be None" is noise
            errors = [e for e in errors if e["type"] != "none_required"] or errors
        if any(other[: len(path)] == path and other != path for other in by_path):
            # "too short after validation" only because its items failed: noise.
            errors = [e for e in errors if e["type"] != "too_short"]
        seen: set[str] = set()
        for details in errors:
            problem = _problem(path, details, data)
            if problem.message not in seen:
                seen.add(problem.message)
                located.append((path, problem))
    return located


def _data_path(data: Any, loc: tuple[int | str, ...]) -> DataPath:
    """The prefix of pydantic's ``loc`` that exists in the data (drops union-member tags)."""
    path: list[str | int] = []
    current: Any = data
    for part in loc:
        if isinstance(current, dict) and isinstance(part, str) and part in current:  # noqa: SIM114
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        else:
            break
        path.append(part)
    return tuple(path)


def _problem(path: DataPath, error: dict[str, Any], data: dict[str, Any]) -> Problem:
    kind = error["type"]
    field = _dotted(path)
    hint: str | None = None
    if kind == "missing":
        message = f"{field}: required field is missing"
        hint = f"add '{path[-1]}:'"
    elif kind == "extra_forbidden":
        key = str(path[-1]) if path else "?"
        model = _model_at(path[:-1])
        message = f"{field}: unknown field {key!r}"
        allowed = list(model.model_fields) if model else []
        hint = did_you_mean(key, allowed) or (f"allowed: {', '.join(allowed)}" if allowed else None)
        if model is Outcome and key == "flow":
            hint = (
                "an outcome's 'flow' is now 'grant' (the flow that obtains the tokens); "
                "refresh tokens go under 'companions'"
            )
    elif kind in ("literal_error", "enum"):
        expected = error.get("ctx", {}).get("expected", "")
        options = [o.strip("'") for o in _split_expected(str(expected))]
        value = error.get("input")
        message = f"{field}: {value!r} is not one of {', '.join(options)}"
        hint = did_you_mean(str(value), options) if isinstance(value, str) else None
        flow_id = _entry(data, path).get("id")
        # A malformed tree may hold anything as an id (a list, a mapping): only text names a flow.
        if (
            path
            and path[-1] == "grant_type"
            and isinstance(flow_id, str)
            and flow_id in GRANT_TYPES
        ):
            message = f"{field}: {value!r} is not the grant_type of flow {flow_id!r}"
            hint = f"flow {flow_id!r} sends grant_type {GRANT_TYPES[flow_id]!r}"
    elif kind == "string_type" and isinstance(error.get("input"), bool):
        message = f"{field}: expected text, got the boolean {str(error['input']).lower()}"
        hint = "YAML reads unquoted yes/no/on/off/true/false as booleans: quote the text"
    elif kind == "string_pattern_mismatch" and path and path[-1] in ("id", "next", "start"):
        message = f"{field}: {error.get('input')!r} is not a valid id"
        hint = "ids are lowercase snake_case: a letter, then letters, digits or _ (max 64)"
    elif kind == "string_pattern_mismatch" and path and path[-1] in ("url", "section_url"):
        message = f"{field}: {error.get('input')!r} is not an absolute https URL"
        if path[-1] == "section_url":
            hint = "a section_url is an https URL containing {section}"
    elif kind == "string_pattern_mismatch" and path and path[-1] == "section":
        message = f"{field}: {error.get('input')!r} is not a section number"
        hint = "write sections like 2.1.1 or A.2"
    else:
        message = f"{field}: {error['msg']}"
    return Problem(message, node=_node_id(data, path), hint=hint)


def _split_expected(expected: str) -> list[str]:
    """Split pydantic's "'a', 'b' or 'c'" into its options."""
    parts = expected.replace(" or ", ", ").split(", ")
    return [part for part in parts if part]


def _model_at(path: DataPath) -> type[BaseModel] | None:
    """The model validating the mapping at ``path`` (a Tree at the root)."""
    for part in reversed(path):
        if isinstance(part, str):
            return _MODEL_UNDER.get(part)
    return Tree


def _entry(data: dict[str, Any], path: DataPath) -> dict[str, Any]:
    """The question/outcome/flow/source mapping a path points into (empty if none)."""
    if len(path) >= 2 and path[0] in ("questions", "outcomes", "flows", "sources"):
        entries = data.get(str(path[0]))
        if isinstance(entries, list) and isinstance(path[1], int):
            entry = entries[path[1]]
            if isinstance(entry, dict):
                return entry
    return {}


def _node_id(data: dict[str, Any], path: DataPath) -> str | None:
    """The id of the question/outcome/flow/source a path points into."""
    node_id = _entry(data, path).get("id")
    return node_id[:64] if isinstance(node_id, str) else None


def _dotted(path: DataPath) -> str:
    """``questions[3].choices[1].next`` from a data path."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"
