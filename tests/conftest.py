"""Shared fixtures. Shared helpers live in tests/support/: the oidc-provider test server in
support/oidc.py, the django-oauth-toolkit one in support/dot.py."""

from __future__ import annotations

import os

import pytest

from advisor.tree.loader import load_tree
from advisor.tree.models import Tree
from support.paths import SMALL_TREE

pytest_plugins = ["support.oidc", "support.dot"]


@pytest.fixture(scope="session", autouse=True)
def _private_tree_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the validated-tree cache of this test run (and its subprocesses) out of ~/.cache."""
    os.environ["GRANT_ADVISOR_CACHE_DIR"] = str(tmp_path_factory.mktemp("tree-cache"))


@pytest.fixture(scope="session")
def shipped_tree() -> Tree:
    return load_tree()


@pytest.fixture(scope="session")
def small_tree() -> Tree:
    return load_tree(SMALL_TREE)
