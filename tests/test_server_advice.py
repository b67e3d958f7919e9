"""What discovery changes in the advice: grant spellings, scopes, provider needs, and notes
that must not contradict what discovery did (advisor.advice.tailor, advisor.server)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import MappingProxyType
from typing import Any

import pytest

from advisor.advice import advise
from advisor.cli import main
from advisor.core.errors import DiscoveryError
from advisor.exports.data import session_data
from advisor.exports.markdown import recommendation_markdown
from advisor.exports.text import recommendation_text
from advisor.server.fetch import discover
from advisor.server.findings import check_flow
from advisor.server.metadata import registered_grant
from advisor.server.model import ServerMetadata
from advisor.session import Session
from advisor.tree.models import Tree
from support.metadata_stub import WELL_KNOWN_OAUTH, MetadataStub
from support.provider_metadata import document, serve, walk_answers

ISSUER = "https://login.example.com"


def notes(advice: Any) -> list[str]:
    """The advice's assumptions as the command line prints them."""
    return [a.text for a in advice.assumptions]


def meta(**fields: Any) -> ServerMetadata:
    document = {
        "issuer": ISSUER,
        "authorization_endpoint": f"{ISSUER}/authorize",
        "token_endpoint": f"{ISSUER}/token",
        "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        **fields,
    }
    return ServerMetadata(ISSUER, MappingProxyType(document), f"{ISSUER}{WELL_KNOWN_OAUTH}")


def real(name: str) -> ServerMetadata:
    doc = document(name)
    return ServerMetadata(doc["issuer"], MappingProxyType(doc), doc["issuer"] + "/x", "openid")


def session(tree: Tree, outcome: str) -> Session:
    return Session.replay(tree, walk_answers(tree, outcome))


@pytest.fixture
def stub() -> Iterator[MetadataStub]:
    with MetadataStub() as server:
        yield server


# -- grant names in the wild ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("listed", "grant"),
    [
        ("device_code", "urn:ietf:params:oauth:grant-type:device_code"),
        ("device-code", "urn:ietf:params:oauth:grant-type:device_code"),
        (
            "urn:ietf:params:oauth:grant-type:device_code",
            "urn:ietf:params:oauth:grant-type:device_code",
        ),
        (
            "urn:ietf:params:oauth:grant-type:device-code",
            "urn:ietf:params:oauth:grant-type:device_code",
        ),
        ("token-exchange", "urn:ietf:params:oauth:grant-type:token-exchange"),
        ("token_exchange", "urn:ietf:params:oauth:grant-type:token-exchange"),
        ("jwt-bearer", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
        ("saml2-bearer", "urn:ietf:params:oauth:grant-type:saml2-bearer"),
        ("ciba", "urn:openid:params:grant-type:ciba"),
        ("urn:ietf:params:oauth:grant-type:ciba", "urn:openid:params:grant-type:ciba"),
        ("CLIENT_CREDENTIALS", "client_credentials"),
        ("refresh-token", "refresh_token"),
        ("implicit", "implicit"),
        ("urn:okta:params:oauth:grant-type:otp", None),
        ("http://auth0.com/oauth/grant-type/mfa-otp", None),
    ],
)
def test_grant_spellings(listed: str, grant: str | None) -> None:
    assert registered_grant(listed) == grant


def test_a_short_grant_name_is_supported_and_said_so() -> None:
    findings = check_flow(
        "token_exchange",
        meta(grant_types_supported=["token-exchange"]),
        client_auth=("private_key_jwt",),
    )
    codes = {f.code: f for f in findings}
    assert "grant_type_not_supported" not in codes
    alias = codes["grant_type_alias"]
    assert alias.severity == "info"
    assert "'token-exchange'" in alias.message
    assert "grant_type=urn:ietf:params:oauth:grant-type:token-exchange" in alias.message


# -- absence is unknown ---------------------------------------------------------------------------


def test_public_clients_are_not_an_error_when_none_is_not_listed(shipped_tree: Tree) -> None:
    for listed in (None, ["client_secret_basic", "private_key_jwt"]):
        fields = {} if listed is None else {"token_endpoint_auth_methods_supported": listed}
        advice = advise(
            session(shipped_tree, "cli_loopback"), {}, languages=["none"], metadata=meta(**fields)
        )
        assert advice.compatibility is not None
        codes = {f.code: f.severity for f in advice.compatibility.findings}
        assert codes.get("public_client_not_listed") == "info"
        assert "client_auth_not_supported" not in codes and "client_auth_not_listed" not in codes
    # Listed explicitly: nothing to say.
    advice = advise(
        session(shipped_tree, "cli_loopback"),
        {},
        languages=["none"],
        metadata=meta(token_endpoint_auth_methods_supported=["none"]),
    )
    assert advice.compatibility is not None
    assert "public_client_not_listed" not in {f.code for f in advice.compatibility.findings}


# -- notes that must not contradict what happened -------------------------------------------------


