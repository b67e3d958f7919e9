"""The decision tree format, as pydantic models.

These models are the reference for tree authors: every field has a docstring, and
``grant-advisor schema`` turns them into a JSON Schema that editors use to validate a tree as
you type. Every model is frozen and rejects unknown keys, so a typo in a tree file is an error,
not a silently ignored line.

A tree has a ``start`` question; every question's choices lead (``next``) to another question
or to an outcome. Outcomes recommend a ``grant`` from the ``flows`` catalogue, with the
``companions`` that come with it (refresh tokens), and cite ``sources``.
Shape is checked here; the graph (dangling ``next``, cycles, unreachable nodes, ...) is checked
by :mod:`advisor.tree.checks`.
"""

import re
from typing import Annotated, Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, model_validator

from advisor.core.vocabulary import (
    GRANT_TYPES,
    LANGUAGE_IDS,
    AntiPatternFlowId,
    ClientAuthMethod,
    CompanionFlowId,
    FlowId,
    GrantType,
)
from advisor.core.vocabulary import LanguageId as Language

CatalogueFlowId = Literal[FlowId, AntiPatternFlowId]
"""Every flow the catalogue may describe."""

OutcomeFlow = Literal[FlowId, "none"]
"""What an outcome may recommend: a flow, or ``none`` when OAuth is not needed at all. (A
companion flow such as ``refresh_token`` passes the shape check; the graph checks refuse it
as a grant.)"""

RefreshRotation = Literal["required", "expected", "exceptional"]
"""How refresh tokens are rotated: ``required`` (the authorization server must rotate them on
every use unless they are sender-constrained: public clients, RFC 9700 §2.2.2), ``expected``
(the server may rotate them; the client stores the new one whenever it comes), ``exceptional``
(rotated only in extraordinary circumstances, as FAPI 2.0 asks; the client still supports it)."""

Duration = Annotated[
    str, StringConstraints(pattern=r"^P(?:[1-9][0-9]{0,3}[YMWD]|T[1-9][0-9]{0,3}[HMS])$")
]
"""An ISO 8601 duration in one unit: ``P90D`` (90 days), ``P1Y``, ``P2W``, ``PT12H`` (12
hours)."""

LANGUAGES: Final[tuple[str, ...]] = LANGUAGE_IDS

ServerFeature = Literal[
    "pkce_s256",
    "par",
    "dpop",
    "mtls_bound_tokens",
    "iss_parameter",
    "refresh_tokens",
]
"""Authorization-server features an outcome's advice relies on.

Checked against the server's metadata by ``--discover`` and ``check-server``:
``pkce_s256`` (``code_challenge_methods_supported``), ``par``
(``pushed_authorization_request_endpoint``), ``dpop`` (``dpop_signing_alg_values_supported``),
``mtls_bound_tokens`` (``tls_client_certificate_bound_access_tokens``), ``iss_parameter``
(``authorization_response_iss_parameter_supported``), ``refresh_tokens``
(``refresh_token`` in ``grant_types_supported``; implied by a ``refresh_token`` companion).
"""

