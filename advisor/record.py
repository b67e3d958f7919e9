"""Frozen records: what ``@dataclass(frozen=True, slots=True)`` gives, without its import cost.

A dataclass writes the source of its ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``,
``__setattr__`` and ``__delattr__`` and compiles it with ``exec`` when its module is imported:
0.5-1 ms per class on the benchmark machine, not cached in bytecode, and paid by every command
(the eight records on the path of ``grant-advisor ask`` cost about 5 ms, 4 % of the baseline
process the benchmark compares it with). A :class:`Record` subclass gets the same behaviour from
methods written once, here; creating the class costs microseconds.

Usage, as with a dataclass (type checkers read it as one, through ``dataclass_transform``)::

    class Step(Record):
        question: Question
        choice: Choice
        note: str | None = None

Fields are the class's annotations, in order, after those of its bases; a field with a value in
the class body has that default (immutable values only: there is no ``default_factory``).
Instances have ``__slots__``, are immutable (assigning raises
:class:`dataclasses.FrozenInstanceError`, as a frozen dataclass does), compare and hash by their
fields and class, and print like a dataclass. :func:`replace` and :func:`fields` stand in for
their :mod:`dataclasses` namesakes.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import Any, ClassVar, TypeVar, dataclass_transform

R = TypeVar("R", bound="Record")

_NO_DEFAULT: Any = object()


@dataclass_transform(frozen_default=True)
class _RecordMeta(type):
    """Turns the class body's annotations into slots, a field order and defaults."""

    def __new__(
        mcls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any
    ) -> _RecordMeta:
        inherited: tuple[str, ...] = ()
        defaults: dict[str, Any] = {}
        for base in reversed(bases):
            inherited += tuple(f for f in getattr(base, "_fields", ()) if f not in inherited)
            defaults.update(getattr(base, "_defaults", {}))
        shadowing = [f for f in inherited if f in namespace]
        if shadowing:  # a class value would hide the base class's slot
            raise TypeError(f"{name}: {shadowing[0]!r} is a field of a base class")
        own: list[str] = []
        for field, annotation in namespace.get("__annotations__", {}).items():
            if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
                continue
            if field in inherited:
                raise TypeError(f"{name}: field {field!r} is already defined by a base class")
            own.append(field)
            if field in namespace:
                defaults[field] = namespace.pop(field)  # a slot and a class value cannot share
        all_fields = inherited + tuple(own)
        seen_default = False
        for field in all_fields:
            if field in defaults:
                seen_default = True
            elif seen_default:
                raise TypeError(f"{name}: field {field!r} without a default follows one with")
        namespace["__slots__"] = tuple(own)
        namespace["_fields"] = all_fields
        namespace["_defaults"] = defaults
        namespace["__match_args__"] = all_fields
        return super().__new__(mcls, name, bases, namespace, **kwargs)


class Record(metaclass=_RecordMeta):
    """Base of immutable records (see the module's documentation)."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = self._fields
        if len(args) > len(names):
            raise TypeError(
                f"{type(self).__name__}() takes {len(names)} positional arguments "
                f"but {len(args)} were given"
            )
        values = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key not in self._fields:
                raise TypeError(f"{type(self).__name__}() got an unexpected keyword {key!r}")
            if key in values:
                raise TypeError(f"{type(self).__name__}() got multiple values for {key!r}")
            values[key] = value
        defaults = self._defaults
        for name in names:
            value = values.get(name, defaults.get(name, _NO_DEFAULT))
            if value is _NO_DEFAULT:
                raise TypeError(f"{type(self).__name__}() missing argument {name!r}")
            object.__setattr__(self, name, value)

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((self.__class__, self._values()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({inner})"

    def __reduce__(self) -> tuple[Any, ...]:
        # copy, deepcopy and pickle rebuild through __init__ (slots would be set one by one,
        # which __setattr__ refuses).
        return (self.__class__, self._values())


def replace(record: R, **changes: Any) -> R:
    """A copy of ``record`` with ``changes`` (field names) applied."""
    for key in changes:
        if key not in record._fields:
            raise TypeError(f"{type(record).__name__} has no field {key!r}")
    values = {name: getattr(record, name) for name in record._fields}
    values.update(changes)
    return type(record)(**values)


def fields(record: Record | type[Record]) -> tuple[str, ...]:
    """The field names of a record (or record class), in order."""
    return record._fields
