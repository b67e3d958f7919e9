"""The JSON Schema of the decision tree format, generated from the pydantic models.

``grant-advisor schema`` prints it; the repository commits it as
``schema/decision-tree.schema.json`` (a test keeps the two equal) so editors can validate a tree
as it is typed: add ``# yaml-language-server: $schema=<path or URL of the schema>`` at the top
of a tree file. Field docstrings become ``description``s, so the schema doubles as a reference
that editors show on hover.

The schema checks shape only. The graph rules (unique ids, every ``next`` resolving, no
cycles, no unreachable nodes, templates present) are checked by ``grant-advisor validate``.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import json
from typing import Any, Final

from advisor.tree import models
from advisor.tree.models import Tree

SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID: Final = (
    "https://raw.githubusercontent.com/grant-advisor/grant-advisor/main/schema/"
    "decision-tree.schema.json"
)
"""Where the committed schema is published (its ``$id``)."""
SCHEMA_TITLE: Final = "grant-advisor decision tree"
SCHEMA_PATH: Final = "schema/decision-tree.schema.json"
"""The schema's path in the repository."""

_FIRST_KEYS: Final = ("$schema", "$id", "title", "description")


def field_docstrings() -> dict[str, dict[str, str]]:
    """``{model class: {field: docstring}}``: the string literal under each field of the
    models in :mod:`advisor.tree.models`, read from its source (attribute docstrings)."""
    found: dict[str, dict[str, str]] = {}
    for node in ast.parse(inspect.getsource(models)).body:
        if not isinstance(node, ast.ClassDef):
            continue
        fields: dict[str, str] = {}
        body = node.body
        for statement, following in itertools.pairwise(body):
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                fields[statement.target.id] = inspect.cleandoc(following.value.value)
        found[node.name] = fields
    return found


def _describe_fields(schema: dict[str, Any]) -> None:
    """Give every property of every model its field docstring as ``description``."""
    docs = field_docstrings()
    definitions = [(Tree.__name__, schema)]
    definitions += [(name, definition) for name, definition in schema.get("$defs", {}).items()]
    for name, definition in definitions:
        properties = definition.get("properties", {})
        for field, prop in properties.items():
            doc = docs.get(name, {}).get(field)
            if doc:
                # Keys sorted, as pydantic sorts them, so the output does not depend on when
                # the description was added.
                properties[field] = dict(sorted({**prop, "description": doc}.items()))


def tree_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a tree file, as data."""
    generated = Tree.model_json_schema(mode="validation")
    _describe_fields(generated)
    generated["$schema"] = SCHEMA_DIALECT
    generated["$id"] = SCHEMA_ID
    generated["title"] = SCHEMA_TITLE
    # Identification first, then pydantic's own (already deterministic) order.
    ordered: dict[str, Any] = {key: generated[key] for key in _FIRST_KEYS if key in generated}
    ordered.update((key, value) for key, value in generated.items() if key not in ordered)
    return ordered


def schema_text() -> str:
    """The schema as the JSON text that is committed and printed (2-space indent, newline)."""
    return json.dumps(tree_schema(), indent=2, ensure_ascii=False) + "\n"
