"""The Jinja2 side of rendering: the sandboxed environments, and errors turned into one line.

The only module that imports Jinja2 (about 20 ms, a sixth of a whole ``ask``): it is imported
when a template is actually rendered. Every template renders in Jinja's
:class:`~jinja2.sandbox.SandboxedEnvironment`, so a template from a user's folder cannot reach
Python internals. The shipped ones would not need it, but measured, the sandbox costs about
0.05 ms per render (0.18 ms against 0.13 ms for the largest template, after a first render of
about 17 ms either way): not worth a second, unsandboxed code path.

A template folder is someone else's code, so besides the sandbox:

- templates are read only from inside the given folders: a template or an include that is
  (or sits behind) a symbolic link resolving outside every folder is refused, and only
  regular files of at most :data:`MAX_TEMPLATE_BYTES` are read (a FIFO or a device in a
  folder cannot hang the tool);
- rendering with a user's folders runs in a worker thread and is stopped after
  :data:`RENDER_SECONDS` (nested loops, each within the sandbox's range limit, can run for
  hours; the shipped templates, our own code, render directly); the output is bounded by
  :data:`MAX_OUTPUT_CHARS`, and so are ``*`` and ``**`` on sequences and numbers;
- compiled templates are cached in the user's private cache folder; an entry is read only
  when it is a small regular file, and a cache that cannot be written (full disk, read-only
  mount) turns itself off for the rest of the run instead of failing the render.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import io
import os
import posixpath
import re
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Final

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

from advisor.core.cache import read_entry
from advisor.core.errors import ParameterError, TemplateError
from advisor.samples.catalog import TEMPLATE_DIR
from advisor.samples.escape import FILTERS, LiteralValue

RENDER_SECONDS: Final = 5.0
"""Seconds one template may take to load and render (the largest shipped one: about 20 ms
the first time, 0.2 ms after)."""
MAX_OUTPUT_CHARS: Final = 1024 * 1024
"""The largest sample rendered (the largest shipped one is about 12,000 characters)."""
MAX_TEMPLATE_BYTES: Final = 1024 * 1024
"""The largest template file read."""
_MAX_EXPONENT: Final = 4096
"""The largest exponent of ``**`` on integers (a bigger one can compute for minutes)."""


def render_template(
    name: str, path: Path, context: Mapping[str, object], user_dirs: tuple[Path, ...]
) -> str:
    """Render template ``name`` (found at ``path``) with ``context``, within the limits of the
    module docstring (the time limit applies when ``user_dirs`` are given).

    Args:
        name: The template's file name, e.g. ``client_credentials.py.j2``.
        path: Where it was found (for messages).
        context: The template's variables.
        user_dirs: The user's template folders searched first (resolved), or ``()`` for a
            shipped template.

    Returns:
        The rendered text (at most :data:`MAX_OUTPUT_CHARS` characters).

    Raises:
        TemplateError, ParameterError: one line, with the template's file:line where known;
            also when rendering with ``user_dirs`` takes more than :data:`RENDER_SECONDS`
            seconds.
    """
    if not user_dirs:  # shipped templates are our own code: no worker thread (0.4 ms) needed
        try:
            return _render(name, context, user_dirs)
        except Exception as exc:
            raise _one_line_error(exc, path) from None
    outcome: list[str | BaseException] = []

    def work() -> None:
        try:
            outcome.append(_render(name, context, user_dirs))
        except BaseException as exc:  # handed to the caller, never printed by the thread
            outcome.append(exc)

    worker = threading.Thread(target=work, name="grant-advisor template", daemon=True)
    worker.start()
    try:
        worker.join(RENDER_SECONDS)
    finally:
        if worker.is_alive():  # too slow, or Ctrl-C: stop it at its next Python step
            _stop(worker)
            worker.join(1.0)
    if not outcome or isinstance(outcome[0], _Stopped):
        raise TemplateError(
            f"{path}: rendering took more than {RENDER_SECONDS:g} s and was stopped "
            "(a loop that runs too long?)"
        )
    result = outcome[0]
    if isinstance(result, Exception):  # a user's template can raise anything
        raise _one_line_error(result, path) from None
    if isinstance(result, BaseException):
        raise result
    return result


def _render(name: str, context: Mapping[str, object], user_dirs: tuple[Path, ...]) -> str:
    """:func:`render_template`'s work, in its worker thread."""
    template = environment(user_dirs).get_template(name)
    parts: list[str] = []
    size = 0
    for part in template.generate(context):
        size += len(part)
        if size > MAX_OUTPUT_CHARS:
            raise TemplateError(
                f"the sample is longer than {MAX_OUTPUT_CHARS:,} characters: stopped"
            )
        parts.append(part)
    return "".join(parts)


