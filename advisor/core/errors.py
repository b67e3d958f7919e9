"""Every error grant-advisor raises on purpose.

One hierarchy, so the CLI can map each family to a one-line message and an exit code, and the
TUI can show it in a screen. Anything else reaching a user is a bug::

    AdvisorError                  base; ``exit_code`` 2 (usage or input error)
    ├── TreeError                 a tree file cannot be read or is not a valid tree
    │   └── TreeValidationError   the tree parsed but has problems; carries every ``Problem``
    ├── AnswerError               unknown question/choice id, or a choice off the current path
    ├── ParameterError            a sample parameter that can never be valid (bad issuer, ...)
    ├── TemplateError             a sample template is missing, broken, or escapes its sandbox
    ├── ExportError               an output file cannot be written (or exists, without --force)
    └── DiscoveryError            the authorization server's metadata cannot be read or trusted

``TreeValidationError`` exits with 1 from ``grant-advisor validate`` (the documented "problems
found" code) and with 2 from every other command, where a broken tree is bad input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]

DataPath = tuple[str | int, ...]
"""Where a value sits in a tree's data: keys and list indexes from the root, e.g.
``("questions", 3, "choices", 1, "next")``."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a tree, located as precisely as the loader can."""

    message: str
    """What is wrong, in one sentence."""
    file: str = "<tree>"
    """The tree file's path as the user gave it."""
    line: int | None = None
    """1-based line in the file, when known."""
    column: int | None = None
    """1-based column in the file, when known."""
    node: str | None = None
    """The id of the question or outcome the problem is in, when there is one."""
    hint: str | None = None
    """A did-you-mean suggestion or the fix."""
    severity: Severity = "error"
    """Errors make the tree unusable; warnings are reported by ``validate`` only."""

    def location(self) -> str:
        """``file:line:column``, with whatever parts are known."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def format(self) -> str:
        """The one-line form: ``file:line:col: error: [node] message (hint)``."""
        text = f"{self.location()}: {self.severity}: "
        if self.node:
            text += f"[{self.node}] "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class AdvisorError(Exception):
    """Base of every error grant-advisor raises on purpose."""

    exit_code: int = 2


class TreeError(AdvisorError):
    """A tree file cannot be read, parsed, or trusted (missing, unsafe, too big, ...)."""


class TreeValidationError(TreeError):
    """A tree parsed but is not valid. Carries every problem found, not just the first."""

    def __init__(self, file: str, problems: Sequence[Problem]) -> None:
        self.file = file
        self.problems: tuple[Problem, ...] = tuple(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        count = len(errors)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{file}: {count} {noun} in the decision tree")


class AnswerError(AdvisorError):
    """An answer names an unknown question or choice, or a question that is not on the path."""


class ParameterError(AdvisorError):
    """A sample parameter that can never be valid (issuer, redirect URI, scope, ...).

    Args:
        message: One line saying what is wrong.
        field: The ``SampleParams`` field at fault (``redirect_uri``, ``client_auth``), when
            one is, so that a form can show the message next to it; None otherwise.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        """The field at fault, or None (see above)."""


class TemplateError(AdvisorError):
    """A sample template is missing, fails to render, or tries to leave its sandbox."""


class ExportError(AdvisorError):
    """An output file cannot be written, or exists and ``--force`` was not given."""


class DiscoveryError(AdvisorError):
    """The authorization server's metadata could not be fetched, parsed, or trusted.

    Args:
        message: One line saying what went wrong.
        code: What kind of failure: ``templated_issuer``, ``issuer_mismatch`` or
            ``metadata_not_found`` when the server answered but gave no metadata usable for
            this issuer (``ask --discover`` reports these as findings and still prints the
            advice); ``discovery_failed`` when the server could not be read at all (network,
            TLS, time, size or redirect limits: exit code 2 everywhere).
    """

    def __init__(self, message: str, code: str = "discovery_failed") -> None:
        super().__init__(message)
        self.code = code
        """The failure's code (see above)."""


ANSWERED_DISCOVERY_CODES = frozenset({"templated_issuer", "issuer_mismatch", "metadata_not_found"})
"""Discovery failures in which the server answered but gave no metadata usable for the issuer
(a fact about the server, reported as a finding by ``ask --discover``), as opposed to
``discovery_failed`` (it could not be read at all)."""
