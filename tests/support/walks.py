"""Complete walks of a tree, for tests that go through every outcome."""

from __future__ import annotations

from advisor.session import Session
from advisor.tree.models import Tree


def sessions_to_outcomes(tree: Tree) -> dict[str, Session]:
    """One complete walk per reachable outcome, by outcome id (breadth first: the shortest)."""
    found: dict[str, Session] = {}
    pending = [Session(tree)]
    while pending:
        session = pending.pop(0)
        question = session.current_question
        if question is None:
            assert session.outcome is not None
            found.setdefault(session.outcome.id, session)
            continue
        pending.extend(session.answer(choice.id) for choice in question.choices)
    return found
