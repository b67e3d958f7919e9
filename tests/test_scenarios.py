"""The specification: realistic situations, the answers a developer would give, and the advice.

Each row is one situation (its comment says which), the full path of answers through the
shipped tree, the outcome and flow it must end at, and a few lowercase phrases that must
appear in the advice (summary, security checklist and the notes gathered on the way), so a
row fails if the advice loses the point that matters for that situation.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

import pytest

from advisor.session import Session
from advisor.tree.loader import load_tree
from advisor.tree.models import Outcome, Question, Tree

if TYPE_CHECKING:
    from _pytest.mark.structures import ParameterSet


def row(
    row_id: str,
    answers: Mapping[str, str],
    outcome: str,
    flow: str,
    must: tuple[str, ...] = (),
    instead_of: str | None = None,
) -> ParameterSet:
    return pytest.param(dict(answers), outcome, flow, must, instead_of, id=row_id)


# A table: one row per situation, kept compact on purpose.
# fmt: off
SCENARIOS = [
    # --- server-rendered web apps -----------------------------------------------------------
    # Django intranet app, nothing sensitive
    row("django-intranet", {"what_building": "web_server", "web_sensitive": "ordinary",
        "web_offline": "online_only"}, "web_server_code", "authorization_code",
        ("pkce", "s256", "exact string match")),
    # Rails SaaS dashboard; the team does not know whether its data counts as regulated
    row("rails-saas-unsure", {"what_building": "web_server", "web_sensitive": "unsure",
        "web_offline": "online_only"}, "web_server_code", "authorization_code",
        ("fapi", "private_key_jwt")),
    # Express server-rendered shop that checks iss because it offers several social logins
    row("express-multi-idp", {"what_building": "web_server", "web_sensitive": "ordinary",
        "web_offline": "online_only"}, "web_server_code", "authorization_code",
        ("iss parameter", "rfc 9207")),
    # Laravel app that syncs each user's calendar every night
    row("laravel-nightly-sync", {"what_building": "web_server", "web_sensitive": "ordinary",
        "web_offline": "offline"}, "offline_access", "authorization_code",
        ("rotat", "revoke", "offline_access")),
    # ASP.NET customer portal with "remember me for 30 days", unsure about regulation
    row("aspnet-remember-me", {"what_building": "web_server", "web_sensitive": "unsure",
        "web_offline": "offline"}, "offline_access", "authorization_code",
        ("encrypted", "fapi")),
    # Open Banking account aggregator (UK / Brazil style ecosystem)
    row("open-banking-aggregator", {"what_building": "web_server",
        "web_sensitive": "regulated"}, "high_assurance_web", "authorization_code",
        ("pushed authorization request", "dpop", "s256")),
    # Patient portal reading health records, regulator asks for FAPI 2.0
    row("ehealth-portal-fapi", {"what_building": "web_server", "web_sensitive": "regulated"},
        "high_assurance_web", "authorization_code", ("private_key_jwt", "iss parameter")),
    # Payment initiation web app at a fintech
    row("payment-initiation", {"what_building": "web_server", "web_sensitive": "regulated"},
        "high_assurance_web", "authorization_code", ("sender-constrained", "request_uri")),
    # --- single-page apps ---------------------------------------------------------------------
    # React admin UI served by its own Express API on the same domain, Okta login on the server
    row("react-same-domain-own-api", {"what_building": "spa",
        "spa_backend": "own_api_same_site"}, "no_oauth_session", "none",
        ("cookie", "httponly", "csrf")),
    # Vue app calling the GitHub API, with a small Node server next to it
    row("vue-github-with-node-server", {"what_building": "spa", "spa_backend": "has_backend"},
        "spa_bff", "authorization_code", ("httponly", "allowlist")),
    # Angular app behind an ASP.NET Core backend, calling Microsoft Graph
    row("angular-dotnet-bff-graph", {"what_building": "spa", "spa_backend": "has_backend"},
        "spa_bff", "authorization_code", ("confidential", "never return them to the browser")),
    # Static hobby site on GitHub Pages calling a public API
    row("static-github-pages-spa", {"what_building": "spa", "spa_backend": "browser_only"},
        "spa_browser_pkce", "authorization_code", ("pkce", "localstorage")),
    # Svelte app on a CDN that wants to keep users signed in
    row("svelte-cdn-refresh", {"what_building": "spa", "spa_backend": "browser_only"},
        "spa_browser_pkce", "authorization_code", ("rotate", "lifetime")),
    # --- native apps --------------------------------------------------------------------------
    # iOS fitness tracker app
    row("ios-fitness-app", {"what_building": "native", "native_platform": "mobile"},
        "native_app", "authorization_code", ("universal links", "web view")),
    # Android banking companion app written in Kotlin
    row("android-kotlin-app", {"what_building": "native", "native_platform": "mobile"},
        "native_app", "authorization_code", ("app links", "custom tabs", "s256")),
    # Electron desktop note-taking app
    row("electron-desktop", {"what_building": "native", "native_platform": "desktop"},
        "native_app", "authorization_code", ("127.0.0.1", "localhost")),
    # macOS menu-bar utility shipped as a signed binary
    row("macos-menubar", {"what_building": "native", "native_platform": "desktop"},
        "native_app", "authorization_code", ("embed no client secret", "keychain")),
    # Flutter app shipped to iOS, Android and Windows
    row("flutter-everywhere", {"what_building": "native", "native_platform": "both"},
        "native_app", "authorization_code", ("reverse-domain", "127.0.0.1")),
    # --- command-line tools -------------------------------------------------------------------
    # A `gh`-style CLI used on developers' laptops
    row("cli-on-laptop", {"what_building": "cli", "cli_browser": "yes_local_browser"},
        "cli_loopback", "authorization_code", ("127.0.0.1", "s256", "0.0.0.0")),
    # kubectl plugin mostly used locally, sometimes over SSH into a bastion
    row("cli-sometimes-ssh", {"what_building": "cli", "cli_browser": "sometimes_remote"},
        "cli_loopback", "authorization_code", ("--device", "fallback")),
    # Admin CLI run on headless Linux servers by an operator
    row("cli-headless-server", {"what_building": "cli", "cli_browser": "headless"},
        "device_code_headless", "device_code", ("slow_down", "interval")),
    # Raspberry Pi maintenance tool used over SSH only
    row("raspberry-pi-ssh-tool", {"what_building": "cli", "cli_browser": "headless"},
        "device_code_headless", "device_code", ("device_code", "which machine")),
    # --- TVs and input-constrained devices ----------------------------------------------------
    # Smart-TV streaming app
    row("smart-tv-streaming", {"what_building": "input_constrained"}, "device_code_tv",
        "device_code", ("user code", "approval page")),
    # Games console app that also shows a QR code to scan
    row("console-qr-code", {"what_building": "input_constrained"}, "device_code_tv",
        "device_code", ("verification_uri_complete", "qr")),
    # Office printer that sends scans to the user's cloud drive
    row("printer-cloud-drive", {"what_building": "input_constrained"}, "device_code_tv",
        "device_code", ("short-lived", "interval")),
    # --- decoupled approval -------------------------------------------------------------------
    # Bank call centre: agent starts a transfer, customer confirms in the banking app
    row("call-centre-transfer", {"what_building": "decoupled", "ciba_user_known": "known"},
        "ciba", "ciba", ("binding_message",)),
    # Point-of-sale terminal, loyalty member identified by phone number
    row("pos-known-member", {"what_building": "decoupled", "ciba_user_known": "known"},
        "ciba", "ciba", ("login_hint", "rate-limit")),
    # Kiosk where an anonymous customer scans a QR code to approve
    row("kiosk-anonymous-qr", {"what_building": "decoupled", "ciba_user_known": "anonymous"},
        "device_code_tv", "device_code", ("qr code", "ciba")),
    # --- machine to machine -------------------------------------------------------------------
    # Kubernetes CronJob with a projected service account token
    row("k8s-cronjob", {"what_building": "service_no_user",
        "workload_platform": "platform_identity"}, "m2m_workload_identity",
        "client_credentials", ("client assertion", "audience")),
    # GitHub Actions deployment job using the runner's OIDC token
    row("github-actions-deploy", {"what_building": "service_no_user",
        "workload_platform": "platform_identity"}, "m2m_workload_identity",
        "client_credentials", ("repository and branch",)),
    # On-premises billing daemon with its own key pair
    row("onprem-daemon-key", {"what_building": "service_no_user",
        "workload_platform": "no_platform_identity", "m2m_credential": "private_key"},
        "m2m_private_key_jwt", "client_credentials", ("jti", "kms")),
    # Microservice in a service mesh with mTLS certificates from an internal CA
    row("mesh-mtls-service", {"what_building": "service_no_user",
        "workload_platform": "no_platform_identity", "m2m_credential": "client_certificate"},
        "m2m_mtls", "client_credentials", ("certificate-bound",)),
    # Nightly export script to a SaaS that only issues client ID and secret
    row("saas-secret-only-export", {"what_building": "service_no_user",
        "workload_platform": "no_platform_identity", "m2m_credential": "shared_secret_only"},
        "m2m_client_secret", "client_credentials", ("secret manager", "form-url-encod")),
    # --- acting for a user downstream ---------------------------------------------------------
    # Orders API calling the inventory API for the same user, same Keycloak realm
    row("orders-calls-inventory", {"what_building": "service_with_user_token",
        "token_exchange_domain": "same_domain"}, "token_exchange", "token_exchange",
        ("never forward", "audience")),
    # SaaS API calling a partner's API that trusts the partner's own authorization server
    row("api-calls-partner-domain", {"what_building": "service_with_user_token",
        "token_exchange_domain": "other_domain"}, "token_exchange", "token_exchange",
        ("rfc 7523", "never forward")),
    # --- holding an assertion -----------------------------------------------------------------
    # Intranet app bridging SAML single sign-on from ADFS to an OAuth-protected API
    row("adfs-saml-bridge", {"what_building": "service_with_assertion",
        "assertion_format": "saml"}, "saml2_bearer", "saml2_bearer",
        ("audience", "base64url")),
    # Partner integration that receives JWTs signed by the partner's identity provider
    row("partner-signed-jwt", {"what_building": "service_with_assertion",
        "assertion_format": "jwt"}, "jwt_bearer", "jwt_bearer", ("jti", "aud")),
    # Service that holds an ID token from another system and wants an API token
    row("holds-id-token", {"what_building": "service_with_assertion",
        "assertion_format": "access_or_id_token"}, "token_exchange", "token_exchange",
        ("subject_token_type",)),
    # --- asked for an anti-pattern ------------------------------------------------------------
    # Mobile team wants a native username/password screen with the password grant
    row("password-grant-own-login-form", {"what_building": "legacy_flow",
        "legacy_which": "password", "password_situation": "own_login_form"},
        "instead_of_password", "authorization_code", ("pkce", "never send username"),
        instead_of="password"),
    # QA team wants the password grant so end-to-end tests can log in
    row("password-grant-e2e-tests", {"what_building": "legacy_flow",
        "legacy_which": "password", "password_situation": "automation"},
        "instead_of_password_machine", "client_credentials", ("browser automation",),
        instead_of="password"),
    # Set-top box vendor planning a password prompt on the TV
    row("password-grant-tv-prompt", {"what_building": "legacy_flow",
        "legacy_which": "password", "password_situation": "no_browser"},
        "instead_of_password_device", "device_code", ("user code",),
        instead_of="password"),
    # Old AngularJS app following a 2015 tutorial that uses the implicit flow
    row("implicit-angularjs-tutorial", {"what_building": "legacy_flow",
        "legacy_which": "implicit"}, "instead_of_implicit", "authorization_code",
        ("response_type=code", "backend for frontend"), instead_of="implicit"),
]
# fmt: on


@pytest.fixture(scope="module")
def tree() -> Tree:
    return load_tree(None)


def advice_text(session: Session) -> str:
    outcome = session.outcome
    assert outcome is not None
    return "\n".join((outcome.summary, *outcome.security, *session.notes)).lower()


@pytest.mark.parametrize(("answers", "outcome_id", "flow", "must", "instead_of"), SCENARIOS)
def test_scenario(
    tree: Tree,
    answers: dict[str, str],
    outcome_id: str,
    flow: str,
    must: tuple[str, ...],
    instead_of: str | None,
) -> None:
    session = Session.replay(tree, answers)
    assert session.outcome is not None, f"the walk stopped at {session.node.id!r}"
    assert session.outcome.id == outcome_id
    assert session.outcome.grant == flow
    assert session.outcome.instead_of == instead_of
    text = advice_text(session)
    missing = [phrase for phrase in must if phrase not in text]
    assert not missing, f"{outcome_id}: the advice does not mention {missing}"


def test_scenario_ids_are_unique() -> None:
    ids = [param.id for param in SCENARIOS]
    assert len(ids) == len(set(ids))


def test_at_least_35_scenarios() -> None:
    assert len(SCENARIOS) >= 35


def _rows() -> Iterator[tuple[dict[str, str], str]]:
    """The answers and expected outcome id of every scenario."""
    for param in SCENARIOS:
        answers, outcome_id = param.values[0], param.values[1]
        assert isinstance(answers, dict) and isinstance(outcome_id, str)
        yield answers, outcome_id


def test_every_outcome_has_a_scenario(tree: Tree) -> None:
    covered = {outcome_id for _, outcome_id in _rows()}
    assert covered == {outcome.id for outcome in tree.outcomes}


def test_every_choice_is_taken_by_some_scenario(tree: Tree) -> None:
    taken = {(q, c) for answers, _ in _rows() for q, c in answers.items()}
    offered = {(q.id, c.id) for q in tree.questions for c in q.choices}
    assert offered - taken == set()


def _walks(tree: Tree) -> Iterator[tuple[tuple[tuple[str, str], ...], Outcome]]:
    """Every path from the start to an outcome, as (question id, choice id) pairs."""

    def walk(
        question: Question, path: tuple[tuple[str, str], ...]
    ) -> Iterator[tuple[tuple[tuple[str, str], ...], Outcome]]:
        for choice in question.choices:
            step = (*path, (question.id, choice.id))
            node = tree.node(choice.next)
            if isinstance(node, Outcome):
                yield step, node
            else:
                assert isinstance(node, Question)
                yield from walk(node, step)

    start = tree.question(tree.start)
    assert start is not None
    yield from walk(start, ())


def test_password_and_implicit_are_never_recommended(tree: Tree) -> None:
    anti = {"password", "implicit"}
    for outcome in tree.outcomes:
        assert outcome.grant not in anti, f"{outcome.id} recommends {outcome.grant}"
        for alternative in outcome.alternatives:
            assert alternative.flow not in anti, f"{outcome.id} offers {alternative.flow}"
    for flow_id in anti:
        flow = tree.flow(flow_id)
        assert flow is not None and flow.anti_pattern, f"{flow_id} must be an anti-pattern"
    replaced = {outcome.instead_of for outcome in tree.outcomes if outcome.instead_of}
    assert replaced == anti, "both anti-patterns are explained by an instead_of outcome"


def test_anti_patterns_are_reached_only_by_asking_for_them(tree: Tree) -> None:
    for path, outcome in _walks(tree):
        asked = dict(path).get("legacy_which")
        if outcome.instead_of is not None:
            assert asked == outcome.instead_of, f"{outcome.id} reached by {path}"
        else:
            assert asked is None, f"{outcome.id} reached from the legacy question by {path}"


def test_high_assurance_relies_on_par_dpop_pkce_and_iss(tree: Tree) -> None:
    outcome = tree.outcome("high_assurance_web")
    assert outcome is not None
    assert {"pkce_s256", "par", "dpop", "iss_parameter"} <= set(outcome.needs)
    assert "client_secret_basic" not in outcome.client_auth
    assert outcome.client_auth[0] == "private_key_jwt"


def test_public_clients_authenticate_with_none_and_never_a_secret(tree: Tree) -> None:
    public = (
        "spa_browser_pkce",
        "native_app",
        "cli_loopback",
        "device_code_tv",
        "device_code_headless",
        "instead_of_implicit",
    )
    for outcome_id in public:
        outcome = tree.outcome(outcome_id)
        assert outcome is not None
        assert outcome.client_auth == ("none",), outcome_id
