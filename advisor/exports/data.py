"""Engine values as JSON-ready data (the ``--format json`` shapes and ``tree --format json``)."""

from __future__ import annotations

from typing import Any

from advisor.advice import Advice
from advisor.session import Recommendation, Step
from advisor.tree.models import Question, Tree


def answers_data(steps: tuple[Step, ...]) -> list[dict[str, str]]:
    """The answers given, in order, with the words the user saw."""
    return [
        {
            "question": step.question.id,
            "choice": step.choice.id,
            "question_text": step.question.text,
            "choice_label": step.choice.label,
        }
        for step in steps
    ]


def question_data(question: Question) -> dict[str, Any]:
    """A question with its choices (ids and labels)."""
    return {
        "id": question.id,
        "text": question.text,
        "help": question.help,
        "choices": [
            {"id": c.id, "label": c.label, **({"help": c.help} if c.help else {})}
            for c in question.choices
        ],
    }


def recommendation_data(advice: Advice, recommendation: Recommendation) -> dict[str, Any]:
    """A recommendation as data: its fields in :data:`advisor.advice.SECTIONS` order.

    ``flow`` (with ``flow_name`` and ``grant_type``) is the grant that obtains the tokens;
    ``companions`` lists what comes with it (refresh tokens: rotation, lifetimes, storage).
    ``samples`` maps each sample's key to its code: the language id for a dependency-free
    sample (``python``), ``<language>:<library>`` for a library flavour
    (``python:authlib``). ``sample_files`` maps the same keys to what a script needs to show
    and save each one: ``language``, ``library`` (None for a dependency-free sample),
    ``label`` (``python (authlib)``), ``filename`` and ``env_vars``. After discovery,
    ``findings`` lists what the server's metadata says about the advice (``[]``: it supports
    everything) and ``server`` names the server, where its metadata was read
    (``metadata_url``, null when discovery found none it could use: the findings say why)
    and which kind of document it was (``metadata_kind``: ``oauth`` for RFC 8414, ``openid``
    for OpenID Connect Discovery).
    """
    outcome = recommendation.outcome
    flow = recommendation.flow
    data: dict[str, Any] = {
        "id": outcome.id,
        "flow": outcome.grant,
        "flow_name": flow.name if flow else None,
        "grant_type": recommendation.grant_type,
        "companions": [
            {
                "flow": c.companion.flow,
                "name": c.name,
                "grant_type": c.grant_type,
                "why": c.companion.why,
                "rotation": c.companion.rotation,
                "sender_constrained": c.companion.sender_constrained,
                "max_lifetime": c.companion.max_lifetime,
                "idle_timeout": c.companion.idle_timeout,
                "storage": c.companion.storage,
            }
            for c in recommendation.companions
        ],
        "title": outcome.title,
        "summary": outcome.summary,
        "rationale": outcome.rationale,
        "security": list(outcome.security),
        "avoid": [{"what": a.what, "why": a.why} for a in outcome.avoid],
        "alternatives": [
            {"title": a.title, "flow": a.flow, "when": a.when} for a in outcome.alternatives
        ],
        "notes": list(recommendation.notes),
        "references": [
            {"title": r.title, "section": r.section, "url": r.url, "note": r.note}
            for r in recommendation.references
        ],
        "client_auth": list(outcome.client_auth),
        "needs": list(outcome.needs),
        "instead_of": outcome.instead_of,
        "samples": advice.code,
        "sample_files": {
            key: {
                "language": sample.language,
                "library": sample.library,
                "label": sample.label,
                "filename": sample.filename,
                "env_vars": list(sample.env_vars),
            }
            for key, sample in advice.samples.items()
        },
    }
    if advice.sample_note:
        data["samples_note"] = advice.sample_note
    if advice.assumptions:
        data["assumptions"] = [a.text for a in advice.assumptions]
    compat = advice.compatibility
    if compat is not None:
        data["server"] = {
            "issuer": compat.issuer,
            "metadata_url": compat.metadata_url,
            "metadata_kind": compat.metadata_kind,
        }
        data["findings"] = [f.as_dict() for f in compat.findings]
    return data


def session_data(advice: Advice) -> dict[str, Any]:
    """The ``ask --format json`` document: the next question or the recommendation.

    Raises:
        ValueError: ``advice`` is not for a walk (a sample chosen directly).
    """
    session = advice.session
    if session is None:
        raise ValueError("session_data needs the advice of a walk")
    answers = answers_data(session.steps)
    recommendation = advice.recommendation
    if recommendation is None:
        question = session.current_question
        assert question is not None  # a session is at a question or an outcome
        return {
            "status": "question",
            "question": question_data(question),
            "questions_left": session.remaining,
            "answers": answers,
        }
    return {
        "status": "recommendation",
        "recommendation": recommendation_data(advice, recommendation),
        "answers": answers,
    }


def tree_data(tree: Tree) -> dict[str, Any]:
    """The whole validated tree as JSON-ready data (``tree --format json``).

    Every field is written, defaults included, in the models' field order. The result is
    itself a valid tree file (JSON is YAML): ``grant-advisor --tree tree.json`` loads it, and
    the JSON Schema (``grant-advisor schema``) validates it. No ``$schema`` key is added for
    that reason: the format forbids unknown keys. (Written with
    :func:`advisor.core.termsafe.json_text`, which escapes the C1 control characters YAML
    forbids raw and ``json.dumps`` leaves raw.)
    """
    data: dict[str, Any] = tree.model_dump(mode="json")
    return data
