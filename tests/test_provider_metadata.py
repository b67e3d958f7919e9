"""Real providers' metadata, served on loopback as they publish it (tests/data/metadata/).

Each document is served unchanged but for scheme and host, at the well-known location its
provider uses relative to the issuer's path (support/provider_metadata.py). For a public-client
recommendation (the CLI loopback outcome, the TV device outcome) and a confidential one (the
web server, client credentials with a secret), discovery must find the right document, report
no error that rests on an absent field, read grant support right, and add the provider's
documented facts where a profile matches; ``check-server`` and ``ask --discover`` must agree.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from advisor.advice import advise
from advisor.cli import main
from advisor.server.fetch import OAUTH_WELL_KNOWN, discover, metadata_urls
from advisor.server.model import ServerMetadata
from advisor.server.profiles.catalogue import catalogue
from advisor.server.report import check_server
from advisor.session import Session
from advisor.tree.models import Tree
from support.metadata_stub import WELL_KNOWN_OAUTH, WELL_KNOWN_OPENID, MetadataStub
from support.provider_metadata import (
    FIXTURES,
    REAL,
    answer_flags,
    document,
    localised,
    serve,
    walk_answers,
)
from support.real_names import real_host_names

PUBLIC = ("cli_loopback", "device_code_tv")
CONFIDENTIAL = ("web_server_code", "m2m_client_secret")
OUTCOMES = (*PUBLIC, *CONFIDENTIAL)

ERROR_BASIS: dict[str, tuple[str, ...]] = {
    # an explicit list or flag that says no
    "grant_type_not_supported": ("grant_types_supported",),
    "refresh_token_not_supported": ("grant_types_supported",),
    "client_auth_not_supported": ("token_endpoint_auth_methods_supported",),
    "response_type_code_not_supported": ("response_types_supported",),
    "pkce_s256_not_supported": ("code_challenge_methods_supported",),
    "ciba_poll_mode_not_supported": ("backchannel_token_delivery_modes_supported",),
    "dpop_not_supported": ("dpop_signing_alg_values_supported",),
    "mtls_bound_tokens_not_supported": ("tls_client_certificate_bound_access_tokens",),
    # required endpoints (RFC 8414 §2): their absence is a statement
    "no_token_endpoint": (),
    "no_authorization_endpoint": (),
    "token_issuer_only": (),
    "sign_in_only": (),
    "invalid_endpoint": (),
}
"""Every error code a metadata document can produce, with the field it rests on: that field
must be present (an absent one is unknown, never denial)."""

# What each real document says about each flow (check-server's statuses): read by hand from
# the documents, with the reason when it is not "supported".
GUESSED = {"keycloak"}
"""Self-hosted products: recognised from their endpoints, never certain from an issuer."""

GRANT_SUPPORT: dict[str, dict[str, str]] = {
    "entra": {
        "authorization_code": "unknown",  # code_challenge_methods_supported not listed
        "client_credentials": "unknown",  # no grant_types_supported: default code/implicit
        "device_code": "supported",  # implied by its device_authorization_endpoint
        "refresh_token": "unknown",
        "token_exchange": "unknown",
        "jwt_bearer": "unknown",
        "saml2_bearer": "unknown",
        "ciba": "unknown",
    },
    "okta": {
        "authorization_code": "supported",
        "client_credentials": "unlisted",  # its OpenID document does not list it
        "device_code": "supported",
        "refresh_token": "supported",
        "token_exchange": "unlisted",
        "jwt_bearer": "unlisted",
        "saml2_bearer": "unlisted",
        "ciba": "supported",  # listed; the endpoint is not advertised (a note)
    },
    "keycloak": {
        "authorization_code": "supported",
        "client_credentials": "supported",
        "device_code": "supported",
        "refresh_token": "supported",
        "token_exchange": "unlisted",
        "jwt_bearer": "unlisted",
        "saml2_bearer": "unlisted",
        "ciba": "supported",
    },
    "gitlab": {
        "authorization_code": "supported",
        "client_credentials": "supported",
        "device_code": "supported",  # listed as "device_code"; endpoint not advertised
        "refresh_token": "supported",
        "token_exchange": "unlisted",
        "jwt_bearer": "unlisted",
        "saml2_bearer": "unlisted",
        "ciba": "unlisted",
    },
    "spotify": {
        "authorization_code": "supported",
        "client_credentials": "unlisted",
        "device_code": "supported",  # listed; endpoint not advertised
        "refresh_token": "supported",
        "token_exchange": "unlisted",
        "jwt_bearer": "supported",
        "saml2_bearer": "unlisted",
        "ciba": "unlisted",
    },
    "google": {
        "authorization_code": "supported",
        "client_credentials": "unlisted",
        "device_code": "supported",
        "refresh_token": "supported",
        "token_exchange": "unlisted",
        "jwt_bearer": "supported",
        "saml2_bearer": "unlisted",
        "ciba": "unlisted",
    },
}

PROFILES = {
    "entra": "entra_id",
    "okta": "okta_custom_as",
    "keycloak": "keycloak",
    "gitlab": "gitlab",
    "google": "google",
    "spotify": None,  # no profile: the standards-only reading
}
"""The profile each real document's issuer matches (under its real host name)."""


