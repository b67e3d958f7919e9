"""Engine values as JSON-ready data (the ``--format json`` shapes and ``tree --format json``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advisor.models import Question
from advisor.session import Recommendation, Session, Step


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


def recommendation_data(
    recommendation: Recommendation,
    samples: Mapping[str, str] | None = None,
    assumptions: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A recommendation as data; ``samples`` maps language → code."""
    outcome = recommendation.outcome
    flow = recommendation.flow
    data: dict[str, Any] = {
        "id": outcome.id,
        "flow": outcome.flow,
        "flow_name": flow.name if flow else None,
        "grant_type": recommendation.grant_type,
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
        "samples": dict(samples or {}),
    }
    if outcome.sample and outcome.sample.note:
        data["samples_note"] = outcome.sample.note
    if assumptions:
        data["assumptions"] = list(assumptions)
    return data


def session_data(
    session: Session,
    samples: Mapping[str, str] | None = None,
    assumptions: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The ``ask --format json`` document: the next question or the recommendation."""
    answers = answers_data(session.steps)
    recommendation = session.recommendation()
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
        "recommendation": recommendation_data(recommendation, samples, assumptions),
        "answers": answers,
    }