def test_the_sample_note_names_the_client_authentication_discovery_chose(
    shipped_tree: Tree,
) -> None:
    walk = session(shipped_tree, "m2m_client_secret")
    before = advise(walk, {}, languages=["python"])
    assert before.sample_note is not None and "client_secret_basic" in before.sample_note
    only_post = meta(token_endpoint_auth_methods_supported=["client_secret_post"])
    advice = advise(walk, {"issuer": ISSUER}, languages=["python"], metadata=only_post)
    assert advice.params.client_auth == "client_secret_post"
    note = advice.sample_note
    assert note is not None
    assert "client_secret_basic" not in note.replace("does not list client_secret_basic", "")
    assert "The samples authenticate with client_secret_post" in note
    assert "does not list client_secret_basic" in note
    # Every renderer shows that note, not the tree's.
    text = recommendation_text(advice)
    assert "send it with client_secret_basic" not in text
    assert "The samples authenticate with client_secret_post" in " ".join(text.split())
    assert "send it with client_secret_basic" not in recommendation_markdown(advice)
    data = session_data(advice)["recommendation"]
    assert data["samples_note"] == note
    # The user's own choice is explained as such.
    chosen = advise(walk, {"client_auth": "client_secret_post"}, languages=["python"])
    assert chosen.sample_note is not None
    assert chosen.sample_note.endswith("client_secret_post: you chose it with --client-auth.")


def test_no_note_says_pass_discover_after_discovery(shipped_tree: Tree) -> None:
    bare = ServerMetadata(
        ISSUER, MappingProxyType({"issuer": ISSUER, "jwks_uri": f"{ISSUER}/k"}), ISSUER + "/x"
    )
    walk = session(shipped_tree, "device_code_tv")
    without = advise(walk, {"issuer": ISSUER}, languages=["python"])
    assert any("--discover" in a for a in notes(without))
    read = advise(walk, {"issuer": ISSUER}, languages=["python"], metadata=bare)
    failed = advise(
        walk,
        {"issuer": ISSUER},
        languages=["python"],
        discovery_error=DiscoveryError("no metadata", code="metadata_not_found"),
    )
    for advice in (read, failed):
        endpoint_notes = [a for a in notes(advice) if "endpoint" in a]
        assert endpoint_notes, notes(advice)
        assert not any("--discover" in a for a in notes(advice))
    assert any("the server's metadata has no usable token_endpoint" in a for a in notes(read))
    assert any("discovery found no usable metadata" in a for a in notes(failed))


def test_sample_discover_makes_the_same_client_authentication_check_as_ask(
    stub: MetadataStub, capsys: pytest.CaptureFixture[str]
) -> None:
    stub.json(
        WELL_KNOWN_OAUTH,
        stub.metadata(token_endpoint_auth_methods_supported=["private_key_jwt"]),
    )
    answers = [
        "-a", "situation=own_service",
        "-a", "workload_platform=no_platform_identity",
        "-a", "m2m_credential=shared_secret_only",
    ]  # fmt: skip
    assert main(["ask", *answers, "--issuer", stub.issuer, "--discover", "-f", "json"]) == 0
    asked = json.loads(capsys.readouterr().out)["recommendation"]["findings"]
    code = main(
        ["sample", "client_credentials", "--lang", "curl", "--issuer", stub.issuer, "--discover"]
    )
    out, err = capsys.readouterr()
    assert code == 0 and out.startswith("#!")
    # Both check client_secret_basic/client_secret_post against the server's list.
    ask_auth = [f for f in asked if f["code"].startswith("client_auth")]
    assert [f["code"] for f in ask_auth] == ["client_auth_not_supported"]
    assert f"error: {ask_auth[0]['message']}" in err.splitlines()


def test_sample_discover_prints_a_discovery_problem_and_still_the_sample(
    stub: MetadataStub, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["sample", "client_credentials", "--lang", "python", "--issuer", stub.issuer, "--discover"]
    )
    out, err = capsys.readouterr()
    assert code == 0 and "TOKEN_ENDPOINT" in out
    assert err.startswith("error: no authorization server metadata found")
    assert "--discover" not in err


# -- scopes ----------------------------------------------------------------------------------------


def test_offline_access_leaves_the_default_scope_when_the_server_does_not_list_it(
    shipped_tree: Tree,
) -> None:
    google = real("google")  # scopes_supported: openid, email, profile
    advice = advise(
        session(shipped_tree, "cli_loopback"), {}, languages=["python"], metadata=google
    )
    assert advice.params.scopes == ("openid", "profile")
    assert 'SCOPE = "openid profile"' in advice.samples["python"].code
    assert any(
        a.startswith("offline_access left out of the sample's default scope") for a in notes(advice)
    )
    assert advice.compatibility is not None
    codes = {f.code for f in advice.compatibility.findings}
    assert "scope_not_listed" not in codes
    # The provider's own way to get a refresh token is told, as it cannot be applied.
    web = advise(
        session(shipped_tree, "web_server_code"), {}, languages=["python"], metadata=google
    )
    assert any(
        "access_type=offline, prompt=consent on the authorization request" in a
        and a.startswith("not in the samples: Google")
        for a in notes(web)
    )


