"""The shipped provider profiles, read once, and recognising a server by them.

A server is recognised by its issuer first (:attr:`Match.issuer_patterns`, a certain match),
else by hints in its metadata (:attr:`Match.metadata_hints`, a likely match: the profile with
the most matching hints wins, ties in file name order). Facts are reported as ``info``
findings citing their source; a likely match says so ("looks like ...").

Profiles are read with the project's bounded YAML reader (:func:`advisor.tree.yamlsafe.parse`:
no tags, no duplicate keys, bounded size) and validated by :mod:`.models`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from advisor.server.model import Finding
from advisor.server.profiles.models import Fact, Profile

PROFILE_DIR: Final = Path(__file__).resolve().parent
"""Where the shipped profiles are: one ``<id>.yaml`` file per provider."""


@dataclass(frozen=True, slots=True)
class Recognition:
    """A server recognised as a provider of the catalogue."""

    profile: Profile
    """The provider's profile."""
    certain: bool
    """True when its issuer matched; False for a match on metadata hints only."""
    hints: tuple[str, ...] = ()
    """The metadata fields whose hints matched (a likely match)."""

    def facts(self, flow: str | None) -> tuple[Fact, ...]:
        """The facts about ``flow`` (a catalogue flow id), or the general ones (None)."""
        if flow is None:
            return tuple(f for f in self.profile.facts if not f.applies_to)
        return tuple(f for f in self.profile.facts if flow in f.applies_to)

    def recognised_finding(self) -> Finding:
        """The ``provider_recognised`` finding: which provider, and how sure."""
        name = self.profile.name
        if self.certain:
            text = (
                f"recognised from its issuer as {name}: the facts below come from its documentation"
            )
        else:
            text = (
                f"looks like {name} (from its metadata: {', '.join(self.hints)}), which is a "
                "guess, not certain: the facts below apply if it is, and the samples are not "
                "changed for it"
            )
        return Finding.of("provider_recognised", text)

    def fact_finding(self, fact: Fact) -> Finding:
        """A ``provider_fact`` finding for ``fact``, citing its source."""
        prefix = self.profile.name if self.certain else f"if this is {self.profile.name}"
        return Finding.of(
            "provider_fact", f"{prefix}: {fact.text} (source: {fact.source})", fact.source
        )


class ProfileError(ValueError):
    """A shipped profile file is not valid (a bug: the test suite reads every one)."""


def load_profile(path: Path) -> Profile:
    """Read and validate one profile file.

    Raises:
        ProfileError: the file is not safe YAML, not a valid profile, or its ``id`` is not its
            file name.
    """
    # Imported here: the YAML reader is needed only when discovery found a server.
    from advisor.core.errors import TreeError, TreeValidationError
    from advisor.tree.yamlsafe import parse

    try:
        data, problems = parse(path.read_text(encoding="utf-8"), str(path))
    except TreeValidationError as exc:  # the reader's errors are about "trees": say what
        raise ProfileError("; ".join(p.format() for p in exc.problems) or str(exc)) from None
    except TreeError as exc:
        raise ProfileError(str(exc)) from None
    if problems:
        raise ProfileError(problems[0].format())
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(f"{path}: not a valid provider profile: {exc}") from None
    if profile.id != path.stem:
        raise ProfileError(f"{path}: id {profile.id!r} is not the file's name {path.stem!r}")
    return profile


@functools.cache
def catalogue(folder: Path = PROFILE_DIR) -> tuple[Profile, ...]:
    """Every profile in ``folder`` (default: the shipped ones), in file name order; read once.

    Raises:
        ProfileError: a file is not a valid profile.
    """
    return tuple(load_profile(path) for path in sorted(folder.glob("*.yaml")))


def recognise(
    issuer: str,
    document: Mapping[str, Any] | None = None,
    profiles: tuple[Profile, ...] | None = None,
) -> Recognition | None:
    """The provider ``issuer`` (and its metadata ``document``) belongs to, if the catalogue
    knows it.

    Args:
        issuer: The issuer identifier (from the metadata, or as the user typed it).
        document: The metadata document, for hint matching; None to match the issuer only.
        profiles: The catalogue to search (default: the shipped one).

    Returns:
        The recognition, or None for a provider no profile describes (the standards-only
        reading applies).
    """
    profiles = catalogue() if profiles is None else profiles
    for profile in profiles:
        if any(re.fullmatch(p, issuer) for p in profile.match.issuer_patterns):
            return Recognition(profile, certain=True)
    if document is None:
        return None
    best: Recognition | None = None
    for profile in profiles:
        hints = profile.match.metadata_hints
        if hints.empty:
            continue
        if not all(document.get(name) is not None for name in hints.fields_present):
            continue
        matched = []
        for name, pattern in hints.endpoint_patterns.items():
            value = document.get(name)
            if not isinstance(value, str) or not re.search(pattern, value):
                break
            matched.append(name)
        else:
            fields = (*hints.fields_present, *matched)
            if best is None or len(fields) > len(best.hints):
                best = Recognition(profile, certain=False, hints=fields)
    return best
