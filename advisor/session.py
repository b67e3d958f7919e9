"""Walking a tree: the session is an immutable value.

A :class:`Session` holds a tree and the answers so far. :meth:`Session.answer`,
:meth:`Session.back`, :meth:`Session.revisit` and :meth:`Session.restart` return new sessions;
the current question, the outcome, the accumulated notes and the recommendation are derived.
The TUI and the command line (which replays ``--answer`` flags) go through the same methods.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from advisor.core.errors import AnswerError
from advisor.core.suggest import did_you_mean
from advisor.tree.models import Choice, Companion, Flow, Node, Outcome, Question, Tree


@dataclass(frozen=True, slots=True)
class Step:
    """One answered question."""

    question: Question
    choice: Choice


@dataclass(frozen=True, slots=True)
class ResolvedCitation:
    """A citation with its source's title and a link to the section."""

    title: str
    section: str | None
    url: str
    note: str | None

    @property
    def label(self) -> str:
        """``RFC 9700 §2.1.1`` style label."""
        return f"{self.title} §{self.section}" if self.section else self.title


_UNITS: dict[str, str] = {
    "Y": "year",
    "M": "month",
    "W": "week",
    "D": "day",
    "TH": "hour",
    "TM": "minute",
    "TS": "second",
}

_ROTATION: dict[str, str] = {
    "required": "rotated on every use unless sender-constrained (required for public clients)",
    "expected": "may be rotated (store the new one whenever a refresh returns it)",
    "exceptional": "rotated only in extraordinary circumstances (FAPI 2.0; support it anyway)",
}


def duration_words(duration: str) -> str:
    """``P90D`` as ``90 days``, ``PT12H`` as ``12 hours`` (the tree's one-unit durations)."""
    time = duration.startswith("PT")
    body = duration[2:] if time else duration[1:]
    number, unit = body[:-1], body[-1]
    word = _UNITS.get(("T" if time else "") + unit, unit)
    return f"{number} {word}{'' if number == '1' else 's'}"


@dataclass(frozen=True, slots=True)
class ResolvedCompanion:
    """A companion of the recommended grant, with its catalogue entry."""

    companion: Companion
    flow: Flow | None
    """The catalogue entry of the companion flow (None only with an unchecked tree)."""

    @property
    def name(self) -> str:
        """Its display name, e.g. ``Refresh Token``."""
        return self.flow.name if self.flow else self.companion.flow

    @property
    def grant_type(self) -> str | None:
        """The wire ``grant_type`` the companion sends, e.g. ``refresh_token``."""
        return self.flow.grant_type if self.flow else None

    @property
    def properties(self) -> tuple[str, ...]:
        """Its properties in words, in a fixed order: rotation, binding, lifetimes, storage."""
        companion = self.companion
        parts = [_ROTATION[companion.rotation]]
        if companion.sender_constrained:
            parts.append("bound to the client's key (DPoP or mTLS)")
        if companion.max_lifetime:
            parts.append(
                f"expire at most {duration_words(companion.max_lifetime)} after the user's consent "
                f"({companion.max_lifetime}), never extended by rotation"
            )
        if companion.idle_timeout:
            parts.append(
                f"expire after {duration_words(companion.idle_timeout)} unused "
                f"({companion.idle_timeout})"
            )
        parts.append(f"kept {companion.storage}")
        return tuple(parts)

    @property
    def summary(self) -> str:
        """One line: the name, the wire grant type and the properties."""
        wire = f" (grant_type={self.grant_type})" if self.grant_type else ""
        return f"{self.name}{wire}: " + "; ".join(self.properties)


@dataclass(frozen=True, slots=True)
class Recommendation:
    """What a complete walk recommends: the outcome, its grant and companions, the path and
    the notes."""

    outcome: Outcome
    flow: Flow | None
    """The catalogue entry of the recommended grant; None when the outcome's grant is
    ``none``."""
    steps: tuple[Step, ...]
    notes: tuple[str, ...]
    references: tuple[ResolvedCitation, ...]
    tree_title: str
    companions: tuple[ResolvedCompanion, ...] = ()
    """The flows that come with the grant (refresh tokens), in the outcome's order."""

    @property
    def grant_type(self) -> str | None:
        """The wire ``grant_type`` of the recommended grant, if it has one."""
        return self.flow.grant_type if self.flow else None

    @property
    def answers(self) -> tuple[tuple[str, str], ...]:
        """``(question id, choice id)`` pairs, in order: what ``--answer`` replays."""
        return tuple((step.question.id, step.choice.id) for step in self.steps)