@pytest.fixture
def stub() -> Iterator[MetadataStub]:
    with MetadataStub() as server:
        yield server


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def ask_json(
    tree: Tree, outcome: str, issuer: str, capsys: pytest.CaptureFixture[str], *extra: str
) -> dict[str, Any]:
    argv = ["ask", *answer_flags(walk_answers(tree, outcome)), "--issuer", issuer, "--discover"]
    code, out, err = run([*argv, "--format", "json", *extra], capsys)
    assert (code, err) == (0, ""), err
    data: dict[str, Any] = json.loads(out)["recommendation"]
    assert data["id"] == outcome
    return data


def errors_rest_on_present_fields(findings: list[dict[str, str]], doc: dict[str, Any]) -> None:
    for finding in findings:
        if finding["severity"] != "error":
            continue
        assert finding["code"] in ERROR_BASIS, f"error {finding['code']} rests on an absence"
        for field in ERROR_BASIS[finding["code"]]:
            assert doc.get(field) is not None, (finding, field)


# -- the documents themselves ------------------------------------------------------------------


@pytest.mark.parametrize("name", list(FIXTURES))
def test_serving_changes_only_scheme_and_host(name: str) -> None:
    original = document(name)
    served = localised(name, "http://127.0.0.1:1")
    host = re.escape(original["issuer"].split("/")[2])

    def compare(a: Any, b: Any) -> None:
        if isinstance(a, str):
            assert b == a or b == re.sub(rf"^https://{host}", "http://127.0.0.1:1", a)
        elif isinstance(a, list):
            assert len(a) == len(b)
            for x, y in zip(a, b, strict=True):
                compare(x, y)
        elif isinstance(a, dict):
            assert a.keys() == b.keys()
            for key in a:
                compare(a[key], b[key])
        else:
            assert a == b

    compare(original, served)
    assert served["issuer"].startswith("http://127.0.0.1:1")


# -- discovery, findings and grant support of each real document ----------------------------------


@pytest.mark.parametrize("name", REAL)
def test_discovery_finds_the_document_where_the_provider_publishes_it(
    name: str, stub: MetadataStub
) -> None:
    issuer, url = serve(stub, name)
    meta = discover(issuer, timeout=2)
    assert (meta.url, meta.kind) == (url, "openid")
    # Every RFC 8414 location was tried first, in the documented order, then this one.
    urls = metadata_urls(issuer)
    assert stub.paths() == [u.removeprefix(stub.issuer) for u in urls[: urls.index(url) + 1]]
    assert [u for u, _ in meta.tried] == list(urls[: urls.index(url)])
    assert all(OAUTH_WELL_KNOWN in u for u, _ in meta.tried)


