"""Discovery (RFC 8414 / OpenID Connect Discovery) and the compatibility findings.

Unit tests on URLs and hand-written metadata documents, then discovery against a local stub
server (tests/support/metadata_stub.py) for every way it can fail, through the API and through the
command line (exit code 2, one stderr line, no traceback).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from advisor.advice import apply_metadata, tailored_params
from advisor.cli import main
from advisor.core.errors import DiscoveryError, ParameterError
from advisor.core.fields import is_loopback_host
from advisor.core.vocabulary import GRANT_TYPES
from advisor.exports.server import server_report_text
from advisor.samples.params import SampleParams
from advisor.server.fetch import discover, metadata_urls
from advisor.server.findings import check_flow, check_recommendation
from advisor.server.metadata import endpoint_url
from advisor.server.model import Finding, ServerMetadata
from advisor.server.report import check_server
from advisor.tree.models import Flow, Outcome, Tree
from support.metadata_stub import (
    WELL_KNOWN_OAUTH,
    WELL_KNOWN_OPENID,
    MetadataStub,
    capable_metadata,
)
from support.paths import SMALL_TREE
from support.processes import modules_loaded_by

ROOT = Path(__file__).resolve().parent.parent
ISSUER = "https://as.example.com"


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def make_outcome(
    flow: str, client_auth: tuple[str, ...] = (), needs: tuple[str, ...] = (), **extra: Any
) -> Outcome:
    return Outcome.model_validate(
        {
            "id": "o",
            "grant": flow,
            "title": "t",
            "summary": "s",
            "rationale": "r",
            "security": ["x"],
            "references": [{"source": "rfc9700"}],
            "client_auth": list(client_auth),
            "needs": list(needs),
            **extra,
        }
    )


def make_flow(flow_id: str) -> Flow:
    return Flow.model_validate(
        {
            "id": flow_id,
            "grant_type": GRANT_TYPES[flow_id],
            "name": flow_id.replace("_", " ").title(),
            "description": "d",
            "steps": ["s"],
            "defined_in": {"source": "rfc9700"},
        }
    )


def capable(**overrides: Any) -> dict[str, Any]:
    """A fully capable server's metadata (hand-written); ``None`` removes a field."""
    document: dict[str, Any] = {
        "issuer": ISSUER,
        "authorization_endpoint": f"{ISSUER}/authorize",
        "token_endpoint": f"{ISSUER}/token",
        "device_authorization_endpoint": f"{ISSUER}/device",
        "backchannel_authentication_endpoint": f"{ISSUER}/bc",
        "pushed_authorization_request_endpoint": f"{ISSUER}/par",
        **capable_metadata(),
    }
    document.update(overrides)
    return {k: v for k, v in document.items() if v is not None}


def check(
    flow: str,
    metadata: dict[str, Any],
    client_auth: tuple[str, ...] = (),
    needs: tuple[str, ...] = (),
) -> list[Finding]:
    return check_recommendation(make_outcome(flow, client_auth, needs), make_flow(flow), metadata)


def codes(findings: list[Finding]) -> dict[str, str]:
    return {f.code: f.severity for f in findings}


def shipped_tree_shape() -> Tree:
    """The shipped tree, shape-checked only (no template checks: unit tests need no files)."""
    return Tree.model_validate(yaml.safe_load((ROOT / "decision_tree.yaml").read_text()))


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def stub() -> Iterator[MetadataStub]:
    with MetadataStub() as server:
        yield server


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------------------------
# URLs
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issuer", "expected"),
    [
        (
            "https://as.example.com",
            [
                "https://as.example.com/.well-known/oauth-authorization-server",
                "https://as.example.com/.well-known/openid-configuration",
            ],
        ),
        (  # a terminating slash is removed before inserting or appending (RFC 8414 §3)
            "https://as.example.com/",
            [
                "https://as.example.com/.well-known/oauth-authorization-server",
                "https://as.example.com/.well-known/openid-configuration",
            ],
        ),
        (
            "https://as.example.com/tenant",
            [
                "https://as.example.com/.well-known/oauth-authorization-server/tenant",
                "https://as.example.com/tenant/.well-known/oauth-authorization-server",
                "https://as.example.com/tenant/.well-known/openid-configuration",
                "https://as.example.com/.well-known/openid-configuration/tenant",
            ],
        ),
        (
            "https://as.example.com/tenant/",
            [
                "https://as.example.com/.well-known/oauth-authorization-server/tenant",
                "https://as.example.com/tenant/.well-known/oauth-authorization-server",
                "https://as.example.com/tenant/.well-known/openid-configuration",
                "https://as.example.com/.well-known/openid-configuration/tenant",
            ],
        ),
        (
            "https://as.example.com:8443/realms/a/b",
            [
                "https://as.example.com:8443/.well-known/oauth-authorization-server/realms/a/b",
                "https://as.example.com:8443/realms/a/b/.well-known/oauth-authorization-server",
                "https://as.example.com:8443/realms/a/b/.well-known/openid-configuration",
                "https://as.example.com:8443/.well-known/openid-configuration/realms/a/b",
            ],
        ),
        (
            "http://127.0.0.1:9000",
            [
                "http://127.0.0.1:9000/.well-known/oauth-authorization-server",
                "http://127.0.0.1:9000/.well-known/openid-configuration",
            ],
        ),
    ],
    ids=["host", "host-slash", "path", "path-slash", "port-deep-path", "loopback-http"],
)
def test_metadata_urls(issuer: str, expected: list[str]) -> None:
    assert list(metadata_urls(issuer)) == expected


