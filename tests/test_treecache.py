"""The validated-tree cache: a hit equals a validation, and anything odd means validating."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from advisor.core.errors import TreeValidationError
from advisor.tree import cache as treecache
from advisor.tree.loader import load, load_tree
from advisor.tree.models import NESTED_MODELS, Tree
from support.paths import DATA, SMALL_TREE

TREES = [
    None,
    SMALL_TREE,
    DATA / "trees" / "escaping.yaml",
    DATA / "hostile" / "control_sequences.yaml",
]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("GRANT_ADVISOR_CACHE_DIR", str(folder))
    monkeypatch.delenv("GRANT_ADVISOR_NO_CACHE", raising=False)
    return folder / "trees"


def _model_types(annotation: object) -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.add(annotation)
    for arg in typing.get_args(annotation):
        found |= _model_types(arg)
    return found


def test_nested_map_covers_every_model_field() -> None:
    seen: set[type[BaseModel]] = set()
    pending: list[type[BaseModel]] = [Tree]
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, field in model.model_fields.items():
            inner = _model_types(field.annotation)
            if inner:
                assert NESTED_MODELS[model][name] in inner, (model.__name__, name)
                pending += inner


@pytest.mark.parametrize("path", TREES, ids=lambda p: p.name if p else "shipped")
def test_a_rebuilt_tree_equals_the_validated_one(path: Path | None) -> None:
    tree = load_tree(path) if path is None else load(path).tree
    rebuilt = treecache.construct(Tree, tree.model_dump(mode="json"))
    assert rebuilt == tree
    assert rebuilt.model_dump() == tree.model_dump()
    assert isinstance(rebuilt, Tree)
    assert rebuilt.node(tree.start) == tree.node(tree.start)  # indexes are rebuilt too


def test_second_load_comes_from_the_cache_without_validation(
    cache: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    source = DATA / "hostile" / "control_sequences.yaml"
    copy = tmp_path / "copy.yaml"
    copy.write_bytes(source.read_bytes())
    first = load(source)
    assert len(list(cache.glob("tree-*.json"))) == 1

    def no_validation(*args: object, **kwargs: object) -> None:
        raise AssertionError("validated although cached")

    monkeypatch.setattr(Tree, "model_validate", no_validation)
    second = load(copy)  # same bytes, another name
    assert second.tree == first.tree
    assert [w.message for w in second.warnings] == [w.message for w in first.warnings]
    assert all(w.file == str(copy) for w in second.warnings)
    assert [w.line for w in second.warnings] == [w.line for w in first.warnings]


def test_a_changed_file_is_validated_again(cache: Path, tmp_path: Path) -> None:
    tree_file = tmp_path / "tree.yaml"
    tree_file.write_text(SMALL_TREE.read_text())
    load(tree_file)
    tree_file.write_text(SMALL_TREE.read_text().replace("next: device", "next: devise"))
    with pytest.raises(TreeValidationError, match="2 problems"):
        load(tree_file)


def test_an_entry_made_by_other_code_is_not_used(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edited checkout (same version, other checks) validates again: entries record the
    engine's code fingerprint."""
    assert "checks.py:" in treecache.code() and "models.py:" in treecache.code()
    load(SMALL_TREE)
    validated: list[object] = []
    real = Tree.model_validate

    def counting(*args: object, **kwargs: object) -> Tree:
        validated.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Tree, "model_validate", counting)
    load(SMALL_TREE)
    assert validated == []  # same code: from the cache
    monkeypatch.setattr(treecache, "code", lambda: "checks.py:1:2")  # checks.py was edited
    load(SMALL_TREE)
    assert len(validated) == 1


def test_a_corrupt_entry_is_ignored(cache: Path) -> None:
    load(SMALL_TREE)
    (entry,) = cache.glob("tree-*.json")
    for junk in ("{not json", '{"tree": {"title": 1}}', "[]", '{"tree": {"bogus": 1}}'):
        entry.write_text(junk)
        assert load(SMALL_TREE).tree.title == "Small test tree"


def test_an_entry_edited_on_disk_is_ignored(cache: Path) -> None:
    """A well-formed entry whose tree was changed (a value of the wrong type, another title)
    is refused by its digest, never trusted."""
    load(SMALL_TREE)
    (entry,) = cache.glob("tree-*.json")
    body, _, digest = entry.read_bytes().rpartition(b"\n")
    for edited in (
        body.replace(b'"title":"Small test tree"', b'"title":"Edited"'),
        body.replace(b'"title":"Small test tree"', b'"title":42'),
    ):
        assert edited != body
        entry.write_bytes(edited + b"\n" + digest)
        tree = load(SMALL_TREE).tree
        assert tree.title == "Small test tree"
        assert entry.read_bytes().rpartition(b"\n")[0] == body  # validated and written anew


def test_missing_templates_are_checked_on_every_load(cache: Path, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "custom.py.j2").write_text("print('hi')\n")
    tree_file = tmp_path / "tree.yaml"
    tree_file.write_text(
        SMALL_TREE.read_text().replace(
            "    references: [{source: rfc8628}]\n",
            "    references: [{source: rfc8628}]\n"
            "    sample: {template: custom, languages: [python]}\n",
        )
    )
    load(tree_file, template_dirs=[templates])  # valid, cached
    with pytest.raises(TreeValidationError) as caught:
        load(tree_file)  # the same bytes, but the template folder is not given
    (problem,) = caught.value.problems
    assert "no python template for sample 'custom'" in problem.message
    assert problem.line is not None  # reported from a full validation, with its line


def test_turned_off(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    monkeypatch.setenv("GRANT_ADVISOR_NO_CACHE", "1")
    load(SMALL_TREE)
    assert not cache.exists()


def test_unwritable_cache_folder_is_silently_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRANT_ADVISOR_CACHE_DIR", "/proc/grant-advisor-cache")
    assert load(SMALL_TREE).tree.title == "Small test tree"


def test_entries_are_pruned(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(treecache, "MAX_ENTRIES", 3)
    for index in range(5):
        tree_file = tmp_path / f"tree{index}.yaml"
        tree_file.write_text(SMALL_TREE.read_text() + f"# variant {index}\n")
        load(tree_file)
    assert len(list(cache.glob("tree-*.json"))) == 3


def test_an_entry_for_other_content_under_the_same_key_is_ignored(
    cache: Path, tmp_path: Path
) -> None:
    """The key is only a checksum: a collision must not hand out another tree."""
    load(SMALL_TREE)
    (entry,) = cache.glob("tree-*.json")
    other = tmp_path / "other.yaml"
    other.write_text(SMALL_TREE.read_text().replace("Small test tree", "Other tree"))
    entry.rename(cache / treecache.key(other.read_bytes()))  # forge a collision
    assert load(other).tree.title == "Other tree"
