"""One finding code, one severity, one meaning (advisor.server.codes).

JSON consumers of ``ask --discover`` and ``check-server`` rely on the codes, so each is stated
once with its severity and meaning, every finding the engine makes is checked against that
registry, every code in the source is registered (and every registered one is used), and the
docs/server-checks.md's table is the registry's.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from types import MappingProxyType

import pytest

from advisor.core.errors import ANSWERED_DISCOVERY_CODES
from advisor.server.codes import FINDING_CODES, codes_markdown, severity_of
from advisor.server.findings import check_flow
from advisor.server.model import Finding, ServerMetadata
from advisor.server.report import check_server
from advisor.tree.models import Tree
from support.paths import REPO
from support.provider_metadata import FIXTURES, document

ADVISOR = REPO / "advisor"


def literal_codes() -> dict[str, list[str]]:
    """Every finding code written in the engine's source, with where: the first argument of
    ``Finding.of(...)``, the second of ``Finding(...)``, and ``code=`` of a DiscoveryError."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(ADVISOR.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = func.value if isinstance(func, ast.Attribute) else None
            args: list[ast.expr] = []
            if name == "of" and isinstance(owner, ast.Name) and owner.id == "Finding":
                args = node.args[:1]
            elif name == "Finding":
                args = node.args[1:2]
            elif name == "DiscoveryError":
                args = [k.value for k in node.keywords if k.arg == "code"]
            for arg in args:
                # A conditional code (`"a" if refresh else "b"`) names both.
                for value in ast.walk(arg):
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        found[value.value].append(f"{path.relative_to(REPO)}:{node.lineno}")
    return dict(found)


def test_every_code_has_one_severity_and_a_one_line_meaning() -> None:
    assert FINDING_CODES, "no finding codes"
    for code, entry in FINDING_CODES.items():
        assert entry.code == code
        assert entry.severity in ("error", "warning", "info")
        assert severity_of(code) == entry.severity
        assert entry.meaning and "\n" not in entry.meaning and entry.meaning.endswith(".")
    meanings = [e.meaning for e in FINDING_CODES.values()]
    assert len(meanings) == len(set(meanings)), "two codes share a meaning"


def test_a_finding_refuses_an_unknown_code_or_another_severity() -> None:
    with pytest.raises(ValueError, match="unknown finding code"):
        Finding("error", "no_such_code", "x")
    with pytest.raises(ValueError, match="always 'warning', not 'error'"):
        Finding("error", "pkce_support_unknown", "x")
    with pytest.raises(ValueError, match="unknown finding code"):
        Finding.of("no_such_code", "x")
    assert Finding.of("pkce_support_unknown", "x").severity == "warning"


def test_every_code_in_the_source_is_registered_and_every_registered_code_is_used() -> None:
    written = literal_codes()
    unregistered = {c: where for c, where in written.items() if c not in FINDING_CODES}
    # DiscoveryError's own default code is not a finding (the CLI exits 2 with it).
    unregistered.pop("discovery_failed", None)
    assert unregistered == {}
    unused = set(FINDING_CODES) - set(written)
    assert unused == set(), f"registered but never produced: {sorted(unused)}"


def test_discovery_failures_that_become_findings_are_registered() -> None:
    for code in ANSWERED_DISCOVERY_CODES:
        assert FINDING_CODES[code].topic == "discovery"
        assert FINDING_CODES[code].severity == "error"


def corpus(tree: Tree) -> list[Finding]:
    """Findings for every fixture document, every outcome and every flow (check-server)."""
    findings: list[Finding] = []
    for name in FIXTURES:
        doc = document(name)
        meta = ServerMetadata(doc["issuer"], MappingProxyType(doc), doc["issuer"] + "/x", "openid")
        for oauth in (meta, ServerMetadata(meta.issuer, meta.document, meta.url, "oauth")):
            report = check_server(tree, oauth)
            findings += report.findings
            findings += [f for s in report.flows for f in s.findings]
            for outcome in tree.outcomes:
                if outcome.grant == "none":
                    continue
                findings += check_flow(
                    outcome.grant,
                    oauth,
                    client_auth=outcome.client_auth,
                    needs=outcome.needs,
                    scopes=("openid", "offline_access", "unknown_scope"),
                )
    return findings


def test_across_every_fixture_and_outcome_each_code_keeps_its_severity(
    shipped_tree: Tree,
) -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for finding in corpus(shipped_tree):
        seen[finding.code].add(finding.severity)
        assert finding.message and "\n" not in finding.message
    assert all(len(severities) == 1 for severities in seen.values()), seen
    for code, severities in seen.items():
        assert severities == {FINDING_CODES[code].severity}
    # The corpus exercises a good part of the registry (the rest is unit-tested).
    assert len(seen) >= 20, sorted(seen)


def test_the_readme_table_is_the_registry() -> None:
    readme = (REPO / "docs" / "server-checks.md").read_text("utf-8")
    begin, end = "<!-- findings:begin -->\n", "<!-- findings:end -->"
    assert begin in readme and end in readme, "docs/server-checks.md has no findings table markers"
    table = readme.split(begin, 1)[1].split(end, 1)[0]
    expected = codes_markdown()
    assert table == expected, (
        "the finding table in docs/server-checks.md is stale: replace it with "
        "advisor.server.codes.codes_markdown()"
    )