@pytest.mark.parametrize(
    ("issuer", "words"),
    [
        ("http://as.example.com", "plain http"),
        ("http://10.0.0.1", "plain http"),
        ("as.example.com", "absolute https URL"),
        ("/tenant", "absolute https URL"),
        ("ftp://as.example.com", "absolute https URL"),
        ("https://", "absolute https URL"),
        ("https://user:pw@as.example.com", "credentials"),
        ("https://as.example.com/?tenant=1", "query or fragment"),
        ("https://as.example.com/#x", "query or fragment"),
        ("https://as.example.com:99999", "not a valid URL"),
        ("https://as.example.com/a b", "spaces or control"),
        ("https://as.example.com/\x1b[31m", "spaces or control"),
    ],
)
def test_bad_issuers_are_parameter_errors(issuer: str, words: str) -> None:
    with pytest.raises(ParameterError, match=words) as info:
        metadata_urls(issuer)
    assert "\x1b" not in str(info.value)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("128.0.0.1", False),
        ("0.0.0.0", False),
        ("localhost.example.com", False),
        ("as.example.com", False),
        ("::2", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_loopback_issuers_may_use_http() -> None:
    for issuer in ("http://localhost:8080", "http://127.0.0.2/x", "http://[::1]:9000"):
        assert metadata_urls(issuer)


@pytest.mark.parametrize(
    ("url", "issuer", "usable"),
    [
        ("https://as.example.com/token", ISSUER, True),
        ("https://other.example.net/token", ISSUER, True),  # endpoints may live elsewhere
        ("http://as.example.com/token", ISSUER, False),
        ("http://127.0.0.1:9/token", ISSUER, False),  # https issuer: no http endpoints at all
        ("http://127.0.0.1:9/token", "http://127.0.0.1:9", True),
        ("http://evil.example/token", "http://127.0.0.1:9", False),
        ("https://u:p@as.example.com/token", ISSUER, False),
        ("https://as.example.com/token#x", ISSUER, False),
        ("/token", ISSUER, False),
        ("https://as.example.com/to ken", ISSUER, False),
        (42, ISSUER, False),
        (None, ISSUER, False),
    ],
)
def test_endpoint_url(url: object, issuer: str, usable: bool) -> None:
    assert (endpoint_url(url, issuer) is not None) is usable


# --------------------------------------------------------------------------------------------
# Filling sample parameters
# --------------------------------------------------------------------------------------------


def meta_of(document: dict[str, Any], url: str | None = None) -> ServerMetadata:
    return ServerMetadata(
        document["issuer"], document, url or document["issuer"] + WELL_KNOWN_OAUTH
    )


def test_apply_metadata_fills_endpoints_and_marks_them_discovered() -> None:
    params = SampleParams(issuer=ISSUER, token_endpoint="https://proxy.example.com/token")
    filled = apply_metadata(params, meta_of(capable()))
    assert filled.authorization_endpoint == f"{ISSUER}/authorize"
    assert filled.device_authorization_endpoint == f"{ISSUER}/device"
    assert filled.backchannel_authentication_endpoint == f"{ISSUER}/bc"
    assert filled.pushed_authorization_request_endpoint == f"{ISSUER}/par"
    # An endpoint the user gave wins over the metadata, and is not "discovered".
    assert filled.token_endpoint == "https://proxy.example.com/token"
    assert "token_endpoint" not in filled.discovered
    assert filled.discovered == {
        "authorization_endpoint",
        "device_authorization_endpoint",
        "backchannel_authentication_endpoint",
        "pushed_authorization_request_endpoint",
    }
    used = ("authorization_endpoint", "token_endpoint", "device_authorization_endpoint")
    assert not any("endpoint" in note.text for note in filled.assumptions(used))


def test_apply_metadata_skips_missing_and_unusable_endpoints() -> None:
    document = capable(device_authorization_endpoint=None, token_endpoint="http://as.example.com/t")
    filled = apply_metadata(SampleParams(issuer=ISSUER), meta_of(document))
    assert filled.device_authorization_endpoint is None
    assert filled.token_endpoint is None
    assert "token_endpoint" not in filled.discovered
    notes = filled.assumptions(("token_endpoint", "device_authorization_endpoint"))
    assert any("token_endpoint" in n.text and "derived" in n.text for n in notes)


def test_apply_metadata_uses_mtls_aliases_for_mtls_clients() -> None:
    document = capable(mtls_endpoint_aliases={"token_endpoint": "https://mtls.as.example.com/t"})
    meta = meta_of(document)
    plain = apply_metadata(SampleParams(issuer=ISSUER), meta)
    mtls = apply_metadata(SampleParams(issuer=ISSUER, client_auth="tls_client_auth"), meta)
    assert plain.token_endpoint == f"{ISSUER}/token"
    assert mtls.token_endpoint == "https://mtls.as.example.com/t"


def test_tailor_params_picks_the_client_auth_the_server_supports() -> None:
    outcome = make_outcome(
        "client_credentials",
        ("client_secret_basic", "client_secret_post"),
        sample={"template": "client_credentials", "languages": ["python"]},
    )
    only_post = meta_of(capable(token_endpoint_auth_methods_supported=["client_secret_post"]))

    def tailor(params: SampleParams, metadata: ServerMetadata) -> SampleParams:
        return tailored_params(params, "client_credentials", outcome.client_auth, metadata)

    assert tailor(SampleParams(issuer=ISSUER), only_post).client_auth == "client_secret_post"
    # The user's explicit choice is kept.
    chosen = SampleParams(issuer=ISSUER, client_auth="client_secret_basic")
    assert tailor(chosen, only_post).client_auth == "client_secret_basic"
    # Nothing usable: the outcome's first choice stays (and compat reports the error).
    none = meta_of(capable(token_endpoint_auth_methods_supported=["private_key_jwt"]))
    assert tailor(SampleParams(issuer=ISSUER), none).client_auth == "client_secret_basic"


# --------------------------------------------------------------------------------------------
# Compatibility findings on hand-written metadata
# --------------------------------------------------------------------------------------------


def test_fully_capable_server_has_no_findings_for_any_shipped_outcome() -> None:
    tree = shipped_tree_shape()
    for outcome in tree.outcomes:
        flow = tree.flow(outcome.grant) if outcome.grant != "none" else None
        findings = check_recommendation(outcome, flow, capable())
        # The only note a capable server earns: secret-only advice hears that keys work too.
        assert [f.code for f in findings if f.code != "stronger_client_auth_available"] == [], (
            outcome.id,
            findings,
        )


def test_outcome_without_flow_has_no_findings() -> None:
    assert check_recommendation(make_outcome("none"), None, {"issuer": ISSUER}) == []


@pytest.mark.parametrize(
    ("flow", "metadata", "client_auth", "needs", "expected"),
    [
        pytest.param(
            "client_credentials",
            capable(grant_types_supported=["authorization_code"]),
            (),
            (),
            {"grant_type_not_supported": "error"},
            id="grant-type-not-listed",
        ),
        pytest.param(
            "token_exchange",
            capable(grant_types_supported=None),
            (),
            (),
            {"grant_type_not_listed": "warning"},
            id="grant-types-absent-default",
        ),
        pytest.param(
            "authorization_code",
            capable(grant_types_supported=None),
            (),
            ("pkce_s256",),
            {},
            id="grant-types-absent-default-has-code",
        ),
        pytest.param(
            "device_code",
            capable(grant_types_supported=None),
            ("none",),
            (),
            {},  # the device endpoint implies the grant
            id="grant-types-absent-device-endpoint",
        ),
        pytest.param(
            "device_code",
            capable(device_authorization_endpoint=None),
            ("none",),
            (),
            # The grant is listed: supported; only where to send the request is unknown.
            {"device_endpoint_not_listed": "info"},
            id="no-device-endpoint",
        ),
        pytest.param(
            "ciba",
            capable(backchannel_authentication_endpoint=None),
            ("private_key_jwt", "client_secret_basic"),
            (),
            {"backchannel_endpoint_not_listed": "info"},
            id="no-ciba-endpoint",
        ),
        pytest.param(
            "ciba",
            capable(backchannel_token_delivery_modes_supported=["ping", "push"]),
            ("private_key_jwt", "client_secret_basic"),
            (),
            {"ciba_poll_mode_not_supported": "error"},
            id="ciba-no-poll",
        ),
        pytest.param(
            "ciba",
            capable(backchannel_token_delivery_modes_supported=None),
            ("private_key_jwt", "client_secret_basic"),
            (),
            {"ciba_poll_mode_unknown": "warning"},
            id="ciba-modes-absent",
        ),
        pytest.param(
            "authorization_code",
            capable(code_challenge_methods_supported=["plain"]),
            ("none",),
            ("pkce_s256",),
            {"pkce_s256_not_supported": "error"},
            id="pkce-plain-only",
        ),
        pytest.param(
            "authorization_code",
            capable(code_challenge_methods_supported=None),
            ("none",),
            ("pkce_s256",),
            {"pkce_support_unknown": "warning"},
            id="pkce-absent",
        ),
        pytest.param(
            "client_credentials",
            capable(token_endpoint_auth_methods_supported=["client_secret_basic"]),
            ("private_key_jwt",),
            (),
            {"client_auth_not_supported": "error"},
            id="client-auth-none-supported",
        ),
        pytest.param(
            "client_credentials",
            capable(token_endpoint_auth_methods_supported=None),
            ("private_key_jwt",),
            (),
            {"client_auth_not_listed": "warning"},
            id="client-auth-absent-default-basic",
        ),
        pytest.param(
            "client_credentials",
            capable(token_endpoint_auth_methods_supported=None),
            ("client_secret_basic", "client_secret_post"),
            (),
            {},
            id="client-auth-absent-basic-wanted",
        ),
        pytest.param(
            "authorization_code",
            capable(token_endpoint_auth_methods_supported=["client_secret_post"]),
            ("private_key_jwt", "client_secret_basic", "client_secret_post"),
            ("pkce_s256",),
            {"client_auth_fallback": "info"},
            id="client-auth-fallback",
        ),
        pytest.param(
            "client_credentials",
            capable(),
            ("client_secret_basic", "client_secret_post"),
            (),
            {"stronger_client_auth_available": "info"},
            id="stronger-client-auth",
        ),
        pytest.param(
            "authorization_code",
            capable(pushed_authorization_request_endpoint=None),
            ("private_key_jwt",),
            ("pkce_s256", "par"),
            {"par_not_listed": "warning"},
            id="par-missing",
        ),
        pytest.param(
            "authorization_code",
            capable(require_pushed_authorization_requests=True),
            ("none",),
            ("pkce_s256",),
            {"par_required": "warning"},
            id="par-required-not-used",
        ),
        pytest.param(
            "authorization_code",
            capable(dpop_signing_alg_values_supported=None),
            ("private_key_jwt",),
            ("pkce_s256", "dpop"),
            {"dpop_not_listed": "warning"},
            id="dpop-missing",
        ),
        pytest.param(
            "client_credentials",
            capable(tls_client_certificate_bound_access_tokens=False),
            ("tls_client_auth",),
            ("mtls_bound_tokens",),
            {"mtls_bound_tokens_not_supported": "error"},
            id="mtls-bound-tokens-missing",
        ),
        pytest.param(
            "authorization_code",
            capable(authorization_response_iss_parameter_supported=None),
            ("none",),
            ("pkce_s256",),
            {"iss_parameter_not_supported": "info"},
            id="iss-absent-not-needed",
        ),
        pytest.param(
            "authorization_code",
            capable(authorization_response_iss_parameter_supported=False),
            ("private_key_jwt",),
            ("pkce_s256", "iss_parameter"),
            {"iss_parameter_needed": "warning", "iss_parameter_not_supported": "info"},
            id="iss-false-needed",
        ),
        pytest.param(
            "refresh_token",
            capable(grant_types_supported=["authorization_code"]),
            ("private_key_jwt", "client_secret_basic"),
            ("pkce_s256", "refresh_tokens"),
            {"refresh_token_not_supported": "error"},
            id="refresh-not-supported",
        ),
        pytest.param(
            "refresh_token",
            capable(grant_types_supported=None),
            ("private_key_jwt", "client_secret_basic"),
            ("pkce_s256", "refresh_tokens"),
            {"refresh_token_not_listed": "warning"},
            id="refresh-grant-types-absent",
        ),
        pytest.param(
            "authorization_code",
            capable(response_types_supported=["id_token"]),
            ("none",),
            ("pkce_s256",),
            {"response_type_code_not_supported": "error"},
            id="no-code-response-type",
        ),
        pytest.param(
            "authorization_code",
            capable(authorization_endpoint=None),
            ("none",),
            ("pkce_s256",),
            {"no_authorization_endpoint": "error"},
            id="no-authorization-endpoint",
        ),
        pytest.param(
            "client_credentials",
            capable(token_endpoint="http://as.example.com/token"),
            ("client_secret_basic", "private_key_jwt"),
            (),
            {"no_token_endpoint": "error", "invalid_endpoint": "error"},
            id="http-token-endpoint",
        ),
        pytest.param(
            "client_credentials",
            capable(grant_types_supported="client_credentials"),
            ("private_key_jwt",),
            (),
            {"malformed_metadata": "warning", "grant_type_not_listed": "warning"},
            id="malformed-list",
        ),
    ],
)
def test_findings(
    flow: str,
    metadata: dict[str, Any],
    client_auth: tuple[str, ...],
    needs: tuple[str, ...],
    expected: dict[str, str],
) -> None:
    findings = check(flow, metadata, client_auth, needs)
    assert codes(findings) == expected
    for finding in findings:
        assert finding.message and "\n" not in finding.message


def test_findings_are_sorted_errors_first_and_frozen() -> None:
    metadata = capable(
        device_authorization_endpoint=None,
        grant_types_supported=None,
        token_endpoint_auth_methods_supported=["client_secret_post"],
    )
    findings = check("device_code", metadata, ("private_key_jwt",))
    severities = [f.severity for f in findings]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)
    assert codes(findings) == {
        "client_auth_not_supported": "error",
        "grant_type_not_listed": "warning",
        "device_endpoint_not_listed": "info",
    }
    with pytest.raises(AttributeError):
        findings[0].severity = "info"  # type: ignore[misc]


