"""Real providers' metadata documents, served on loopback as their servers publish them.

Each document of ``tests/data/metadata/`` (see its README) is served by a
:class:`~support.metadata_stub.MetadataStub` UNCHANGED except for scheme and host: every URL on
the issuer's host becomes ``http://127.0.0.1:PORT`` with its path kept, so the issuer keeps its
path and the document sits at the well-known location its provider uses, relative to that
path. Endpoints on other hosts (Entra's userinfo on graph.microsoft.com, Google's token
endpoint on oauth2.googleapis.com) are left as they are: they are never fetched.

    with MetadataStub() as stub:
        issuer, url = serve(stub, "gitlab")
        discover(issuer).url == url
"""

from __future__ import annotations

import json
import urllib.parse
from collections import deque
from dataclasses import dataclass
from typing import Any, Literal

from advisor.tree.models import Tree
from support.metadata_stub import WELL_KNOWN_OAUTH, WELL_KNOWN_OPENID, MetadataStub
from support.paths import DATA

METADATA = DATA / "metadata"
"""The documents."""

Location = Literal["oauth-inserted", "oauth-appended", "openid-appended", "openid-inserted"]
"""Where a document is published, relative to its issuer (see advisor.server.fetch)."""


@dataclass(frozen=True)
class Fixture:
    """One metadata document and how its provider publishes it."""

    file: str
    """The file in ``tests/data/metadata/``."""
    location: Location
    """Where the provider publishes it."""
    real: bool
    """True for a real provider's document (identifiers replaced); False for one written for
    these tests."""
    requested_path: str | None = None
    """The issuer path a user would pass, when it is not the document's own (a templated
    issuer: the user asks for ``/common/v2.0``, the document says ``/{tenantid}/v2.0``)."""


FIXTURES: dict[str, Fixture] = {
    "entra": Fixture("entra-id-tenant-v2.json", "openid-appended", real=True),
    "okta": Fixture("okta-custom-authorization-server.json", "openid-appended", real=True),
    "keycloak": Fixture("keycloak-realm-openid-configuration.json", "openid-appended", real=True),
    "gitlab": Fixture("gitlab.json", "openid-appended", real=True),
    "spotify": Fixture("spotify.json", "openid-appended", real=True),
    "google": Fixture("google.json", "openid-appended", real=True),
    "entra-common": Fixture(
        "entra-common-templated.json", "openid-appended", real=False, requested_path="/common/v2.0"
    ),
    "ci-token-issuer": Fixture("ci-workload-token-issuer.json", "openid-appended", real=False),
    "sign-in-only": Fixture("sign-in-only.json", "openid-appended", real=False),
    "dot": Fixture("dot-rfc8414-appended.json", "oauth-appended", real=False),
    "openid-only": Fixture("openid-only.json", "openid-appended", real=False),
}
"""Every document, by a short name."""

REAL = [name for name, fixture in FIXTURES.items() if fixture.real]
"""The real providers' documents."""


def document(name: str) -> dict[str, Any]:
    """The document as stored (real host names)."""
    data: dict[str, Any] = json.loads((METADATA / FIXTURES[name].file).read_text("utf-8"))
    return data


def localised(name: str, origin: str) -> dict[str, Any]:
    """The document with its issuer's scheme and host replaced by ``origin``; paths kept."""
    original = document(name)
    issuer = urllib.parse.urlsplit(original["issuer"])
    old = f"{issuer.scheme}://{issuer.netloc}"

    def rewrite(value: Any) -> Any:
        if isinstance(value, str) and (value == old or value.startswith(old + "/")):
            return origin + value[len(old) :]
        if isinstance(value, list):
            return [rewrite(v) for v in value]
        if isinstance(value, dict):
            return {k: rewrite(v) for k, v in value.items()}
        return value

    localised_document: dict[str, Any] = rewrite(original)
    return localised_document


def well_known_path(issuer_path: str, location: Location) -> str:
    """The path of the document of an issuer with path ``issuer_path`` at ``location``."""
    path = issuer_path.rstrip("/")
    return {
        "oauth-inserted": WELL_KNOWN_OAUTH + path,
        "oauth-appended": path + WELL_KNOWN_OAUTH,
        "openid-appended": path + WELL_KNOWN_OPENID,
        "openid-inserted": WELL_KNOWN_OPENID + path,
    }[location]


def serve(stub: MetadataStub, name: str) -> tuple[str, str]:
    """Serve document ``name`` on ``stub`` where its provider publishes it.

    Returns:
        ``(issuer, url)``: the issuer a user passes, and the document's URL.
    """
    fixture = FIXTURES[name]
    doc = localised(name, stub.issuer)
    path = fixture.requested_path or urllib.parse.urlsplit(doc["issuer"]).path
    served = well_known_path(path, fixture.location)
    stub.json(served, doc)
    return stub.issuer + path.rstrip("/") if path.strip("/") else doc[
        "issuer"
    ], stub.issuer + served


def walk_answers(tree: Tree, outcome: str) -> list[tuple[str, str]]:
    """The answers of one shortest walk from the start to ``outcome`` (breadth-first).

    Raises:
        KeyError: no walk reaches ``outcome``.
    """
    queue: deque[tuple[str, list[tuple[str, str]]]] = deque([(tree.start, [])])
    seen = {tree.start}
    while queue:
        node, answers = queue.popleft()
        if node == outcome:
            return answers
        question = tree.question(node)
        if question is None:
            continue
        for choice in question.choices:
            if choice.next not in seen:
                seen.add(choice.next)
                queue.append((choice.next, [*answers, (question.id, choice.id)]))
    raise KeyError(outcome)


def answer_flags(answers: list[tuple[str, str]]) -> list[str]:
    """``answers`` as ``ask`` flags."""
    return [flag for question, choice in answers for flag in ("-a", f"{question}={choice}")]
