"""``--discover`` and ``check-server`` against the real oidc-provider test server.

Discovery must find the provider's own endpoints; a sample rendered from the discovered
metadata must then get a token from it; and the provider profiles that lack a feature
(``no-device``, ``no-ciba``, ``plain-pkce``; see tests/oidc/server.mjs) must produce the
findings that say so. ``plain-pkce`` is TEST CODE in server.mjs rewriting the metadata (the
provider itself only does S256); everything else is oidc-provider behaviour.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from advisor.advice import apply_metadata
from advisor.core.vocabulary import ENDPOINTS
from advisor.samples.params import SampleParams
from advisor.server.fetch import discover
from advisor.server.findings import check_recommendation
from advisor.server.report import check_server
from advisor.tree.models import Tree
from support.oidc import OIDCProvider
from support.paths import SMALL_TREE

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
TREE_ARGS: list[str] = []  # the shipped tree
CLIENT_SECRET_ANSWERS = [
    "-a", "situation=own_service",
    "-a", "workload_platform=no_platform_identity",
    "-a", "m2m_credential=shared_secret_only",
]  # fmt: skip
RUNNERS = {
    "python": ([sys.executable], "py"),
    "javascript": (["node"], "mjs"),
    "curl": (["bash"], "sh"),
}


def shipped_tree_shape() -> Tree:
    return Tree.model_validate(yaml.safe_load((ROOT / "decision_tree.yaml").read_text()))


def grant_advisor(*argv: str) -> subprocess.CompletedProcess[str]:
    """Run the command line in a fresh interpreter, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "advisor", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )


def ask_json(*argv: str) -> dict[str, Any]:
    result = grant_advisor(*TREE_ARGS, "ask", *argv, "--format", "json")
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def finding_codes(findings: list[dict[str, str]]) -> dict[str, str]:
    return {f["code"]: f["severity"] for f in findings}


# --------------------------------------------------------------------------------------------


def test_discovery_finds_the_providers_endpoints(oidc_provider: OIDCProvider) -> None:
    meta = discover(oidc_provider.issuer)
    assert meta.issuer == oidc_provider.issuer
    # oidc-provider serves RFC 8414 metadata too; it is tried first and is the same document.
    assert meta.url == oidc_provider.issuer + "/.well-known/oauth-authorization-server"
    assert dict(meta.document) == dict(oidc_provider.metadata)
    params = apply_metadata(SampleParams(issuer=oidc_provider.issuer), meta)
    for name in ENDPOINTS:
        assert getattr(params, name) == getattr(oidc_provider, name), name
    assert params.discovered == set(ENDPOINTS)
    assert tuple(a.text for a in params.assumptions(tuple(ENDPOINTS))) == (
        "client id YOUR_CLIENT_ID is a placeholder: pass --client-id",
    )