@pytest.mark.parametrize("outcome", OUTCOMES)
@pytest.mark.parametrize("name", REAL)
def test_ask_discover_on_a_real_document(
    name: str,
    outcome: str,
    shipped_tree: Tree,
    stub: MetadataStub,
    capsys: pytest.CaptureFixture[str],
) -> None:
    issuer, url = serve(stub, name)
    doc = localised(name, stub.issuer)
    data = ask_json(shipped_tree, outcome, issuer, capsys, "--lang", "none")
    assert data["server"] == {"issuer": issuer, "metadata_url": url, "metadata_kind": "openid"}
    findings = data["findings"]
    errors_rest_on_present_fields(findings, doc)
    codes = {f["code"]: f["severity"] for f in findings}
    assert codes["openid_metadata_only"] == "info"
    flow = data["flow"]
    expected = GRANT_SUPPORT[name][flow]
    errors = {c for c, s in codes.items() if s == "error"}
    if expected == "supported":
        assert not errors, findings
    if expected == "unlisted":
        # Only an OpenID document, which leaves the grant out: a warning, not a refusal.
        assert codes.get("grant_type_not_in_openid_metadata") == "warning", findings
        assert "grant_type_not_supported" not in codes
    if outcome in PUBLIC:
        # Public clients are normal on every one of these servers.
        assert "client_auth_not_supported" not in codes
        listed = doc.get("token_endpoint_auth_methods_supported") or []
        assert ("public_client_not_listed" in codes) == ("none" not in listed)
    # No message refers to RFC 8414 §2 defaults: only an OpenID document was found.
    assert not any("RFC 8414 §2)" in f["message"] and "default" in f["message"] for f in findings)


@pytest.mark.parametrize("name", REAL)
def test_check_server_reads_grant_support_right(
    name: str, shipped_tree: Tree, stub: MetadataStub, capsys: pytest.CaptureFixture[str]
) -> None:
    issuer, url = serve(stub, name)
    code, out, err = run(["check-server", issuer, "--format", "json"], capsys)
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert (report["metadata_url"], report["metadata_kind"]) == (url, "openid")
    assert report["role"] == "authorization_server"
    expected = {
        flow: "unknown" if status == "unlisted" else status
        for flow, status in GRANT_SUPPORT[name].items()
    }
    assert {f["id"]: f["status"] for f in report["flows"]} == expected
    doc = localised(name, stub.issuer)
    for flow in report["flows"]:
        errors_rest_on_present_fields(flow["findings"], doc)
    # The text names the document that answered, and which defaults apply.
    code, text, _ = run(["check-server", issuer], capsys)
    assert code == 0
    flat = " ".join(text.split())
    assert f"metadata: {url} (OpenID Connect Discovery document; absent fields take" in flat
    assert "the defaults of OpenID Connect Discovery 1.0 §3)" in flat


def test_grants_listed_without_their_endpoint_are_supported_and_say_how_to_give_it(
    shipped_tree: Tree, stub: MetadataStub, capsys: pytest.CaptureFixture[str]
) -> None:
    # Spotify and GitLab list the device grant without a device_authorization_endpoint.
    for name in ("spotify", "gitlab"):
        with MetadataStub() as server:
            issuer, _ = serve(server, name)
            data = ask_json(shipped_tree, "device_code_tv", issuer, capsys, "--lang", "python")
        codes = {f["code"]: f for f in data["findings"]}
        note = codes["device_endpoint_not_listed"]
        assert note["severity"] == "info"
        assert "--device-authorization-endpoint" in note["message"]
        assert "provider's documentation" in note["message"]
        assert not any(f["severity"] == "error" for f in data["findings"])
        # The samples' note agrees: missing from the metadata, not "pass --discover".
        endpoint_notes = [a for a in data["assumptions"] if "device_authorization_endpoint" in a]
        assert endpoint_notes and all("--discover" not in a for a in endpoint_notes)
        assert any(
            "the server's metadata has no usable device_authorization_endpoint" in a
            for a in endpoint_notes
        )
    # GitLab spells the grant "device_code": recognised, and said so.
    assert codes["grant_type_alias"]["severity"] == "info"
    assert "'device_code'" in codes["grant_type_alias"]["message"]
    # Okta lists CIBA without a backchannel endpoint: supported, the endpoint must be given.
    issuer, _ = serve(stub, "okta")
    report = check_server(shipped_tree, discover(issuer, timeout=2))
    ciba = next(s for s in report.flows if s.flow == "ciba")
    assert ciba.status == "supported"
    assert [f.code for f in ciba.findings] == ["backchannel_endpoint_not_listed"]
    assert "--backchannel-endpoint" in ciba.findings[0].message