class _Stopped(BaseException):
    """Raised inside a render that took too long (a BaseException: nothing catches it)."""


def _stop(worker: threading.Thread) -> None:
    """Raise :class:`_Stopped` in ``worker`` at its next Python step (CPython)."""
    import ctypes  # only when a render is stopped

    if worker.ident is None:
        return
    with contextlib.suppress(AttributeError, OSError):
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(worker.ident), ctypes.py_object(_Stopped)
        )


@functools.lru_cache(maxsize=16)
def environment(user_dirs: tuple[Path, ...]) -> jinja2.Environment:
    """The (cached) sandboxed environment for shipped templates or for a user's folders.

    With user folders, the loader searches them first, then the shipped templates, so a
    user's template may include the shipped partials. Shipped templates get an environment
    that loads shipped files only, so a user's folder cannot change them.
    """
    options: dict[str, Any] = {
        "loader": _FolderLoader([*user_dirs, TEMPLATE_DIR]),
        "undefined": jinja2.StrictUndefined,
        "keep_trailing_newline": True,
        "autoescape": False,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "bytecode_cache": _bytecode_cache(),
    }
    env = _Sandbox(**options)
    env.filters.update({name: _strict(function) for name, function in FILTERS.items()})
    return env


class _Sandbox(SandboxedEnvironment):
    """Jinja's sandbox, with ``*`` and ``**`` bounded (``"x" * 10**10``, ``2 ** 10**9``)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """``left operator right``, refused when the result would be huge.

        Raises:
            SecurityError: a repeated sequence longer than :data:`MAX_OUTPUT_CHARS`, or an
                integer power with an exponent above 4096.
        """
        if operator == "**":
            if isinstance(right, int) and isinstance(left, int) and abs(right) > _MAX_EXPONENT:
                raise jinja2.exceptions.SecurityError(f"exponent {right} is too large")
            return left**right
        for sequence, times in ((left, right), (right, left)):
            if (
                isinstance(sequence, str | bytes | list | tuple)
                and isinstance(times, int)
                and len(sequence) * times > MAX_OUTPUT_CHARS
            ):
                raise jinja2.exceptions.SecurityError(
                    f"repeating a sequence {times} times makes it too long"
                )
        return left * right


class _FolderLoader(jinja2.FileSystemLoader):
    """Jinja's file loader that stays inside its folders and reads only small regular files."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        """The source of ``template``, its file name and an is-it-unchanged check.

        Raises:
            TemplateNotFound: no folder has it.
            TemplateError: it resolves outside every folder (a symbolic link), or it is not
                a regular file of at most :data:`MAX_TEMPLATE_BYTES`.
        """
        pieces = split_template_path(template)
        for folder in self.searchpath:
            filename = posixpath.join(folder, *pieces)
            if os.path.isfile(filename):
                break
        else:
            raise jinja2.TemplateNotFound(template)
        real = os.path.realpath(filename)
        roots = [os.path.realpath(folder) for folder in self.searchpath]
        if not any(real.startswith(root.rstrip(os.sep) + os.sep) for root in roots):
            raise TemplateError(
                f"template {template!r} resolves to {real}, outside the template folders "
                "(a symbolic link): refused"
            )
        data = read_entry(Path(real), MAX_TEMPLATE_BYTES)
        if data is None:
            raise TemplateError(
                f"template {template!r} is not a regular file of at most "
                f"{MAX_TEMPLATE_BYTES:,} bytes: refused"
            )
        mtime = os.path.getmtime(real)

        def uptodate() -> bool:
            try:
                return os.path.getmtime(real) == mtime
            except OSError:
                return False

        return data.decode(self.encoding), os.path.normpath(filename), uptodate


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
    return None if folder is None else _BytecodeCache(str(folder))


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's bytecode cache, made safe to fail: an entry is read only when it is a small
    regular file (never a FIFO, a device or a huge sparse file), a damaged one is compiled
    again, and a write that fails (full disk, read-only mount) turns the cache off."""

    def __init__(self, directory: str) -> None:
        super().__init__(directory)
        self.writable = True

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Fill ``bucket`` from its entry, when there is a usable one."""
        data = read_entry(Path(self._get_cache_filename(bucket)))
        if data is None:
            return
        try:
            bucket.load_bytecode(io.BytesIO(data))
        except Exception:  # a damaged entry: compile again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Write ``bucket``'s entry; a failure turns the cache off for this run, silently."""
        if not self.writable:
            return
        name = self._get_cache_filename(bucket)
        try:
            super().dump_bytecode(bucket)
        except OSError:
            self.writable = False
            for leftover in glob.glob(glob.escape(name) + "*.tmp"):
                with contextlib.suppress(OSError):
                    os.unlink(leftover)


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
