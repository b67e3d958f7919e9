"""The shipped tree cites each document as the curated record says it is now.

``advisor/tree/documents.yaml`` records what every cited document has become (a draft's latest
revision, the RFC that replaced it). When the next draft is published, adding
``published_as: RFC NNNN`` to its entry makes ``test_the_shipped_tree_cites_current_documents``
fail and name every source that still cites the draft.
"""

from __future__ import annotations

import pytest

from advisor.tree.documents import DocumentsRecord, citation_problems, load_record
from advisor.tree.models import Source, SourceStatus, Tree


@pytest.fixture(scope="module")
def record() -> DocumentsRecord:
    return load_record()


def test_the_shipped_tree_cites_current_documents(
    shipped_tree: Tree, record: DocumentsRecord
) -> None:
    problems = citation_problems(shipped_tree, record)
    assert problems == [], "\n".join(problems)


def test_every_record_entry_is_cited_or_replaced_by_a_cited_rfc(
    shipped_tree: Tree, record: DocumentsRecord
) -> None:
    cited = {s.status.document for s in shipped_tree.sources if s.status is not None}
    for entry in record.documents:
        assert entry.document in cited or entry.published_as in cited, entry.document


def _with_source(tree: Tree, source_id: str, **changes: object) -> Tree:
    sources = tuple(s.model_copy(update=changes) if s.id == source_id else s for s in tree.sources)
    return tree.model_copy(update={"sources": sources})


def _with_entry(record: DocumentsRecord, document: str, **changes: object) -> DocumentsRecord:
    entries = tuple(
        e.model_copy(update=changes) if e.document == document else e for e in record.documents
    )
    return record.model_copy(update={"documents": entries})


def test_publishing_a_draft_is_one_edit_that_names_the_sources_to_update(
    shipped_tree: Tree, record: DocumentsRecord
) -> None:
    """The next publication: OAuth 2.1 becomes an RFC. One edit to the record (plus the RFC's
    own entry) and the tree's OAuth 2.1 citations are reported."""
    published = _with_entry(record, "draft-ietf-oauth-v2-1", published_as="RFC 10999")
    rfc = published.documents[0].model_copy(
        update={"document": "RFC 10999", "kind": "rfc", "latest": None, "published_as": None}
    )
    published = published.model_copy(update={"documents": (*published.documents, rfc)})
    problems = citation_problems(shipped_tree, published)
    assert len(problems) == 1, problems
    assert "source 'oauth21'" in problems[0]
    assert "published as RFC 10999" in problems[0]


def test_citing_a_draft_an_rfc_replaced_fails(shipped_tree: Tree, record: DocumentsRecord) -> None:
    """What issue 13 found: the browser-based apps BCP cited as draft -26 after RFC 10017."""
    stale = _with_source(
        shipped_tree,
        "rfc10017",
        title="OAuth 2.0 for Browser-Based Applications (draft-ietf-oauth-browser-based-apps, "
        "sections as of -26)",
        status=SourceStatus(
            kind="draft", document="draft-ietf-oauth-browser-based-apps", revision="26"
        ),
    )
    problems = citation_problems(stale, record)
    assert any("published as RFC 10017" in p and "'rfc10017'" in p for p in problems), problems


def test_an_old_draft_revision_fails(shipped_tree: Tree, record: DocumentsRecord) -> None:
    old = _with_source(
        shipped_tree,
        "identity_chaining",
        title="OAuth Identity and Authorization Chaining Across Domains (sections as of -11)",
        status=SourceStatus(
            kind="draft", document="draft-ietf-oauth-identity-chaining", revision="11"
        ),
    )
    problems = citation_problems(old, record)
    assert any("revision 11" in p and "latest is 17" in p for p in problems), problems


def test_sources_without_status_or_unknown_documents_fail(
    shipped_tree: Tree, record: DocumentsRecord
) -> None:
    bare = Source(id="x", title="Something", url="https://example.com/")
    tree = shipped_tree.model_copy(update={"sources": (*shipped_tree.sources, bare)})
    assert (
        citation_problems(tree, record)[-1] == "source 'x' does not say what it cites (add status)"
    )
    unknown = bare.model_copy(update={"status": SourceStatus(kind="final", document="Unheard of")})
    tree = shipped_tree.model_copy(update={"sources": (*shipped_tree.sources, unknown)})
    assert "which the record does not know" in citation_problems(tree, record)[-1]


def test_an_rfc_title_and_url_must_match_its_status(
    shipped_tree: Tree, record: DocumentsRecord
) -> None:
    wrong = _with_source(shipped_tree, "rfc9728", url="https://www.rfc-editor.org/rfc/rfc8414")
    assert any("does not point at RFC 9728" in p for p in citation_problems(wrong, record))


def test_status_rejects_a_draft_without_revision_and_a_misnamed_rfc() -> None:
    with pytest.raises(ValueError, match="revision"):
        SourceStatus(kind="draft", document="draft-ietf-oauth-v2-1")
    with pytest.raises(ValueError, match="RFC 9700"):
        SourceStatus(kind="rfc", document="rfc9700")