REFRESH_COMPANION = {
    "flow": "refresh_token",
    "why": "w",
    "rotation": "expected",
    "storage": "on the server",
}


@pytest.mark.parametrize(
    ("grant_types", "code"),
    [
        (["authorization_code"], {"refresh_token_not_supported": "error"}),
        (None, {"refresh_token_not_listed": "warning"}),
    ],
)
def test_a_refresh_token_companion_needs_the_refresh_grant(
    grant_types: list[str] | None, code: dict[str, str]
) -> None:
    """A refresh token comes with the grant; the server must still support refreshing."""
    outcome = make_outcome(
        "authorization_code", ("private_key_jwt",), ("pkce_s256",), companions=[REFRESH_COMPANION]
    )
    findings = check_recommendation(
        outcome, make_flow("authorization_code"), capable(grant_types_supported=grant_types)
    )
    assert codes(findings) == code
    alone = make_outcome("authorization_code", ("private_key_jwt",), ("pkce_s256",))
    metadata = capable(grant_types_supported=grant_types)
    assert not set(code) & set(
        codes(check_recommendation(alone, make_flow("authorization_code"), metadata))
    )


def test_plain_http_metadata_is_a_warning() -> None:
    document = capable(issuer="http://127.0.0.1:9", token_endpoint="http://127.0.0.1:9/token")
    meta = meta_of(document, "http://127.0.0.1:9/.well-known/openid-configuration")
    findings = check_recommendation(
        make_outcome("client_credentials", ("private_key_jwt",)),
        make_flow("client_credentials"),
        meta,
    )
    assert codes(findings) == {"plain_http": "warning"}


