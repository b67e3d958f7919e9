"""Render sample code from Jinja2 templates.

Templates are ``<template>.<ext>.j2`` files, and ``<template>.<tag>.<ext>.j2`` for a flavour
built on a client library (see :mod:`advisor.samples.catalog`); a user's template folders are
searched before the shipped one. This module checks the request, builds
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
``library``
    The flavour's library id (``authlib``, ``openid-client``), or None for a dependency-free
    sample; ``library_versions`` and ``library_install`` are its release range and install
    command (:data:`~advisor.core.vocabulary.LIBRARIES`; None without a library).
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
from advisor.core.termsafe import UNSAFE
from advisor.core.vocabulary import ENDPOINTS, LANGUAGES, LIBRARIES, sample_key, sample_label
from advisor.samples.catalog import (
    ENV_VARS,
    LOOPBACK_REDIRECT_URI,
    TEMPLATE_DIR,
    TEMPLATE_ID,
    TEMPLATES,
    find_template,
    library_gap,
    program_filename,
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
    library: str | None = None
    """The client library the flavour is built on (``authlib``, ...); None for the
    dependency-free sample."""

    @property
    def key(self) -> str:
        """Its key among several samples: ``python``, or ``python:authlib`` for a flavour
        (:func:`~advisor.core.vocabulary.sample_key`)."""
        return sample_key(self.language, self.library)

    @property
    def label(self) -> str:
        """Its name for people: ``python``, or ``python (authlib)``."""
        return sample_label(self.language, self.library)


def render_sample(
    template: str,
    language: str,
    params: SampleParams,
    template_dirs: Sequence[Path] = (),
    library: str | None = None,
) -> RenderedSample:
    """Render one template in one language, dependency-free or as a library's flavour.

    Args:
        template: The template family id, e.g. ``authorization_code_loopback``.
        language: ``curl``, ``python`` or ``javascript``.
        params: The user's values.
        template_dirs: Folders of the user's own templates, searched before the shipped ones
            (every template renders in Jinja's sandbox).
        library: A client library of ``language`` (``authlib`` for python,
            ``openid-client`` for javascript) to render that flavour; None for the
            dependency-free sample.

    Raises:
        TemplateError: The template is missing (for a flavour the catalogue lacks, the
            message says why it has none), has a syntax error, uses an undefined variable,
            leaves the sandbox or its folder, takes longer than
            :data:`advisor.samples.jinja.RENDER_SECONDS`, or its output holds a raw terminal
            control character; the library is unknown or not for ``language``.
        ParameterError: A parameter can never be valid in generated code (a NUL character, an
            unsupported client authentication for this template, ...).
    """
    if not re.match(TEMPLATE_ID, template):
        raise TemplateError(f"invalid template id {template!r} (expected {TEMPLATE_ID})")
    if language not in LANGUAGES:
        raise TemplateError(f"unknown sample language {language!r}; known: {', '.join(LANGUAGES)}")
    path: Path | None
    if library is not None:
        path = _find_flavour(template, language, library, template_dirs)
    else:
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
    context, info = _context(template, language, params, library)
    # Jinja2 is imported on the first render, not when the command starts.
    from advisor.samples.jinja import render_template

    name = template_filename(template, language, library)
    code = render_template(name, path, context, user_dirs)
    _check_characters(code, path)

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
        filename=program_filename(template, language, library),
        env_vars=_env_vars(code),
        assumptions=tuple(assumptions),
        library=library,
    )


def _find_flavour(
    template: str, language: str, library: str, template_dirs: Sequence[Path]
) -> Path:
    """The template file of ``library``'s flavour of ``template``.

    Raises:
        TemplateError: an unknown library, one for another language, or no such flavour
            (saying why when the catalogue knows).
    """
    spec = LIBRARIES.get(library)
    if spec is None:
        raise TemplateError(f"unknown library {library!r}; known: {', '.join(LIBRARIES)}")
    if spec.language != language:
        raise TemplateError(f"{library} is a {spec.language} library, not a {language} one")
    path = find_template(template, language, template_dirs, library)
    if path is not None:
        return path
    why = library_gap(template, library)
    if why is not None:
        raise TemplateError(f"sample {template!r} has no {library} flavour: {why}")
    searched = ", ".join(str(d) for d in (*template_dirs, TEMPLATE_DIR))
    raise TemplateError(
        f"sample {template!r} has no {library} flavour "
        f"({template_filename(template, language, library)} not found in {searched})"
    )


def _check_characters(code: str, path: Path) -> None:
    """Refuse a sample holding a raw terminal control, bidi or invisible character.

    Generated code never needs one raw (the literal filters write values as escapes, pure
    ASCII): in a custom template's output it would reach the terminal (``sample`` prints the
    code as it is) or hide what the code does ("Trojan Source").

    Raises:
        TemplateError: naming the first such character and its line.
    """
    match = UNSAFE.search(code)
    if match is not None:
        line = code.count("\n", 0, match.start()) + 1
        raise TemplateError(
            f"{path}:{line}: the rendered sample contains the control character "
            f"U+{ord(match.group()):04X}: refused (generated code writes such characters as "
            "escapes, never raw)"
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


def check_template_parameters(template: str, params: SampleParams) -> None:
    """The rules of one sample template on values that are valid in themselves: the client
    authentications it can be rendered with, a loopback redirect URI for a native app.

    Raises:
        ParameterError: with :attr:`~advisor.core.errors.ParameterError.field` set to the
            ``SampleParams`` field at fault (``client_auth``, ``redirect_uri``).
    """
    info = TEMPLATES.get(template)
    if info is not None:
        client_auth = params.client_auth or info.client_auth[0]
        if client_auth not in info.client_auth:
            raise ParameterError(
                f"sample {template!r} cannot use client authentication {client_auth!r}; "
                f"it supports {', '.join(info.client_auth)}",
                field="client_auth",
            )
        redirect_uri = params.redirect_uri or info.default_redirect_uri
    else:
        redirect_uri = params.redirect_uri
    if template == "authorization_code_loopback" and not re.match(
        r"^http://127\.0\.0\.1(:\d{1,5})?/", redirect_uri or ""
    ):
        raise ParameterError(
            "a loopback redirect URI must be http://127.0.0.1[:port]/path "
            "(RFC 8252 §7.3, §8.3: an IP literal, not localhost)",
            field="redirect_uri",
        )


def _context(
    template: str, language: str, params: SampleParams, library: str | None = None
) -> tuple[dict[str, object], Any]:
    _check(params)
    check_template_parameters(template, params)
    info = TEMPLATES.get(template)
    if info is not None:
        client_auth = params.client_auth or info.client_auth[0]
        scope = " ".join(params.scopes) or info.default_scope
        redirect_uri = params.redirect_uri or info.default_redirect_uri
    else:
        client_auth = params.client_auth or "client_secret_basic"
        scope = " ".join(params.scopes)
        redirect_uri = params.redirect_uri
    context: dict[str, object] = {
        "template": template,
        "language": language,
        "filename": program_filename(template, language, library),
        "library": library,
        "library_versions": LIBRARIES[library].versions if library else None,
        "library_install": LIBRARIES[library].install if library else None,
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
