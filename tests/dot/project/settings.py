"""Settings of the django-oauth-toolkit test server. TEST ONLY: never deploy these.

tests/dot/server.py sets the environment this reads before Django starts:

    DOT_TEST_ORIGIN     http://127.0.0.1:<port>, the server's own origin (ephemeral port)
    DOT_TEST_DB         the SQLite file, in a temporary folder
    DOT_TEST_RSA_KEY    the PEM of the RSA key that signs ID tokens, generated at each start

What is configured, and why:

- OpenID Connect on (RS256 ID tokens; openid and profile are scopes; there is no
  offline_access scope: django-oauth-toolkit issues a refresh token to every client allowed
  the refresh_token grant, and rejects a scope it does not know as invalid_scope).
- PKCE required, S256 only; the RFC 9207 iss parameter in authorization responses.
- Refresh tokens rotate, and a reused (rotated) refresh token revokes the grant.
- The device authorization grant (RFC 8628) with a 1 s polling interval, so tests wait less.
- DEBUG off: as in production, Django's APPEND_SLASH then answers a POST to /o/token with a
  301 to /o/token/ (with DEBUG on it raises an error page instead).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORIGIN = os.environ["DOT_TEST_ORIGIN"]
ISSUER = ORIGIN + "/o"

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
SECRET_KEY = secrets.token_urlsafe(50)
ROOT_URLCONF = "project.urls"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
STATIC_URL = "/static/"  # the toolkit's pages link a style sheet; nothing serves it
LOGIN_URL = "/accounts/login/"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["DOT_TEST_DB"],
        # Requests are served by several threads: wait for the write lock, take it up front.
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
    }
}
# Fast hashing for the test users and the (hashed) client secrets: TEST ONLY.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": os.environ["DOT_TEST_RSA_KEY"],
    "OIDC_ISS_ENDPOINT": ISSUER,
    "SCOPES": {
        "openid": "OpenID Connect",
        "profile": "Your name",
        "read": "Read your data",
        "write": "Change your data",
    },
    "DEFAULT_SCOPES": ["read"],
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "DEVICE_FLOW_INTERVAL": 1,
    "OAUTH_DEVICE_VERIFICATION_URI": ISSUER + "/device/",
    "OAUTH_DEVICE_VERIFICATION_URI_COMPLETE": ISSUER + "/device/?user_code={user_code}",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.request": {"handlers": ["stderr"], "level": "WARNING"},
        "oauth2_provider": {"handlers": ["stderr"], "level": "INFO"},
        "oauthlib": {"handlers": ["stderr"], "level": "INFO"},
    },
}