def test_hostile_metadata_values_are_escaped_in_messages() -> None:
    metadata = capable(grant_types_supported=["\x1b]52;c;ZXZpbA==\x07", "\u202eevil"])
    findings = check("client_credentials", metadata)
    message = findings[0].message
    assert "\x1b" not in message and "\u202e" not in message
    report = check_server(shipped_tree_shape(), metadata)
    text = server_report_text(report)
    assert "\x1b" not in text and "\u202e" not in text


def test_check_server_reports_features_and_each_flow() -> None:
    tree = shipped_tree_shape()
    report = check_server(tree, capable())
    statuses = {s.flow: s.status for s in report.flows}
    assert "implicit" not in statuses and "password" not in statuses
    assert set(statuses.values()) == {"supported"}, statuses
    features = report.features
    assert features["pkce_methods"] == ["S256"]
    assert features["par_endpoint"] == f"{ISSUER}/par"
    assert features["dpop_algorithms"] == ["ES256", "PS256"]
    assert features["mtls_bound_tokens"] is True
    assert features["iss_parameter"] is True
    assert "private_key_jwt" in features["token_endpoint_auth_methods"]
    json.dumps(report.as_dict())

    limited = check_server(
        tree,
        capable(
            device_authorization_endpoint=None,
            backchannel_authentication_endpoint=None,
            code_challenge_methods_supported=None,
            grant_types_supported=["authorization_code", "client_credentials", "refresh_token"],
        ),
    )
    by_flow = {s.flow: s for s in limited.flows}
    assert by_flow["device_code"].status == "unsupported"
    # The grant list leaves the device grant out: that is the error; the missing endpoint
    # adds nothing (it is optional metadata either way).
    assert codes(list(by_flow["device_code"].findings)) == {"grant_type_not_supported": "error"}
    assert by_flow["ciba"].status == "unsupported"
    assert by_flow["authorization_code"].status == "unknown"  # PKCE not advertised
    assert by_flow["client_credentials"].status == "supported"
    assert by_flow["token_exchange"].status == "unsupported"
    text = server_report_text(limited)
    assert "Features:" in text and "Flows:" in text
    assert "[no ] Device" in text
    assert "[grant_type_not_supported]" in text


