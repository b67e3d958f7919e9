"""The words of the domain, stated once: flows and their grant types, sample languages and
the client libraries their flavours are built on, client authentication methods and
authorization-server endpoints.

Every other module takes these names from here: the tree's models (as ``Literal`` types), the
command line's choices, the sample renderer (extension and literal filter of a language), the
exports (a language's Markdown fence tag) and the TUI (its syntax-highlighting lexer).
Imports only the standard library, so the command line can build its parser from it cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal, get_args

# -- flows and grants ----------------------------------------------------------------------------

FlowId = Literal[
    "authorization_code",
    "client_credentials",
    "device_code",
    "refresh_token",
    "token_exchange",
    "jwt_bearer",
    "saml2_bearer",
    "ciba",
]
"""Flows grant-advisor can recommend (catalogue ids)."""

AntiPatternFlowId = Literal["implicit", "password"]
"""Flows that exist in the catalogue only so the tree can explain why not to use them."""

CompanionFlowId = Literal["refresh_token"]
"""Flows that only ever extend a grant that came first, never obtain tokens on their own: an
outcome names them as ``companions`` of its grant, never as the grant (OAuth 2.1 §4.3: a
refresh token is issued along with an earlier grant, RFC 6749 §1.5 and §6)."""

COMPANION_FLOWS: Final[tuple[str, ...]] = get_args(CompanionFlowId)
"""The ids of :data:`CompanionFlowId`."""

GrantType = Literal[
    "authorization_code",
    "client_credentials",
    "urn:ietf:params:oauth:grant-type:device_code",
    "refresh_token",
    "urn:ietf:params:oauth:grant-type:token-exchange",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "urn:ietf:params:oauth:grant-type:saml2-bearer",
    "urn:openid:params:grant-type:ciba",
    "password",
]
"""The ``grant_type`` values sent to a token endpoint (RFC 6749 §4, and each grant's RFC)."""

GRANT_TYPES: Final[MappingProxyType[str, str | None]] = MappingProxyType(
    {
        "authorization_code": "authorization_code",
        "client_credentials": "client_credentials",
        "device_code": "urn:ietf:params:oauth:grant-type:device_code",
        "refresh_token": "refresh_token",
        "token_exchange": "urn:ietf:params:oauth:grant-type:token-exchange",
        "jwt_bearer": "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "saml2_bearer": "urn:ietf:params:oauth:grant-type:saml2-bearer",
        "ciba": "urn:openid:params:grant-type:ciba",
        "password": "password",
        # The implicit flow never reaches the token endpoint (response_type=token).
        "implicit": None,
    }
)
"""Each catalogue flow id's wire ``grant_type`` (None: the flow has no token request)."""

# -- sample languages ----------------------------------------------------------------------------

LanguageId = Literal["curl", "python", "javascript"]
"""Languages sample code is generated in."""


@dataclass(frozen=True, slots=True)
class Language:
    """What the tool needs to know about one sample language, wherever it shows code."""

    id: LanguageId
    """The id users pass to ``--lang`` and trees name in ``sample.languages``."""
    extension: str
    """File extension of a sample (and of its template, ``<template>.<extension>.j2``)."""
    literal_filter: str
    """The Jinja filter (:mod:`advisor.samples.escape`) that turns a value into a literal."""
    fence: str
    """The info string of a Markdown fenced code block holding the sample."""
    lexer: str
    """The Pygments lexer that highlights it."""


LANGUAGES: Final[MappingProxyType[str, Language]] = MappingProxyType(
    {
        spec.id: spec
        for spec in (
            Language("curl", "sh", "sh", "bash", "bash"),
            Language("python", "py", "py", "python", "python"),
            Language("javascript", "mjs", "js", "javascript", "javascript"),
        )
    }
)
"""Every sample language, in display order."""

LANGUAGE_IDS: Final[tuple[str, ...]] = get_args(LanguageId)
"""The language ids, in display order (the keys of :data:`LANGUAGES`)."""

# -- client libraries (sample flavours) ----------------------------------------------------------

LibraryId = Literal["authlib", "openid-client"]
"""Client libraries a sample may be built on instead of the standard library (a flavour)."""


@dataclass(frozen=True, slots=True)
class Library:
    """A language's OAuth client library that sample flavours are built on.

    The dependency-free samples stay the default (they show every request on the wire); a
    flavour is the same flow written the way that library's users would write it.
    """

    id: LibraryId
    """The id users pass to ``--library``, e.g. ``authlib``."""
    language: LanguageId
    """The one sample language it is for."""
    name: str
    """Its display name, e.g. ``Authlib``."""
    package: str
    """Its name in the language's package registry (PyPI, npm)."""
    versions: str
    """The release range the flavours are written for and tested with, in the registry's own
    syntax (a PEP 440 specifier, an npm range)."""
    install: str
    """The command that installs what a flavour needs (the library and what it runs on)."""
    docs: str
    """The library's documentation."""

    @property
    def tag(self) -> str:
        """The id as it appears in file names: ``<template>.<tag>.<ext>.j2`` for a template,
        ``<template>_<tag>.<ext>`` for the program (``openid-client`` becomes
        ``openid_client``, a valid Python and JavaScript identifier)."""
        return self.id.replace("-", "_")


LIBRARIES: Final[MappingProxyType[str, Library]] = MappingProxyType(
    {
        spec.id: spec
        for spec in (
            Library(
                "authlib",
                "python",
                "Authlib",
                "authlib",
                ">=1.9,<2",
                "pip install 'authlib>=1.9,<2' requests",
                "https://docs.authlib.org/en/latest/client/oauth2.html",
            ),
            Library(
                "openid-client",
                "javascript",
                "openid-client",
                "openid-client",
                "^6.8",
                "npm install openid-client@^6.8",
                "https://github.com/panva/openid-client",
            ),
        )
    }
)
"""Every client library a sample flavour is built on, in display order."""

LIBRARY_IDS: Final[tuple[str, ...]] = get_args(LibraryId)
"""The library ids, in display order (the keys of :data:`LIBRARIES`)."""


def sample_key(language: str, library: str | None = None) -> str:
    """How a rendered sample is keyed wherever several are shown together (an ``Advice``'s
    samples, ``ask --format json``): the language id for a dependency-free sample,
    ``<language>:<library>`` for a flavour, e.g. ``python:authlib``."""
    return language if library is None else f"{language}:{library}"


def sample_label(language: str, library: str | None = None) -> str:
    """What people see as a sample's name: ``python``, or ``python (authlib)``."""
    return language if library is None else f"{language} ({library})"


# -- client authentication -----------------------------------------------------------------------

ClientAuthMethod = Literal[
    "private_key_jwt",
    "tls_client_auth",
    "self_signed_tls_client_auth",
    "client_secret_basic",
    "client_secret_post",
    "none",
]
"""Token endpoint client authentication methods, as the IANA "OAuth Token Endpoint
Authentication Methods" registry names them (RFC 7591 §2, RFC 8705 §2)."""

CLIENT_AUTH_METHODS: Final[tuple[str, ...]] = get_args(ClientAuthMethod)
"""Every client authentication method, strongest first."""

SECRET_CLIENT_AUTH: Final = frozenset({"client_secret_basic", "client_secret_post"})
"""Methods that send a shared secret (RFC 6749 §2.3.1)."""

ASYMMETRIC_CLIENT_AUTH: Final = (
    "private_key_jwt",
    "tls_client_auth",
    "self_signed_tls_client_auth",
)
"""Methods that prove possession of a key (RFC 7523 §2.2, RFC 8705 §2), preferred over
secrets by RFC 9700 §2.5."""

MTLS_CLIENT_AUTH: Final = frozenset({"tls_client_auth", "self_signed_tls_client_auth"})
"""Methods that authenticate with a TLS client certificate, and so use the server's
``mtls_endpoint_aliases`` (RFC 8705 §5)."""

# -- authorization-server endpoints --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Endpoint:
    """An authorization-server endpoint that samples call."""

    name: str
    """Its metadata name (RFC 8414 §2), e.g. ``token_endpoint``."""
    default_path: str
    """Appended to the issuer when the endpoint is neither given nor discovered."""
    flag: str
    """The command-line flag that sets it."""


ENDPOINTS: Final[MappingProxyType[str, Endpoint]] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            Endpoint("authorization_endpoint", "/authorize", "--authorization-endpoint"),
            Endpoint("token_endpoint", "/token", "--token-endpoint"),
            Endpoint(
                "device_authorization_endpoint",
                "/device_authorization",
                "--device-authorization-endpoint",
            ),
            Endpoint(
                "backchannel_authentication_endpoint", "/bc-authorize", "--backchannel-endpoint"
            ),
            Endpoint("pushed_authorization_request_endpoint", "/par", "--par-endpoint"),
        )
    }
)
"""The endpoints samples may call, by metadata name, in the order parameters list them."""