@pytest.mark.parametrize("language", list(RUNNERS))
def test_client_credentials_sample_from_discovery_gets_a_token(
    oidc_provider: OIDCProvider, tmp_path: Path, language: str
) -> None:
    command, extension = RUNNERS[language]
    if language == "curl" and not (shutil.which("curl") and shutil.which("bash")):
        if os.environ.get("CI"):
            pytest.fail("curl or bash is not on PATH (CI is set: a failure, not a skip)")
        pytest.skip("curl or bash is not on PATH")
    client = oidc_provider.client("cc-basic")
    data = ask_json(
        *CLIENT_SECRET_ANSWERS,
        "--issuer", oidc_provider.issuer,
        "--discover",
        "--client-id", client.client_id,
        "--lang", language,
    )  # fmt: skip
    recommendation = data["recommendation"]
    assert recommendation["flow"] == "client_credentials"
    assert recommendation["server"]["issuer"] == oidc_provider.issuer
    # The provider on plain http, and a stronger method than the secret it also accepts.
    assert finding_codes(recommendation["findings"]) == {
        "plain_http": "warning",
        "stronger_client_auth_available": "info",
    }
    # The endpoint is the provider's own, so it is no longer an assumption.
    assert not any("endpoint" in a for a in recommendation.get("assumptions", []))
    code = recommendation["samples"][language]
    assert oidc_provider.token_endpoint in code
    program = tmp_path / f"client_credentials.{extension}"
    program.write_text(code, encoding="utf-8")
    env = oidc_provider.sample_env()
    env["OAUTH_CLIENT_SECRET"] = client.client_secret or ""
    result = subprocess.run(
        [*command, str(program)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, (
        f"{result.stdout}\n{result.stderr}\n{oidc_provider.log_text()[-2000:]}"
    )
    # The samples' token summary (see tests/integration/test_samples_e2e.py).
    assert re.search(r"^access_token: \S{8}\.\.\. \(\d+ characters\)$", result.stdout, re.M)
    assert client.client_secret not in result.stdout  # secrets are never printed


def test_no_device_profile_reports_the_missing_device_flow(
    oidc_provider_factory: Callable[..., OIDCProvider],
) -> None:
    provider = oidc_provider_factory("no-device")
    # Through the CLI with the small test tree (its device outcome has no samples).
    data = ask_json_small(
        "-a", "user_present=yes", "-a", "has_browser=no_browser",
        "--issuer", provider.issuer, "--discover",
    )  # fmt: skip
    # The grant list leaves the device grant out: one error says so (the endpoint is
    # optional metadata, so its absence adds nothing).
    assert finding_codes(data["recommendation"]["findings"]) == {
        "grant_type_not_supported": "error",
        "plain_http": "warning",
    }
    # And the shipped tree's device outcomes, checked directly.
    tree = shipped_tree_shape()
    meta = discover(provider.issuer)
    for outcome_id in ("device_code_headless", "device_code_tv"):
        outcome = tree.outcome(outcome_id)
        assert outcome is not None
        codes = {f.code for f in check_recommendation(outcome, tree.flow("device_code"), meta)}
        assert "grant_type_not_supported" in codes
        assert "device_endpoint_not_listed" not in codes
    report = check_server(tree, meta)
    assert {s.flow: s.status for s in report.flows}["device_code"] == "unsupported"


def test_no_ciba_profile_reports_the_missing_ciba(
    oidc_provider_factory: Callable[..., OIDCProvider],
) -> None:
    provider = oidc_provider_factory("no-ciba")
    tree = shipped_tree_shape()
    outcome = tree.outcome("ciba")
    assert outcome is not None
    findings = check_recommendation(outcome, tree.flow("ciba"), discover(provider.issuer))
    assert {f.code: f.severity for f in findings} == {
        "grant_type_not_supported": "error",
        "plain_http": "warning",
    }


def test_plain_pkce_profile_reports_no_s256(
    oidc_provider_factory: Callable[..., OIDCProvider],
) -> None:
    provider = oidc_provider_factory("plain-pkce")
    data = ask_json_small(
        "-a", "user_present=yes", "-a", "has_browser=browser",
        "--issuer", provider.issuer, "--discover",
    )  # fmt: skip
    findings = data["recommendation"]["findings"]
    assert finding_codes(findings) == {"pkce_s256_not_supported": "error", "plain_http": "warning"}
    assert "plain" in findings[0]["message"] and "RFC 9700" in findings[0]["message"]
    tree = shipped_tree_shape()
    for outcome in tree.outcomes:
        if "pkce_s256" in outcome.needs:
            flow = tree.flow(outcome.grant)
            codes = {f.code for f in check_recommendation(outcome, flow, discover(provider.issuer))}
            assert "pkce_s256_not_supported" in codes, outcome.id


def test_check_server_against_the_provider(oidc_provider: OIDCProvider) -> None:
    result = grant_advisor(*TREE_ARGS, "check-server", oidc_provider.issuer, "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["issuer"] == oidc_provider.issuer
    assert {f["id"]: f["status"] for f in report["flows"]} == {
        "authorization_code": "supported",
        "refresh_token": "supported",
        "client_credentials": "supported",
        "device_code": "supported",
        "ciba": "supported",
        "token_exchange": "supported",  # TEST CODE grant in server.mjs
        "jwt_bearer": "supported",  # TEST CODE grant in server.mjs
        "saml2_bearer": "unsupported",
    }
    features = report["features"]
    assert features["pkce_methods"] == ["S256"]
    assert features["par_endpoint"] == oidc_provider.pushed_authorization_request_endpoint
    assert features["iss_parameter"] is True
    assert features["dpop_algorithms"]
    text = grant_advisor(*TREE_ARGS, "check-server", oidc_provider.issuer)
    assert text.returncode == 0, text.stderr
    assert "[no ] SAML" in text.stdout
    assert "[yes] Device" in text.stdout


def ask_json_small(*argv: str) -> dict[str, Any]:
    result = grant_advisor("--tree", str(SMALL_TREE), "ask", *argv, "--format", "json")
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_discovery_through_the_cli_prints_findings_as_text(oidc_provider: OIDCProvider) -> None:
    result = grant_advisor(
        *TREE_ARGS, "ask", *CLIENT_SECRET_ANSWERS,
        "--issuer", oidc_provider.issuer, "--discover", "--client-id", "cc-basic",
        "--lang", "python",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"Server compatibility: {oidc_provider.issuer}\n" in result.stdout
    assert "[plain_http]" in result.stdout
    assert f'TOKEN_ENDPOINT = "{oidc_provider.token_endpoint}"' in result.stdout
    assert "Assumptions in the samples" not in result.stdout
    if os.environ.get("GRANT_ADVISOR_SHOW_OUTPUT"):
        print(result.stdout)
