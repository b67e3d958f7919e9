"""The Jinja2 side of rendering: the sandboxed environments, and errors turned into one line.

The only module that imports Jinja2 (about 20 ms, a sixth of a whole ``ask``): it is imported
when a template is actually rendered. Every template renders in Jinja's
:class:`~jinja2.sandbox.SandboxedEnvironment`, so a template from a user's folder cannot reach
Python internals. The shipped ones would not need it, but measured, the sandbox costs about
0.05 ms per render (0.18 ms against 0.13 ms for the largest template, after a first render of
about 17 ms either way): not worth a second, unsandboxed code path.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from advisor.core.errors import ParameterError, TemplateError
from advisor.samples.catalog import TEMPLATE_DIR
from advisor.samples.escape import FILTERS, LiteralValue


def render_template(
    name: str, path: Path, context: Mapping[str, object], user_dirs: tuple[Path, ...]
) -> str:
    """Render template ``name`` (found at ``path``) with ``context``.

    Raises:
        TemplateError, ParameterError: one line, with the template's file:line where known.
    """
    try:
        return environment(user_dirs).get_template(name).render(context)
    except Exception as exc:  # a user's template can raise anything; never show a traceback
        raise _one_line_error(exc, path) from None


@functools.lru_cache(maxsize=16)
def environment(user_dirs: tuple[Path, ...]) -> jinja2.Environment:
    """The (cached) sandboxed environment for shipped templates or for a user's folders.

    With user folders, the loader searches them first, then the shipped templates, so a
    user's template may include the shipped partials. Shipped templates get an environment
    that loads shipped files only, so a user's folder cannot change them.
    """
    options: dict[str, Any] = {
        "loader": jinja2.FileSystemLoader([*user_dirs, TEMPLATE_DIR]),
        "undefined": jinja2.StrictUndefined,
        "keep_trailing_newline": True,
        "autoescape": False,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "bytecode_cache": _bytecode_cache(),
    }
    env = SandboxedEnvironment(**options)
    env.filters.update({name: _strict(function) for name, function in FILTERS.items()})
    return env


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates, in the ``templates`` folder of the user's private cache folder.

    Compiling the three templates of a recommendation takes longer than everything else
    ``ask`` does; Jinja checks each entry against the template's source, so an edited
    template is compiled again. Jinja unpickles these entries, so they are kept only in a
    folder that is the user's own and writable by nobody else
    (:func:`advisor.core.cache.cache_dir`). None when caching is off or no such folder can
    be had.
    """
    from advisor.core.cache import cache_dir

    folder = cache_dir("templates")
    return None if folder is None else jinja2.FileSystemBytecodeCache(str(folder))


def _strict(function: Callable[[LiteralValue], str]) -> Callable[[object], str]:
    """A literal filter that reports an undefined variable as such (not as a bad type)."""

    def literal(value: object) -> str:
        if isinstance(value, jinja2.Undefined):
            str(value)  # StrictUndefined raises UndefinedError, naming the variable
        return function(value)  # type: ignore[arg-type]  # the filter checks the type itself

    return literal


# --- errors ----------------------------------------------------------------------------------


def _one_line_error(exc: Exception, path: Path) -> ParameterError | TemplateError:
    """The error to show for an exception raised while rendering: one line, with the
    template's file:line where known."""
    where = _location(exc.__traceback__) or str(path)
    if isinstance(exc, ParameterError | TemplateError):
        message = str(exc) if _is_located(exc) else f"{where}: {exc}"
        return type(exc)(_flatten(message))
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = exc.filename or exc.name or str(path)
        message = f"{where}:{exc.lineno}: template syntax error: {exc.message}"
    elif isinstance(exc, jinja2.TemplateNotFound):
        message = f"{where}: included template {exc.name!r} not found"
    elif isinstance(exc, jinja2.exceptions.SecurityError):
        message = f"{where}: unsafe template refused by the sandbox: {exc}"
    elif isinstance(exc, jinja2.UndefinedError):
        message = f"{where}: {exc.message}"
    else:
        message = f"{where}: rendering failed: {type(exc).__name__}: {exc}"
    return TemplateError(_flatten(message))


def _flatten(message: str) -> str:
    return " ".join(message.split())


def _location(tb: TracebackType | None) -> str | None:
    """``file:line`` of the innermost template frame of a traceback (Jinja rewrites
    tracebacks so template frames carry the template's own file name and line)."""
    where = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


def _is_located(exc: Exception) -> bool:
    return bool(re.match(r"^\S+\.j2:\d+: ", str(exc)))
