"""Bounded, safe YAML reading for tree files.

PyYAML's loaders build whatever a document describes; even ``safe_load`` silently keeps the
last of two duplicate keys, expands alias bombs, and (with the C composer) crashes the process
on very deep nesting. Tree files come from teams we do not control, so this module builds plain
data from the parser's *event stream* instead, with its own limits:

- only the core YAML tags (str, int, float, bool, null, map, seq); anything else, in particular
  ``!!python/...``, is refused: nothing in a tree file is ever constructed or executed;
- duplicate mapping keys are reported with both lines;
- nesting depth and the number of values (counting every alias expansion) are capped, so an
  alias bomb fails in milliseconds instead of eating memory;
- one document per file, with a mapping at its root.

The event loop is iterative, so depth is bounded by ``MAX_DEPTH`` and never by the C stack.
Positions are not recorded on the fast path; :func:`locate` re-reads the events to find the
line and column of the paths an error report needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from advisor.core.errors import DataPath, Problem, TreeValidationError

try:  # The C parser is ~10x faster; fall back to pure Python where libyaml is missing.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH: Final = 64
"""Deepest nesting of mappings and sequences accepted (a real tree needs about 8)."""

MAX_VALUES: Final = 1_000_000
"""Most values a document may expand to, counting every alias expansion (a 10,000-node tree
holds about 150,000)."""

Path = DataPath

_STR: Final = "tag:yaml.org,2002:str"
_CORE_TAGS: Final = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_COLLECTION_TAGS: Final = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_IMPLICIT = Resolver.yaml_implicit_resolvers


class _Constructor(yaml.constructor.SafeConstructor):
    """SafeConstructor's scalar conversions, used one scalar at a time."""


_constructor = _Constructor()
_NUMBERS: Final = {
    "tag:yaml.org,2002:bool": _Constructor.construct_yaml_bool,
    "tag:yaml.org,2002:int": _Constructor.construct_yaml_int,
    "tag:yaml.org,2002:float": _Constructor.construct_yaml_float,
}


def _scalar(event: ScalarEvent, file: str) -> Any:
    """Convert a scalar event to str/int/float/bool/None, refusing every other tag."""
    value: str = event.value
    tag = event.tag
    if tag is None or tag == "!":
        if not event.implicit[0]:
            return value  # quoted or block scalar: always a string
        tag = _STR
        for resolved_tag, regexp in _IMPLICIT.get(value[:1], ()):
            if regexp.match(value):
                tag = resolved_tag
                break
    if tag == _STR:
        return value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag in _NUMBERS:
        if len(value) > 100:
            # Python refuses (or takes quadratic time) to convert very long integers.
            raise _refuse(file, event, f"a number with {len(value):,} characters")
        try:
            return _NUMBERS[tag](_constructor, ScalarNode(tag, value))
        except (ValueError, OverflowError):
            raise _refuse(file, event, f"{value[:20]!r} is not a valid number") from None
    if tag == "tag:yaml.org,2002:timestamp":
        return value  # dates stay text: no field of a tree is a date
    if tag == "tag:yaml.org,2002:merge":
        raise _refuse(file, event, "YAML merge keys ('<<') are not supported in tree files")
    raise _refuse_tag(file, event, tag)


def _refuse(file: str, event: Any, message: str) -> TreeValidationError:
    mark = event.start_mark
    problem = Problem(message, file=file, line=mark.line + 1, column=mark.column + 1)
    return TreeValidationError(file, [problem])


def _refuse_tag(file: str, event: Any, tag: str) -> TreeValidationError:
    shown = tag.replace("tag:yaml.org,2002:", "!!")
    if "python/" in tag:
        why = "grant-advisor never constructs objects from a tree file"
    else:
        why = "only plain strings, numbers, booleans, null, mappings and lists are allowed"
    return _refuse(file, event, f"unsupported YAML tag {shown!r}: {why}")


class _Frame:
    __slots__ = ("anchor", "container", "key", "size")

    def __init__(self, container: dict[str, Any] | list[Any], anchor: str | None) -> None:
        self.container = container
        self.anchor = anchor
        self.key: Any = _NO_KEY
        self.size = 1


_NO_KEY: Final = object()


