"""Where sample template files live and what they are called.

Kept apart from :mod:`advisor.samples.catalog` (which describes every template family) so
that loading a tree, which checks that its templates exist, imports almost nothing.

A dependency-free sample is ``<template>.<ext>.j2``; its flavour built on a client library
(:data:`~advisor.core.vocabulary.LIBRARIES`) is ``<template>.<library tag>.<ext>.j2``, e.g.
``client_credentials.authlib.py.j2``. Partials start with ``_``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

from advisor.core.vocabulary import LANGUAGES, LIBRARIES

TEMPLATE_DIR: Final = Path(__file__).resolve().parent / "templates"
"""The templates shipped with grant-advisor."""


def template_filename(template: str, language: str, library: str | None = None) -> str:
    """The file name of a template: ``<template>.<ext>.j2``, or ``<template>.<tag>.<ext>.j2``
    for a library flavour.

    Raises:
        KeyError: an unknown language or library id.
    """
    extension = LANGUAGES[language].extension
    if library is None:
        return f"{template}.{extension}.j2"
    return f"{template}.{LIBRARIES[library].tag}.{extension}.j2"


def program_filename(template: str, language: str, library: str | None = None) -> str:
    """The file name a rendered sample is saved as: ``client_credentials.py``, or
    ``client_credentials_authlib.py`` for a flavour (so both fit in one folder).

    Raises:
        KeyError: an unknown language or library id.
    """
    extension = LANGUAGES[language].extension
    if library is None:
        return f"{template}.{extension}"
    return f"{template}_{LIBRARIES[library].tag}.{extension}"


def find_template(
    template: str,
    language: str,
    search_dirs: Sequence[Path] = (),
    library: str | None = None,
) -> Path | None:
    """The template file for ``template`` in ``language`` (and ``library``'s flavour, if
    given): user folders first, then ours. None when there is none."""
    name = template_filename(template, language, library)
    for folder in (*search_dirs, TEMPLATE_DIR):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None
