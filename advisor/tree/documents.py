"""The curated record of what every document the shipped tree cites has become.

Standards move: drafts get new revisions (whose section numbers may change) and become RFCs,
RFCs are updated or obsoleted. A tree's sources say which publication they cite (their
``status``); the record (``documents.yaml`` next to this module) says, as of the date it was
last checked, what each of those documents is now. :func:`citation_problems` compares the two,
and a test runs it on the shipped tree, so when a draft is published the change is one edit:
add ``published_as: RFC NNNN`` to the draft's entry here, and the test names every source that
still cites the draft.

The record is data for the project's own checks; nothing at run time reads it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from advisor.tree.models import SourceStatus, Text, Tree
from advisor.tree.yamlsafe import parse

RECORD_PATH: Final = Path(__file__).resolve().parent / "documents.yaml"
"""Where the shipped record lives."""

RfcName = Annotated[str, StringConstraints(pattern=r"^RFC [1-9][0-9]{0,4}$")]
"""An RFC as it is named in the record, e.g. ``RFC 10017``."""


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DocumentRecord(_Record):
    """What one document is now, as far as the record knows."""

    document: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    """The name sources use in ``status.document``: ``RFC 9700``, ``draft-ietf-oauth-v2-1``."""
    kind: Literal["rfc", "draft", "final", "living"]
    """What the document is (see :class:`advisor.tree.models.SourceStatus`)."""
    latest: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.\-]{1,32}$")] | None = None
    """The latest revision (a draft's ``16``, a dated specification's ``2026-07-28``); a source
    citing another revision is out of date."""
    published_as: RfcName | None = None
    """For a draft: the RFC it became. A source must then cite the RFC, not the draft."""
    obsoleted_by: RfcName | None = None
    """For an RFC: the RFC that replaced it. A source must then cite the new one."""
    updated_by: tuple[RfcName, ...] = ()
    """RFCs that change parts of this one (cite them next to it where the change matters)."""
    evidence: Text
    """Where the status was read, so the next check knows where to look."""


class DocumentsRecord(_Record):
    """The whole record."""

    checked: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
    """The date the statuses were last checked (ISO 8601)."""
    documents: Annotated[tuple[DocumentRecord, ...], Field(min_length=1)]
    """One entry per document."""

    def get(self, document: str) -> DocumentRecord | None:
        """The entry for ``document``, or None."""
        for entry in self.documents:
            if entry.document == document:
                return entry
        return None


def load_record(path: Path = RECORD_PATH) -> DocumentsRecord:
    """The record at ``path`` (safe YAML, validated)."""
    data, _ = parse(path.read_text(encoding="utf-8"), str(path))
    return DocumentsRecord.model_validate(data)


def citation_problems(tree: Tree, record: DocumentsRecord) -> list[str]:
    """Every way ``tree``'s sources disagree with ``record``, one sentence each.

    A source must say what it cites (``status``), the record must know that document, and:
    a draft the record says an RFC replaced must not be cited; an obsoleted RFC must not be
    cited; a draft or dated specification must be cited at the latest revision; the title must
    name what the status says (the RFC number, or the draft's revision), so the two cannot drift
    apart.
    """
    problems: list[str] = []
    for entry in record.documents:
        if entry.published_as and record.get(entry.published_as) is None:
            problems.append(
                f"the record says {entry.document} became {entry.published_as}, "
                "which has no entry of its own"
            )
    for source in tree.sources:
        status = source.status
        where = f"source {source.id!r}"
        if status is None:
            problems.append(f"{where} does not say what it cites (add status)")
            continue
        known = record.get(status.document)
        if known is None:
            problems.append(f"{where} cites {status.document!r}, which the record does not know")
            continue
        if known.kind != status.kind:
            problems.append(
                f"{where} cites {status.document} as {status.kind}, "
                f"but the record says it is {known.kind}"
            )
        if status.kind == "draft" and known.published_as:
            problems.append(
                f"{where} cites {status.document}-{status.revision} as a draft, but the record "
                f"says it was published as {known.published_as}: cite {known.published_as} and "
                "check every section number against the published text"
            )
        if status.kind == "rfc" and known.obsoleted_by:
            problems.append(
                f"{where} cites {status.document}, which {known.obsoleted_by} obsoletes"
            )
        if known.latest and status.revision != known.latest:
            problems.append(
                f"{where} cites {status.document} at revision {status.revision}, but the "
                f"latest is {known.latest}: check the cited sections against it"
            )
        problems += _title_problems(where, source.title, source.url, status)
    return problems


def _title_problems(where: str, title: str, url: str, status: SourceStatus) -> list[str]:
    if status.kind == "rfc":
        number = status.document.removeprefix("RFC ")
        found = []
        if not title.startswith(f"{status.document}:"):
            found.append(f"{where}: its title should start with {status.document + ':'!r}")
        if not re.search(rf"rfc{number}(?!\d)", url):
            found.append(f"{where}: its url does not point at {status.document}")
        return found
    revision = status.revision
    named = revision is not None and (f"-{revision}" in title or revision in title)
    if status.kind == "draft" and not named:
        return [f"{where}: its title should name the revision cited ({revision})"]
    return []
