"""Generate valid decision trees of any size, for benchmarks and scale tests.

A tree of ``n`` nodes has ``(n - 1) // 2`` questions (two choices each, a full binary tree)
and one more outcome than questions, with text of realistic length, notes on every choice,
and a small flow catalogue and source list.
"""

from __future__ import annotations

from typing import Any

import yaml

_WORDS = (
    "Does the client run on a server you control, with its secret stored outside the code and "
    "rotated regularly, or does it ship to devices you do not control?"
)


def tree_data(nodes: int) -> dict[str, Any]:
    """A valid tree with ``nodes`` questions and outcomes in all (at least 3)."""
    questions_count = max(1, (nodes - 1) // 2)
    outcomes_count = questions_count + 1  # a full binary tree: one more leaf than inner nodes
    flows = ["authorization_code", "client_credentials", "device_code", "token_exchange"]

    def node_id(index: int) -> str:
        return f"q{index}" if index < questions_count else f"o{index - questions_count}"

    questions = [
        {
            "id": f"q{i}",
            "text": f"Question {i}: {_WORDS}",
            "help": f"Help for question {i}. {_WORDS} {_WORDS}",
            "choices": [
                {
                    "id": f"c{j}",
                    "label": f"Answer {j} to question {i}",
                    "next": node_id(2 * i + 1 + j),
                    "notes": [f"Note from question {i}, answer {j}."],
                }
                for j in range(2)
            ],
        }
        for i in range(questions_count)
    ]
    outcomes = [
        {
            "id": f"o{i}",
            "grant": flows[i % len(flows)],
            "title": f"Outcome {i}",
            "summary": f"Summary of outcome {i}. {_WORDS}",
            "rationale": f"Rationale of outcome {i}. {_WORDS}",
            "security": [f"Security measure {k} of outcome {i}." for k in range(4)],
            "avoid": [{"what": "Embedding secrets", "why": "They leak."}],
            "references": [{"source": "rfc9700", "section": "2.1.1"}],
        }
        for i in range(outcomes_count)
    ]
    return {
        "version": 1,
        "title": f"Generated tree with {nodes} nodes",
        "start": "q0",
        "questions": questions,
        "outcomes": outcomes,
        "flows": [
            {
                "id": flow,
                "grant_type": grant,
                "name": flow.replace("_", " ").title(),
                "description": "A flow.",
                "steps": ["Step one.", "Step two."],
                "defined_in": {"source": "rfc9700"},
            }
            for flow, grant in (
                ("authorization_code", "authorization_code"),
                ("client_credentials", "client_credentials"),
                ("device_code", "urn:ietf:params:oauth:grant-type:device_code"),
                ("token_exchange", "urn:ietf:params:oauth:grant-type:token-exchange"),
            )
        ],
        "sources": [
            {
                "id": "rfc9700",
                "title": "RFC 9700",
                "url": "https://www.rfc-editor.org/rfc/rfc9700",
                "section_url": "https://www.rfc-editor.org/rfc/rfc9700#section-{section}",
            }
        ],
    }


def tree_yaml(nodes: int) -> str:
    """The YAML text of :func:`tree_data`."""
    return yaml.dump(tree_data(nodes), sort_keys=False, width=100, Dumper=yaml.CSafeDumper)