@pytest.mark.parametrize("name", REAL)
def test_under_its_real_host_name_with_nothing_rewritten(
    name: str,
    shipped_tree: Tree,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The document exactly as stored, over TLS, under the provider's own host name: the same
    reading, and the provider's profile recognised from its real issuer."""
    doc = document(name)
    issuer = doc["issuer"]
    parts = urllib.parse.urlsplit(issuer)
    assert parts.hostname is not None
    url = issuer.rstrip("/") + WELL_KNOWN_OPENID
    with real_host_names(monkeypatch, tmp_path, [parts.hostname]) as serve_tls:
        stub = serve_tls(parts.hostname)
        stub.json(parts.path.rstrip("/") + WELL_KNOWN_OPENID, doc)
        code, out, err = run(["check-server", issuer, "--format", "json"], capsys)
        assert (code, err) == (0, "")
        report = json.loads(out)
        assert (report["metadata_url"], report["metadata_kind"]) == (url, "openid")
        expected = {
            flow: "unknown" if status == "unlisted" else status
            for flow, status in GRANT_SUPPORT[name].items()
        }
        assert {f["id"]: f["status"] for f in report["flows"]} == expected
        profile = next((p for p in catalogue() if p.id == PROFILES[name]), None)
        assert report["provider"] == (profile.name if profile else None)
        assert report["provider_certain"] is (profile is not None and name not in GUESSED)
        for outcome in OUTCOMES:
            data = ask_json(shipped_tree, outcome, issuer, capsys, "--lang", "none")
            assert data["server"]["metadata_url"] == url
            codes = [f["code"] for f in data["findings"]]
            assert "plain_http" not in codes
            errors_rest_on_present_fields(data["findings"], doc)
            assert ("provider_recognised" in codes) is (profile is not None)
            for finding in data["findings"]:
                if finding["code"] == "provider_fact":
                    assert finding["source"] in {f.source for f in profile.facts}  # type: ignore[union-attr]
        assert stub.paths() and stub.paths()[-1] == parts.path.rstrip("/") + WELL_KNOWN_OPENID


# -- provider profiles -----------------------------------------------------------------------------


def real_metadata(name: str) -> ServerMetadata:
    """A real document as its provider serves it (real host name), without the network."""
    doc = document(name)
    issuer = doc["issuer"]
    return ServerMetadata(
        issuer, MappingProxyType(doc), issuer.rstrip("/") + WELL_KNOWN_OPENID, kind="openid"
    )


@pytest.mark.parametrize("name", REAL)
def test_the_provider_profile_adds_its_documented_facts(name: str, shipped_tree: Tree) -> None:
    meta = real_metadata(name)
    profiles = {p.id: p for p in catalogue()}
    report = check_server(shipped_tree, meta)
    expected = PROFILES[name]
    if expected is None:
        assert report.provider is None
        every = [*report.findings, *(f for s in report.flows for f in s.findings)]
        assert not any(f.code.startswith("provider_") for f in every)
        return
    profile = profiles[expected]
    assert (report.provider, report.provider_certain) == (profile.name, name not in GUESSED)
    sources = {fact.source for fact in profile.facts}
    general = [f for f in report.findings if f.code == "provider_fact"]
    assert len(general) == sum(1 for fact in profile.facts if not fact.applies_to)
    for outcome_id in OUTCOMES:
        session = Session.replay(shipped_tree, walk_answers(shipped_tree, outcome_id))
        advice = advise(session, {"issuer": meta.issuer}, languages=["none"], metadata=meta)
        assert advice.compatibility is not None
        facts = [f for f in advice.compatibility.findings if f.code == "provider_fact"]
        flow = session.outcome.grant if session.outcome else None
        wanted = [x for x in profile.facts if not x.applies_to or flow in x.applies_to]
        assert len(facts) == len(wanted)
        for finding in facts:
            assert finding.severity == "info"
            assert finding.source in sources
            assert f"(source: {finding.source})" in finding.message


def test_a_profile_recognised_by_endpoints_only_says_it_is_a_guess(stub: MetadataStub) -> None:
    issuer, _ = serve(stub, "dot")
    report = check_server_of(discover(issuer, timeout=2))
    assert report.provider == "django-oauth-toolkit (DOT)"
    assert report.provider_certain is False
    recognised = next(f for f in report.findings if f.code == "provider_recognised")
    assert "looks like django-oauth-toolkit" in recognised.message and "guess" in recognised.message
    facts = [f for f in report.findings if f.code == "provider_fact"]
    assert facts and all(f.message.startswith("if this is django-oauth-toolkit") for f in facts)


def check_server_of(meta: ServerMetadata) -> Any:
    from advisor.tree.loader import load_tree

    return check_server(load_tree(), meta)


# -- documents for the other kinds -----------------------------------------------------------------


def test_an_rfc8414_document_appended_to_the_issuer_is_found(stub: MetadataStub) -> None:
    issuer, url = serve(stub, "dot")
    meta = discover(issuer, timeout=2)
    assert (meta.url, meta.kind) == (url, "oauth")
    assert url == issuer + WELL_KNOWN_OAUTH
    # The RFC 8414 §3 location first (404), then this one; the OpenID ones are never needed.
    assert stub.paths() == [WELL_KNOWN_OAUTH + "/o", "/o" + WELL_KNOWN_OAUTH]
    assert meta.tried == ((stub.issuer + WELL_KNOWN_OAUTH + "/o", "HTTP 404 Not Found"),)


def test_a_templated_issuer_is_refused_with_what_to_use_instead(
    shipped_tree: Tree, stub: MetadataStub, capsys: pytest.CaptureFixture[str]
) -> None:
    issuer, url = serve(stub, "entra-common")
    assert issuer.endswith("/common/v2.0")
    data = ask_json(shipped_tree, "device_code_tv", issuer, capsys, "--lang", "python")
    assert data["server"] == {"issuer": issuer, "metadata_url": None, "metadata_kind": None}
    (finding,) = data["findings"]
    assert (finding["severity"], finding["code"]) == ("error", "templated_issuer")
    message = finding["message"]
    assert url in message and "{tenantid}" in message
    assert "not a valid issuer" in message
    assert f"'{stub.issuer}/<tenantid>/v2.0'" in message and "tenant's id" in message
    # The recommendation and its samples are all there.
    assert data["flow"] == "device_code" and data["samples"]["python"]
    assert not any("--discover" in a for a in data["assumptions"])
    # check-server refuses it with the same words (exit 2: it has nothing else to say).
    code, out, err = run(["check-server", issuer], capsys)
    assert (code, out, err) == (2, "", f"grant-advisor: error: {message}\n")
    # Text output of ask shows it too, and says the advice was not checked.
    argv = ["ask", *answer_flags(walk_answers(shipped_tree, "device_code_tv")), "--issuer", issuer]
    code, text, _ = run([*argv, "--discover", "--lang", "none"], capsys)
    assert code == 0 and "Recommended flow: Device Authorization Grant" in text
    assert "(no usable metadata: the advice is not checked against this server)" in text
    assert "[templated_issuer]" in text


def test_a_template_naming_another_host_is_an_issuer_mismatch(
    stub: MetadataStub, capsys: pytest.CaptureFixture[str]
) -> None:
    """A server cannot steer the user to another authorization server by serving a
    "template" on someone else's host: only a template of the issuer asked for is one."""
    stub.json(
        WELL_KNOWN_OAUTH,
        {"issuer": "https://attacker.example/{tenantid}/v2.0", "token_endpoint": "https://x/t"},
    )
    code, out, err = run(["check-server", stub.issuer], capsys)
    assert (code, out) == (2, "")
    assert "issuer mismatch" in err
    assert "pass --issuer with yours" not in err and "<tenantid>" not in err


def test_a_placeholder_issuer_is_not_a_valid_issuer_to_discover(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(
        ["check-server", "https://login.microsoftonline.com/{tenantid}/v2.0"], capsys
    )
    assert (code, out) == (2, "")
    assert "placeholder '{tenantid}'" in err and "not a valid issuer" in err
    assert "YOUR-TENANT-ID" in err


@pytest.mark.parametrize(
    ("name", "code", "role", "words"),
    [
        ("ci-token-issuer", "token_issuer_only", "token_issuer", "a token issuer, not an OAuth"),
        ("sign-in-only", "sign_in_only", "sign_in_only", "a sign-in provider without a token"),
    ],
)
def test_an_issuer_that_is_not_an_authorization_server_is_called_what_it_is(
    name: str,
    code: str,
    role: str,
    words: str,
    shipped_tree: Tree,
    stub: MetadataStub,
    capsys: pytest.CaptureFixture[str],
) -> None:
    issuer, _ = serve(stub, name)
    exit_code, out, _ = run(["check-server", issuer, "--format", "json"], capsys)
    report = json.loads(out)
    assert (exit_code, report["role"]) == (0, role)
    assert report["findings"][0]["code"] == code
    for flow in report["flows"]:
        assert flow["status"] == "unsupported"
        assert [f["code"] for f in flow["findings"]] == ["no_token_endpoint"]
    _, text, _ = run(["check-server", issuer], capsys)
    assert text.startswith(f"Issuer {issuer} (not an OAuth authorization server)\n")
    assert words in " ".join(text.split())
    for outcome in ("m2m_client_secret", "cli_loopback"):
        data = ask_json(shipped_tree, outcome, issuer, capsys, "--lang", "python")
        codes = {f["code"]: f["severity"] for f in data["findings"]}
        assert codes[code] == "error" and codes["no_token_endpoint"] == "error"
        assert "grant_type_not_listed" not in codes  # no noise about a server that is not one
        # After a discovery that found no token endpoint, no note says "pass --discover".
        assert data["assumptions"]
        assert not any("--discover" in a for a in data["assumptions"])
        assert any(
            "the server's metadata has no usable token_endpoint" in a for a in data["assumptions"]
        )


def test_an_openid_only_document_takes_openid_discovery_defaults(
    shipped_tree: Tree, stub: MetadataStub, capsys: pytest.CaptureFixture[str]
) -> None:
    issuer, url = serve(stub, "openid-only")
    data = ask_json(shipped_tree, "m2m_client_secret", issuer, capsys, "--lang", "none")
    assert data["server"]["metadata_kind"] == "openid"
    by_code = {f["code"]: f for f in data["findings"]}
    assert "(OpenID Connect Discovery 1.0 §3)" in by_code["grant_type_not_listed"]["message"]
    assert by_code["grant_type_not_listed"]["severity"] == "warning"
    data = ask_json(shipped_tree, "cli_loopback", issuer, capsys, "--lang", "none")
    by_code = {f["code"]: f for f in data["findings"]}
    pkce = by_code["pkce_support_unknown"]["message"]
    assert "OpenID Connect Discovery does not define" in pkce and "RFC 8414" not in pkce
    public = by_code["public_client_not_listed"]["message"]
    assert "(client_secret_basic, OpenID Connect Discovery 1.0 §3)" in public
    # The same document under the RFC 8414 name cites RFC 8414 §2.
    rfc = ServerMetadata(issuer, MappingProxyType(localised("openid-only", stub.issuer)), url)
    session = Session.replay(shipped_tree, walk_answers(shipped_tree, "m2m_client_secret"))
    advice = advise(session, {"issuer": issuer}, languages=["none"], metadata=rfc)
    assert advice.compatibility is not None
    message = next(
        f.message for f in advice.compatibility.findings if f.code == "grant_type_not_listed"
    )
    assert "(RFC 8414 §2)" in message


def test_an_rfc8414_document_is_preferred_and_documents_are_not_merged(
    stub: MetadataStub,
) -> None:
    issuer = stub.issuer + "/tenant"
    oauth = stub.metadata(issuer=issuer, grant_types_supported=["client_credentials"])
    openid = stub.metadata(issuer=issuer, grant_types_supported=["authorization_code"])
    stub.json(WELL_KNOWN_OAUTH + "/tenant", oauth)
    stub.json("/tenant" + WELL_KNOWN_OPENID, openid)
    meta = discover(issuer, timeout=2)
    assert (meta.kind, meta.tried) == ("oauth", ())
    assert meta.document["grant_types_supported"] == ["client_credentials"]
    assert stub.paths() == [WELL_KNOWN_OAUTH + "/tenant"]


def test_metadata_for_another_issuer_is_skipped_for_the_next_location(stub: MetadataStub) -> None:
    issuer = stub.issuer + "/tenant"
    # A server that answers the RFC 8414 location with its root issuer's document.
    stub.json(WELL_KNOWN_OAUTH + "/tenant", stub.metadata())
    stub.json("/tenant" + WELL_KNOWN_OPENID, stub.metadata(issuer=issuer))
    meta = discover(issuer, timeout=2)
    assert meta.url == issuer + WELL_KNOWN_OPENID
    assert meta.tried[0] == (
        stub.issuer + WELL_KNOWN_OAUTH + "/tenant",
        "metadata for another issuer",
    )


# -- check-server and ask --discover agree ---------------------------------------------------------


@pytest.mark.parametrize("name", list(FIXTURES))
def test_check_server_and_ask_discover_agree(
    name: str, shipped_tree: Tree, stub: MetadataStub, capsys: pytest.CaptureFixture[str]
) -> None:
    issuer, _ = serve(stub, name)
    code, out, err = run(["check-server", issuer, "--format", "json"], capsys)
    if code == 2:  # no usable metadata: ask reports the same words as a finding
        for outcome in OUTCOMES:
            data = ask_json(shipped_tree, outcome, issuer, capsys, "--lang", "none")
            assert data["findings"][0]["message"] == err.removeprefix(
                "grant-advisor: error: "
            ).rstrip("\n")
        return
    assert (code, err) == (0, "")
    report = json.loads(out)
    server_level = [tuple(f.items()) for f in report["findings"]]
    flows = {f["id"]: f for f in report["flows"]}
    for outcome in shipped_tree.outcomes:
        if outcome.grant == "none" or outcome.id not in reachable(shipped_tree):
            continue
        data = ask_json(shipped_tree, outcome.id, issuer, capsys, "--lang", "none")
        assert data["server"]["metadata_url"] == report["metadata_url"]
        asked = [tuple(f.items()) for f in data["findings"]]
        # The same server-level findings...
        assert [f for f in asked if f in server_level] == server_level
        # ...and every finding check-server gives the flow (ask adds the outcome's own needs).
        flow = flows[outcome.grant]
        for finding in flow["findings"]:
            assert tuple(finding.items()) in asked, (outcome.id, finding)
        if flow["status"] == "unsupported":
            assert any(f["severity"] == "error" for f in data["findings"])


def reachable(tree: Tree) -> set[str]:
    found: set[str] = set()
    for outcome in tree.outcomes:
        try:
            walk_answers(tree, outcome.id)
        except KeyError:
            continue
        found.add(outcome.id)
    return found
