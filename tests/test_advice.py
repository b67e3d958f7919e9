"""advisor.advice: the one pipeline from a walk (or a chosen sample) to the advice shown."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from advisor.advice import SECTIONS, SampleChoice, advise
from advisor.core.errors import ParameterError
from advisor.server.model import ServerMetadata
from advisor.session import Session
from advisor.tree.models import Tree
from support.walks import sessions_to_outcomes

M2M_SECRET = {
    "situation": "own_service",
    "workload_platform": "no_platform_identity",
    "m2m_credential": "shared_secret_only",
}
STATIC_SPA = {
    "situation": "person_present",
    "client_location": "spa",
    "spa_backend": "browser_only",
    "static_spa_sensitivity": "one_api",
}
ISSUER = "https://login.example.com"


def metadata(**fields: object) -> ServerMetadata:
    document = {
        "issuer": ISSUER,
        "token_endpoint": f"{ISSUER}/oauth/token",
        "grant_types_supported": ["client_credentials"],
        **fields,
    }
    return ServerMetadata(ISSUER, MappingProxyType(document), f"{ISSUER}/.well-known/x")


def test_sections_are_declared_once_in_order() -> None:
    ids = [s.id for s in SECTIONS]
    assert ids[0] == "summary" and ids[-1] == "samples"
    assert len(ids) == len(set(ids))


def test_an_incomplete_walk_has_no_recommendation_and_renders_nothing(
    shipped_tree: Tree,
) -> None:
    advice = advise(Session(shipped_tree), {"client_id": "x"})
    assert advice.recommendation is None
    assert advice.samples == {} and advice.assumptions == ()
    assert advice.parameters == {"client_id": "x"}


def test_languages_come_in_the_order_asked_and_missing_ones_are_said(
    shipped_tree: Tree,
) -> None:
    session = Session.replay(shipped_tree, M2M_SECRET)
    advice = advise(session, {}, languages=["python", "curl"])
    assert list(advice.samples) == ["python", "curl"]
    everything = advise(session, {})
    assert list(everything.samples) == list(session.outcome.sample.languages)  # type: ignore[union-attr]
    none = advise(session, {}, languages=["none"])
    assert none.samples == {} and none.recommendation is not None


def test_a_language_the_outcome_lacks_is_an_assumption_not_an_error(shipped_tree: Tree) -> None:
    session = Session.replay(shipped_tree, STATIC_SPA)
    advice = advise(session, {}, languages=["python", "javascript"])
    assert list(advice.samples) == ["javascript"]
    assert advice.assumptions[0].text.startswith("no python sample for this recommendation")


def test_strict_raises_and_lenient_records_the_problem(shipped_tree: Tree) -> None:
    session = Session.replay(
        shipped_tree,
        {"situation": "person_present", "client_location": "cli", "cli_where": "laptop"},
    )
    bad = {"redirect_uri": "http://localhost:8000/cb"}  # a loopback sample needs 127.0.0.1
    with pytest.raises(ParameterError, match="loopback redirect URI"):
        advise(session, bad)
    lenient = advise(session, bad, strict=False)
    assert lenient.samples == {}
    assert lenient.sample_error is not None and "loopback redirect URI" in lenient.sample_error


def test_discovery_tailors_endpoints_and_client_authentication(shipped_tree: Tree) -> None:
    session = Session.replay(shipped_tree, M2M_SECRET)
    meta = metadata(token_endpoint_auth_methods_supported=["client_secret_post"])
    advice = advise(session, {"issuer": ISSUER}, languages=["python"], metadata=meta)
    assert advice.params.client_auth == "client_secret_post"
    assert advice.params.token_endpoint == f"{ISSUER}/oauth/token"
    assert "token_endpoint" in advice.params.discovered
    assert f'"{ISSUER}/oauth/token"' in advice.samples["python"].code
    assert advice.compatibility is not None and advice.compatibility.issuer == ISSUER


def test_a_sample_chosen_directly_is_checked_like_a_recommendation() -> None:
    """``sample --discover`` checks client authentication, as ``ask --discover`` does."""
    meta = metadata(token_endpoint_auth_methods_supported=["private_key_jwt"])
    advice = advise(
        SampleChoice("client_credentials", "client_credentials"),
        {"issuer": ISSUER},
        languages=["curl"],
        metadata=meta,
    )
    assert advice.compatibility is not None
    codes = {f.code for f in advice.compatibility.findings}
    assert "client_auth_not_supported" in codes
    assert list(advice.samples) == ["curl"]


def test_advice_is_immutable(shipped_tree: Tree) -> None:
    advice = advise(Session.replay(shipped_tree, M2M_SECRET), {}, languages=["python"])
    with pytest.raises(AttributeError):
        advice.samples = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        advice.samples["curl"] = advice.samples["python"]  # type: ignore[index]


def _scope_line(code: str) -> str:
    """The python sample's ``SCOPE = ...`` line (its comments name offline_access anyway)."""
    return next(line for line in code.splitlines() if line.startswith("SCOPE = "))