def parse(text: str, file: str) -> tuple[Any, list[Problem]]:
    """Parse one YAML document into plain data.

    Args:
        text: The document.
        file: The name used in messages.

    Returns:
        The data, and the duplicate-key problems found (other problems raise).

    Raises:
        TreeValidationError: with one problem, for syntax errors, unsafe tags, alias bombs,
            excessive nesting, or more than one document.
    """
    loader = _Loader(text)
    problems: list[Problem] = []
    stack: list[_Frame] = []
    anchors: dict[str, tuple[Any, int]] = {}
    seen_keys: list[dict[str, int]] = []
    total = 0
    root: Any = None
    documents = 0
    try:
        while True:
            event: Any = loader.get_event()
            kind = type(event)
            if kind is ScalarEvent:
                value: Any = _scalar(event, file)
                size = 1
                if event.anchor:
                    anchors[event.anchor] = (value, 1)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if event.tag not in (None, "!") and event.tag not in _COLLECTION_TAGS:
                    raise _refuse_tag(file, event, event.tag)
                if len(stack) >= MAX_DEPTH:
                    raise _refuse(file, event, f"nesting deeper than {MAX_DEPTH} levels")
                container: dict[str, Any] | list[Any] = {} if kind is MappingStartEvent else []
                stack.append(_Frame(container, event.anchor))
                seen_keys.append({})
                continue
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                frame = stack.pop()
                seen_keys.pop()
                value, size = frame.container, frame.size
                if frame.anchor:
                    anchors[frame.anchor] = (value, size)
            elif kind is AliasEvent:
                if event.anchor not in anchors:
                    raise _refuse(file, event, f"alias '*{event.anchor}' has no complete anchor")
                value, size = anchors[event.anchor]
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _refuse(file, event, "a tree file holds exactly one YAML document")
                continue
            elif kind is StreamEndEvent:
                break
            else:
                continue

            # Children were counted as they came; an alias adds its whole expansion.
            total += size if kind is AliasEvent else 1
            if total > MAX_VALUES:
                raise _refuse(
                    file,
                    event,
                    f"the document expands to more than {MAX_VALUES:,} values "
                    "(an alias expansion bomb?)",
                )
            if not stack:
                root = value
                continue
            top = stack[-1]
            top.size += size
            parent = top.container
            if isinstance(parent, list):
                parent.append(value)
            elif top.key is _NO_KEY:
                if kind is not ScalarEvent or not isinstance(value, str):
                    if kind is ScalarEvent and value is not None:
                        value = str(value)  # `1: x` or `true: y`: keep going as text
                    else:
                        raise _refuse(file, event, "mapping keys must be plain strings")
                line = event.start_mark.line + 1
                first = seen_keys[-1].get(value)
                if first is not None:
                    problems.append(
                        Problem(
                            f"duplicate key {value!r} (first defined on line {first})",
                            file=file,
                            line=line,
                            column=event.start_mark.column + 1,
                            hint="YAML would silently keep only the last one; remove or rename one",
                        )
                    )
                else:
                    seen_keys[-1][value] = line
                top.key = value
            else:
                if top.key not in parent:
                    parent[top.key] = value
                top.key = _NO_KEY
    except yaml.MarkedYAMLError as exc:
        mark: Any = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "invalid YAML"
        if "maximum nesting depth" in what:
            # libyaml 0.2.6+ stops at 1,000 levels while scanning, before our own check.
            message = f"nesting deeper than {MAX_DEPTH} levels"
        else:
            message = f"YAML syntax error: {what}"
        problem = Problem(
            message,
            file=file,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        )
        raise TreeValidationError(file, [problem]) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        problem = Problem(
            f"character U+{exc.character:04X} is not allowed in YAML text"
            if isinstance(exc.character, int)
            else f"YAML reader error: {exc.reason}",
            file=file,
            line=line,
            hint="remove it: tree files are plain UTF-8 text",
        )
        raise TreeValidationError(file, [problem]) from None
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        raise TreeValidationError(file, [Problem(f"YAML error: {message}", file=file)]) from None
    finally:
        loader.dispose()
    return root, problems


def locate(text: str, paths: Iterable[Path]) -> dict[Path, tuple[int, int]]:
    """Find the 1-based (line, column) of each data path in ``text``.

    Mapping entries are located at their key, list items at their first character. Paths that
    do not exist are absent from the result. Only called when there are errors to report.
    """
    wanted = set(paths)
    found: dict[Path, tuple[int, int]] = {}
    if not wanted:
        return found
    loader = _Loader(text)
    # Each frame: [path of the collection, is_mapping, next index or pending key, expecting key]
    stack: list[list[Any]] = []
    try:
        while True:
            event: Any = loader.get_event()
            kind = type(event)
            if kind is StreamEndEvent:
                break
            if kind not in (
                ScalarEvent,
                AliasEvent,
                MappingStartEvent,
                SequenceStartEvent,
                MappingEndEvent,
                SequenceEndEvent,
            ):
                continue
            if kind is MappingEndEvent or kind is SequenceEndEvent:
                stack.pop()
                _advance(stack)
                continue
            mark = event.start_mark
            if stack:
                frame = stack[-1]
                if frame[1] and frame[3]:  # a key of a mapping
                    key = event.value if kind is ScalarEvent else None
                    frame[2] = key
                    frame[3] = False
                    path = (*frame[0], key)
                    if path in wanted:
                        found[path] = (mark.line + 1, mark.column + 1)
                    if kind is MappingStartEvent or kind is SequenceStartEvent:
                        stack.append([(*frame[0], None), kind is MappingStartEvent, 0, True])
                    continue
                path = (*frame[0], frame[2])
                if not frame[1] and path in wanted:
                    found[path] = (mark.line + 1, mark.column + 1)
            else:
                path = ()
            if kind is MappingStartEvent or kind is SequenceStartEvent:
                stack.append([path, kind is MappingStartEvent, 0, True])
                continue
            _advance(stack)
    except yaml.YAMLError:
        pass
    finally:
        loader.dispose()
    return found


def _advance(stack: list[list[Any]]) -> None:
    """After a value: a sequence moves to its next index, a mapping expects a key again."""
    if not stack:
        return
    frame = stack[-1]
    if frame[1]:
        frame[3] = True
    else:
        frame[2] += 1