NodeId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
"""Ids of questions, choices, outcomes and sources: lowercase snake_case, at most 64 chars."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
"""Human-readable text; leading and trailing whitespace is dropped."""

HttpsUrl = Annotated[str, StringConstraints(pattern=r"^https://[^\s]+$", max_length=2_000)]
"""An absolute https URL."""

SectionUrl = Annotated[
    str, StringConstraints(pattern=r"^https://\S*\{section\}\S*$", max_length=2_000)
]
"""An https URL template containing ``{section}``."""


class _Model(BaseModel):
    # Attribute docstrings are not read here (``use_attribute_docstrings``): pydantic would
    # parse this module's source at import time, on every command. ``advisor.tree.schema`` reads
    # them when the JSON Schema is generated. ``defer_build``: validators are built on first
    # validation, so a tree read from the validated-tree cache never pays for them.
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        defer_build=True,
    )


class SourceStatus(_Model):
    """Which publication of a document a source cites, so a test can compare it with the
    curated record of what each document has become (``advisor/tree/documents.yaml``)."""

    kind: Literal["rfc", "draft", "final", "living"]
    """``rfc``: a published RFC (``document`` is its number, e.g. ``RFC 10017``); ``draft``: a
    work in progress cited at one ``revision`` (an Internet-Draft, an OpenID draft);
    ``final``: a finished specification that is not an RFC (an OpenID Final); ``living``: a
    page its owner keeps editing (vendor documentation)."""
    document: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._\-]{0,99}$")]
    """The document's name in the record: ``RFC 10017``, ``draft-ietf-oauth-v2-1``,
    ``FAPI 2.0 Security Profile``, ``Google OAuth 2.0 for Web Server Applications``."""
    revision: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.\-]{1,32}$")] | None = None
    """For a draft, the revision whose section numbers are cited (``16`` for ``-16``); for a
    dated specification, its date (``2026-07-28``)."""

    @model_validator(mode="after")
    def _draft_has_revision(self) -> "SourceStatus":
        if self.kind == "draft" and self.revision is None:
            raise ValueError("a draft is cited at a revision: add revision")
        if self.kind == "rfc" and not re.fullmatch(r"RFC [1-9][0-9]{0,4}", self.document):
            raise ValueError(f"an RFC is named like 'RFC 9700', not {self.document!r}")
        return self


class Source(_Model):
    """A standard or guidance document outcomes cite (an RFC, a BCP, an OpenID spec)."""

    id: NodeId
    """How outcomes refer to this source, e.g. ``rfc9700``."""
    title: Text
    """Its name as people cite it, e.g. ``RFC 9700: OAuth 2.0 Security Best Current Practice``."""
    url: HttpsUrl
    """Where to read it."""
    section_url: SectionUrl | None = None
    """A URL template with ``{section}`` for deep links, e.g.
    ``https://www.rfc-editor.org/rfc/rfc9700#section-{section}``. Without it, sections link to
    ``url``."""
    status: SourceStatus | None = None
    """Which publication is cited (an RFC, a draft at a revision, ...). Optional; the shipped
    tree gives it for every source, and a test checks it against the curated record."""

    def link(self, section: str | None) -> str:
        """The URL of ``section`` in this source (or of the whole source)."""
        if section and self.section_url:
            return self.section_url.replace("{section}", section)
        return self.url


class Citation(_Model):
    """A pointer from an outcome to a section of a source."""

    source: NodeId
    """The ``id`` of an entry in the tree's ``sources``."""
    section: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.\-]{1,32}$")] | None = None
    """Section number, e.g. ``2.1.1`` or ``A.2``; omit to cite the whole document."""
    note: Text | None = None
    """What this section says that matters here (one line)."""


Participant = Literal["user", "browser", "device", "client", "auth_server", "api"]
"""Who takes part in a flow's sequence diagram: the person (``user``), their web browser
(``browser``), their own device where they approve, such as a phone (``device``), the OAuth
client (``client``), the authorization server (``auth_server``) and the resource server
(``api``)."""


class SequenceStep(_Model):
    """One message of a flow's sequence diagram."""

    sender: Participant
    """Who sends the message."""
    receiver: Participant
    """Who receives it (the sender itself for something done locally, e.g. creating a PKCE
    verifier)."""
    message: Text
    """What is sent, with the protocol parameters that matter, e.g. ``POST /token:
    grant_type=authorization_code, code, code_verifier`` (one line: line breaks are folded)."""
    response: bool = False
    """True for the answer to an earlier request (drawn as a dashed arrow)."""
    note: Text | None = None
    """A remark shown next to the message, e.g. what the receiver checks."""


class Flow(_Model):
    """An entry of the flow catalogue: what a grant type is and how it goes."""

    id: CatalogueFlowId
    """The flow's id. ``implicit`` and ``password`` may be described (so the tree can explain
    them) but no outcome may recommend them."""
    grant_type: GrantType | None
    """The wire ``grant_type`` sent to the token endpoint (``null`` for ``implicit``, which
    has no token request)."""
    name: Text
    """Display name, e.g. ``Authorization Code with PKCE``."""
    description: Text
    """One line: what the flow is for."""
    steps: Annotated[tuple[Text, ...], Field(min_length=1)]
    """The protocol steps, in order, one sentence each."""
    defined_in: Citation
    """The specification that defines the flow."""
    anti_pattern: bool = False
    """True for flows that must never be recommended (``implicit``, ``password``)."""
    sequence: tuple[SequenceStep, ...] = ()
    """The flow as a sequence diagram, message by message, in order (optional). Exports draw
    it: a Mermaid ``sequenceDiagram`` in Markdown, an SVG in the HTML page."""

    @model_validator(mode="after")
    def _wire_value_matches_id(self) -> "Flow":
        expected = GRANT_TYPES[self.id]
        if self.grant_type != expected:
            raise ValueError(
                f"flow {self.id!r} has grant_type {expected!r} on the wire, not {self.grant_type!r}"
            )
        is_anti = self.id in get_args(AntiPatternFlowId)
        if self.anti_pattern != is_anti:
            raise ValueError(f"flow {self.id!r} must set anti_pattern: {str(is_anti).lower()}")
        return self


class Avoid(_Model):
    """Something a developer might be tempted to do, and why not to."""

    what: Text
    """The practice to avoid, e.g. ``Embedding a client secret in the app``."""
    why: Text
    """Why it is unsafe or wrong here."""