def test_check_flow_without_server_level_findings() -> None:
    meta = meta_of(capable(issuer="http://127.0.0.1:9"), "http://127.0.0.1:9/x")
    assert check_flow("client_credentials", meta, server_level=False) == []
    assert codes(check_flow("client_credentials", meta)) == {"plain_http": "warning"}


# --------------------------------------------------------------------------------------------
# Discovery against the stub server
# --------------------------------------------------------------------------------------------


def test_discovers_openid_configuration_after_trying_rfc8414(stub: MetadataStub) -> None:
    stub.json(WELL_KNOWN_OPENID, stub.metadata())
    meta = discover(stub.issuer, timeout=2)
    assert meta.issuer == stub.issuer
    assert meta.url == stub.issuer + WELL_KNOWN_OPENID
    assert meta.document["token_endpoint"] == f"{stub.issuer}/token"
    assert meta.plain_http
    assert stub.paths() == [WELL_KNOWN_OAUTH, WELL_KNOWN_OPENID]


def test_issuer_with_path_tries_each_url_in_order(stub: MetadataStub) -> None:
    issuer = stub.issuer + "/tenant"
    stub.json(WELL_KNOWN_OPENID + "/tenant", stub.metadata(issuer=issuer))
    meta = discover(issuer, timeout=2)
    assert meta.url == stub.issuer + WELL_KNOWN_OPENID + "/tenant"
    assert stub.paths() == [
        WELL_KNOWN_OAUTH + "/tenant",
        "/tenant" + WELL_KNOWN_OAUTH,
        "/tenant" + WELL_KNOWN_OPENID,
        WELL_KNOWN_OPENID + "/tenant",
    ]


def test_an_unusable_first_url_falls_back(stub: MetadataStub) -> None:
    stub.route(
        WELL_KNOWN_OAUTH, body=b"<html>app shell</html>", headers={"Content-Type": "text/html"}
    )
    stub.json(WELL_KNOWN_OPENID, stub.metadata())
    assert discover(stub.issuer, timeout=2).url.endswith(WELL_KNOWN_OPENID)


