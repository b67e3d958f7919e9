"""Where sample template files live and what they are called.

Kept apart from :mod:`advisor.samples.catalog` (which describes every template family) so
that loading a tree, which checks that its templates exist, imports almost nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

from advisor.core.vocabulary import LANGUAGES

TEMPLATE_DIR: Final = Path(__file__).resolve().parent / "templates"
"""The templates shipped with grant-advisor."""


def template_filename(template: str, language: str) -> str:
    """The file name of a template: ``<template>.<ext>.j2``."""
    return f"{template}.{LANGUAGES[language].extension}.j2"


def find_template(template: str, language: str, search_dirs: Sequence[Path] = ()) -> Path | None:
    """The template file for ``template`` in ``language``: user folders first, then ours."""
    name = template_filename(template, language)
    for folder in (*search_dirs, TEMPLATE_DIR):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None