class Alternative(_Model):
    """Another approach worth knowing, and when it would be the better choice."""

    title: Text
    """Its name, e.g. ``Device Authorization Grant``."""
    flow: OutcomeFlow | None = None
    """The flow it uses, when it is one of the catalogue's."""
    when: Text
    """The situation in which it is preferable."""


class Companion(_Model):
    """A flow that comes with the outcome's grant instead of standing on its own.

    Today that is ``refresh_token``: a refresh token is issued along with an earlier grant
    (usually the authorization code) and only extends it, so an outcome names the grant that
    obtains the tokens and lists the refresh token here, with the properties that keep it
    safe.
    """

    flow: CompanionFlowId
    """The companion flow from the catalogue (``refresh_token``)."""
    why: Text
    """What it is for in this situation, e.g. ``The nightly job needs access while the user
    is away.``"""
    rotation: RefreshRotation
    """How the refresh tokens are rotated (``required``, ``expected`` or ``exceptional``)."""
    sender_constrained: bool = False
    """True when the refresh tokens should be bound to the client's key (DPoP or mTLS), as
    an alternative or an addition to rotation."""
    max_lifetime: Duration | None = None
    """A suggested cap on how long the grant's refresh tokens live after the user's consent,
    never extended by rotation (an ISO 8601 duration, e.g. ``P90D``). No standard fixes the
    number: it is the tree author's suggestion for the authorization server's policy. Omit
    to leave it to the server."""
    idle_timeout: Duration | None = None
    """A suggested expiry when the refresh token goes unused for this long (ISO 8601, e.g.
    ``P14D``). Omit to leave it to the server."""
    storage: Text
    """Where the client keeps the refresh token, e.g. ``encrypted at rest on the server,
    per user``."""


class SampleSpec(_Model):
    """Which sample code an outcome comes with."""

    template: NodeId
    """The template family, e.g. ``authorization_code_loopback``: files are
    ``<template>.<language extension>.j2`` in the templates folder."""
    languages: Annotated[tuple[Language, ...], Field(min_length=1)]
    """Languages a sample exists in, in display order."""
    note: Text | None = None
    """Anything a user should know about the samples, e.g. why one language is missing or
    only takes a pre-made assertion."""


class Outcome(_Model):
    """A leaf of the tree: a recommendation with its reasons and safeguards."""

    id: NodeId
    """Unique among questions and outcomes; choices point here with ``next``."""
    grant: OutcomeFlow
    """The recommended grant: the flow from the catalogue that obtains the tokens, or
    ``none`` when OAuth is not needed. Never a companion flow such as ``refresh_token``."""
    companions: tuple[Companion, ...] = ()
    """Flows that come with the grant, such as refresh tokens with their rotation and
    lifetime; empty when the grant stands alone."""
    title: Text
    """One line, e.g. ``Authorization Code with PKCE through a Backend for Frontend``."""
    summary: Text
    """Two or three sentences: what to do."""
    rationale: Text
    """Why this is the right flow for the answers given."""
    security: Annotated[tuple[Text, ...], Field(min_length=1)]
    """The security checklist that comes with the flow, one measure per item."""
    avoid: tuple[Avoid, ...] = ()
    """Tempting mistakes, each with the reason to avoid it."""
    alternatives: tuple[Alternative, ...] = ()
    """Other approaches worth knowing and when they fit better."""
    references: Annotated[tuple[Citation, ...], Field(min_length=1)]
    """The sections of the standards this advice rests on. Every outcome cites something."""
    client_auth: tuple[ClientAuthMethod, ...] = ()
    """Token endpoint client authentication methods this advice accepts, most preferred
    first; empty when no token endpoint is involved."""
    needs: tuple[ServerFeature, ...] = ()
    """Authorization-server features the advice relies on (checked against server metadata)."""
    instead_of: AntiPatternFlowId | None = None
    """Set when this outcome answers a request for an anti-pattern flow (``implicit`` or
    ``password``): the outcome explains why not, and its ``grant`` is what to do instead."""
    sample: SampleSpec | None = None
    """The sample code that comes with the recommendation; omit when there is none."""


class Choice(_Model):
    """One answer to a question."""

    id: NodeId
    """Unique within its question; used on the command line as ``question=choice``."""
    label: Text
    """The answer as the user reads it."""
    help: Text | None = None
    """More detail on when this answer applies."""
    next: NodeId
    """The id of the question or outcome this answer leads to."""
    notes: tuple[Text, ...] = ()
    """Notes this answer adds to the recommendation. They accumulate along the path, so a
    shared subtree still carries what was learned on the way to it."""


