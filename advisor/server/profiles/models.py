"""The provider profile format, as pydantic models.

One YAML file per provider (``advisor/server/profiles/<id>.yaml``). Every model is frozen and
rejects unknown keys, so a typo in a profile is an error, not a silently ignored line; every
regex is compiled when the file is read, and every fact cites the provider's own
documentation (an https URL).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from advisor.core.vocabulary import AntiPatternFlowId, FlowId

ProfileId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
"""Ids of profiles and facts: lowercase snake_case, at most 64 characters."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]
"""Human-readable text; leading and trailing whitespace is dropped."""

HttpsUrl = Annotated[str, StringConstraints(pattern=r"^https://[^\s]+$", max_length=2_000)]
"""An absolute https URL."""

MetadataField = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,99}$")]
"""A metadata field name, e.g. ``token_endpoint``."""

ScopeToken = Annotated[str, StringConstraints(pattern=r"^[\x21\x23-\x5b\x5d-\x7e]{1,200}$")]
"""One scope token (RFC 6749 §3.3)."""

ParameterName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]{1,100}$")]
"""A request parameter name."""

ParameterValue = Annotated[str, StringConstraints(min_length=1, max_length=500)]
"""A request parameter value; ``<...>`` marks a placeholder the user fills in."""


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return pattern


Regex = Annotated[str, StringConstraints(min_length=1, max_length=500), AfterValidator(_compiles)]
"""A Python regular expression (checked when the profile is read)."""

FlowRef = Literal[FlowId, AntiPatternFlowId]
"""A catalogue flow id a fact applies to (``password`` and ``implicit`` included)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class MetadataHints(_Model):
    """Signs in a metadata document that it was published by this provider, for servers whose
    issuer the patterns cannot know (custom domains, self-hosted). A hint match is reported as
    "looks like", never as certain."""

    endpoint_patterns: Mapping[MetadataField, Regex] = Field(default_factory=dict)
    """Metadata field -> regex searched (``re.search``) in its value; every one must match."""
    fields_present: tuple[MetadataField, ...] = ()
    """Vendor-specific fields whose presence is a fingerprint; every one must be present."""

    @property
    def empty(self) -> bool:
        """Whether there is no hint at all (the profile is then recognised by issuer only)."""
        return not self.endpoint_patterns and not self.fields_present


class Match(_Model):
    """How a profile recognises its provider's servers."""

    issuer_patterns: tuple[Regex, ...] = ()
    """Regexes matched against the whole issuer (``re.fullmatch``): a certain match."""
    metadata_hints: MetadataHints = Field(default_factory=MetadataHints)
    """Signs in the metadata, for issuers the patterns cannot know: a likely match."""


class SampleEffect(_Model):
    """What a fact changes in a sample. Only what the shipped templates can express is applied
    (an extra scope, when the user gave none); the rest is told to the user as a note."""

    scopes_add: tuple[ScopeToken, ...] = ()
    """Scopes the provider needs in the request, e.g. ``offline_access`` for a refresh
    token."""
    authorize_params: Mapping[ParameterName, ParameterValue] = Field(default_factory=dict)
    """Extra parameters of the authorization request, e.g. Google's ``access_type``."""
    device_params: Mapping[ParameterName, ParameterValue] = Field(default_factory=dict)
    """Extra parameters of the device authorization request."""
    token_params: Mapping[ParameterName, ParameterValue] = Field(default_factory=dict)
    """Extra parameters of the token request."""
    grant_type_override: ParameterValue | None = None
    """The ``grant_type`` the provider uses for this flow instead of the standard one."""
    audience_param: Literal["audience", "resource"] | None = None
    """The request parameter that names the target API (``audience`` or RFC 8707
    ``resource``)."""
    scope_format: ParameterValue | None = None
    """How scopes must be written for this flow, e.g. ``{resource_app_id_uri}/.default``."""


class Fact(_Model):
    """One thing the provider documents about itself."""

    id: ProfileId
    """Unique within the profile, e.g. ``refresh_tokens``."""
    applies_to: tuple[FlowRef, ...] = ()
    """The flows it concerns; empty: the provider in general."""
    text: Text
    """The fact, in a few sentences, as a user should act on it."""
    source: HttpsUrl
    """The provider's own documentation that states it."""
    note: Text | None = None
    """For maintainers: how well the fact is verified (not shown to users)."""
    sample_effect: SampleEffect | None = None
    """What it changes in a sample, when anything."""


class Profile(_Model):
    """One provider: how to recognise it, and what it documents."""

    id: ProfileId
    """The profile's id, also its file name (``<id>.yaml``)."""
    name: Text
    """The provider's name as users know it."""
    match: Match
    """How its servers are recognised."""
    facts: Annotated[tuple[Fact, ...], Field(min_length=1)]
    """What it documents, general facts first."""

    @model_validator(mode="after")
    def _unique_fact_ids(self) -> Profile:
        seen: set[str] = set()
        for fact in self.facts:
            if fact.id in seen:
                raise ValueError(f"fact id {fact.id!r} is used twice")
            seen.add(fact.id)
        return self