def test_a_sample_asks_for_a_refresh_token_only_when_the_advice_comes_with_one(
    shipped_tree: Tree,
) -> None:
    """offline_access asks the user to consent to access while they are away: a sample whose
    advice says no refresh token is needed (a web app used while the person is there) does
    not request it by default; the advice with a refresh token companion does. A sample
    chosen directly keeps its template's default, and the user's own scopes are kept."""
    asked_for = {}
    tree = shipped_tree
    walks = sessions_to_outcomes(tree)
    for outcome_id, session in walks.items():
        recommendation = session.recommendation()
        assert recommendation is not None
        advice = advise(session, {}, languages=["python"], strict=False)
        if "python" not in advice.samples:
            continue
        with_refresh = any(c.companion.flow == "refresh_token" for c in recommendation.companions)
        requested = " ".join(advice.params.scopes)
        asked_for[outcome_id] = "offline_access" in _scope_line(advice.samples["python"].code)
        if not with_refresh:
            assert "offline_access" not in requested, outcome_id
            assert not asked_for[outcome_id], outcome_id
    assert asked_for["web_server_code"] is False  # the case that was wrong
    assert asked_for["native_app"] is True  # comes with a refresh token: asks for it
    web = walks["web_server_code"]
    own = advise(web, {"scopes": ("openid", "offline_access")}, languages=["python"])
    assert own.params.scopes == ("openid", "offline_access")
    direct = advise(
        SampleChoice("authorization_code_web", "authorization_code"), {}, languages=["python"]
    )
    assert "offline_access" in _scope_line(direct.samples["python"].code)


@pytest.mark.parametrize(
    "issuer",
    [
        "https://tenant.auth0.com/",
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0",
        "https://acme.okta.com",
    ],
)
def test_a_provider_that_needs_offline_access_for_refresh_tokens_adds_it_only_with_one(
    shipped_tree: Tree, issuer: str
) -> None:
    """After discovery, a provider documented to need offline_access for refresh tokens gets
    it added to the default scope: only when the advice comes with a refresh token."""
    document = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer.rstrip('/')}/authorize",
        "token_endpoint": f"{issuer.rstrip('/')}/oauth/token",
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
    }
    server = ServerMetadata(issuer, MappingProxyType(document), f"{issuer}/.well-known/x")
    walks = sessions_to_outcomes(shipped_tree)
    web = advise(walks["web_server_code"], {"issuer": issuer}, languages=["python"],
                 metadata=server, strict=False)  # fmt: skip
    native = advise(walks["native_app"], {"issuer": issuer}, languages=["python"],
                    metadata=server, strict=False)  # fmt: skip
    assert "offline_access" not in _scope_line(web.samples["python"].code)
    assert not any("offline_access" in a.text for a in web.assumptions)
    assert "offline_access" in _scope_line(native.samples["python"].code)
