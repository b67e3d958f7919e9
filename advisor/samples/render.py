"""Render sample code from Jinja2 templates.

Templates are ``<template>.<ext>.j2`` files (see :mod:`advisor.samples.catalog`); a user's
template folders are searched before the shipped one. This module checks the request, builds
the template's variables and derives what the output says about itself (environment
variables, assumptions); :mod:`advisor.samples.jinja`, imported only when a template really is
rendered, holds Jinja2 (its sandboxed environments and error messages).

Every value from :class:`~advisor.samples.params.SampleParams` must pass through a literal
filter of :mod:`advisor.samples.escape` (``| py``, ``| js``, ``| sh``) to enter code. Undefined
variables are errors (``StrictUndefined``), so a typo in a template fails loudly instead of
generating broken code.

Variables a template sees:

``template``, ``language``, ``filename``
    What is being rendered.
``issuer``, ``client_id``, ``scope`` (space-separated; ``""`` for none), ``scopes`` (tuple)
    The user's values; ``scope`` falls back to the template family's default.
``redirect_uri`` (str or None), ``audience`` (str or None), ``interval`` (int or None)
    Optional values (``redirect_uri`` falls back to the family's default).
``client_auth``
    The client authentication method to generate (``client_secret_basic``, ...).
``authorization_endpoint``, ``token_endpoint``, ``device_authorization_endpoint``,
``backchannel_authentication_endpoint``, ``pushed_authorization_request_endpoint``
    Endpoint URLs: given, discovered, or derived from the issuer (then reported as
    assumptions, for the endpoints a template mentions).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.core.errors import ParameterError, TemplateError
from advisor.core.vocabulary import ENDPOINTS, LANGUAGES
from advisor.samples.catalog import (
    ENV_VARS,
    LOOPBACK_REDIRECT_URI,
    TEMPLATE_DIR,
    TEMPLATE_ID,
    TEMPLATES,
    find_template,
    template_filename,
)
from advisor.samples.escape import FILTERS
from advisor.samples.params import Assumption, SampleParams


@dataclass(frozen=True, slots=True)
class RenderedSample:
    """One generated program."""

    template: str
    """The template family, e.g. ``client_credentials``."""
    language: str
    """``curl``, ``python`` or ``javascript``."""
    code: str
    """The program's source text."""
    filename: str
    """A file name to save it as, e.g. ``client_credentials.py``."""
    env_vars: tuple[str, ...]
    """Environment variables the code reads (secrets, assertions, files), documented order."""
    assumptions: tuple[Assumption, ...]
    """Placeholders and derived values the user should check before running it."""


def render_sample(
    template: str,
    language: str,
    params: SampleParams,
    template_dirs: Sequence[Path] = (),
) -> RenderedSample:
    """Render one template in one language.

    Args:
        template: The template family id, e.g. ``authorization_code_loopback``.
        language: ``curl``, ``python`` or ``javascript``.
        params: The user's values.
        template_dirs: Folders of the user's own templates, searched before the shipped ones
            (every template renders in Jinja's sandbox).

    Raises:
        TemplateError: The template is missing, has a syntax error, uses an undefined variable
            or leaves the sandbox.
        ParameterError: A parameter can never be valid in generated code (a NUL character, an
            unsupported client authentication for this template, ...).
    """
    if not re.match(TEMPLATE_ID, template):
        raise TemplateError(f"invalid template id {template!r} (expected {TEMPLATE_ID})")
    if language not in LANGUAGES:
        raise TemplateError(f"unknown sample language {language!r}; known: {', '.join(LANGUAGES)}")
    path = find_template(template, language, template_dirs)
    if path is None:
        available = [
            lang for lang in LANGUAGES if find_template(template, lang, template_dirs) is not None
        ]
        if available:
            raise TemplateError(
                f"sample {template!r} has no {language} version; it exists in "
                f"{', '.join(available)}"
            )
        searched = ", ".join(str(d) for d in (*template_dirs, TEMPLATE_DIR))
        raise TemplateError(
            f"no {language} template for sample {template!r} "
            f"({template_filename(template, language)} not found in {searched})"
        )
    user_dirs = _user_dirs(path, template_dirs)
    context, info = _context(template, language, params)
    # Jinja2 is imported on the first render, not when the command starts.
    from advisor.samples.jinja import render_template

    code = render_template(template_filename(template, language), path, context, user_dirs)

    # A value enters code only through its language's literal filter, so the literal shows
    # whether the sample uses it (no second parse of the template to find out).
    literal = FILTERS[LANGUAGES[language].literal_filter]
    endpoints = tuple(n for n in ENDPOINTS if literal(params.endpoint(n)) in code)
    assumptions = list(params.assumptions(endpoints))
    if (
        info is not None
        and params.redirect_uri is None
        and info.default_redirect_uri is not None
        and info.default_redirect_uri != LOOPBACK_REDIRECT_URI
        and literal(info.default_redirect_uri) in code
    ):
        assumptions.append(
            Assumption(
                f"redirect URI {info.default_redirect_uri} is a default",
                "pass --redirect-uri with the one registered for your client",
                "redirect_uri",
                "default",
            )
        )
    return RenderedSample(
        template=template,
        language=language,
        code=code,
        filename=f"{template}.{LANGUAGES[language].extension}",
        env_vars=_env_vars(code),
        assumptions=tuple(assumptions),
    )


# --- environments ----------------------------------------------------------------------------


def _user_dirs(path: Path, template_dirs: Sequence[Path]) -> tuple[Path, ...]:
    """The user folders to load from, or () when ``path`` is a shipped template."""
    if path.resolve().parent == TEMPLATE_DIR:
        return ()
    return tuple(Path(d).resolve() for d in template_dirs)


# --- context ---------------------------------------------------------------------------------


def _check(params: SampleParams) -> None:
    params.validate()  # URLs, scopes, ids, client auth, interval: refuses every control char


def _context(template: str, language: str, params: SampleParams) -> tuple[dict[str, object], Any]:
    _check(params)
    info = TEMPLATES.get(template)
    if info is not None:
        client_auth = params.client_auth or info.client_auth[0]
        if client_auth not in info.client_auth:
            raise ParameterError(
                f"sample {template!r} cannot use client authentication {client_auth!r}; "
                f"it supports {', '.join(info.client_auth)}"
            )
        scope = " ".join(params.scopes) or info.default_scope
        redirect_uri = params.redirect_uri or info.default_redirect_uri
    else:
        client_auth = params.client_auth or "client_secret_basic"
        scope = " ".join(params.scopes)
        redirect_uri = params.redirect_uri
    if template == "authorization_code_loopback" and not re.match(
        r"^http://127\.0\.0\.1(:\d{1,5})?/", redirect_uri or ""
    ):
        raise ParameterError(
            "a loopback redirect URI must be http://127.0.0.1[:port]/path "
            "(RFC 8252 §7.3, §8.3: an IP literal, not localhost)"
        )
    context: dict[str, object] = {
        "template": template,
        "language": language,
        "filename": f"{template}.{LANGUAGES[language].extension}",
        "issuer": params.issuer,
        "client_id": params.client_id,
        "scope": scope,
        "scopes": tuple(params.scopes),
        "redirect_uri": redirect_uri,
        "audience": params.audience,
        "interval": params.interval,
        "client_auth": client_auth,
    }
    for endpoint in ENDPOINTS:
        context[endpoint] = params.endpoint(endpoint)
    return context, info


def _env_vars(code: str) -> tuple[str, ...]:
    present = set(re.findall(r"\b[A-Z][A-Z0-9_]*\b", code))
    return tuple(name for name in ENV_VARS if name in present)