@dataclass(frozen=True, slots=True)
class Session:
    """A walk through ``tree``: the answers so far, and everything derived from them."""

    tree: Tree
    steps: tuple[Step, ...] = ()

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def replay(cls, tree: Tree, answers: Mapping[str, str] | Iterable[tuple[str, str]]) -> Session:
        """Walk from the start, taking each question's answer from ``answers``.

        The walk stops at an outcome or at the first question without an answer. The order of
        ``answers`` does not matter; each question may be answered once.

        Raises:
            AnswerError: an unknown question or choice, a question answered twice with
                different choices, or an answer for a question that is not on the path.
        """
        pending: dict[str, str] = {}
        items = answers.items() if isinstance(answers, Mapping) else answers
        for question_id, choice_id in items:
            if question_id in pending and pending[question_id] != choice_id:
                raise AnswerError(
                    f"question {question_id!r} is answered twice "
                    f"({pending[question_id]!r} and {choice_id!r})"
                )
            pending[question_id] = choice_id
        session = cls(tree)
        while (question := session.current_question) is not None and question.id in pending:
            session = session.answer(pending.pop(question.id), question.id)
        for question_id in pending:
            if tree.question(question_id) is None:
                hint = did_you_mean(question_id, (q.id for q in tree.questions))
                raise AnswerError(
                    f"unknown question {question_id!r}" + (f": {hint}" if hint else "")
                )
        if pending:
            question_id = next(iter(pending))
            path = " → ".join([*(s.question.id for s in session.steps), session.node.id])
            raise AnswerError(
                f"question {question_id!r} is not on the path of these answers ({path})"
            )
        return session

    # -- derived state ------------------------------------------------------------------------

    @property
    def node(self) -> Node:
        """The node the walk is at: the current question, or the outcome reached."""
        node_id = self.steps[-1].choice.next if self.steps else self.tree.start
        node = self.tree.node(node_id)
        if node is None:  # only possible with an unchecked tree
            raise AnswerError(f"the tree has no node {node_id!r}")
        return node

    @property
    def current_question(self) -> Question | None:
        """The question to answer next; None once an outcome is reached."""
        node = self.node
        return node if isinstance(node, Question) else None

    @property
    def outcome(self) -> Outcome | None:
        """The outcome reached, or None while questions remain."""
        node = self.node
        return node if isinstance(node, Outcome) else None

    @property
    def is_complete(self) -> bool:
        """True once the walk has reached an outcome."""
        return self.outcome is not None

    @property
    def answers(self) -> tuple[tuple[str, str], ...]:
        """``(question id, choice id)`` pairs so far."""
        return tuple((step.question.id, step.choice.id) for step in self.steps)

    @property
    def notes(self) -> tuple[str, ...]:
        """Notes added by the choices on the path, in order, without repeats."""
        return tuple(dict.fromkeys(note for step in self.steps for note in step.choice.notes))

    @property
    def remaining(self) -> int:
        """The most questions that may still be asked before an outcome (0 when done)."""
        return self.tree.questions_left(self.node.id)

    def recommendation(self) -> Recommendation | None:
        """The recommendation for a complete walk, or None while questions remain."""
        outcome = self.outcome
        if outcome is None:
            return None
        citations = []
        for citation in outcome.references:
            source = self.tree.source(citation.source)
            if source is None:  # only possible with an unchecked tree
                continue
            citations.append(
                ResolvedCitation(
                    title=source.title,
                    section=citation.section,
                    url=source.link(citation.section),
                    note=citation.note,
                )
            )
        return Recommendation(
            outcome=outcome,
            flow=self.tree.flow(outcome.grant) if outcome.grant != "none" else None,
            steps=self.steps,
            notes=self.notes,
            references=tuple(citations),
            tree_title=self.tree.title,
            companions=tuple(
                ResolvedCompanion(companion, self.tree.flow(companion.flow))
                for companion in outcome.companions
            ),
        )

    # -- transitions ----------------------------------------------------------------------------

    def answer(self, choice_id: str, question_id: str | None = None) -> Session:
        """Answer the current question with ``choice_id``.

        Args:
            choice_id: The id of one of the current question's choices.
            question_id: When given, must be the current question's id (guards against
                answering a question the caller did not mean).

        Raises:
            AnswerError: the walk is complete, ``question_id`` is not the current question,
                or ``choice_id`` is not one of its choices (the message lists the valid ids).
        """
        question = self.current_question
        if question is None:
            raise AnswerError("the walk is complete: there is no question left to answer")
        if question_id is not None and question_id != question.id:
            raise AnswerError(
                f"question {question_id!r} is not the current question ({question.id!r})"
            )
        choice = question.choice(choice_id)
        if choice is None:
            valid = [c.id for c in question.choices]
            hint = did_you_mean(choice_id, valid)
            raise AnswerError(
                f"{choice_id!r} is not a choice of question {question.id!r}"
                + (f" ({hint})" if hint else "")
                + f"; valid: {', '.join(valid)}"
            )
        return Session(self.tree, (*self.steps, Step(question, choice)))

    def back(self) -> Session:
        """Undo the last answer (no-op at the start)."""
        return Session(self.tree, self.steps[:-1]) if self.steps else self

    def revisit(self, index: int) -> Session:
        """Go back to the question answered at step ``index``, dropping it and later answers."""
        if not 0 <= index < len(self.steps):
            raise AnswerError(f"there is no step {index} on this path")
        return Session(self.tree, self.steps[:index])

    def restart(self) -> Session:
        """Back to the first question."""
        return Session(self.tree)
