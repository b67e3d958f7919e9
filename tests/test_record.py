"""advisor.record behaves as the frozen dataclasses it replaced (a dataclass is the oracle)."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import subprocess
import sys

import pytest

from advisor.record import Record, fields, replace


class Point(Record):
    x: int
    y: int = 0
    label: str | None = None
    """A docstring after a field, as the engine's records have."""

    @property
    def norm1(self) -> int:
        return abs(self.x) + abs(self.y)


class Point3(Point):
    z: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class DataPoint:
    x: int
    y: int = 0
    label: str | None = None


CALLS: list[tuple[tuple[object, ...], dict[str, object]]] = [
    ((1,), {}),
    ((1, 2), {}),
    ((1, 2, "a"), {}),
    ((), {"x": 1, "label": "b"}),
    ((3,), {"y": 4}),
]


@pytest.mark.parametrize(("args", "kwargs"), CALLS)
def test_construction_repr_eq_hash_match_a_frozen_dataclass(
    args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    point = Point(*args, **kwargs)  # type: ignore[arg-type]
    oracle = DataPoint(*args, **kwargs)  # type: ignore[arg-type]
    assert (point.x, point.y, point.label) == (oracle.x, oracle.y, oracle.label)
    assert repr(point) == repr(oracle).replace("DataPoint", "Point")
    assert point == Point(*args, **kwargs)  # type: ignore[arg-type]
    assert hash(point) == hash(Point(*args, **kwargs))  # type: ignore[arg-type]
    assert point != replace(point, x=point.x + 1)
    assert point != oracle  # a different class never compares equal


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((), {}, "missing argument 'x'"),
        ((1, 2, "a", 4), {}, "takes 3 positional arguments but 4 were given"),
        ((1,), {"x": 2}, "multiple values for 'x'"),
        ((1,), {"z": 2}, "unexpected keyword 'z'"),
    ],
)
def test_bad_calls_raise_type_error_like_a_dataclass(
    args: tuple[object, ...], kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        Point(*args, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        DataPoint(*args, **kwargs)  # type: ignore[arg-type]


def test_immutable_and_slotted() -> None:
    point = Point(1, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 5  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del point.y
    with pytest.raises((AttributeError, TypeError)):
        point.extra = 1  # type: ignore[attr-defined]
    assert not hasattr(point, "__dict__")
    assert point == Point(1, 2)
    assert point.norm1 == 3


def test_inheritance_defaults_and_field_order() -> None:
    assert fields(Point3) == ("x", "y", "label", "z")
    assert fields(Point3(1)) == ("x", "y", "label", "z")
    point = Point3(1, z=9)
    assert (point.x, point.y, point.label, point.z) == (1, 0, None, 9)
    assert Point3(1) != Point(1)  # the class is part of equality, as for dataclasses
    match point:
        case Point3(x, y, label, z):
            assert (x, y, label, z) == (1, 0, None, 9)
        case _:
            pytest.fail("positional match failed")


def test_replace_copies_and_checks_names() -> None:
    point = Point(1, 2, "a")
    moved = replace(point, y=5)
    assert moved == Point(1, 5, "a") and point == Point(1, 2, "a")
    with pytest.raises(TypeError, match="no field 'z'"):
        replace(point, z=1)


def test_copy_deepcopy_and_pickle_round_trip() -> None:
    point = Point3(1, 2, "a", 4)
    assert copy.copy(point) == point
    assert copy.deepcopy(point) == point
    assert pickle.loads(pickle.dumps(point)) == point


def test_class_definition_mistakes_are_refused() -> None:
    with pytest.raises(TypeError, match="without a default follows one with"):

        class Wrong(Record):
            a: int = 1
            b: int

    with pytest.raises(TypeError, match="'y' is a field of a base class"):

        class Shadow(Point):
            y = 5

    with pytest.raises(TypeError, match="already defined by a base class"):

        class Twice(Point):
            x: int  # type: ignore[misc]


def test_the_ask_path_creates_no_dataclass() -> None:
    """The point of the module: ``ask`` imports no module of ours that builds a dataclass
    (each costs 0.5-1 ms at import). Pydantic's own are counted out."""
    probe = """
import dataclasses, io, contextlib, sys
made = []
original = dataclasses._process_class
def counting(cls, *args, **kwargs):
    made.append(cls.__module__ + "." + cls.__qualname__)
    return original(cls, *args, **kwargs)
dataclasses._process_class = counting
from advisor.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(["ask", "-a", "what_building=service_no_user",
                 "-a", "workload_platform=no_platform_identity",
                 "-a", "m2m_credential=private_key", "--format", "json", "--lang", "python"])
assert code == 0, code
print("\\n".join(m for m in made if m.startswith("advisor")))
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []
