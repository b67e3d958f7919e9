"""The shipped decision_tree.yaml: valid, complete, and every outcome reachable."""

from __future__ import annotations

from advisor.session import Session
from advisor.tree.loader import default_tree_path, load
from advisor.tree.models import Question, Tree


def test_shipped_tree_loads_without_problems_or_warnings() -> None:
    loaded = load()
    assert loaded.warnings == ()
    assert default_tree_path().name == "decision_tree.yaml"


def _all_walks(tree: Tree) -> list[Session]:
    """Every complete walk of the tree (it is acyclic and small)."""
    done: list[Session] = []
    pending = [Session(tree)]
    while pending:
        session = pending.pop()
        question = session.current_question
        if question is None:
            done.append(session)
            continue
        pending += [session.answer(choice.id) for choice in question.choices]
    return done


def test_every_outcome_is_reached_by_some_walk(shipped_tree: Tree) -> None:
    reached = {walk.outcome.id for walk in _all_walks(shipped_tree) if walk.outcome}
    assert reached == {outcome.id for outcome in shipped_tree.outcomes}


def test_every_question_is_asked_on_some_walk(shipped_tree: Tree) -> None:
    asked = {step.question.id for walk in _all_walks(shipped_tree) for step in walk.steps}
    assert asked == {question.id for question in shipped_tree.questions}


def test_every_recommendation_cites_sources_and_describes_its_flow(shipped_tree: Tree) -> None:
    for walk in _all_walks(shipped_tree):
        recommendation = walk.recommendation()
        assert recommendation is not None
        assert recommendation.references, recommendation.outcome.id
        assert all(ref.url.startswith("https://") for ref in recommendation.references)
        if recommendation.outcome.grant != "none":
            assert recommendation.flow is not None
            assert not recommendation.flow.anti_pattern


def test_questions_have_help_and_distinct_choices(shipped_tree: Tree) -> None:
    for question in shipped_tree.questions:
        assert isinstance(question, Question)
        assert len(question.help) > 40, question.id
        labels = [choice.label for choice in question.choices]
        assert len(set(labels)) == len(labels), question.id
