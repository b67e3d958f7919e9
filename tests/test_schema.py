"""The JSON Schema of the tree format: committed copy, and what it accepts and rejects.

The schema checks shape only (the graph checks are ``grant-advisor validate``'s), so the broken
trees here are shape errors. Uses the ``jsonschema`` package (a test dependency).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from advisor.tree import yamlsafe
from advisor.tree.loader import default_tree_path
from advisor.tree.schema import SCHEMA_DIALECT, SCHEMA_ID, SCHEMA_PATH, schema_text, tree_schema
from support.paths import DATA, SMALL_TREE

jsonschema = pytest.importorskip("jsonschema")

ROOT = DATA.parent.parent
COMMITTED = ROOT / SCHEMA_PATH
REGENERATE = f"grant-advisor schema -o {SCHEMA_PATH} --force"


def _yaml(path: Any) -> dict[str, Any]:
    data, problems = yamlsafe.parse(path.read_text(encoding="utf-8"), str(path))
    assert not problems
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def validator() -> Any:
    schema = json.loads(schema_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_committed_schema_is_current() -> None:
    assert COMMITTED.is_file(), f"{SCHEMA_PATH} is missing; create it with: {REGENERATE}"
    committed = COMMITTED.read_bytes().decode("utf-8")
    if committed != schema_text():
        pytest.fail(
            f"{SCHEMA_PATH} is stale (the models changed); regenerate it with: {REGENERATE}",
            pytrace=False,
        )


def test_schema_identifies_itself_first() -> None:
    schema = tree_schema()
    assert list(schema)[:4] == ["$schema", "$id", "title", "description"]
    assert schema["$schema"] == SCHEMA_DIALECT == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID and SCHEMA_ID.endswith("/" + SCHEMA_PATH)
    assert schema["title"] == "grant-advisor decision tree"
    assert schema_text() == schema_text()
    assert schema_text().endswith("}\n")


def test_schema_carries_the_field_docs() -> None:
    schema = tree_schema()
    choice = schema["$defs"]["Choice"]
    assert choice["additionalProperties"] is False
    assert choice["properties"]["next"]["description"].startswith("The id of the question")
    assert set(choice["required"]) == {"id", "label", "next"}


@pytest.mark.parametrize(
    "path",
    [default_tree_path(), SMALL_TREE, DATA / "trees" / "escaping.yaml"],
    ids=["shipped", "small", "escaping"],
)
def test_schema_accepts_valid_trees(validator: Any, path: Any) -> None:
    errors = [e.message for e in validator.iter_errors(_yaml(path))]
    assert errors == []


def _break(data: dict[str, Any], how: str) -> dict[str, Any]:
    broken = copy.deepcopy(data)
    if how == "unknown key":
        broken["questions"][0]["txet"] = "typo"
    elif how == "missing start":
        del broken["start"]
    elif how == "bad id":
        broken["questions"][0]["id"] = "Has Spaces"
    elif how == "unknown flow":
        broken["outcomes"][0]["flow"] = "implicit"
    elif how == "one choice":
        broken["questions"][0]["choices"] = broken["questions"][0]["choices"][:1]
    elif how == "http url":
        broken["sources"][0]["url"] = "http://example.com"
    elif how == "version 2":
        broken["version"] = 2
    elif how == "empty security":
        broken["outcomes"][0]["security"] = []
    elif how == "number as text":
        broken["title"] = 42
    return broken


@pytest.mark.parametrize(
    "how",
    [
        "unknown key",
        "missing start",
        "bad id",
        "unknown flow",
        "one choice",
        "http url",
        "version 2",
        "empty security",
        "number as text",
    ],
)
def test_schema_rejects_broken_trees(validator: Any, how: str) -> None:
    data = _yaml(SMALL_TREE)
    assert validator.is_valid(data)
    assert not validator.is_valid(_break(data, how)), how
