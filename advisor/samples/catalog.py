"""Where sample templates live, what they are called, and which library flavours each has.
Imports nothing heavy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from advisor.core.vocabulary import (
    CLIENT_AUTH_METHODS,
    LANGUAGE_IDS,
    LANGUAGES,
    LIBRARIES,
    SECRET_CLIENT_AUTH,
)

# Re-exported: where the files are is part of what the catalogue describes.
from advisor.samples.files import TEMPLATE_DIR as TEMPLATE_DIR
from advisor.samples.files import find_template as find_template
from advisor.samples.files import program_filename as program_filename
from advisor.samples.files import template_filename as template_filename

ClientAuth = str
"""A token endpoint client authentication method (one of
:data:`~advisor.core.vocabulary.CLIENT_AUTH_METHODS`)."""

TEMPLATE_ID: Final = r"^[a-z][a-z0-9_]{0,63}$"
"""What a template id looks like (the tree's node id pattern): no path can hide in one."""


@dataclass(frozen=True, slots=True)
class TemplateInfo:
    """What a shipped template family does and what it can be rendered with."""

    id: str
    """The template id (``SampleSpec.template``), e.g. ``client_credentials``."""
    flow: str
    """The catalogue flow it implements (``client_credentials``, ``authorization_code``, ...)."""
    title: str
    """One line for listings, e.g. ``Client Credentials, client_secret_basic``."""
    languages: tuple[str, ...]
    """The languages it ships in, in display order."""
    client_auth: tuple[ClientAuth, ...]
    """Client authentication methods it can be rendered with, the default first."""
    default_scope: str = ""
    """Scopes requested when the user gives none ("" sends no ``scope``)."""
    default_redirect_uri: str | None = None
    """Redirect URI used when the user gives none (None: the flow has no redirect, or the
    sample works it out at run time)."""
    notes: tuple[str, ...] = ()
    """What a user should know, e.g. why a language is missing or only syntax-checked."""
    libraries: tuple[str, ...] = ()
    """The library flavours it ships in (:data:`~advisor.core.vocabulary.LIBRARIES` ids), each
    with the same client authentications as the dependency-free sample; why the others of
    its languages are missing is in :data:`LIBRARY_GAPS`."""


_ALL: Final = LANGUAGE_IDS
_SECRET: Final = tuple(m for m in CLIENT_AUTH_METHODS if m in SECRET_CLIENT_AUTH)
_USER_SCOPE: Final = "openid profile offline_access"
LOOPBACK_REDIRECT_URI: Final = "http://127.0.0.1/callback"
"""The native-app default: no port, so the sample listens on any free one (RFC 8252 §7.3)."""
_WEB_REDIRECT: Final = "http://127.0.0.1:8000/callback"
_BOTH: Final = ("authlib", "openid-client")
_PKJWT_ONE_REQUEST: Final = (
    "With private_key_jwt, python signs the client assertion with PyJWT and javascript with "
    "node:crypto; curl cannot sign a JWT and sends the pre-made, single-use assertion in "
    "OAUTH_CLIENT_ASSERTION (it makes one authenticated request, so one assertion a run)."
)

TEMPLATES: Final[dict[str, TemplateInfo]] = {
    info.id: info
    for info in (
        TemplateInfo(
            "authorization_code_web",
            "authorization_code",
            "Authorization Code + PKCE for a confidential server-side web app (BFF)",
            _ALL,
            (*_SECRET, "private_key_jwt"),
            _USER_SCOPE,
            _WEB_REDIRECT,
            (
                "python and javascript are small web servers (standard library only) that keep "
                "tokens on the server; curl shows the two HTTP requests and reads the pasted "
                "redirect URL.",
                _PKJWT_ONE_REQUEST,
            ),
            libraries=_BOTH,
        ),
        TemplateInfo(
            "authorization_code_loopback",
            "authorization_code",
            "Authorization Code + PKCE for a native or CLI app (loopback redirect, system browser)",
            _ALL,
            ("none",),
            _USER_SCOPE,
            LOOPBACK_REDIRECT_URI,
            (
                "python and javascript listen on 127.0.0.1 on any free port (RFC 8252 §7.3); "
                "a shell script cannot listen, so the curl sample prints the URL and reads the "
                "redirect URL you paste.",
            ),
            libraries=_BOTH,
        ),
        TemplateInfo(
            "authorization_code_browser",
            "authorization_code",
            "Authorization Code + PKCE in a browser single-page app (public client)",
            ("javascript",),
            ("none",),
            "openid profile",
            None,
            (
                "javascript only: an ES module for the browser (fetch, crypto.subtle, "
                "sessionStorage); it is syntax-checked with node --check, not run.",
                "Prefer a backend for frontend (authorization_code_web) when you have a server.",
            ),
        ),
        TemplateInfo(
            "authorization_code_fapi",
            "authorization_code",
            "Authorization Code with PAR, PKCE, private_key_jwt and DPoP (FAPI 2.0 style)",
            ("python", "javascript"),
            ("private_key_jwt",),
            "openid profile",
            _WEB_REDIRECT,
            ("No curl sample: every DPoP proof is a JWT signed for one request.",),
        ),
        TemplateInfo(
            "refresh_token",
            "refresh_token",
            "Refresh Token grant with rotation (stores the new refresh token)",
            _ALL,
            ("none", *_SECRET, "private_key_jwt"),
            notes=(_PKJWT_ONE_REQUEST,),
            libraries=_BOTH,
        ),
        TemplateInfo(
            "device_code",
            "device_code",
            "Device Authorization Grant (RFC 8628), polling at the server's interval",
            _ALL,
            ("none", *_SECRET),
            _USER_SCOPE,
            libraries=_BOTH,
        ),
        TemplateInfo(
            "ciba",
            "ciba",
            "Client-Initiated Backchannel Authentication, poll mode",
            _ALL,
            (*_SECRET, "private_key_jwt"),
            "openid",
            notes=(
                "With private_key_jwt, python signs a client assertion for every request with "
                "PyJWT and javascript with node:crypto; curl cannot sign a JWT and makes "
                "several requests (the backchannel request, then one per poll), so it runs "
                "OAUTH_CLIENT_ASSERTION_COMMAND for a fresh assertion each time.",
            ),
            libraries=_BOTH,
        ),
        TemplateInfo(
            "token_exchange",
            "token_exchange",
            "Token Exchange (RFC 8693): trade a subject token for one for another audience",
            _ALL,
            (*_SECRET, "private_key_jwt"),
            notes=(_PKJWT_ONE_REQUEST,),
            libraries=_BOTH,
        ),
        TemplateInfo(
            "jwt_bearer",
            "jwt_bearer",
            "JWT Bearer authorization grant (RFC 7523 §2.1), assertion from the environment",
            _ALL,
            (*_SECRET, "none", "private_key_jwt"),
            notes=(_PKJWT_ONE_REQUEST,),
        ),
        TemplateInfo(
            "saml2_bearer",
            "saml2_bearer",
            "SAML 2.0 Bearer authorization grant (RFC 7522), assertion from the environment",
            _ALL,
            (*_SECRET, "none", "private_key_jwt"),
            notes=(_PKJWT_ONE_REQUEST,),
        ),
        TemplateInfo(
            "client_credentials",
            "client_credentials",
            "Client Credentials with a client secret",
            _ALL,
            _SECRET,
            libraries=_BOTH,
        ),
        TemplateInfo(
            "client_credentials_private_key_jwt",
            "client_credentials",
            "Client Credentials with private_key_jwt (RFC 7523 §2.2 client assertion)",
            _ALL,
            ("private_key_jwt",),
            notes=(
                "curl cannot sign a JWT: it sends a pre-made assertion from "
                "OAUTH_CLIENT_ASSERTION; python uses PyJWT, javascript node:crypto.",
            ),
            libraries=_BOTH,
        ),
        TemplateInfo(
            "client_credentials_federated",
            "client_credentials",
            "Client Credentials with a workload identity token as client assertion",
            _ALL,
            ("private_key_jwt",),
            notes=(
                "Sends the JWT your platform issues (Kubernetes, GitHub Actions, a cloud) "
                "from the file named by OAUTH_FEDERATED_TOKEN_FILE; the server must trust "
                "that issuer for this client.",
            ),
        ),
        TemplateInfo(
            "client_credentials_mtls",
            "client_credentials",
            "Client Credentials with mutual TLS client authentication (RFC 8705)",
            _ALL,
            ("tls_client_auth", "self_signed_tls_client_auth"),
        ),
    )
}
"""Every shipped template family."""

_NO_FILE_ASSERTION: Final = (
    "{name} has no client authentication that reads a platform's identity token from a "
    "file; it would be a hand-written hook adding the same three form fields as the "
    "dependency-free sample"
)

LIBRARY_GAPS: Final[dict[tuple[str, str], str]] = {
    # Authlib 1.9 (python)
    ("client_credentials_federated", "authlib"): _NO_FILE_ASSERTION.format(name="Authlib"),
    ("client_credentials_mtls", "authlib"): (
        "Authlib has no tls_client_auth client method: the certificate is requests' cert= "
        "and the body only names the client, which is what the dependency-free python "
        "sample does"
    ),
    ("jwt_bearer", "authlib"): (
        "Authlib's AssertionSession signs its own assertion (the service-account use); this "
        "sample sends an assertion made elsewhere, one form post where Authlib adds nothing"
    ),
    ("saml2_bearer", "authlib"): "Authlib has no SAML 2.0 bearer grant (RFC 7522) client",
    ("authorization_code_fapi", "authlib"): (
        "Authlib's client has neither DPoP (RFC 9449) nor pushed authorization requests (RFC 9126)"
    ),
    # openid-client 6 (javascript)
    ("client_credentials_federated", "openid-client"): _NO_FILE_ASSERTION.format(
        name="openid-client"
    ),
    ("client_credentials_mtls", "openid-client"): (
        "openid-client's TlsClientAuth needs a customFetch with an undici Agent that holds "
        "the certificate (Node's global fetch cannot present one): a second npm package"
    ),
    ("jwt_bearer", "openid-client"): (
        "not written: openid-client has no JWT bearer grant of its own; it would be "
        "genericGrantRequest with an assertion made elsewhere, as in the token_exchange flavour"
    ),
    ("saml2_bearer", "openid-client"): (
        "not written: openid-client has no SAML 2.0 bearer grant of its own; it would be "
        "genericGrantRequest with an assertion made elsewhere, as in the token_exchange flavour"
    ),
    ("authorization_code_fapi", "openid-client"): (
        "not written: openid-client supports PAR, DPoP and private_key_jwt, but this flavour "
        "has not been written and verified yet; use the dependency-free javascript sample"
    ),
    ("authorization_code_browser", "openid-client"): (
        "openid-client runs in browsers, but as an npm package it needs a bundler; this "
        "sample is a module a page loads as it is"
    ),
}
"""Why a template has no flavour for a library of one of its languages: (template, library)
-> one line, shown when a user asks for that flavour."""


DEFAULT_TEMPLATE: Final[dict[str, str]] = {
    # The loopback sample runs anywhere without a server or a secret: the easiest to try.
    "authorization_code": "authorization_code_loopback",
    "client_credentials": "client_credentials",
    "device_code": "device_code",
    "refresh_token": "refresh_token",
    "token_exchange": "token_exchange",
    "jwt_bearer": "jwt_bearer",
    "saml2_bearer": "saml2_bearer",
    "ciba": "ciba",
}
"""The template ``grant-advisor sample FLOW`` renders for each recommendable flow."""

ENV_VARS: Final[dict[str, str]] = {
    "OAUTH_CLIENT_SECRET": "the client secret (client_secret_basic / client_secret_post)",
    "OAUTH_PRIVATE_KEY_FILE": "path of the client's private key, PEM (PKCS#8), RSA or EC P-256, "
    "for private_key_jwt",
    "OAUTH_PRIVATE_KEY_ID": "optional: the key's kid as registered with the server",
    "OAUTH_CLIENT_ASSERTION": "a pre-made, unused private_key_jwt client assertion (curl only)",
    "OAUTH_CLIENT_ASSERTION_COMMAND": "a shell command that prints a fresh private_key_jwt "
    "client assertion each time it runs (curl CIBA sample, which makes several requests)",
    "OAUTH_FEDERATED_TOKEN_FILE": "path of the file your platform writes its workload identity "
    "JWT to (re-read on every run: the platform rotates it)",
    "OAUTH_CLIENT_CERT_FILE": "path of the client certificate, PEM, for mutual TLS",
    "OAUTH_CLIENT_KEY_FILE": "path of the client certificate's private key, PEM",
    "OAUTH_ASSERTION": "the authorization grant assertion: a JWT (jwt_bearer) or a SAML 2.0 "
    "assertion, base64url-encoded or raw XML (saml2_bearer)",
    "OAUTH_SUBJECT_TOKEN": "the token to exchange (RFC 8693 subject_token)",
    "OAUTH_SUBJECT_TOKEN_TYPE": "optional: its type URI (default "
    "urn:ietf:params:oauth:token-type:access_token)",
    "OAUTH_REFRESH_TOKEN_FILE": "path of the file holding the refresh token; the rotated one is "
    "written back (mode 0600). Flows that can return one save it there when set",
    "OAUTH_LOGIN_HINT": "who to authenticate (CIBA login_hint), e.g. an email address",
    "PORT": "optional: the port the web app listens on (default: the redirect URI's)",
    "BROWSER": "optional: the command that opens the authorization URL, as Python's webbrowser "
    "reads it: commands separated by ':', tried in order, %s for the URL (default: the system "
    "browser)",
}
"""Every environment variable a shipped sample may read, with what it holds."""


def _shipped_files() -> dict[str, set[tuple[str, str | None]]]:
    """Every template file shipped: template id -> {(language, library or None)}."""
    by_ext = {spec.extension: spec.id for spec in LANGUAGES.values()}
    by_tag = {spec.tag: spec.id for spec in LIBRARIES.values()}
    found: dict[str, set[tuple[str, str | None]]] = {}
    for path in TEMPLATE_DIR.glob("*.j2"):
        if path.name.startswith("_"):
            continue
        stem, _, ext = path.name.removesuffix(".j2").rpartition(".")
        if not stem or ext not in by_ext:
            continue
        template, _, tag = stem.partition(".")
        if tag and tag not in by_tag:
            continue
        found.setdefault(template, set()).add((by_ext[ext], by_tag[tag] if tag else None))
    return found


def shipped_templates() -> dict[str, tuple[str, ...]]:
    """Every template family in the shipped templates folder, with its languages.

    Read from the files themselves (``<template>.<ext>.j2``; partials start with ``_``;
    library flavours, ``<template>.<tag>.<ext>.j2``, are :func:`shipped_flavours`), in
    template id order, languages in :data:`~advisor.core.vocabulary.LANGUAGES` order.
    """
    return {
        template: tuple(lang for lang in LANGUAGES if (lang, None) in files)
        for template, files in sorted(_shipped_files().items())
        if any(library is None for _, library in files)
    }


def shipped_flavours() -> dict[str, tuple[str, ...]]:
    """The library flavours in the shipped templates folder: template id -> library ids, in
    :data:`~advisor.core.vocabulary.LIBRARIES` order (templates without one are left out)."""
    found = {
        template: tuple(lib for lib in LIBRARIES if any(lb == lib for _, lb in files))
        for template, files in sorted(_shipped_files().items())
    }
    return {template: libraries for template, libraries in found.items() if libraries}


def library_gap(template: str, library: str) -> str | None:
    """Why the shipped ``template`` has no ``library`` flavour (None: it has one, or nothing
    is known about it, e.g. a user's own template)."""
    info = TEMPLATES.get(template)
    if info is None or library in info.libraries:
        return None
    if LIBRARIES[library].language not in info.languages:
        return f"{template!r} has no {LIBRARIES[library].language} sample at all"
    return LIBRARY_GAPS.get((template, library))


def choose_client_auth(template: str, preferred: Sequence[str] = ()) -> str | None:
    """The client authentication to render ``template`` with.

    Args:
        template: A template id.
        preferred: Methods in order of preference (e.g. an outcome's ``client_auth``); the
            first one the template supports wins.

    Returns:
        That method, else the template's default; None for a template not in
        :data:`TEMPLATES` (a user's own).
    """
    info = TEMPLATES.get(template)
    if info is None:
        return None
    for method in preferred:
        if method in info.client_auth:
            return method
    return info.client_auth[0]
