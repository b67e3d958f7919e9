"""The provider profile catalogue (advisor/server/profiles/): data, validated, never code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from advisor.server.profiles.catalogue import (
    PROFILE_DIR,
    ProfileError,
    catalogue,
    load_profile,
    recognise,
)
from advisor.server.profiles.models import Profile

REQUIRED = {
    "entra_id",
    "google",
    "okta_org_as",
    "okta_custom_as",
    "auth0",
    "keycloak",
    "aws_cognito",
    "gitlab",
    "django_oauth_toolkit",
}


def test_the_catalogue_covers_the_big_providers_and_every_fact_cites_its_source() -> None:
    profiles = {p.id: p for p in catalogue()}
    assert set(profiles) >= REQUIRED
    for profile in profiles.values():
        assert profile.match.issuer_patterns or not profile.match.metadata_hints.empty
        for fact in profile.facts:
            assert fact.source.startswith("https://"), (profile.id, fact.id)
            assert fact.text and "\n" not in fact.text


def test_every_shipped_file_is_one_profile_named_after_its_id() -> None:
    files = sorted(PROFILE_DIR.glob("*.yaml"))
    assert [p.stem for p in files] == [p.id for p in catalogue()]


@pytest.mark.parametrize(
    ("issuer", "expected"),
    [
        ("https://login.microsoftonline.com/00000000-1111-2222-3333-444444444444/v2.0", "entra_id"),
        ("https://login.microsoftonline.com/common/v2.0", "entra_id"),
        ("https://accounts.google.com", "google"),
        ("https://example-org.okta.com", "okta_org_as"),
        ("https://example-org.okta.com/oauth2/default", "okta_custom_as"),
        ("https://example.eu.auth0.com/", "auth0"),
        # Keycloak is self-hosted: no issuer makes it certain (a hint, below).
        ("https://idp.example.org/realms/example-realm", None),
        ("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123", "aws_cognito"),
        ("https://gitlab.com", "gitlab"),
        ("https://accounts.spotify.com", None),
        ("https://login.example.com", None),
    ],
)
def test_recognised_by_issuer(issuer: str, expected: str | None) -> None:
    found = recognise(issuer)
    assert (found.profile.id if found else None) == expected
    if found is not None:
        assert found.certain


def test_a_realms_path_on_any_host_is_only_a_guess_of_keycloak() -> None:
    """Any server can put /realms/x in its issuer: Keycloak is recognised from its endpoint
    layout, and only as a guess, never as certain."""
    issuer = "https://idp.example.org/auth/realms/example-realm"
    assert recognise(issuer) is None
    found = recognise(
        issuer,
        {"token_endpoint": issuer + "/protocol/openid-connect/token", "issuer": issuer},
    )
    assert found is not None and found.profile.id == "keycloak"
    assert not found.certain


def test_recognised_by_metadata_hints_when_the_issuer_is_not_known() -> None:
    dot = {
        "token_endpoint": "https://auth.example.org/o/token/",
        "authorization_endpoint": "https://auth.example.org/o/authorize/",
        "revocation_endpoint": "https://auth.example.org/o/revoke_token/",
    }
    found = recognise("https://auth.example.org/o", dot)
    assert found is not None and found.profile.id == "django_oauth_toolkit"
    assert not found.certain and set(found.hints) == set(dot)
    # Auth0 on a custom domain: its vendor field and token path.
    auth0 = {"mfa_challenge_endpoint": "https://id.example.com/mfa/challenge",
             "token_endpoint": "https://id.example.com/oauth/token"}  # fmt: skip
    found = recognise("https://id.example.com/", auth0)
    assert found is not None and found.profile.id == "auth0" and not found.certain
    # A plain server matches nothing.
    plain = {"token_endpoint": "https://as.example.com/token"}
    assert recognise("https://as.example.com", plain) is None


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return path


GOOD = """\
id: example
name: Example
match:
  issuer_patterns: ['^https://id\\.example\\.com$']
facts:
  - id: one
    text: A fact.
    source: https://docs.example.com/one
"""


def test_a_valid_profile_loads(tmp_path: Path) -> None:
    profile = load_profile(write(tmp_path, "example", GOOD))
    assert isinstance(profile, Profile) and profile.facts[0].id == "one"
    assert recognise("https://id.example.com", None, (profile,)) is not None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (GOOD.replace("text: A fact.", "text: A fact.\n    typo: 1"), "Extra inputs"),
        (GOOD.replace("https://docs.example.com/one", "http://docs.example.com/one"), "pattern"),
        (GOOD.replace("'^https://id", "'^(https://id"), "not a valid regular expression"),
        (GOOD + "  - id: one\n    text: again\n    source: https://x.example\n", "used twice"),
        (GOOD.replace("id: example", "id: other"), "is not the file's name"),
        (GOOD + "facts: []\n", "duplicate"),
        (GOOD.replace("name: Example", "name: !!python/object:os.system x"), "tag"),
        (GOOD.replace("    source: https://docs.example.com/one\n", ""), "source"),
    ],
    ids=[
        "extra-key",
        "http-source",
        "bad-regex",
        "duplicate-fact",
        "wrong-id",
        "duplicate-key",
        "python-tag",
        "no-source",
    ],
)
def test_an_invalid_profile_is_refused_with_the_reason(
    tmp_path: Path, text: str, words: str
) -> None:
    with pytest.raises(ProfileError, match=re.escape(words)):
        load_profile(write(tmp_path, "example", text))


def test_profiles_are_package_data_of_the_wheel() -> None:
    # The wheel ships the advisor package folder as it is (pyproject: packages = ["advisor"]),
    # so the YAML files next to the module are in it; nothing may exclude them.
    pyproject = (PROFILE_DIR.parents[2] / "pyproject.toml").read_text()
    assert 'packages = ["advisor"]' in pyproject
    assert (
        "*.yaml" not in pyproject.split("[tool.hatch.build.targets.wheel]", 1)[1].split("[", 1)[0]
    )
    assert PROFILE_DIR.parents[2] / "advisor" / "server" / "profiles" == PROFILE_DIR