def test_the_users_scopes_are_kept_and_warned_about(shipped_tree: Tree) -> None:
    advice = advise(
        session(shipped_tree, "cli_loopback"),
        {"scopes": ("openid", "offline_access")},
        languages=["python"],
        metadata=real("google"),
    )
    assert advice.params.scopes == ("openid", "offline_access")
    assert advice.compatibility is not None
    warning = next(f for f in advice.compatibility.findings if f.code == "scope_not_listed")
    assert warning.severity == "warning"
    assert "your --scope asks for offline_access" in warning.message
    assert "access_type=offline" in warning.message and "django-oauth-toolkit" in warning.message


def test_a_provider_that_needs_offline_access_gets_it(shipped_tree: Tree) -> None:
    entra = real("entra")
    spa = advise(
        session(shipped_tree, "spa_browser_pkce"), {}, languages=["javascript"], metadata=entra
    )
    assert spa.params.scopes == ("openid", "profile", "offline_access")
    assert any(
        a.startswith("scope offline_access added to the sample's default scope: Microsoft Entra ID")
        for a in notes(spa)
    )
    # The user's scopes are not touched; a note says what the provider documents.
    own = advise(
        session(shipped_tree, "spa_browser_pkce"),
        {"scopes": ("openid",)},
        languages=["javascript"],
        metadata=entra,
    )
    assert own.params.scopes == ("openid",)
    assert any("your --scope leaves it out" in a for a in notes(own))


def test_a_guessed_provider_does_not_change_the_samples(shipped_tree: Tree) -> None:
    # Auth0's profile adds offline_access, but only for a server recognised by its issuer.
    auth0_like = meta(
        mfa_challenge_endpoint=f"{ISSUER}/mfa/challenge",
        token_endpoint=f"{ISSUER}/oauth/token",
        scopes_supported=["openid", "profile", "offline_access"],
    )
    walk = session(shipped_tree, "spa_browser_pkce")  # default scope: openid profile
    advice = advise(walk, {}, languages=["javascript"], metadata=auth0_like)
    assert advice.params.scopes == ()  # the template's own default, unchanged
    assert any(
        a.startswith("if this server is Auth0, add scope offline_access with --scope")
        for a in notes(advice)
    )
    assert any(
        a.startswith("not in the samples: if this is Auth0, it takes the target API as audience=")
        for a in notes(advice)
    )
    # Recognised by its issuer, the same server gets offline_access in the samples.
    tenant = "https://example.eu.auth0.com/"
    certain = ServerMetadata(
        tenant, MappingProxyType({**auth0_like.document, "issuer": tenant}), tenant + "x"
    )
    advice = advise(walk, {}, languages=["javascript"], metadata=certain)
    assert advice.params.scopes == ("openid", "profile", "offline_access")


def test_a_provider_need_the_samples_already_meet_is_not_a_note(
    shipped_tree: Tree, stub: MetadataStub
) -> None:
    # django-oauth-toolkit wants code_challenge_method=S256, which every authorization code
    # sample sends; its resource parameter is what the client credentials samples send.
    issuer, _ = serve(stub, "dot")
    dot = discover(issuer, timeout=2)
    web = advise(session(shipped_tree, "web_server_code"), {}, languages=["python"], metadata=dot)
    assert "code_challenge_method" in web.samples["python"].code
    assert not any("code_challenge_method" in a for a in notes(web)), notes(web)
    m2m = advise(session(shipped_tree, "m2m_client_secret"), {}, languages=["python"], metadata=dot)
    assert any(
        a.startswith("pass --audience: if this is django-oauth-toolkit (DOT), it takes the target")
        and "which the samples send from --audience" in a
        for a in notes(m2m)
    ), notes(m2m)
    given = advise(
        session(shipped_tree, "m2m_client_secret"),
        {"audience": "https://api.example.org"},
        languages=["python"],
        metadata=dot,
    )
    assert not any("--audience" in a for a in notes(given))


def test_provider_notes_only_where_they_apply(shipped_tree: Tree) -> None:
    gitlab = real("gitlab")  # refreshing sends redirect_uri again, in GitLab's examples

    def provider_notes(outcome: str, metadata: ServerMetadata) -> list[str]:
        advice = advise(session(shipped_tree, outcome), {}, languages=["python"], metadata=metadata)
        return [a for a in notes(advice) if a.startswith("not in the samples")]

    refresh = provider_notes("offline_access", gitlab)  # the refresh token outcome
    assert any("redirect_uri=<same redirect_uri> on the token request" in a for a in refresh)
    assert not any("redirect_uri" in a for a in provider_notes("web_server_code", gitlab))  # sent
    tv = provider_notes("device_code_tv", gitlab)
    assert not any("redirect_uri" in a for a in tv)  # no redirect
    entra = real("entra")  # On-Behalf-Of: the jwt-bearer grant with requested_token_use
    jwt = provider_notes("jwt_bearer", entra)
    assert not any("uses grant_type=" in a for a in jwt)  # the jwt-bearer sample sends it
    assert any("requested_token_use=on_behalf_of on the token request" in a for a in jwt)
    exchange = provider_notes("token_exchange", entra)
    assert any(
        "uses grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer" in a
        and "the samples send urn:ietf:params:oauth:grant-type:token-exchange" in a
        for a in exchange
    )