class Question(_Model):
    """A question the user answers by picking one choice."""

    id: NodeId
    """Unique among questions and outcomes."""
    text: Text
    """The question, in words a developer who does not know OAuth can answer."""
    help: Text
    """Why the question is asked and how to answer it."""
    choices: Annotated[tuple[Choice, ...], Field(min_length=2)]
    """The possible answers, in display order (at least two)."""

    def choice(self, choice_id: str) -> Choice | None:
        """The choice with this id, or None."""
        for choice in self.choices:
            if choice.id == choice_id:
                return choice
        return None


Node = Question | Outcome


class Tree(_Model):
    """A whole decision tree: questions, outcomes, the flow catalogue and the sources cited."""

    version: Literal[1] = 1
    """Format version of this file. Only ``1`` exists."""
    title: Text
    """The tree's name, shown in the TUI and in exports."""
    description: Text | None = None
    """What the tree is for and who maintains it."""
    start: NodeId
    """The id of the first question."""
    questions: Annotated[tuple[Question, ...], Field(min_length=1)]
    """Every question."""
    outcomes: Annotated[tuple[Outcome, ...], Field(min_length=1)]
    """Every outcome."""
    flows: tuple[Flow, ...]
    """The flow catalogue: every grant and companion an outcome names must be described
    here."""
    sources: tuple[Source, ...]
    """The documents outcomes and flows cite."""

    _nodes: dict[str, Node] = PrivateAttr(default_factory=dict)
    _flows: dict[str, Flow] = PrivateAttr(default_factory=dict)
    _sources: dict[str, Source] = PrivateAttr(default_factory=dict)
    _questions_left: dict[str, int] | None = PrivateAttr(default=None)

    def model_post_init(self, context: object, /) -> None:
        # First definition wins; duplicates are reported by the graph checks.
        nodes: dict[str, Node] = {}
        every: tuple[Node, ...] = (*self.questions, *self.outcomes)
        for node in every:
            nodes.setdefault(node.id, node)
        self._nodes = nodes
        self._flows = {}
        for flow in self.flows:
            self._flows.setdefault(flow.id, flow)
        self._sources = {}
        for source in self.sources:
            self._sources.setdefault(source.id, source)

    def node(self, node_id: str) -> Node | None:
        """The question or outcome with this id, or None."""
        return self._nodes.get(node_id)

    def question(self, question_id: str) -> Question | None:
        """The question with this id, or None (also None for an outcome's id)."""
        node = self._nodes.get(question_id)
        return node if isinstance(node, Question) else None

    def outcome(self, outcome_id: str) -> Outcome | None:
        """The outcome with this id, or None."""
        node = self._nodes.get(outcome_id)
        return node if isinstance(node, Outcome) else None

    def flow(self, flow_id: str) -> Flow | None:
        """The catalogue entry of a flow, or None."""
        return self._flows.get(flow_id)

    def source(self, source_id: str) -> Source | None:
        """The source with this id, or None."""
        return self._sources.get(source_id)

    @property
    def node_ids(self) -> tuple[str, ...]:
        """Every question and outcome id, questions first, in file order."""
        return tuple(self._nodes)

    def questions_left(self, node_id: str) -> int:
        """The most questions a walk at ``node_id`` may still be asked (0 at an outcome).

        Computed once per tree, iteratively (no recursion limit on deep trees). Cycles, which
        the checks reject, are cut rather than followed.
        """
        if self._questions_left is None:
            left: dict[str, int] = {outcome.id: 0 for outcome in self.outcomes}
            for root in self.questions:
                if root.id in left:
                    continue
                stack: list[tuple[Question, int]] = [(root, 0)]
                visiting = {root.id}
                while stack:
                    question, position = stack[-1]
                    if position < len(question.choices):
                        stack[-1] = (question, position + 1)
                        target = self.question(question.choices[position].next)
                        if target and target.id not in left and target.id not in visiting:
                            visiting.add(target.id)
                            stack.append((target, 0))
                        continue
                    stack.pop()
                    left[question.id] = 1 + max(left.get(c.next, 0) for c in question.choices)
            self._questions_left = left
        return self._questions_left.get(node_id, 0)


NESTED_MODELS: Final[dict[type[BaseModel], dict[str, type[BaseModel]]]] = {
    Tree: {"questions": Question, "outcomes": Outcome, "flows": Flow, "sources": Source},
    Question: {"choices": Choice},
    Outcome: {
        "companions": Companion,
        "avoid": Avoid,
        "alternatives": Alternative,
        "references": Citation,
        "sample": SampleSpec,
    },
    Flow: {"defined_in": Citation, "sequence": SequenceStep},
    Source: {"status": SourceStatus},
}
"""For each model, its fields that hold models, and which (a test checks this covers every
one). The validated-tree cache rebuilds trees by it; the loader names the model of a mapping
by the key it sits under."""
