"""The whole tree as one self-contained HTML page (``grant-advisor tree --format html``).

The page walks the tree in the browser as the TUI does in a terminal: a question with its help
and its choices' help, back and restart, the answers so far (each one a button that goes back
to it), and the recommendation with its sequence diagram, checklist, references and sample code
(rendered at build time for the default parameters, each with a copy button). Answers live in
the URL fragment (``#situation=person_present&client_location=cli&cli_where=laptop``), so a
link opens that state and the browser's back and forward buttons walk the answers.

The page makes no network request at all: its script and style, kept next to this module in
``page/`` (``page.html``, ``page.css``, ``page.js``), are inlined, and the tree travels as JSON
in a ``<script type="application/json">`` element whose ``<``, ``>``, ``&``, U+2028 and U+2029
are ``\\u`` escapes, so no tree text can close the element. The script inserts every tree
string with ``textContent`` (never as HTML). A Content Security Policy in a ``<meta>`` element
allows nothing but that one script and that one style, by their SHA-256 hashes computed here.
The output is deterministic: the same tree (and templates) always give the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from advisor.core.termsafe import clean
from advisor.session import ResolvedCompanion
from advisor.tree.models import Flow, Outcome, Question, Tree

PAGE_DIR: Final = Path(__file__).resolve().parent / "page"
"""Where the page's template, script and style live (package data)."""

PARTICIPANT_NAMES: Final[dict[str, str]] = {
    "user": "User",
    "device": "User's device",
    "browser": "Browser",
    "client": "Client",
    "auth_server": "Authorization server",
    "api": "API (resource server)",
}
"""Sequence diagram participants in drawing order, with their names (as in the Mermaid
export, :data:`advisor.exports.sequence.PARTICIPANTS`; a test keeps the two equal)."""

# Characters a JSON string may hold that would end the <script> element or confuse an HTML or
# JavaScript parser reading the page: written as \u escapes, which JSON.parse reads back.
_JSON_ESCAPES: Final = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JSON_UNSAFE: Final = re.compile("[<>&\u2028\u2029]")


def script_json(data: Any) -> str:
    """``data`` as JSON safe to put between ``<script type="application/json">`` tags.

    Compact, keys in the order given, non-ASCII kept, and ``<``, ``>``, ``&``, U+2028 and
    U+2029 escaped, so the text can hold neither ``</script>`` nor ``<!--``.

    Raises:
        TypeError: ``data`` holds something JSON cannot represent.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _JSON_UNSAFE.sub(lambda match: _JSON_ESCAPES[match.group(0)], text)


def csp_hash(text: str) -> str:
    """The CSP source expression allowing an inline block whose content is ``text``:
    ``'sha256-<base64 of the SHA-256 of its UTF-8 bytes>'``."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(script: str, style: str) -> str:
    """The page's policy: nothing is allowed but the inline ``script`` and ``style`` (by
    hash) and ``data:`` images; no base URL changes, forms, frames or plugins."""
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {csp_hash(script)}",
            f"style-src {csp_hash(style)}",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
            "object-src 'none'",
        ]
    )


def _text(value: str) -> str:
    """Tree text for the page: without terminal control characters (tab and newline kept)."""
    return clean(value)


def _question(tree: Tree, question: Question) -> dict[str, Any]:
    return {
        "id": question.id,
        "text": _text(question.text),
        "help": _text(question.help),
        "left": tree.questions_left(question.id),
        "choices": [
            {
                "id": choice.id,
                "label": _text(choice.label),
                "help": _text(choice.help) if choice.help else None,
                "next": choice.next,
                "notes": [_text(note) for note in choice.notes],
            }
            for choice in question.choices
        ],
    }


def _flow(flow: Flow) -> dict[str, Any]:
    return {
        "id": flow.id,
        "name": _text(flow.name),
        "grant_type": flow.grant_type,
        "description": _text(flow.description),
        "steps": [_text(step) for step in flow.steps],
        "sequence": [
            {
                "from": step.sender,
                "to": step.receiver,
                "message": _text(step.message),
                "response": step.response,
                "note": _text(step.note) if step.note else None,
            }
            for step in flow.sequence
        ],
    }


