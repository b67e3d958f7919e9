"""Tests of the integration-test harness itself: every flow obtains a token from the real
oidc-provider test server (tests/oidc/server.mjs) with raw HTTP.

Parts marked TEST CODE in server.mjs (token exchange, JWT bearer, the strict client
authentication check, poll interval / slow_down, the plain-pkce metadata rewrite) are the test
server's own code standing in for server features; everything else is oidc-provider 9.13.3
behaviour. Negative checks that revoke a grant (code / refresh token reuse) come last in their
test.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
import textwrap
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from support import fake_browser
from support.oidc import (
    CLIENT_ASSERTION_TYPE,
    GRANT_CIBA,
    GRANT_DEVICE_CODE,
    GRANT_JWT_BEARER,
    GRANT_TOKEN_EXCHANGE,
    TOKEN_TYPE_ACCESS_TOKEN,
    OIDCProvider,
    approve_device,
    authorization_url,
    basic_auth_header,
    ciba_authenticate,
    client_assertion,
    decode_jwt_unverified,
    drive_authorization,
    free_port,
    http_client,
    jwt_bearer_assertion,
    parse_callback,
    pkce_pair,
    poll_token,
)

pytestmark = pytest.mark.integration


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with http_client() as client:
        yield client


def error_of(resp: httpx.Response) -> str | None:
    try:
        body = resp.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None


def assert_token_response(resp: httpx.Response) -> dict[str, Any]:
    assert resp.status_code == 200, resp.text
    assert resp.headers["cache-control"] == "no-store"
    body: dict[str, Any] = resp.json()
    assert body["access_token"]
    assert body["token_type"] == "Bearer"
    assert isinstance(body["expires_in"], int)
    assert body["expires_in"] > 0
    return body


def naive_basic_header(client_id: str, secret: str) -> str:
    """What a sample that skips RFC 6749 §2.3.1 sends."""
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def code_flow(
    provider: OIDCProvider,
    client_id: str,
    *,
    scope: str = "openid profile offline_access",
    login: str = "alice",
    **extra: str,
) -> tuple[dict[str, str], str, str, str]:
    """Authorization request driven as the user; returns (callback params, state, verifier,
    redirect_uri)."""
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(12)
    redirect_uri = provider.loopback_redirect_uri()
    url = authorization_url(
        provider,
        client_id,
        redirect_uri=redirect_uri,
        code_challenge=challenge,
        state=state,
        scope=scope,
        **extra,
    )
    callback = drive_authorization(url, login=login)
    assert callback.startswith(redirect_uri + "?"), callback
    return parse_callback(callback), state, verifier, redirect_uri


def redeem_code(
    http: httpx.Client,
    provider: OIDCProvider,
    client_id: str,
    params: dict[str, str],
    verifier: str,
    redirect_uri: str,
    **extra: str,
) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "code": params["code"],
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
        **extra,
    }
    headers = {}
    client = provider.client(client_id)
    if client.token_endpoint_auth_method == "none":
        data["client_id"] = client_id
    else:
        headers["Authorization"] = provider.basic_auth(client_id)
    return http.post(provider.token_endpoint, data=data, headers=headers)


# --------------------------------------------------------------------------------------------
# discovery and the fixture
# --------------------------------------------------------------------------------------------


def test_fixture_and_discovery(oidc_provider: OIDCProvider, http: httpx.Client) -> None:
    p = oidc_provider
    assert p.issuer == f"http://127.0.0.1:{p.port}"
    assert not p.issuer.endswith("/")
    assert p.ready["oidc_provider_version"] == "9.13.3"
    assert p.startup_seconds < 10

    md = http.get(f"{p.issuer}/.well-known/openid-configuration").json()
    assert md["issuer"] == p.issuer
    assert md["token_endpoint"] == p.token_endpoint == f"{p.issuer}/token"
    assert md["authorization_endpoint"] == p.authorization_endpoint
    assert p.device_authorization_endpoint == f"{p.issuer}/device/auth"
    assert p.backchannel_authentication_endpoint == f"{p.issuer}/backchannel"
    assert p.introspection_endpoint and p.revocation_endpoint and p.userinfo_endpoint
    assert md["code_challenge_methods_supported"] == ["S256"]
    assert md["authorization_response_iss_parameter_supported"] is True
    assert md["backchannel_token_delivery_modes_supported"] == ["poll"]
    for grant in (
        "authorization_code",
        "refresh_token",
        "client_credentials",
        GRANT_DEVICE_CODE,
        GRANT_CIBA,
        GRANT_TOKEN_EXCHANGE,
        GRANT_JWT_BEARER,
    ):
        assert grant in md["grant_types_supported"]
    for method in ("client_secret_basic", "client_secret_post", "private_key_jwt", "none"):
        assert method in md["token_endpoint_auth_methods_supported"]
    # RFC 8414 location serves the same document
    assert (
        http.get(f"{p.issuer}/.well-known/oauth-authorization-server").json()["issuer"] == p.issuer
    )

    assert set(p.clients) >= {
        "cc-basic",
        "cc-post",
        "cc-pkjwt",
        "native-app",
        "web-app",
        "device-client",
        "ciba-client",
        "exchange-client",
        "jwt-bearer-client",
    }
    assert p.client("cc-basic").client_secret == "s3cr%t+with:colon and space"
    assert p.cc_pkjwt_key.private_key_pem.is_file()
    assert p.jwt_bearer_key.private_key_pem.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert os.access(p.fake_browser, os.X_OK) or sys.platform == "win32"
    assert p.browser_env()["BROWSER"] == str(p.fake_browser)


# --------------------------------------------------------------------------------------------
# client credentials
# --------------------------------------------------------------------------------------------


def test_client_credentials_basic_with_rfc6749_encoded_secret(
    oidc_provider: OIDCProvider, http: httpx.Client
) -> None:
    client = oidc_provider.client("cc-basic")
    assert client.client_secret is not None
    header = basic_auth_header(client.client_id, client.client_secret)
    assert base64.b64decode(header.split()[1]).decode() == (
        "cc-basic:s3cr%25t%2Bwith%3Acolon+and+space"
    )
    resp = http.post(
        oidc_provider.token_endpoint,
        data={"grant_type": "client_credentials", "scope": "api:read"},
        headers={"Authorization": header},
    )
    body = assert_token_response(resp)
    assert body["scope"] == "api:read"
    assert "refresh_token" not in body
    claims = decode_jwt_unverified(body["access_token"])
    assert claims["client_id"] == "cc-basic"
    assert claims["aud"] == oidc_provider.api_resource  # defaulted without `resource`
    assert claims["iss"] == oidc_provider.issuer

    # %20 for the space is also a valid decoding input (the provider uses decodeURIComponent
    # after turning '+' into a space).
    alt = "cc-basic:" + urllib.parse.quote(client.client_secret, safe="")
    resp = http.post(
        oidc_provider.token_endpoint,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": "Basic " + base64.b64encode(alt.encode()).decode()},
    )
    assert_token_response(resp)


def test_client_credentials_basic_naive_encoding_is_rejected(
    oidc_provider: OIDCProvider, http: httpx.Client
) -> None:
    client = oidc_provider.client("cc-basic")
    assert client.client_secret is not None
    resp = http.post(
        oidc_provider.token_endpoint,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": naive_basic_header(client.client_id, client.client_secret)},
    )
    # oidc-provider really form-urldecodes the Basic credentials: the raw '%t' is not a valid
    # escape, so the header is rejected as badly encoded.
    assert resp.status_code == 400, resp.text
    assert error_of(resp) == "invalid_request"
    assert "not properly encoded" in resp.json()["error_description"]

    # web-app's secret has no '%': the naive form decodes ('+' -> space) to a wrong secret.
    web = oidc_provider.client("web-app")
    assert web.client_secret is not None and "+" in web.client_secret
    resp = http.post(
        oidc_provider.token_endpoint,
        data={"grant_type": "refresh_token", "refresh_token": "x"},
        headers={"Authorization": naive_basic_header(web.client_id, web.client_secret)},
    )
    assert resp.status_code == 401, resp.text
    assert error_of(resp) == "invalid_client"


def test_client_credentials_basic_failures(oidc_provider: OIDCProvider, http: httpx.Client) -> None:
    resp = http.post(
        oidc_provider.token_endpoint,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": basic_auth_header("cc-basic", "wrong")},
    )
    assert resp.status_code == 401
    assert error_of(resp) == "invalid_client"
    assert "www-authenticate" in resp.headers

    # TEST CODE (strict check): a client_secret_basic client sending its secret in the body.
    client = oidc_provider.client("cc-basic")
    resp = http.post(
        oidc_provider.token_endpoint,
        data={
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": client.client_secret or "",
        },
    )
    assert resp.status_code == 401, resp.text
    assert error_of(resp) == "invalid_client"
    assert "registered for client_secret_basic" in resp.json()["error_description"]


def test_client_credentials_post(oidc_provider: OIDCProvider, http: httpx.Client) -> None:
    client = oidc_provider.client("cc-post")
    assert client.client_secret is not None
    resp = http.post(
        oidc_provider.token_endpoint,
        data={
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": client.client_secret,
            "scope": "api:read api:write",
        },
    )
    body = assert_token_response(resp)
    assert body["scope"] == "api:read api:write"

    # TEST CODE (strict check): the same client using HTTP Basic.
    resp = http.post(
        oidc_provider.token_endpoint,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": basic_auth_header(client.client_id, client.client_secret)},
    )
    assert resp.status_code == 401
    assert error_of(resp) == "invalid_client"


def test_client_credentials_resource_indicator(
    oidc_provider: OIDCProvider, http: httpx.Client
) -> None:
    auth = {"Authorization": oidc_provider.basic_auth("cc-basic")}
    for resource in (oidc_provider.api_resource, oidc_provider.other_api_resource):
        resp = http.post(
            oidc_provider.token_endpoint,
            data={"grant_type": "client_credentials", "resource": resource},
            headers=auth,
        )
        body = assert_token_response(resp)
        header = json.loads(base64.urlsafe_b64decode(body["access_token"].split(".")[0] + "=="))
        assert header["typ"] == "at+jwt"
        assert decode_jwt_unverified(body["access_token"])["aud"] == resource

    resp = http.post(
        oidc_provider.token_endpoint,
        data={"grant_type": "client_credentials", "resource": "https://unknown.example.test"},
        headers=auth,
    )
    assert resp.status_code == 400
    assert error_of(resp) == "invalid_target"

    resp = http.post(
        oidc_provider.token_endpoint,
        data={
            "grant_type": "client_credentials",
            "scope": "other:read",
            "resource": oidc_provider.api_resource,
        },
        headers=auth,
    )
    # a scope the resource does not know is silently dropped by oidc-provider
    body = assert_token_response(resp)
    assert "scope" not in body


def test_client_credentials_private_key_jwt(
    oidc_provider: OIDCProvider, http: httpx.Client
) -> None:
    assertion = client_assertion(oidc_provider)
    data = {
        "grant_type": "client_credentials",
        "client_assertion_type": CLIENT_ASSERTION_TYPE,
        "client_assertion": assertion,
        "scope": "api:read",
    }
    body = assert_token_response(http.post(oidc_provider.token_endpoint, data=data))
    assert decode_jwt_unverified(body["access_token"])["client_id"] == "cc-pkjwt"

    # aud = issuer identifier is accepted too
    data2 = dict(
        data, client_assertion=client_assertion(oidc_provider, audience=oidc_provider.issuer)
    )
    assert_token_response(http.post(oidc_provider.token_endpoint, data=data2))

    # replaying the same assertion (same jti) is rejected
    resp = http.post(oidc_provider.token_endpoint, data=data)
    assert resp.status_code == 401
    assert error_of(resp) == "invalid_client"

    # signed with the wrong key
    from support.oidc import sign_jwt

    now = int(time.time())
    forged = sign_jwt(
        {
            "iss": "cc-pkjwt",
            "sub": "cc-pkjwt",
            "aud": oidc_provider.token_endpoint,
            "exp": now + 60,
            "iat": now,
            "jti": secrets.token_hex(8),
        },
        oidc_provider.jwt_bearer_key.private_key_pem,
    )
    resp = http.post(oidc_provider.token_endpoint, data=dict(data, client_assertion=forged))
    assert resp.status_code == 401
    assert error_of(resp) == "invalid_client"


# --------------------------------------------------------------------------------------------
# authorization code + PKCE
# --------------------------------------------------------------------------------------------


def test_authorization_code_pkce_native_app_with_refresh_rotation(
    oidc_provider: OIDCProvider, http: httpx.Client
) -> None:
    p = oidc_provider
    params, state, verifier, redirect_uri = code_flow(
        p, "native-app", scope="openid profile email offline_access", nonce="n-123"
    )
    assert params["state"] == state
    assert params["iss"] == p.issuer  # RFC 9207
    assert set(params) == {"code", "state", "iss"}

    body = assert_token_response(redeem_code(http, p, "native-app", params, verifier, redirect_uri))
    assert body["scope"] == "openid profile email offline_access"
    assert body["refresh_token"]
    id_token = decode_jwt_unverified(body["id_token"])
    assert id_token["iss"] == p.issuer
    assert id_token["aud"] == "native-app"
    assert id_token["sub"] == "alice"
    assert id_token["nonce"] == "n-123"

    userinfo = http.get(
        p.userinfo_endpoint or "", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert userinfo.status_code == 200
    assert userinfo.json()["sub"] == "alice"
    assert userinfo.json()["email"] == "alice@example.test"

    # refresh with rotation
    rt1 = body["refresh_token"]
    refresh = {"grant_type": "refresh_token", "client_id": "native-app"}
    body2 = assert_token_response(
        http.post(p.token_endpoint, data=dict(refresh, refresh_token=rt1))
    )
    rt2 = body2["refresh_token"]
    assert rt2 != rt1
    body3 = assert_token_response(
        http.post(p.token_endpoint, data=dict(refresh, refresh_token=rt2))
    )
    rt3 = body3["refresh_token"]
    assert rt3 not in (rt1, rt2)

    # negative checks last: reusing a rotated refresh token fails AND revokes the whole grant
    reuse = http.post(p.token_endpoint, data=dict(refresh, refresh_token=rt1))
    assert reuse.status_code == 400
    assert error_of(reuse) == "invalid_grant"
    after = http.post(p.token_endpoint, data=dict(refresh, refresh_token=rt3))
    assert after.status_code == 400
    assert error_of(after) == "invalid_grant"
    # and the code cannot be redeemed twice
    again = redeem_code(http, p, "native-app", params, verifier, redirect_uri)
    assert error_of(again) == "invalid_grant"


def test_authorization_code_loopback_any_port_and_failures(
    oidc_provider: OIDCProvider, http: httpx.Client
) -> None:
    p = oidc_provider
    _, challenge = pkce_pair()
    # two different ports both match the port-less registered URI (RFC 8252 §7.3)
    for port in (free_port(), 65000):
        uri = p.loopback_redirect_uri(port)
        cb = drive_authorization(
            authorization_url(p, "native-app", redirect_uri=uri, code_challenge=challenge)
        )
        assert cb.startswith(f"http://127.0.0.1:{port}/callback?code=")

    # other paths/hosts are not redirected to: the provider shows an error page (400)
    for bad in ("http://127.0.0.1:5000/other", "http://evil.example.test/callback"):
        resp = http.get(
            authorization_url(p, "native-app", redirect_uri=bad, code_challenge=challenge)
        )
        assert resp.status_code == 400
        assert "redirect_uri did not match" in resp.text

    # PKCE is required (error goes back to the client, with state and iss)
    uri = p.loopback_redirect_uri()
    url = authorization_url(p, "native-app", redirect_uri=uri, code_challenge=challenge, state="s1")
    no_pkce = url.replace(f"code_challenge={challenge}", "").replace(
        "code_challenge_method=S256", ""
    )
    resp = http.get(no_pkce)
    assert resp.status_code in (302, 303)
    err = parse_callback(resp.headers["location"])
    assert err["error"] == "invalid_request"
    assert err["state"] == "s1"
    assert err["iss"] == p.issuer
    # plain is not supported
    resp = http.get(url.replace("code_challenge_method=S256", "code_challenge_method=plain"))
    assert parse_callback(resp.headers["location"])["error"] == "invalid_request"

    # the user denies
    denied = parse_callback(drive_authorization(url, deny=True))
    assert denied["error"] == "access_denied"
    assert denied["state"] == "s1"
    assert denied["iss"] == p.issuer

    # wrong code_verifier
    params = parse_callback(drive_authorization(url))
    resp = redeem_code(http, p, "native-app", params, pkce_pair()[0], uri)
    assert resp.status_code == 400
    assert error_of(resp) == "invalid_grant"


def test_refresh_token_needs_offline_access_and_prompt_consent(
    oidc_provider: OIDCProvider, http: httpx.Client
) -> None:
    # offline_access without prompt=consent is dropped: no refresh token (oidc-provider quirk)
    params, _, verifier, uri = code_flow(oidc_provider, "native-app", prompt="")
    body = assert_token_response(
        redeem_code(http, oidc_provider, "native-app", params, verifier, uri)
    )
    assert "refresh_token" not in body
    assert "offline_access" not in body["scope"]


def test_authorization_code_confidential_web_app_with_resource(
    oidc_provider: OIDCProvider, http: httpx.Client
) -> None:
    p = oidc_provider
    params, state, verifier, uri = code_flow(
        p,
        "web-app",
        scope="openid offline_access api:read",
        resource=p.api_resource,
    )
    assert params["state"] == state and params["iss"] == p.issuer
    resp = redeem_code(http, p, "web-app", params, verifier, uri, resource=p.api_resource)
    body = assert_token_response(resp)
    claims = decode_jwt_unverified(body["access_token"])
    assert claims["aud"] == p.api_resource
    assert claims["scope"] == "api:read"
    assert claims["sub"] == "alice"

    refreshed = assert_token_response(
        http.post(
            p.token_endpoint,
            data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
            headers={"Authorization": p.basic_auth("web-app")},
        )
    )
    assert refreshed["refresh_token"] != body["refresh_token"]  # rotated for confidential too

    # a confidential client must authenticate
    resp = http.post(
        p.token_endpoint,
        data={
            "grant_type": "refresh_token",
            "client_id": "web-app",
            "refresh_token": refreshed["refresh_token"],
        },
    )
    assert resp.status_code == 401
    assert error_of(resp) == "invalid_client"


def test_introspection_and_revocation(oidc_provider: OIDCProvider, http: httpx.Client) -> None:
    p = oidc_provider
    params, _, verifier, uri = code_flow(p, "native-app", scope="openid")
    at = assert_token_response(redeem_code(http, p, "native-app", params, verifier, uri))[
        "access_token"
    ]
    auth = {"Authorization": p.basic_auth("cc-basic")}
    info = http.post(p.introspection_endpoint or "", data={"token": at}, headers=auth).json()
    assert info["active"] is True
    assert info["client_id"] == "native-app"
    assert info["sub"] == "alice"

    resp = http.post(p.revocation_endpoint or "", data={"token": at, "client_id": "native-app"})
    assert resp.status_code == 200
    info = http.post(p.introspection_endpoint or "", data={"token": at}, headers=auth).json()
    assert info == {"active": False}

    # JWT access tokens (resource server tokens) cannot be introspected by oidc-provider
    jwt_at = assert_token_response(
        http.post(p.token_endpoint, data={"grant_type": "client_credentials"}, headers=auth)
    )["access_token"]
    resp = http.post(p.introspection_endpoint or "", data={"token": jwt_at}, headers=auth)
    assert resp.status_code == 400
    assert error_of(resp) == "unsupported_token_type"

    # errors come as HTML when the client prefers text/html (samples should not send that)
    resp = http.post(
        p.token_endpoint,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": basic_auth_header("cc-basic", "wrong"), "Accept": "text/html"},
    )
    assert resp.status_code == 401
    assert resp.headers["content-type"].startswith("text/html")


# --------------------------------------------------------------------------------------------
# device authorization grant (RFC 8628)
# --------------------------------------------------------------------------------------------


def start_device(
    http: httpx.Client, p: OIDCProvider, scope: str = "openid offline_access"
) -> dict[str, Any]:
    resp = http.post(
        p.device_authorization_endpoint or "", data={"client_id": "device-client", "scope": scope}
    )
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def test_device_flow_pending_then_token(oidc_provider: OIDCProvider, http: httpx.Client) -> None:
    p = oidc_provider
    dev = start_device(http, p)
    assert set(dev) == {
        "device_code",
        "user_code",
        "verification_uri",
        "verification_uri_complete",
        "expires_in",
    }
    assert "interval" not in dev  # oidc-provider sends none: clients default to 5 s
    assert dev["verification_uri"] == f"{p.issuer}/device"
    assert dev["verification_uri_complete"].startswith(dev["verification_uri"] + "?user_code=")

    poll = {
        "grant_type": GRANT_DEVICE_CODE,
        "device_code": dev["device_code"],
        "client_id": "device-client",
    }
    for _ in range(3):  # polling fast gets authorization_pending, never slow_down
        resp = http.post(p.token_endpoint, data=poll)
        assert resp.status_code == 400
        assert error_of(resp) == "authorization_pending"

    approve_device(dev["verification_uri_complete"])
    body = assert_token_response(poll_token(p.token_endpoint, poll, timeout=10))
    assert body["refresh_token"]  # offline_access works without prompt=consent here
    assert decode_jwt_unverified(body["id_token"])["sub"] == "alice"

    # the device code is single-use
    resp = http.post(p.token_endpoint, data=poll)
    assert error_of(resp) == "invalid_grant"


def test_device_flow_user_code_entry_and_denial(
    oidc_provider: OIDCProvider, http: httpx.Client
) -> None:
    p = oidc_provider
    dev = start_device(http, p, scope="openid")
    p.approve_device(dev["user_code"], login="dave")  # typed in at verification_uri
    poll = {
        "grant_type": GRANT_DEVICE_CODE,
        "device_code": dev["device_code"],
        "client_id": "device-client",
    }
    body = assert_token_response(poll_token(p.token_endpoint, poll, timeout=10))
    assert decode_jwt_unverified(body["id_token"])["sub"] == "dave"

    dev = start_device(http, p, scope="openid")
    approve_device(dev["verification_uri_complete"], deny=True)
    resp = poll_token(p.token_endpoint, dict(poll, device_code=dev["device_code"]), timeout=10)
    assert resp.status_code == 400
    assert error_of(resp) == "access_denied"

    # an unknown user code re-renders the input page with a message
    with pytest.raises(fake_browser.BrowserError, match="did not end with success"):
        approve_device("BCDF-GHJK", verification_uri=f"{p.issuer}/device")


# --------------------------------------------------------------------------------------------
# CIBA, poll mode
# --------------------------------------------------------------------------------------------


def ciba_poll_data(auth_req_id: str) -> dict[str, str]:
    return {"grant_type": GRANT_CIBA, "auth_req_id": auth_req_id}


def test_ciba_poll_approve(oidc_provider: OIDCProvider) -> None:
    p = oidc_provider
    resp = ciba_authenticate(
        p, p.ciba_hints["approve"], scope="openid profile", binding_message="W4SCT"
    )
    assert resp.status_code == 200, resp.text
    start = resp.json()
    assert set(start) == {"auth_req_id", "expires_in"}  # no interval either
    headers = {"Authorization": p.basic_auth("ciba-client")}
    body = assert_token_response(
        poll_token(
            p.token_endpoint,
            ciba_poll_data(start["auth_req_id"]),
            headers=headers,
            interval=0.2,
            timeout=10,
        )
    )
    assert decode_jwt_unverified(body["id_token"])["sub"] == "alice"
    assert body["scope"] == "openid profile"


def test_ciba_poll_deny_pending_expiry_and_unknown_user(oidc_provider: OIDCProvider) -> None:
    p = oidc_provider
    headers = {"Authorization": p.basic_auth("ciba-client")}

    denied = ciba_authenticate(p, p.ciba_hints["deny"]).json()
    slow = ciba_authenticate(p, p.ciba_hints["never"], requested_expiry="1").json()
    assert slow["expires_in"] == 1

    resp = poll_token(
        p.token_endpoint,
        ciba_poll_data(denied["auth_req_id"]),
        headers=headers,
        interval=0.2,
        timeout=10,
    )
    assert resp.status_code == 400
    assert error_of(resp) == "access_denied"

    # carol-slow is never answered; with requested_expiry=1 the request expires
    first = poll_token(
        p.token_endpoint, ciba_poll_data(slow["auth_req_id"]), headers=headers, stop_on_first=True
    )
    deadline = time.monotonic() + 10
    resp = first
    while error_of(resp) == "authorization_pending" and time.monotonic() < deadline:
        time.sleep(0.2)
        resp = poll_token(
            p.token_endpoint,
            ciba_poll_data(slow["auth_req_id"]),
            headers=headers,
            stop_on_first=True,
        )
    assert error_of(resp) == "expired_token", resp.text

    unknown = ciba_authenticate(p, "nobody")
    assert unknown.status_code == 400
    assert error_of(unknown) == "unknown_user_id"

    # CIBA requires the openid scope
    no_openid = ciba_authenticate(p, "alice", scope="profile")
    assert no_openid.status_code == 400
    assert error_of(no_openid) == "invalid_request"


# --------------------------------------------------------------------------------------------
# TEST CODE grants: token exchange (RFC 8693) and JWT bearer (RFC 7523 §2.1)
# --------------------------------------------------------------------------------------------


def test_token_exchange(oidc_provider: OIDCProvider, http: httpx.Client) -> None:
    p = oidc_provider
    params, _, verifier, uri = code_flow(p, "native-app", scope="openid profile", login="erin")
    subject = assert_token_response(redeem_code(http, p, "native-app", params, verifier, uri))
    auth = {"Authorization": p.basic_auth("exchange-client")}
    base = {
        "grant_type": GRANT_TOKEN_EXCHANGE,
        "subject_token": subject["access_token"],  # opaque userinfo token
        "subject_token_type": TOKEN_TYPE_ACCESS_TOKEN,
    }
    resp = http.post(
        p.token_endpoint,
        data=dict(base, audience=p.other_api_resource, scope="other:read"),
        headers=auth,
    )
    body = assert_token_response(resp)
    assert body["issued_token_type"] == TOKEN_TYPE_ACCESS_TOKEN
    assert body["scope"] == "other:read"
    claims = decode_jwt_unverified(body["access_token"])
    assert claims["sub"] == "erin"
    assert claims["aud"] == p.other_api_resource
    assert claims["client_id"] == "exchange-client"

    # a JWT access token (client credentials for the API) as subject, default audience
    cc = assert_token_response(
        http.post(
            p.token_endpoint,
            data={"grant_type": "client_credentials", "scope": "api:read"},
            headers={"Authorization": p.basic_auth("cc-basic")},
        )
    )
    body = assert_token_response(
        http.post(p.token_endpoint, data=dict(base, subject_token=cc["access_token"]), headers=auth)
    )
    assert decode_jwt_unverified(body["access_token"])["sub"] == "cc-basic"
    assert body["scope"] == "api:read"

    def err(data: dict[str, str]) -> tuple[int, str | None]:
        r = http.post(p.token_endpoint, data=data, headers=auth)
        return r.status_code, error_of(r)

    assert err(dict(base, subject_token="not-a-token")) == (400, "invalid_grant")
    assert err(dict(base, subject_token=cc["access_token"][:-4] + "AAAA")) == (400, "invalid_grant")
    assert err({k: v for k, v in base.items() if k != "subject_token_type"}) == (
        400,
        "invalid_request",
    )
    assert err(dict(base, subject_token_type="urn:ietf:params:oauth:token-type:id_token")) == (
        400,
        "invalid_request",
    )
    assert err(dict(base, audience="https://unknown.example.test")) == (400, "invalid_target")
    assert err(dict(base, scope="api:admin")) == (400, "invalid_scope")
    assert err(dict(base, actor_token="x", actor_token_type=TOKEN_TYPE_ACCESS_TOKEN)) == (
        400,
        "invalid_request",
    )

    # a client without the grant
    r = http.post(p.token_endpoint, data=base, headers={"Authorization": p.basic_auth("cc-basic")})
    assert r.status_code == 400
    # oidc-provider answers invalid_request here (RFC 6749 §5.2 would say unauthorized_client)
    assert error_of(r) == "invalid_request"

    # a revoked subject token is rejected
    http.post(
        p.revocation_endpoint or "",
        data={"token": subject["access_token"], "client_id": "native-app"},
    )
    assert err(base) == (400, "invalid_grant")


def test_jwt_bearer_grant(oidc_provider: OIDCProvider, http: httpx.Client) -> None:
    p = oidc_provider
    auth = {"Authorization": p.basic_auth("jwt-bearer-client")}

    def grant(assertion: str, **extra: str) -> httpx.Response:
        return http.post(
            p.token_endpoint,
            data={"grant_type": GRANT_JWT_BEARER, "assertion": assertion, **extra},
            headers=auth,
        )

    body = assert_token_response(grant(jwt_bearer_assertion(p, "frank"), scope="api:read"))
    claims = decode_jwt_unverified(body["access_token"])
    assert claims["sub"] == "frank"
    assert claims["aud"] == p.api_resource
    assert body["scope"] == "api:read"
    # aud may also be the issuer identifier
    assert_token_response(grant(jwt_bearer_assertion(p, audience=p.issuer)))

    now = int(time.time())
    bad = {
        "expired": jwt_bearer_assertion(p, exp=now - 60, iat=now - 120),
        "no exp": jwt_bearer_assertion(p, exp=None),
        "no sub": jwt_bearer_assertion(p, sub=""),
        "wrong aud": jwt_bearer_assertion(p, audience="https://elsewhere.example.test"),
        "untrusted iss": jwt_bearer_assertion(p, iss="someone-else"),
        "wrong key": jwt_bearer_assertion(p, key_pem=p.cc_pkjwt_key.private_key_pem),
        "not a jwt": "abc",
    }
    for label, assertion in bad.items():
        resp = grant(assertion)
        assert (resp.status_code, error_of(resp)) == (400, "invalid_grant"), (label, resp.text)

    replayed = jwt_bearer_assertion(p)
    assert_token_response(grant(replayed))
    assert error_of(grant(replayed)) == "invalid_grant"

    missing = http.post(p.token_endpoint, data={"grant_type": GRANT_JWT_BEARER}, headers=auth)
    assert (missing.status_code, error_of(missing)) == (400, "invalid_request")


# --------------------------------------------------------------------------------------------
# profiles and TEST CODE polling policy
# --------------------------------------------------------------------------------------------


def test_profiles_for_metadata_checks(oidc_provider_factory: Any) -> None:
    no_device = oidc_provider_factory("no-device")
    assert no_device.device_authorization_endpoint is None
    assert "device_authorization_endpoint" not in no_device.metadata
    assert GRANT_DEVICE_CODE not in no_device.metadata["grant_types_supported"]
    assert "device-client" not in no_device.clients
    assert no_device.backchannel_authentication_endpoint is not None
    with http_client() as http:
        resp = http.post(f"{no_device.issuer}/device/auth", data={"client_id": "device-client"})
        assert resp.status_code == 404

    no_ciba = oidc_provider_factory("no-ciba")
    assert no_ciba.backchannel_authentication_endpoint is None
    assert "backchannel_token_delivery_modes_supported" not in no_ciba.metadata
    assert GRANT_CIBA not in no_ciba.metadata["grant_types_supported"]
    assert no_ciba.device_authorization_endpoint is not None

    plain = oidc_provider_factory("plain-pkce")
    assert plain.metadata["code_challenge_methods_supported"] == ["plain"]


def test_poll_interval_and_slow_down_test_code(oidc_provider_factory: Any) -> None:
    p = oidc_provider_factory(
        OIDC_TEST_POLL_INTERVAL="1", OIDC_TEST_SLOW_DOWN_INCREMENT="1", OIDC_TEST_CIBA_DELAY_MS="0"
    )
    assert p.poll_interval == 1
    with http_client() as http:
        dev = start_device(http, p, scope="openid")
        assert dev["interval"] == 1
        poll = {
            "grant_type": GRANT_DEVICE_CODE,
            "device_code": dev["device_code"],
            "client_id": "device-client",
        }
        assert error_of(http.post(p.token_endpoint, data=poll)) == "authorization_pending"
        slow = http.post(p.token_endpoint, data=poll)
        assert error_of(slow) == "slow_down"
        assert "2 seconds" in slow.json()["error_description"]  # 1 s + the increment
        approve_device(dev["verification_uri_complete"])
        time.sleep(2.1)  # honouring the new interval is the behaviour under test
        assert_token_response(http.post(p.token_endpoint, data=poll))

        start = ciba_authenticate(p, "alice").json()
        assert start["interval"] == 1


# --------------------------------------------------------------------------------------------
# the fake browser, as a sample would use it
# --------------------------------------------------------------------------------------------


class _Callback(BaseHTTPRequestHandler):
    received: list[str]

    def do_GET(self) -> None:
        type(self).received.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok, you can close this window")

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_fake_browser_script_delivers_callback(
    oidc_provider: OIDCProvider, http: httpx.Client, tmp_path: Path
) -> None:
    p = oidc_provider
    received: list[str] = []
    handler: type[_Callback] = type("H", (_Callback,), {"received": received})
    server = HTTPServer(("127.0.0.1", 0), handler)
    port = server.server_address[1]
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        verifier, challenge = pkce_pair()
        redirect_uri = f"http://127.0.0.1:{port}/callback"
        url = authorization_url(
            p, "native-app", redirect_uri=redirect_uri, code_challenge=challenge, state="xyz"
        )
        log = tmp_path / "fb.jsonl"
        env = {**os.environ, **p.browser_env(log=str(log), login="grace")}
        t0 = time.monotonic()
        done = subprocess.run(
            [str(p.fake_browser), url], env=env, timeout=20, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert time.monotonic() - t0 < 5
        thread.join(timeout=10)
        assert not thread.is_alive(), "callback not delivered"
    finally:
        server.server_close()
    params = parse_callback(received[0])
    assert params["state"] == "xyz" and params["iss"] == p.issuer
    body = assert_token_response(redeem_code(http, p, "native-app", params, verifier, redirect_uri))
    assert decode_jwt_unverified(body["id_token"])["sub"] == "grace"
    events = [json.loads(line)["event"] for line in log.read_text().splitlines()]
    assert "redirect" in events


SINGLE_THREADED_SAMPLE = textwrap.dedent(
    """
    import sys, webbrowser
    from http.server import BaseHTTPRequestHandler, HTTPServer
    got = []
    class H(BaseHTTPRequestHandler):
        def do_GET(self):
            got.append(self.path)
            self.send_response(200); self.end_headers(); self.wfile.write(b"done")
        def log_message(self, *a):
            pass
    srv = HTTPServer(("127.0.0.1", 0), H)
    srv.timeout = 15
    url = sys.argv[1].replace("PORT", str(srv.server_address[1]))
    assert webbrowser.open(url), "webbrowser.open failed"
    srv.handle_request()   # only now does the sample read from its socket
    print(got[0] if got else "NO-CALLBACK")
    """
)


@pytest.mark.parametrize(
    ("settings", "expect"),
    [
        ({}, {"state": "st", "code": None}),
        ({"action": "deny"}, {"state": "st", "error": "access_denied"}),
        ({"tamper": "state"}, {"state": "st-tampered"}),
        ({"tamper": "drop-iss"}, {"state": "st", "iss": "absent"}),
    ],
)
def test_fake_browser_with_webbrowser_module(
    oidc_provider: OIDCProvider, settings: dict[str, str], expect: dict[str, str | None]
) -> None:
    """BROWSER=fake_browser.py works with webbrowser.open, which waits for the command to exit,
    in a single-threaded sample (the callback is delivered after the script has exited)."""
    p = oidc_provider
    _, challenge = pkce_pair()
    url = authorization_url(
        p,
        "native-app",
        redirect_uri="http://127.0.0.1:PORT/callback",
        code_challenge=challenge,
        state="st",
    )
    env = p.sample_env(**settings)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    done = subprocess.run(
        [sys.executable, "-c", SINGLE_THREADED_SAMPLE, url],
        env=env,
        capture_output=True,
        text=True,
        timeout=25,
    )
    assert done.returncode == 0, done.stderr
    params = parse_callback(done.stdout.strip())
    for key, value in expect.items():
        if value is None:
            assert params.get(key), params
        elif value == "absent":
            assert key not in params, params
        else:
            assert params[key] == value, params
    if "tamper" not in settings:
        assert params["iss"] == p.issuer


NODE_SAMPLE = textwrap.dedent(
    """
    // A minimal Node 18+ sample: loopback listener, $BROWSER, PKCE S256, fetch.
    import http from 'node:http';
    import { spawn } from 'node:child_process';
    import crypto from 'node:crypto';

    const issuer = process.argv[2];
    const md = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    const verifier = crypto.randomBytes(32).toString('base64url');
    const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
    const state = crypto.randomBytes(16).toString('base64url');
    const server = http.createServer();
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const redirectUri = `http://127.0.0.1:${server.address().port}/callback`;
    const params = await new Promise((resolve) => {
      server.on('request', (req, res) => {
        res.end('ok');
        resolve(new URL(req.url, redirectUri).searchParams);
      });
      const url = new URL(md.authorization_endpoint);
      for (const [k, v] of Object.entries({
        response_type: 'code', client_id: 'native-app', redirect_uri: redirectUri,
        scope: 'openid offline_access', state, code_challenge: challenge,
        code_challenge_method: 'S256', prompt: 'consent',
      })) url.searchParams.set(k, v);
      spawn(process.env.BROWSER, [url.href], { stdio: 'inherit' });
    });
    server.close();
    if (params.get('state') !== state) throw new Error('state mismatch');
    if (params.get('iss') !== md.issuer) throw new Error('iss mismatch');
    const resp = await fetch(md.token_endpoint, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code', code: params.get('code'), redirect_uri: redirectUri,
        code_verifier: verifier, client_id: 'native-app',
      }),
    });
    console.log(JSON.stringify(await resp.json()));
    """
)


def test_fake_browser_with_node_spawn(oidc_provider: OIDCProvider, tmp_path: Path) -> None:
    """Node samples run `$BROWSER <url>` (spawn, no shell): the script's shebang must work."""
    sample = tmp_path / "sample.mjs"
    sample.write_text(NODE_SAMPLE, encoding="utf-8")
    done = subprocess.run(
        ["node", str(sample), oidc_provider.issuer],
        env=oidc_provider.sample_env(),
        capture_output=True,
        text=True,
        timeout=25,
    )
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["token_type"] == "Bearer"
    assert body["access_token"] and body["refresh_token"]
