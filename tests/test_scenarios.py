"""The specification: realistic situations, the answers a developer would give, and the advice.

Each row is one situation as a developer would describe it (its comment), the kind of issue 13
it exercises (0: a textbook case the tree always got right; 1-11: the kinds of the issue, see
``KINDS``), the full path of answers through the shipped tree, the outcome and grant it must end
at, and a few lowercase phrases that must appear in the advice (everything the outcome says,
the notes gathered on the way, the companions and the reference labels), so a row fails if the
advice loses the point that matters for that situation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

import pytest

from advisor.core.vocabulary import COMPANION_FLOWS
from advisor.session import Session
from advisor.tree.loader import load_tree
from advisor.tree.models import Outcome, Question, Tree

if TYPE_CHECKING:
    from _pytest.mark.structures import ParameterSet

KINDS: dict[int, str] = {
    0: "textbook case",
    1: "work for one person while they are away",
    2: "building the API side",
    3: "client types the first question had no place for",
    4: "whose authority: another user, a whole tenant, a service-account key",
    5: "the two shapes of workload identity federation",
    6: "mixed environments (laptop and SSH)",
    7: "sensitivity and scope beyond the web branch",
    8: "refresh tokens as a companion of the grant",
    9: "the provider lacks the grant",
    10: "wording that excludes (the password or implicit grant in use or considered)",
    11: "the standards moved (RFC 10017, RFC 10027, RFC 10070)",
}

PRESENT = {"situation": "person_present"}
WEB = {**PRESENT, "client_location": "web_server"}
SPA = {**PRESENT, "client_location": "spa"}
NATIVE = {**PRESENT, "client_location": "native"}
CLI = {**PRESENT, "client_location": "cli"}
AWAY = {"situation": "person_away"}
M2M = {"situation": "own_service", "workload_platform": "no_platform_identity"}
FEDERATED = {"situation": "own_service", "workload_platform": "platform_identity"}
HELD = {"situation": "hold_token"}
PASSWORD = {"situation": "legacy", "legacy_which": "password"}


def row(
    kind: int,
    row_id: str,
    answers: Mapping[str, str],
    outcome: str,
    grant: str,
    must: tuple[str, ...] = (),
    instead_of: str | None = None,
) -> ParameterSet:
    return pytest.param(kind, dict(answers), outcome, grant, must, instead_of, id=row_id)


# A table: one row per situation, kept compact on purpose.
# fmt: off
SCENARIOS = [
    # --- server-rendered web apps -----------------------------------------------------------
    # Django intranet app, nothing sensitive
    row(0, "django-intranet", {**WEB, "web_sensitivity": "one_api"}, "web_server_code",
        "authorization_code", ("pkce", "s256", "exact string match")),
    # Rails SaaS dashboard; the team does not know whether its data counts as regulated
    row(0, "rails-saas-unsure", {**WEB, "web_sensitivity": "unsure"}, "web_server_code",
        "authorization_code", ("fapi", "private_key_jwt")),
    # Express server-rendered shop that checks iss because it offers several social logins
    row(0, "express-multi-idp", {**WEB, "web_sensitivity": "one_api"}, "web_server_code",
        "authorization_code", ("iss parameter", "rfc 9207")),
    # Open Banking account aggregator (UK / Brazil style ecosystem)
    row(0, "open-banking-aggregator", {**WEB, "web_sensitivity": "regulated"},
        "high_assurance_web", "authorization_code",
        ("pushed authorization request", "dpop", "s256")),
    # Patient portal reading health records, regulator asks for FAPI 2.0
    row(11, "ehealth-portal-fapi", {**WEB, "web_sensitivity": "regulated"}, "high_assurance_web",
        "authorization_code", ("private_key_jwt", "iss parameter", "as a single string",
                               "never the token endpoint url")),
    # Payment initiation web app at a fintech
    row(0, "payment-initiation", {**WEB, "web_sensitivity": "regulated"}, "high_assurance_web",
        "authorization_code", ("sender-constrained", "request_uri")),
    # Marketing dashboard pulling from Google Analytics, HubSpot and Stripe
    row(7, "dashboard-three-saas-apis", {**WEB, "web_sensitivity": "several_apis"},
        "web_server_code", "authorization_code",
        ("one access token per api", "resource parameter", "rfc 8707 §2")),
    # --- single-page apps ---------------------------------------------------------------------
    # React admin UI served by its own Express API on the same domain, Okta login on the server
    row(11, "react-same-domain-own-api", {**SPA, "spa_backend": "own_api_same_site"},
        "no_oauth_session", "none", ("cookie", "httponly", "csrf", "__host-http-")),
    # Vue app calling the GitHub API, with a small Node server next to it
    row(0, "vue-github-with-node-server", {**SPA, "spa_backend": "has_backend",
        "bff_sensitivity": "one_api"}, "spa_bff", "authorization_code", ("httponly", "allowlist")),
    # Angular app behind an ASP.NET Core backend, calling Microsoft Graph
    row(11, "angular-dotnet-bff-graph", {**SPA, "spa_backend": "has_backend",
        "bff_sensitivity": "one_api"}, "spa_bff", "authorization_code",
        ("confidential", "never return them to the browser", "rfc 10017", "§6.1.3.2")),
    # Next.js frontend with an API route, calling Salesforce and Slack for the user
    row(7, "next-bff-salesforce-and-slack", {**SPA, "spa_backend": "has_backend",
        "bff_sensitivity": "several_apis"}, "spa_bff", "authorization_code",
        ("one access token per api", "only the token for that api")),
    # Internal SPA with a Spring Boot backend, nobody knows whether the data is "personal"
    row(0, "spa-bff-unsure-data", {**SPA, "spa_backend": "has_backend",
        "bff_sensitivity": "unsure"}, "spa_bff", "authorization_code", ("fapi", "session cookie")),
    # Static hobby site on GitHub Pages calling a public API
    row(0, "static-github-pages-spa", {**SPA, "spa_backend": "browser_only",
        "static_spa_sensitivity": "one_api"}, "spa_browser_pkce", "authorization_code",
        ("pkce", "localstorage")),
    # Svelte app on a CDN that wants to keep users signed in
    row(8, "svelte-cdn-refresh", {**SPA, "spa_backend": "browser_only",
        "static_spa_sensitivity": "one_api"}, "spa_browser_pkce", "authorization_code",
        ("rotated on every use", "never extended by rotation", "rfc 10017 §6.3.2.3")),
    # Static SPA on S3 that reads both Spotify and YouTube
    row(7, "static-spa-two-music-apis", {**SPA, "spa_backend": "browser_only",
        "static_spa_sensitivity": "several_apis"}, "spa_browser_pkce", "authorization_code",
        ("one access token per api",)),
    # Volunteer-run static site; unsure whether donor data counts as sensitive
    row(7, "static-spa-unsure-donor-data", {**SPA, "spa_backend": "browser_only",
        "static_spa_sensitivity": "unsure"}, "spa_browser_pkce", "authorization_code",
        ("rfc 10017 §6.3.4.3", "backend-for-frontend")),
    # --- native apps --------------------------------------------------------------------------
    # iOS fitness tracker app
    row(0, "ios-fitness-app", {**NATIVE, "native_platform": "mobile", "native_needs": "neither"},
        "native_app", "authorization_code", ("universal links", "web view")),
    # Android companion app for a smart lock, written in Kotlin
    row(0, "android-kotlin-app", {**NATIVE, "native_platform": "mobile", "native_needs": "neither"},
        "native_app", "authorization_code", ("app links", "custom tabs", "s256")),
    # Electron desktop note-taking app
    row(0, "electron-desktop", {**NATIVE, "native_platform": "desktop", "native_needs": "neither"},
        "native_app", "authorization_code", ("127.0.0.1", "localhost")),
    # macOS menu-bar utility shipped as a signed binary
    row(8, "macos-menubar", {**NATIVE, "native_platform": "desktop", "native_needs": "neither"},
        "native_app", "authorization_code", ("embed no client secret", "keychain", "rotated")),
    # Flutter app shipped to iOS, Android and Windows
    row(0, "flutter-everywhere", {**NATIVE, "native_platform": "both", "native_needs": "neither"},
        "native_app", "authorization_code", ("reverse-domain", "127.0.0.1")),
    # Windows desktop app that reads from both Jira and Confluence
    row(7, "wpf-app-jira-and-confluence", {**NATIVE, "native_platform": "desktop",
        "native_needs": "several_apis"}, "native_app", "authorization_code",
        ("one access token per api", "127.0.0.1")),
    # --- command-line tools -------------------------------------------------------------------
    # A `gh`-style CLI used on developers' laptops
    row(0, "cli-on-laptop", {**CLI, "cli_where": "laptop"}, "cli_loopback", "authorization_code",
        ("127.0.0.1", "s256", "0.0.0.0", "credential store", "rfc 10027 §5")),
    # Admin CLI run on headless Linux servers by an operator; the IdP is Keycloak
    row(0, "cli-headless-server", {**CLI, "cli_where": "headless", "headless_device_grant": "yes"},
        "device_code_headless", "device_code", ("slow_down", "interval", "0600")),
    # Raspberry Pi maintenance tool used over SSH only
    row(0, "raspberry-pi-ssh-tool", {**CLI, "cli_where": "headless",
        "headless_device_grant": "yes"}, "device_code_headless", "device_code",
        ("device_code", "which machine")),
    # --- TVs and input-constrained devices ----------------------------------------------------
    # Smart-TV streaming app
    row(0, "smart-tv-streaming", {**PRESENT, "client_location": "tv", "tv_device_grant": "yes"},
        "device_code_tv", "device_code", ("user code", "approval page")),
    # Games console app that also shows a QR code to scan
    row(0, "console-qr-code", {**PRESENT, "client_location": "tv", "tv_device_grant": "yes"},
        "device_code_tv", "device_code", ("verification_uri_complete", "qr")),
    # Office printer with a small display that sends scans to the user's cloud drive
    row(11, "printer-cloud-drive", {**PRESENT, "client_location": "tv", "tv_device_grant": "yes"},
        "device_code_tv", "device_code", ("short-lived", "interval", "rfc 10027 §6.1.1")),
    # --- decoupled approval -------------------------------------------------------------------
    # Bank call centre: agent starts a transfer, customer confirms in the banking app
    row(0, "call-centre-transfer", {**PRESENT, "client_location": "decoupled",
        "ciba_user_known": "known"}, "ciba", "ciba", ("binding_message",)),
    # Point-of-sale terminal, loyalty member identified by phone number
    row(0, "pos-known-member", {**PRESENT, "client_location": "decoupled",
        "ciba_user_known": "known"}, "ciba", "ciba", ("login_hint", "rate-limit")),
    # Kiosk where an anonymous customer scans a QR code to approve
    row(11, "kiosk-anonymous-qr", {**PRESENT, "client_location": "decoupled",
        "ciba_user_known": "anonymous"}, "device_code_tv", "device_code",
        ("qr code", "ciba", "rfc 10027 §6.2.2.5")),
    # --- machine to machine -------------------------------------------------------------------
    # On-premises billing daemon with its own key pair
    row(11, "onprem-daemon-key", {**M2M, "m2m_credential": "private_key"}, "m2m_private_key_jwt",
        "client_credentials", ("jti", "kms", "issuer identifier", "client-authentication+jwt",
                               "rfc 10070")),
    # Microservice in a service mesh with mTLS certificates from an internal CA
    row(0, "mesh-mtls-service", {**M2M, "m2m_credential": "client_certificate"}, "m2m_mtls",
        "client_credentials", ("certificate-bound",)),
    # Nightly export script to a SaaS that only issues client ID and secret
    row(0, "saas-secret-only-export", {**M2M, "m2m_credential": "shared_secret_only"},
        "m2m_client_secret", "client_credentials", ("secret manager", "form-url-encod")),
    # --- acting for a user downstream, holding assertions ---------------------------------------
    # Orders API calling the inventory API for the same user, same Keycloak realm
    row(0, "orders-calls-inventory", {**HELD, "held_credential": "incoming_user_token",
        "downstream_exchange": "same_domain"}, "token_exchange", "token_exchange",
        ("never forward", "audience")),
    # SaaS API calling a partner's API that trusts the partner's own authorization server
    row(0, "api-calls-partner-domain", {**HELD, "held_credential": "incoming_user_token",
        "downstream_exchange": "other_domain"}, "token_exchange", "token_exchange",
        ("rfc 7523", "never forward", "identity chaining")),
    # Intranet app bridging SAML single sign-on from ADFS to an OAuth-protected API
    row(11, "adfs-saml-bridge", {**HELD, "held_credential": "saml"}, "saml2_bearer",
        "saml2_bearer", ("audience", "base64url", "must not be used for client authentication")),
    # Partner integration that receives JWTs signed by the partner's identity provider
    row(0, "partner-signed-jwt", {**HELD, "held_credential": "jwt"}, "jwt_bearer", "jwt_bearer",
        ("jti", "aud")),
    # Service that holds an ID token from another system and wants an API token
    row(0, "holds-id-token", {**HELD, "held_credential": "other_token"}, "token_exchange",
        "token_exchange", ("subject_token_type",)),

    # --- 1: work for one person while they are away -------------------------------------------
    # "Nightly job that syncs each user's Google calendar into our scheduling SaaS"
    row(1, "nightly-google-calendar-sync", {**AWAY, "offline_style": "google_offline",
        "away_where": "our_servers"}, "offline_access", "authorization_code",
        ("access_type=offline", "prompt=consent", "encrypted", "client credentials")),
    # "Send reminder e-mails from each user's Outlook mailbox"
    row(1, "outlook-reminders-as-user", {**AWAY, "offline_style": "offline_scope",
        "away_where": "our_servers"}, "offline_access", "authorization_code",
        ("offline_access", "revoke", "rfc 7009", "openid connect core 1.0 §11")),
    # "Worker that processes files users drop into their Dropbox-like storage (Okta login)"
    row(1, "file-processing-worker-okta", {**AWAY, "offline_style": "offline_scope",
        "away_where": "our_servers"}, "offline_access", "authorization_code",
        ("invalid_grant", "okta wants it on the authorization request")),
    # "Background job on a Cognito user pool; refresh tokens just appear"
    row(8, "cognito-background-job", {**AWAY, "offline_style": "always_issued",
        "away_where": "our_servers"}, "offline_access", "authorization_code",
        ("cognito", "30 days", "never extended by rotation", "p90d")),
    # "Python script on my home server that reads my own Gmail every hour"
    row(1, "my-gmail-script", {**AWAY, "offline_style": "google_offline",
        "away_where": "my_script"}, "offline_script", "authorization_code",
        ("loopback", "access_type=offline", "0600")),
    # "Cron job on my laptop that exports my Outlook calendar to a file"
    row(1, "my-outlook-cron-script", {**AWAY, "offline_style": "offline_scope",
        "away_where": "my_script"}, "offline_script", "authorization_code",
        ("offline_access", "credential store", "client credentials would authenticate the script")),
    # "Script that uses one person's account at a provider I don't know well"
    row(1, "script-on-unknown-provider", {**AWAY, "offline_style": "other",
        "away_where": "my_script"}, "offline_script", "authorization_code",
        ("check-server", "invalid_grant")),
    # "Mobile app that syncs health data in the background overnight"
    row(1, "mobile-background-sync", {**AWAY, "offline_style": "offline_scope",
        "away_where": "their_app"}, "native_app", "authorization_code",
        ("secure storage", "background")),
    # "Nightly account sync under UK Open Banking for our budgeting app"
    row(7, "open-banking-nightly-sync", {**AWAY, "offline_style": "offline_scope",
        "away_where": "regulated_servers"}, "high_assurance_web", "authorization_code",
        ("fapi client", "sender-constrained", "extraordinary circumstances")),
    # "GitHub Actions job that posts to my personal Mastodon account"
    row(1, "ci-job-on-my-account", {**CLI, "cli_where": "ci_for_person",
        "offline_style": "offline_scope", "away_where": "my_script"}, "offline_script",
        "authorization_code", ("offline_access", "crontab")),
    # "Not sure: our CRM sync copies each salesperson's contacts at night"
    row(1, "unsure-crm-contact-sync", {"situation": "not_sure", "unsure_who": "no_their_data",
        "offline_style": "offline_scope", "away_where": "our_servers"}, "offline_access",
        "authorization_code", ("offline_access", "background")),
    # "HR tool for every employee, but the customer's IdP has no admin consent"
    row(4, "hr-tool-each-person-connects", {"situation": "whole_tenant",
        "tenant_mechanism": "per_user", "offline_style": "offline_scope",
        "away_where": "our_servers"}, "offline_access", "authorization_code",
        ("offline_access", "admin-approved access")),

    # --- 2: building the API side -------------------------------------------------------------
    # "Our MCP server exposes our CRM to Claude"
    row(2, "mcp-server-crm-for-claude", {"situation": "build_api", "api_callers": "mcp_clients"},
        "mcp_server", "authorization_code",
        ("/.well-known/oauth-protected-resource", "resource_metadata", "audience",
         "client id metadata documents", "rfc 9728 §5.1")),
    # "MCP server for our internal docs, used from IDE agents"
    row(2, "mcp-server-for-ide-agents", {"situation": "build_api", "api_callers": "mcp_clients"},
        "mcp_server", "authorization_code",
        ("token passthrough", "code_challenge_methods_supported", "dynamic client registration")),
    # "MCP server that wraps the GitHub API for the user"
    row(2, "mcp-server-wrapping-github", {"situation": "build_api", "api_callers": "mcp_clients"},
        "mcp_server", "authorization_code", ("never pass the client's token", "token exchange",
                                             "rfc 8707")),
    # "Alexa skill that links the user's account on our smart-home platform"
    row(2, "alexa-skill-account-linking", {"situation": "build_api",
        "api_callers": "platform_linking"}, "resource_server", "authorization_code",
        ("account linking", "exact redirect uris", "refresh token", "unlink")),
    # "Zapier integration for our invoicing SaaS"
    row(2, "zapier-integration", {"situation": "build_api", "api_callers": "platform_linking"},
        "resource_server", "authorization_code", ("consent page", "rfc 7009")),
    # "Public REST API for our partners' integrations"
    row(2, "public-partner-api", {"situation": "build_api", "api_callers": "partners"},
        "resource_server", "authorization_code",
        ("protected resource metadata", "client credentials", "one client id shared")),
    # "Our API behind our own web and mobile apps"
    row(2, "first-party-api", {"situation": "build_api", "api_callers": "own_clients"},
        "resource_server", "authorization_code", ("audience", "walk the tree again")),
    # "Not sure: my service only receives tokens from AI agents"
    row(2, "unsure-receives-agent-tokens", {"situation": "not_sure", "unsure_who": "no_calls",
        "api_callers": "mcp_clients"}, "mcp_server", "authorization_code", ("rfc 8707",)),

    # --- 3: client types --------------------------------------------------------------------------
    # "Chrome extension that clips pages into our notes app"
    row(3, "chrome-extension-clipper", {**PRESENT, "client_location": "browser_extension"},
        "browser_extension", "authorization_code",
        ("launchwebauthflow", "chromiumapp.org", "pkce", "session cookie")),
    # "Firefox add-on that shows the user's open pull requests"
    row(3, "firefox-addon-pull-requests", {**PRESENT, "client_location": "browser_extension"},
        "browser_extension", "authorization_code", ("getredirecturl", "content script")),
    # "Our bank ships a banking app, a card app and an investment app; one login for all"
    row(3, "banking-app-family", {**NATIVE, "native_platform": "mobile",
        "native_needs": "app_family"}, "native_sso_family", "authorization_code",
        ("system browser", "native sso", "never copy")),
    # "Desktop office suite with separate word-processor and spreadsheet apps"
    row(3, "office-suite-desktop-family", {**NATIVE, "native_platform": "desktop",
        "native_needs": "app_family"}, "native_sso_family", "authorization_code",
        ("one client per app", "sign out everywhere")),
    # "Smart speaker we make; the owner links their music account from their phone"
    row(3, "smart-speaker-linking", {**PRESENT, "client_location": "screenless",
        "screenless_device_grant": "yes"}, "device_code_screenless", "device_code",
        ("rfc 8628 §5.7", "companion app")),
    # "IoT air-quality sensor that uploads to the owner's cloud account"
    row(3, "iot-sensor-setup", {**PRESENT, "client_location": "screenless",
        "screenless_device_grant": "yes"}, "device_code_screenless", "device_code",
        ("proximity", "no client secret in firmware")),
    # "Something else: a Django-like server app, but I wasn't sure it counts as a website"
    row(3, "elsewhere-server-side", {**PRESENT, "client_location": "elsewhere",
        "browser_here": "server_side", "web_sensitivity": "one_api"}, "web_server_code",
        "authorization_code", ("confidential",)),
    # "A Unity game launcher on the player's PC"
    row(3, "elsewhere-game-launcher", {**PRESENT, "client_location": "elsewhere",
        "browser_here": "own_device", "native_needs": "neither"}, "native_app",
        "authorization_code", ("system browser",)),
    # "Digital signage player; the owner approves from their phone"
    row(3, "elsewhere-signage-player", {**PRESENT, "client_location": "elsewhere",
        "browser_here": "other_device", "tv_device_grant": "yes"}, "device_code_tv",
        "device_code", ("user code",)),
    # "Not sure: a dashboard where someone is signed in and waiting"
    row(3, "unsure-present-dashboard", {"situation": "not_sure", "unsure_who": "yes_present",
        "client_location": "web_server", "web_sensitivity": "one_api"}, "web_server_code",
        "authorization_code", ("pkce",)),

    # --- 4: whose authority ---------------------------------------------------------------------
    # "Support agents must see what a customer sees, with an audit trail (Keycloak)"
    row(4, "support-impersonation-keycloak", {"situation": "another_user",
        "impersonation_exchange": "yes"}, "act_as_user", "token_exchange",
        ("act claim", "actor_token", "delegation", "rfc 8693 §4.1")),
    # "Admin 'log in as user' button in our SaaS back office"
    row(4, "admin-login-as-button", {"situation": "another_user", "impersonation_exchange": "yes"},
        "act_as_user", "token_exchange", ("may_act", "audit")),
    # "Support impersonation, but we are on Amazon Cognito"
    row(9, "support-impersonation-cognito", {"situation": "another_user",
        "impersonation_exchange": "no"}, "no_token_exchange", "client_credentials",
        ("audit log", "staff member")),
    # "Backup tool for every mailbox of a customer's Microsoft 365 tenant"
    row(4, "m365-backup-tool", {"situation": "whole_tenant", "tenant_mechanism": "app_permissions"},
        "tenant_admin_consent", "client_credentials", ("admin", "tenant-specific", "certificate")),
    # "Compliance scanner over every OneDrive in a customer's Entra tenant"
    row(4, "entra-compliance-scanner", {"situation": "whole_tenant",
        "tenant_mechanism": "app_permissions"}, "tenant_admin_consent", "client_credentials",
        (".default", "application permissions")),
    # "Archiver for every Gmail account of a Google Workspace domain"
    row(4, "workspace-dwd-archiver", {"situation": "whole_tenant",
        "tenant_mechanism": "domain_wide"}, "domain_wide_delegation", "jwt_bearer",
        ("sub", "rfc 7523 §2.1", "impersonation")),
    # "Nightly BigQuery export with a downloaded service-account JSON key"
    row(4, "bigquery-export-json-key", {**M2M, "m2m_credential": "service_account_key"},
        "service_account_key", "jwt_bearer",
        ("rfc 7523 §2.1", "not as private_key_jwt", "keyless")),
    # "Upload job to a Cloud Storage bucket, key file from the console"
    row(4, "gcs-uploader-key-file", {**M2M, "m2m_credential": "service_account_key"},
        "service_account_key", "jwt_bearer", ("assertion", "secret manager")),

    # --- 5: workload identity federation ------------------------------------------------------
    # Kubernetes CronJob with a projected service account token, Entra ID federated credential
    row(5, "k8s-cronjob-entra", {**FEDERATED, "federation_shape": "client_assertion"},
        "m2m_workload_identity", "client_credentials", ("client assertion", "audience")),
    # GitHub Actions deployment job using the runner's OIDC token
    row(5, "github-actions-deploy", {**FEDERATED, "federation_shape": "client_assertion"},
        "m2m_workload_identity", "client_credentials", ("repository and branch",)),
    # "GKE workload calling Google Cloud APIs through workload identity federation"
    row(5, "gke-to-google-sts", {**FEDERATED, "federation_shape": "sts_exchange"},
        "m2m_workload_sts", "token_exchange",
        ("subject_token", "urn:ietf:params:oauth:token-type:jwt", "security token service")),
    # "GitHub Actions workflow deploying to Google Cloud without a key"
    row(5, "github-actions-to-google-cloud", {**FEDERATED, "federation_shape": "sts_exchange"},
        "m2m_workload_sts", "token_exchange", ("exact issuer", "attribute conditions")),
    # "Our platform team says 'workload identity', nobody knows which kind"
    row(5, "federation-shape-unknown", {**FEDERATED, "federation_shape": "unknown"},
        "m2m_workload_identity", "client_credentials",
        ("token exchange at a security token service",)),
    # "CLI that deploys from CI as the pipeline itself"
    row(5, "cli-in-ci-as-itself", {**CLI, "cli_where": "ci_as_itself",
        "workload_platform": "platform_identity", "federation_shape": "client_assertion"},
        "m2m_workload_identity", "client_credentials", ("federation",)),

    # --- 6: mixed environments ------------------------------------------------------------------
    # kubectl plugin mostly used locally, sometimes over SSH into a bastion (Okta)
    row(6, "cli-sometimes-ssh", {**CLI, "cli_where": "mixed", "hybrid_device_grant": "yes"},
        "cli_hybrid", "authorization_code", ("--device", "fallback", "loopback", "user code")),
    # "Terraform-style CLI used on laptops and in Codespaces"
    row(6, "cli-laptops-and-codespaces", {**CLI, "cli_where": "mixed",
        "hybrid_device_grant": "yes"}, "cli_hybrid", "authorization_code",
        ("never switch to it silently", "slow_down", "public client flows")),
    # "Data-science CLI on laptops and JupyterHub, provider unknown"
    row(6, "cli-jupyterhub-provider-unknown", {**CLI, "cli_where": "mixed",
        "hybrid_device_grant": "unknown"}, "cli_hybrid", "authorization_code", ("check-server",)),
    # "CLI on laptops and SSH hosts; our Cognito pool has no device grant"
    row(6, "cli-ssh-cognito-no-device", {**CLI, "cli_where": "mixed", "hybrid_device_grant": "no"},
        "cli_loopback", "authorization_code", ("ssh -l", "paste back")),

    # --- 7: sensitivity beyond the web branch ----------------------------------------------------
    # "Mobile banking app of the bank that runs the API"
    row(7, "mobile-banking-app", {**NATIVE, "native_platform": "mobile",
        "native_needs": "regulated"}, "high_assurance_public_client", "authorization_code",
        ("dpop", "backend", "par", "confidential clients only")),
    # "Telehealth SPA on a CDN showing lab results"
    row(7, "telehealth-static-spa", {**SPA, "spa_backend": "browser_only",
        "static_spa_sensitivity": "regulated"}, "high_assurance_public_client",
        "authorization_code", ("non-extractable", "rfc 10017 §6.3.4.3")),
    # "Fintech React app with a Node backend initiating payments"
    row(7, "fintech-spa-with-backend", {**SPA, "spa_backend": "has_backend",
        "bff_sensitivity": "regulated"}, "high_assurance_web", "authorization_code",
        ("fapi client", "rfc 10017 §6.1.3.2", "pushed authorization request")),

    # --- 9: the provider lacks the grant ----------------------------------------------------------
    # "Smart-TV app; our Cognito user pool has no device grant"
    row(9, "tv-app-cognito-no-device", {**PRESENT, "client_location": "tv",
        "tv_device_grant": "no"}, "no_device_grant", "authorization_code",
        ("pairing", "short-lived", "never fall back")),
    # "Headless admin CLI; our IdP has no device code flow"
    row(9, "headless-cli-no-device", {**CLI, "cli_where": "headless",
        "headless_device_grant": "no"}, "no_device_grant", "authorization_code",
        ("paste back", "state")),
    # "Speaker without a screen; provider has no device grant"
    row(9, "speaker-no-device-grant", {**PRESENT, "client_location": "screenless",
        "screenless_device_grant": "no"}, "no_device_grant", "authorization_code",
        ("pairing code", "shows or speaks")),
    # "Headless CLI, provider's device support unknown"
    row(9, "headless-cli-device-unknown", {**CLI, "cli_where": "headless",
        "headless_device_grant": "unknown"}, "device_code_headless", "device_code",
        ("check-server",)),
    # "Streaming stick app, we haven't checked the IdP yet"
    row(9, "tv-device-grant-unknown", {**PRESENT, "client_location": "tv",
        "tv_device_grant": "unknown"}, "device_code_tv", "device_code", ("check-server",)),
    # "Wearable without a screen, IdP not chosen yet"
    row(9, "wearable-device-grant-unknown", {**PRESENT, "client_location": "screenless",
        "screenless_device_grant": "unknown"}, "device_code_screenless", "device_code",
        ("check-server",)),
    # "Our API must call the billing API for the user; Cognito has no token exchange"
    row(9, "downstream-without-token-exchange", {**HELD, "held_credential": "incoming_user_token",
        "downstream_exchange": "no_exchange"}, "no_token_exchange", "client_credentials",
        ("never forward", "trusted subsystem")),
    # "Our Entra-protected API calls Microsoft Graph for the user"
    row(9, "entra-api-calls-graph", {**HELD, "held_credential": "incoming_user_token",
        "downstream_exchange": "no_exchange"}, "no_token_exchange", "client_credentials",
        ("requested_token_use=on_behalf_of",)),
    # "Nightly job that labels issues in our GitHub org"
    row(9, "github-issue-labeller", {**M2M, "m2m_credential": "no_client_credentials"},
        "no_client_credentials", "authorization_code", ("github app", "dedicated account")),
    # "GitLab CI job that comments on merge requests"
    row(9, "gitlab-bot-comments", {**M2M, "m2m_credential": "no_client_credentials"},
        "no_client_credentials", "authorization_code", ("project or group access tokens",)),
    # "Not sure: a cron job using data of our own service, with a client secret"
    row(0, "unsure-own-data-cron", {"situation": "not_sure", "unsure_who": "no_own_data",
        "workload_platform": "no_platform_identity", "m2m_credential": "shared_secret_only"},
        "m2m_client_secret", "client_credentials", ("secret manager",)),

    # --- 10: the password and implicit grants, whether in use or considered -----------------------
    # Mobile team wants a native username/password screen with the password grant
    row(10, "password-grant-own-login-form", {**PASSWORD, "password_situation": "own_login_form"},
        "instead_of_password", "authorization_code", ("pkce", "never send username"),
        instead_of="password"),
    # "Our app has used the password grant in production since 2016"
    row(10, "password-grant-in-production-for-years", {**PASSWORD,
        "password_situation": "own_login_form"}, "instead_of_password", "authorization_code",
        ("beside it", "years of production use", "disable the password grant"),
        instead_of="password"),
    # QA team wants the password grant so end-to-end tests can log in
    row(10, "password-grant-e2e-tests", {**PASSWORD, "password_situation": "service_account"},
        "instead_of_password_machine", "client_credentials", ("browser automation",),
        instead_of="password"),
    # "Our nightly import logs in as svc-import with a password"
    row(10, "password-service-user-import", {**PASSWORD, "password_situation": "service_account"},
        "instead_of_password_machine", "client_credentials",
        ("service user", "has worked for years"), instead_of="password"),
    # "I thought of using my own password in the script that reads my mailbox"
    row(10, "password-script-my-mailbox", {**PASSWORD,
        "password_situation": "one_persons_account"}, "instead_of_password_offline",
        "authorization_code", ("offline_access", "delete the stored password"),
        instead_of="password"),
    # Set-top box vendor planning a password prompt on the TV
    row(10, "password-grant-tv-prompt", {**PASSWORD, "password_situation": "no_browser"},
        "instead_of_password_device", "device_code", ("user code",), instead_of="password"),
    # Old AngularJS app following a 2015 tutorial that uses the implicit flow
    row(10, "implicit-angularjs-tutorial", {"situation": "legacy", "legacy_which": "implicit"},
        "instead_of_implicit", "authorization_code", ("response_type=code", "backend for frontend"),
        instead_of="implicit"),
    # "Our SPA has used the implicit flow for years and works fine"
    row(10, "implicit-running-for-years", {"situation": "legacy", "legacy_which": "implicit"},
        "instead_of_implicit", "authorization_code",
        ("for years", "disable the implicit grant", "rfc 10017 §7.2"), instead_of="implicit"),
]
# fmt: on


@pytest.fixture(scope="module")
def tree() -> Tree:
    return load_tree(None)


def advice_text(session: Session) -> str:
    """Everything the outcome says, with the notes of the walk, its companions and the labels
    of its references, lowercased."""
    recommendation = session.recommendation()
    assert recommendation is not None
    outcome = recommendation.outcome
    parts = [outcome.title, outcome.summary, outcome.rationale, *outcome.security]
    parts += [f"{a.what}: {a.why}" for a in outcome.avoid]
    parts += [f"{a.title}: {a.when}" for a in outcome.alternatives]
    parts += [f"{c.companion.why} {c.summary}" for c in recommendation.companions]
    for ref in recommendation.references:  # "RFC 10027: Best Current..." -> "RFC 10027 §6.1.1"
        short = re.sub(r"\s*\(.*\)$", "", ref.title.split(":")[0])
        parts.append(f"{short} §{ref.section}: {ref.note or ''}" if ref.section else short)
    parts += session.notes
    return "\n".join(parts).lower()


@pytest.mark.parametrize(
    ("kind", "answers", "outcome_id", "grant", "must", "instead_of"), SCENARIOS
)
def test_scenario(
    tree: Tree,
    kind: int,
    answers: dict[str, str],
    outcome_id: str,
    grant: str,
    must: tuple[str, ...],
    instead_of: str | None,
) -> None:
    assert kind in KINDS
    session = Session.replay(tree, answers)
    assert session.outcome is not None, f"the walk stopped at {session.node.id!r}"
    assert session.outcome.id == outcome_id
    assert session.outcome.grant == grant
    assert session.outcome.instead_of == instead_of
    text = advice_text(session)
    missing = [phrase for phrase in must if phrase not in text]
    assert not missing, f"{outcome_id}: the advice does not mention {missing}"


def test_scenario_ids_are_unique() -> None:
    ids = [param.id for param in SCENARIOS]
    assert len(ids) == len(set(ids))


def test_at_least_80_scenarios() -> None:
    assert len(SCENARIOS) >= 80


def test_every_kind_of_issue_13_has_scenarios() -> None:
    counts = dict.fromkeys(KINDS, 0)
    for param in SCENARIOS:
        kind = param.values[0]
        assert isinstance(kind, int)
        counts[kind] += 1
    assert all(counts[kind] >= 2 for kind in KINDS if kind != 0), counts


def _rows() -> Iterator[tuple[dict[str, str], str]]:
    """The answers and expected outcome id of every scenario."""
    for param in SCENARIOS:
        answers, outcome_id = param.values[1], param.values[2]
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


def test_walks_are_short(tree: Tree) -> None:
    lengths = [len(path) for path, _ in _walks(tree)]
    assert max(lengths) <= 6
    assert tree.questions_left(tree.start) <= 6
    typical = sorted(lengths)[len(lengths) // 2]
    assert typical <= 4, f"the median walk asks {typical} questions"


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


def test_refresh_tokens_are_only_ever_a_companion(tree: Tree) -> None:
    for outcome in tree.outcomes:
        assert outcome.grant not in COMPANION_FLOWS, outcome.id
        assert all(a.flow not in COMPANION_FLOWS for a in outcome.alternatives), outcome.id
    with_refresh = [
        o for o in tree.outcomes if any(c.flow == "refresh_token" for c in o.companions)
    ]
    assert len(with_refresh) >= 10
    for outcome in with_refresh:
        companion = next(c for c in outcome.companions if c.flow == "refresh_token")
        if outcome.client_auth == ("none",):  # public clients: RFC 9700 §2.2.2
            assert companion.rotation == "required" or companion.sender_constrained, outcome.id


def test_anti_patterns_are_reached_only_by_asking_for_them(tree: Tree) -> None:
    for path, outcome in _walks(tree):
        asked = dict(path).get("legacy_which")
        if outcome.instead_of is not None:
            assert asked == outcome.instead_of, f"{outcome.id} reached by {path}"
        else:
            assert asked is None, f"{outcome.id} reached from the legacy question by {path}"


def test_high_assurance_relies_on_par_dpop_pkce_and_iss(tree: Tree) -> None:
    for outcome_id in ("high_assurance_web", "high_assurance_public_client"):
        outcome = tree.outcome(outcome_id)
        assert outcome is not None
        assert {"pkce_s256", "par", "dpop", "iss_parameter"} <= set(outcome.needs)
        assert "client_secret_basic" not in outcome.client_auth
        assert outcome.client_auth[0] == "private_key_jwt"


def test_public_clients_authenticate_with_none_and_never_a_secret(tree: Tree) -> None:
    public = (
        "spa_browser_pkce",
        "browser_extension",
        "native_app",
        "native_sso_family",
        "cli_loopback",
        "cli_hybrid",
        "offline_script",
        "device_code_tv",
        "device_code_headless",
        "device_code_screenless",
        "no_device_grant",
        "instead_of_implicit",
        "instead_of_password_offline",
    )
    for outcome_id in public:
        outcome = tree.outcome(outcome_id)
        assert outcome is not None
        assert outcome.client_auth == ("none",), outcome_id


def test_outcomes_without_a_sample_say_why(tree: Tree) -> None:
    """Resource-server outcomes have no client flow to run; they say so instead of faking one."""
    for outcome in tree.outcomes:
        if outcome.sample is None and outcome.grant != "none":
            assert "no runnable sample" in outcome.rationale.lower(), outcome.id