def _outcome(
    tree: Tree, outcome: Outcome, samples: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    references = []
    for citation in outcome.references:
        source = tree.source(citation.source)
        if source is None:  # the graph checks reject this; keep the export total anyway
            continue
        label = f"{source.title} §{citation.section}" if citation.section else source.title
        references.append(
            {
                "label": _text(label),
                "url": source.link(citation.section),
                "note": _text(citation.note) if citation.note else None,
            }
        )
    alternatives = []
    for alternative in outcome.alternatives:
        alt_flow = tree.flow(alternative.flow) if alternative.flow else None
        alternatives.append(
            {
                "title": _text(alternative.title),
                "flow": _text(alt_flow.name) if alt_flow else None,
                "when": _text(alternative.when),
            }
        )
    companions = []
    for companion in outcome.companions:
        resolved = ResolvedCompanion(companion, tree.flow(companion.flow))
        companions.append(
            {
                "flow": companion.flow,
                "name": _text(resolved.name),
                "grant_type": resolved.grant_type,
                "properties": [_text(p) for p in resolved.properties],
                "why": _text(companion.why),
            }
        )
    return {
        "id": outcome.id,
        "flow": outcome.grant,
        "companions": companions,
        "title": _text(outcome.title),
        "summary": _text(outcome.summary),
        "rationale": _text(outcome.rationale),
        "security": [_text(item) for item in outcome.security],
        "avoid": [{"what": _text(a.what), "why": _text(a.why)} for a in outcome.avoid],
        "alternatives": alternatives,
        "references": references,
        "instead_of": outcome.instead_of,
        "samples": samples.get(outcome.id, []),
        "samples_note": _text(outcome.sample.note)
        if outcome.sample and outcome.sample.note
        else None,
    }


def _render_samples(
    tree: Tree, template_dirs: Sequence[Path]
) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """Every outcome's samples for the default parameters: outcome id → [{language, code
    (an index into the list of distinct programs), assumptions}], and that list."""
    from advisor.advice import tailored_params, wants_refresh_token
    from advisor.samples.params import SampleParams
    from advisor.samples.render import render_sample

    programs: dict[str, int] = {}
    by_outcome: dict[str, list[dict[str, Any]]] = {}
    for outcome in tree.outcomes:
        if outcome.sample is None:
            continue
        template = outcome.sample.template
        params = tailored_params(
            SampleParams(),
            template,
            outcome.client_auth,
            refresh_token=wants_refresh_token(outcome),
        )
        rendered = {
            language: render_sample(template, language, params, template_dirs)
            for language in outcome.sample.languages
        }
        entries = []
        for language, sample in rendered.items():
            index = programs.setdefault(sample.code, len(programs))
            entries.append(
                {
                    "language": language,
                    "filename": sample.filename,
                    "code": index,
                    "assumptions": [_text(a.text) for a in sample.assumptions],
                }
            )
        by_outcome[outcome.id] = entries
    return by_outcome, [_text(code) for code in programs]


def page_data(
    tree: Tree, template_dirs: Sequence[Path] = (), *, samples: bool = True
) -> dict[str, Any]:
    """What the page's script reads: the tree, resolved for display, as JSON-ready data.

    Args:
        tree: A validated tree.
        template_dirs: Folders of custom sample templates (``--templates``).
        samples: Render every outcome's samples (for the default parameters).

    Returns:
        ``{"title", "description", "start", "questions", "outcomes", "flows",
        "participants", "programs"}``: questions with their choices (``next``, ``notes``) and
        ``left`` (the most questions still to come, this one included); outcomes with
        references resolved to ``{label, url, note}`` and ``samples`` as ``{language,
        filename, code, assumptions}`` where ``code`` indexes ``programs``, the distinct
        sample programs; flows with their ``sequence``. Terminal control characters are
        removed from all text.

    Raises:
        TemplateError: a sample template cannot be rendered.
        ParameterError: a template refuses the default parameters.
    """
    by_outcome, programs = _render_samples(tree, template_dirs) if samples else ({}, [])
    return {
        "title": _text(tree.title),
        "description": _text(tree.description) if tree.description else None,
        "start": tree.start,
        "questions": [_question(tree, question) for question in tree.questions],
        "outcomes": [_outcome(tree, outcome, by_outcome) for outcome in tree.outcomes],
        "flows": [_flow(flow) for flow in tree.flows],
        "participants": [[key, name] for key, name in PARTICIPANT_NAMES.items()],
        "programs": programs,
    }


def _asset(name: str) -> str:
    text = (PAGE_DIR / name).read_bytes().decode("utf-8")
    return text.replace("\r\n", "\n")


def tree_html(tree: Tree, template_dirs: Sequence[Path] = (), *, samples: bool = True) -> str:
    """The page for ``tree``: one HTML document with everything inline.

    Args:
        tree: A validated tree (the shipped one, or a team's own ``--tree``).
        template_dirs: Folders of custom sample templates, searched before the shipped ones.
        samples: Include the outcomes' sample code (rendered for the default parameters).

    Returns:
        The document, ending with a newline. Same tree, same bytes.

    Raises:
        TemplateError: a sample template cannot be rendered.
        ParameterError: a template refuses the default parameters.
    """
    script = _asset("page.js")
    style = _asset("page.css")
    for name, text, closing in (("page.js", script, "</script"), ("page.css", style, "</style")):
        if closing in text.lower():  # our own files; a test keeps them clean
            raise ValueError(f"{name} must not contain {closing!r}")
    title = " ".join(_text(tree.title).split()) or "Decision tree"
    values = {
        "csp": html.escape(content_security_policy(script, style)),
        "title": html.escape(title),
        "style": style,
        "script": script,
        "data": script_json(page_data(tree, template_dirs, samples=samples)),
    }
    # One pass, so a value can never be read as another placeholder.
    return re.sub(r"\{\{(\w+)\}\}", lambda match: values[match.group(1)], _asset("page.html"))
