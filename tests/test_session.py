"""The session engine: an immutable walk with answer, back, revisit and restart."""

from __future__ import annotations

import dataclasses

import pytest

from advisor.core.errors import AnswerError
from advisor.session import Session
from advisor.tree.models import Tree


def test_a_new_session_is_at_the_start_question(small_tree: Tree) -> None:
    session = Session(small_tree)
    assert session.current_question is not None
    assert session.current_question.id == "user_present"
    assert session.outcome is None
    assert session.recommendation() is None
    assert session.remaining == 2


def test_answer_returns_a_new_session_and_leaves_the_old_one_alone(small_tree: Tree) -> None:
    start = Session(small_tree)
    after = start.answer("yes")
    assert start.steps == ()
    assert after.answers == (("user_present", "yes"),)
    assert after.current_question is not None and after.current_question.id == "has_browser"
    with pytest.raises(dataclasses.FrozenInstanceError):
        after.steps = ()  # type: ignore[misc]


def test_walk_to_an_outcome_accumulates_notes_in_order(small_tree: Tree) -> None:
    done = Session(small_tree).answer("yes").answer("no_browser")
    assert done.is_complete
    assert done.outcome is not None and done.outcome.id == "device"
    assert done.notes == ("A user is present.", "Mind device-code phishing.")
    assert done.remaining == 0
    recommendation = done.recommendation()
    assert recommendation is not None
    assert recommendation.grant_type == "urn:ietf:params:oauth:grant-type:device_code"
    assert recommendation.answers == (("user_present", "yes"), ("has_browser", "no_browser"))
    assert recommendation.references[0].url == "https://www.rfc-editor.org/rfc/rfc8628"


def test_citation_links_to_the_section(small_tree: Tree) -> None:
    recommendation = Session.replay(small_tree, {"user_present": "no"}).recommendation()
    assert recommendation is not None
    assert recommendation.references[0].url.endswith("rfc9700#section-2.5")
    assert recommendation.references[0].label == "RFC 9700 §2.5"


def test_back_undoes_one_answer_and_is_a_no_op_at_the_start(small_tree: Tree) -> None:
    start = Session(small_tree)
    assert start.back() == start
    walked = start.answer("yes").answer("browser")
    assert walked.back().answers == (("user_present", "yes"),)
    assert walked.back().back() == start


def test_revisit_drops_the_step_and_everything_after_it(small_tree: Tree) -> None:
    walked = Session(small_tree).answer("yes").answer("browser")
    assert walked.revisit(0).answers == ()
    assert walked.revisit(1).answers == (("user_present", "yes"),)
    with pytest.raises(AnswerError, match="no step 2"):
        walked.revisit(2)


def test_restart_goes_back_to_the_first_question(small_tree: Tree) -> None:
    walked = Session(small_tree).answer("yes").answer("browser")
    assert walked.restart() == Session(small_tree)


def test_unknown_choice_lists_the_valid_ones(small_tree: Tree) -> None:
    with pytest.raises(AnswerError, match="valid: yes, no"):
        Session(small_tree).answer("maybe")


def test_answering_the_wrong_question_is_refused(small_tree: Tree) -> None:
    with pytest.raises(AnswerError, match="not the current question"):
        Session(small_tree).answer("browser", "has_browser")


def test_no_answers_after_an_outcome(small_tree: Tree) -> None:
    with pytest.raises(AnswerError, match="walk is complete"):
        Session(small_tree).answer("no").answer("yes")


def test_replay_ignores_order_of_answers(small_tree: Tree) -> None:
    forward = Session.replay(small_tree, [("user_present", "yes"), ("has_browser", "browser")])
    backward = Session.replay(small_tree, [("has_browser", "browser"), ("user_present", "yes")])
    assert forward == backward
    assert forward.outcome is not None and forward.outcome.id == "code"


def test_replay_stops_at_the_first_unanswered_question(small_tree: Tree) -> None:
    session = Session.replay(small_tree, {"user_present": "yes"})
    assert session.current_question is not None
    assert session.current_question.id == "has_browser"


def test_replay_rejects_unknown_questions_with_a_suggestion(small_tree: Tree) -> None:
    with pytest.raises(AnswerError, match=r"unknown question 'user_presnt'.*'user_present'"):
        Session.replay(small_tree, {"user_presnt": "yes"})


def test_replay_rejects_answers_off_the_path(small_tree: Tree) -> None:
    with pytest.raises(AnswerError, match=r"'has_browser' is not on the path.*user_present → m2m"):
        Session.replay(small_tree, {"user_present": "no", "has_browser": "browser"})


def test_replay_rejects_contradicting_answers(small_tree: Tree) -> None:
    with pytest.raises(AnswerError, match="answered twice"):
        Session.replay(small_tree, [("user_present", "yes"), ("user_present", "no")])


def test_remaining_counts_the_longest_way_to_an_outcome(shipped_tree: Tree) -> None:
    session = Session(shipped_tree)
    # Following the first choice every time must end within `remaining` answers.
    steps = 0
    budget = session.remaining
    while (question := session.current_question) is not None:
        assert session.remaining <= budget - steps
        session = session.answer(question.choices[0].id)
        steps += 1
    assert steps <= budget