def test_sends_no_cookies_or_credentials_and_follows_same_origin_redirects(
    stub: MetadataStub,
) -> None:
    stub.redirect(WELL_KNOWN_OAUTH, "/moved", **{"Set-Cookie": "session=abc; Path=/"})
    stub.json("/moved", stub.metadata())
    meta = discover(stub.issuer, timeout=2)
    assert meta.url == stub.issuer + "/moved"
    assert stub.paths() == [WELL_KNOWN_OAUTH, "/moved"]
    for request in stub.requests:
        assert "cookie" not in request.headers
        assert "authorization" not in request.headers
        assert request.headers["user-agent"].startswith("grant-advisor/")
        assert request.headers["accept"] == "application/json"


def test_environment_proxies_and_netrc_are_ignored(
    stub: MetadataStub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login user password secret\n")
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    stub.json(WELL_KNOWN_OAUTH, stub.metadata())
    discover(stub.issuer, timeout=2)
    assert "authorization" not in stub.requests[0].headers


# Each failure: what the stub does, and words the one-line message must contain.
def _wrong_issuer(stub: MetadataStub) -> str:
    stub.json(WELL_KNOWN_OAUTH, stub.metadata(issuer="https://evil.example.com"))
    return stub.issuer


def _trailing_slash_issuer(stub: MetadataStub) -> str:
    stub.json(WELL_KNOWN_OAUTH, stub.metadata(issuer=stub.issuer + "/"))
    return stub.issuer


def _no_issuer(stub: MetadataStub) -> str:
    stub.json(WELL_KNOWN_OAUTH, stub.metadata(issuer=None))
    return stub.issuer


def _timeout(stub: MetadataStub) -> str:
    stub.everywhere(delay=3.0, body=b"{}")
    return stub.issuer


def _slow_drip(stub: MetadataStub) -> str:
    stub.everywhere(stream_total=10_000, chunk_size=10, chunk_delay=0.1)
    return stub.issuer


def _huge_streamed(stub: MetadataStub) -> str:
    stub.everywhere(stream_total=256 * 1024 * 1024)
    return stub.issuer


def _huge_declared(stub: MetadataStub) -> str:
    stub.everywhere(stream_total=3 * 1024 * 1024, headers={"Content-Length": str(3 * 1024 * 1024)})
    return stub.issuer


def _not_json(stub: MetadataStub) -> str:
    stub.everywhere(body=b"<html>hello</html>", headers={"Content-Type": "text/html"})
    return stub.issuer


def _json_array(stub: MetadataStub) -> str:
    stub.everywhere(body=b'["issuer"]', headers={"Content-Type": "application/json"})
    return stub.issuer


def _not_found(stub: MetadataStub) -> str:
    return stub.issuer  # nothing configured: every path is 404


def _server_error(stub: MetadataStub) -> str:
    stub.everywhere(status=500, body=b"oops")
    return stub.issuer


def _redirect_loop(stub: MetadataStub) -> str:
    stub.redirect(WELL_KNOWN_OAUTH, "/a")
    stub.redirect("/a", "/b")
    stub.redirect("/b", WELL_KNOWN_OAUTH)
    return stub.issuer


def _too_many_redirects(stub: MetadataStub) -> str:
    stub.redirect(WELL_KNOWN_OAUTH, "/r1")
    for n in range(1, 6):
        stub.redirect(f"/r{n}", f"/r{n + 1}")
    return stub.issuer


def _off_host_redirect(stub: MetadataStub) -> str:
    # Same server, other host name: still another origin.
    stub.redirect(WELL_KNOWN_OAUTH, f"http://localhost:{stub.port}{WELL_KNOWN_OPENID}")
    stub.json(WELL_KNOWN_OPENID, stub.metadata())
    return stub.issuer


def _off_port_redirect(stub: MetadataStub) -> str:
    stub.redirect(WELL_KNOWN_OAUTH, f"http://127.0.0.1:{closed_port()}/x", status=307)
    return stub.issuer


def _connection_refused(stub: MetadataStub) -> str:
    return f"http://127.0.0.1:{closed_port()}"


def _tls_error(stub: MetadataStub) -> str:
    return f"https://127.0.0.1:{stub.port}"  # the stub speaks plain http


FAILURES = {
    "wrong-issuer": (_wrong_issuer, ["issuer mismatch", "'https://evil.example.com'", "RFC 8414"]),
    "issuer-trailing-slash": (_trailing_slash_issuer, ["issuer mismatch", "trailing slash"]),
    "no-issuer": (_no_issuer, ["has no issuer"]),
    "timeout": (_timeout, ["timed out"]),
    "slow-drip": (_slow_drip, ["timed out", "too long"]),
    "huge-streamed": (_huge_streamed, ["too big", "1 MiB", "stopped reading"]),
    "huge-declared": (_huge_declared, ["too big", "3 MiB"]),
    "not-json": (_not_json, ["no authorization server metadata", "not JSON"]),
    "json-array": (_json_array, ["JSON array, not an object"]),
    "404": (_not_found, ["no authorization server metadata", "HTTP 404", WELL_KNOWN_OPENID]),
    "500": (_server_error, ["HTTP 500"]),
    "redirect-loop": (_redirect_loop, ["redirect loop"]),
    "too-many-redirects": (_too_many_redirects, ["too many redirects"]),
    "off-host-redirect": (_off_host_redirect, ["another host", "refused"]),
    "off-port-redirect": (_off_port_redirect, ["another host", "refused"]),
    "connection-refused": (_connection_refused, ["connection refused"]),
    "tls-error": (_tls_error, ["TLS"]),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_discovery_failures(case: str, stub: MetadataStub) -> None:
    setup, words = FAILURES[case]
    issuer = setup(stub)
    started = time.monotonic()
    with pytest.raises(DiscoveryError) as info:
        discover(issuer, timeout=0.5, total_timeout=1.5)
    elapsed = time.monotonic() - started
    message = str(info.value)
    assert "\n" not in message
    for word in words:
        assert word in message, message
    assert elapsed < 3.0, f"{case} took {elapsed:.1f}s"


def test_oversized_body_stops_reading_early(stub: MetadataStub) -> None:
    total = 256 * 1024 * 1024
    stub.everywhere(stream_total=total)
    with pytest.raises(DiscoveryError, match="too big"):
        discover(stub.issuer, timeout=2, max_bytes=64 * 1024)
    assert stub.stream_done.wait(5)
    sent = max(stub.streamed.values())
    # The server got a broken pipe long before the end; only socket buffers filled up.
    assert sent < 32 * 1024 * 1024, sent
    assert stub.paths() == [WELL_KNOWN_OAUTH]  # too big is final: nothing else is tried


def test_dns_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    with pytest.raises(DiscoveryError, match=r"cannot resolve host 'as\.example\.invalid'"):
        discover("https://as.example.invalid", timeout=0.5)


# --------------------------------------------------------------------------------------------
# Through the command line
# --------------------------------------------------------------------------------------------

NEEDS_ISSUER = "--discover needs --issuer URL (the authorization server's issuer)"
SMALL_M2M = ["--tree", str(SMALL_TREE), "ask", "-a", "user_present=no"]
SHIPPED_M2M = [
    "ask", "-a", "situation=own_service", "-a", "workload_platform=no_platform_identity",
    "-a", "m2m_credential=shared_secret_only", "--lang", "python",
]  # fmt: skip


ANSWERED = {
    "wrong-issuer": "issuer_mismatch",
    "issuer-trailing-slash": "issuer_mismatch",
    "no-issuer": "issuer_mismatch",
    "not-json": "metadata_not_found",
    "json-array": "metadata_not_found",
    "404": "metadata_not_found",
    "500": "metadata_not_found",
}
"""Failures in which the server answered without usable metadata, with their finding code."""


def test_answered_failures_carry_their_code(stub: MetadataStub) -> None:
    for case, code in ANSWERED.items():
        with MetadataStub() as server:
            issuer = FAILURES[case][0](server)
            with pytest.raises(DiscoveryError) as info:
                discover(issuer, timeout=0.5, total_timeout=1.5)
        assert info.value.code == code, case
    for case in set(FAILURES) - set(ANSWERED):
        with MetadataStub() as server:
            issuer = FAILURES[case][0](server)
            with pytest.raises(DiscoveryError) as info:
                discover(issuer, timeout=0.5, total_timeout=1.5)
        assert info.value.code == "discovery_failed", case


@pytest.mark.parametrize("case", sorted(ANSWERED))
def test_cli_ask_reports_an_answered_failure_as_a_finding_and_exits_0(
    case: str,
    stub: MetadataStub,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    setup, words = FAILURES[case]
    issuer = setup(stub)
    monkeypatch.setattr("advisor.server.fetch.DEFAULT_TIMEOUT", 0.5)
    code, out, err = run_cli([*SHIPPED_M2M, "--issuer", issuer, "--discover", "-f", "json"], capsys)
    assert (code, err) == (0, "")
    data = json.loads(out)["recommendation"]
    assert data["server"] == {"issuer": issuer, "metadata_url": None, "metadata_kind": None}
    (finding,) = data["findings"]
    assert (finding["severity"], finding["code"]) == ("error", ANSWERED[case])
    for word in words:
        assert word in finding["message"]
    # The recommendation is all there; its samples use the endpoints derived from the issuer.
    assert data["flow"] == "client_credentials" and data["samples"]
    assert any("derived from the issuer" in a for a in data["assumptions"])
    # check-server says the same thing, as its one-line error (it has nothing to report).
    code, out, err = run_cli(["--tree", str(SMALL_TREE), "check-server", issuer], capsys)
    assert (code, out) == (2, "")
    assert err == f"grant-advisor: error: {finding['message']}\n"


@pytest.mark.parametrize("case", sorted(set(FAILURES) - set(ANSWERED)))
def test_cli_discovery_failures_exit_2_with_one_line(
    case: str,
    stub: MetadataStub,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    setup, words = FAILURES[case]
    issuer = setup(stub)
    # Keep the CLI fast: the same limits as the API test, through the defaults.
    monkeypatch.setattr("advisor.server.fetch.DEFAULT_TIMEOUT", 0.5)
    code, out, err = run_cli([*SMALL_M2M, "--issuer", issuer, "--discover"], capsys)
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("grant-advisor: error: ")
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0]


def test_cli_bad_issuer_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(
        [*SMALL_M2M, "--issuer", "http://as.example.com", "--discover"], capsys
    )
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "plain http" in err


def test_cli_discover_without_issuer_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli([*SMALL_M2M, "--discover"], capsys)
    assert (code, out) == (2, "")
    assert err == f"grant-advisor: error: {NEEDS_ISSUER}\n"


def test_cli_error_in_a_fresh_process_has_no_traceback(stub: MetadataStub) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "advisor", "--tree", str(SMALL_TREE), "check-server", stub.issuer],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert "HTTP 404" in result.stderr and "Traceback" not in result.stderr


def test_cli_ask_discover_reports_findings_in_every_format(
    stub: MetadataStub, capsys: pytest.CaptureFixture[str]
) -> None:
    # The small tree's device outcome, against a server without the device flow.
    grants = ["authorization_code", "client_credentials", "refresh_token"]
    stub.json(
        WELL_KNOWN_OAUTH,
        stub.metadata(device_authorization_endpoint=None, grant_types_supported=grants),
    )
    argv = [
        "--tree", str(SMALL_TREE), "ask", "-a", "user_present=yes", "-a", "has_browser=no_browser",
        "--issuer", stub.issuer, "--discover",
    ]  # fmt: skip
    code, out, _ = run_cli([*argv, "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)["recommendation"]
    assert data["server"] == {
        "issuer": stub.issuer,
        "metadata_url": stub.issuer + WELL_KNOWN_OAUTH,
        "metadata_kind": "oauth",
    }
    found = {f["code"]: f["severity"] for f in data["findings"]}
    assert found == {"grant_type_not_supported": "error", "plain_http": "warning"}
    assert all(set(f) == {"severity", "code", "message"} for f in data["findings"])

    code, out, _ = run_cli([*argv, "--format", "text"], capsys)
    assert code == 0
    section = out.split("Server compatibility: ", 1)[1].split("\n\n", 1)[0]
    assert section.startswith(stub.issuer)
    assert "- error: the server does not support" in section
    assert "[plain_http]" in section

    code, out, _ = run_cli([*argv, "--format", "markdown"], capsys)
    assert code == 0
    assert "## Server compatibility" in out
    assert "- **error** (`grant_type_not_supported`)" in out


def test_cli_ask_discover_with_no_findings_says_so(
    stub: MetadataStub, capsys: pytest.CaptureFixture[str]
) -> None:
    stub.json(WELL_KNOWN_OAUTH, stub.metadata())
    code, out, _ = run_cli([*SMALL_M2M, "--issuer", stub.issuer, "--discover"], capsys)
    assert code == 0
    assert "Server compatibility: " + stub.issuer in out
    assert "[plain_http]" in out  # the only finding: the stub is on plain http


def test_cli_ask_discover_stops_at_an_incomplete_walk(
    stub: MetadataStub, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(
        ["--tree", str(SMALL_TREE), "ask", "--issuer", stub.issuer, "--discover"], capsys
    )
    assert code == 0 and "Question 1" in out
    assert stub.requests == []  # nothing to check yet: nothing fetched


def test_cli_check_server(stub: MetadataStub, capsys: pytest.CaptureFixture[str]) -> None:
    grants = ["authorization_code", "client_credentials", "refresh_token"]
    stub.json(
        WELL_KNOWN_OAUTH,
        stub.metadata(device_authorization_endpoint=None, grant_types_supported=grants),
    )
    code, out, err = run_cli(["--tree", str(SMALL_TREE), "check-server", stub.issuer], capsys)
    assert (code, err) == (0, "")
    assert out.startswith(f"Authorization server {stub.issuer}\n")
    assert "[yes] Client Credentials" in out
    assert "[no ] Device Authorization" in out
    code, out, err = run_cli(
        ["check-server", stub.issuer, "--format", "json", "--tree", str(SMALL_TREE)], capsys
    )
    assert code == 0
    data = json.loads(out)
    assert data["issuer"] == stub.issuer
    assert {f["id"]: f["status"] for f in data["flows"]} == {
        "authorization_code": "supported",
        "device_code": "unsupported",
        "client_credentials": "supported",
    }
    assert data["findings"][0]["code"] == "plain_http"


def test_cli_check_server_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["check-server", "as.example.com"], capsys)
    assert code == 2 and err.count("\n") == 1 and "absolute https URL" in err
    code, _, err = run_cli(
        ["--tree", str(SMALL_TREE), "check-server", f"http://127.0.0.1:{closed_port()}"], capsys
    )
    assert code == 2 and err.count("\n") == 1 and "connection refused" in err


# --------------------------------------------------------------------------------------------
# Import boundaries
# --------------------------------------------------------------------------------------------


def test_ask_without_discover_does_not_import_httpx() -> None:
    argv = [*SMALL_M2M, "--issuer", "https://as.example.com", "--format", "json"]
    code, loaded = modules_loaded_by(argv)
    assert code == 0
    assert "httpx" not in loaded


def test_discovery_and_compat_modules_do_not_import_httpx_at_import_time() -> None:
    probe = (
        "import sys, advisor.server.fetch, advisor.server.findings; "
        "print(sorted(m for m in ('httpx', 'textual') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
