"""Flow sequence diagrams: the data in the shipped tree, and the Mermaid text made from it.

``tests/test_mermaid.py`` parses and renders the same diagrams with the real Mermaid library.
"""

from __future__ import annotations

import re
from typing import get_args

import pytest

from advisor.exports.sequence import (
    MESSAGE_LINES,
    PARTICIPANTS,
    label_lines,
    participants,
    sequence_mermaid,
)
from advisor.tree.loader import load_tree
from advisor.tree.models import FlowId, Participant, Tree
from support.paths import DATA


def _text(tree: Tree, flow_id: str) -> list[str]:
    """Each message of a flow with its note, as one lowercase string per step."""
    flow = tree.flow(flow_id)
    assert flow is not None
    return [f"{s.sender}>{s.receiver}: {s.message} | {s.note or ''}".lower() for s in flow.sequence]


def test_every_recommendable_flow_has_a_sequence_and_no_anti_pattern_does(
    shipped_tree: Tree,
) -> None:
    with_sequence = {flow.id for flow in shipped_tree.flows if flow.sequence}
    assert with_sequence == set(get_args(FlowId))


def test_participants_are_the_models_in_drawing_order() -> None:
    assert tuple(PARTICIPANTS) == ("user", "device", "browser", "client", "auth_server", "api")
    assert set(PARTICIPANTS) == set(get_args(Participant))


@pytest.mark.parametrize("flow_id", get_args(FlowId))
def test_every_flow_ends_with_the_client_calling_the_api(shipped_tree: Tree, flow_id: str) -> None:
    flow = shipped_tree.flow(flow_id)
    assert flow is not None
    last = flow.sequence[-2:]
    assert (last[0].sender, last[0].receiver, last[0].response) == ("client", "api", False)
    assert (last[1].sender, last[1].receiver, last[1].response) == ("api", "client", True)
    token_requests = [s for s in flow.sequence if s.message.startswith("POST /token")]
    assert token_requests, "every flow reaches the token endpoint"
    grant = flow.grant_type or ""
    assert all(s.receiver == "auth_server" for s in token_requests)
    assert grant in token_requests[0].message


def test_authorization_code_sequence_has_pkce_where_the_rfcs_put_it(shipped_tree: Tree) -> None:
    steps = _text(shipped_tree, "authorization_code")
    authorize = next(i for i, s in enumerate(steps) if "code_challenge_method=s256" in s)
    token = next(i for i, s in enumerate(steps) if s.startswith("client>auth_server: post /token"))
    assert authorize < token
    assert "code_verifier" in steps[token] and "code_challenge" not in steps[token].split("|")[0]
    assert "state" in steps[authorize]
    assert any("iss" in s and s.startswith("browser>client") for s in steps)


def test_device_sequence_follows_rfc_8628(shipped_tree: Tree) -> None:
    steps = _text(shipped_tree, "device_code")
    assert steps[0].startswith("client>auth_server: post /device_authorization")
    assert all(word in steps[1] for word in ("device_code", "user_code", "verification_uri"))
    assert "interval" in steps[1]
    assert any(s.startswith("client>user") and "user_code" in s for s in steps)
    # The user approves on another device, in its browser, not on the device itself.
    assert any(s.startswith("user>browser") and "verification_uri" in s for s in steps)
    assert any("authorization_pending" in s for s in steps)
    assert any("slow_down" in s for s in steps)


def test_ciba_sequence_is_poll_mode(shipped_tree: Tree) -> None:
    steps = _text(shipped_tree, "ciba")
    assert steps[0].startswith("client>auth_server: post /bc-authorize")
    assert "login_hint" in steps[0] and "binding_message" in steps[0]
    assert "auth_req_id" in steps[1]
    assert any(s.startswith("auth_server>device") for s in steps)
    polls = [s for s in steps if "grant_type=urn:openid:params:grant-type:ciba" in s]
    assert polls and "auth_req_id" in polls[0] and "poll mode" in polls[0]


def test_token_exchange_sends_the_subject_token(shipped_tree: Tree) -> None:
    steps = _text(shipped_tree, "token_exchange")
    assert "subject_token" in steps[0] and "subject_token_type" in steps[0]
    assert "audience" in steps[0] or "resource" in steps[0]


def test_sequence_mermaid_for_the_small_case(shipped_tree: Tree) -> None:
    flow = shipped_tree.flow("client_credentials")
    assert flow is not None
    text = sequence_mermaid(flow)
    lines = text.splitlines()
    assert lines[0] == "sequenceDiagram"
    assert lines[1] == "  accTitle: Client Credentials"
    assert lines[3] == "  autonumber"
    assert lines[4:7] == [
        "  participant client as Client",
        "  participant auth_server as Authorization server",
        "  participant api as API (resource server)",
    ]
    assert lines[7].startswith("  client->>auth_server: POST /token#58; grant_type=")
    assert lines[8].startswith("  auth_server-->>client: access_token")
    assert lines[9].startswith("  Note over auth_server,client: The token represents")
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert participants(flow) == ["client", "auth_server", "api"]


def test_sequence_mermaid_refuses_a_flow_without_sequence(small_tree: Tree) -> None:
    flow = small_tree.flow("device_code")
    assert flow is not None
    with pytest.raises(ValueError, match="no sequence"):
        sequence_mermaid(flow)


def test_hostile_messages_stay_inside_their_line() -> None:
    tree = load_tree(DATA / "trees" / "escaping.yaml")
    flow = tree.flow("authorization_code")
    assert flow is not None
    text = sequence_mermaid(flow)
    statements = text.splitlines()[4:]
    participant_lines = [s for s in statements if s.startswith(("  actor ", "  participant "))]
    assert len(participant_lines) == len(participants(flow))
    messages = [s for s in statements if re.match(r"^  [a-z_]+-?->>[a-z_]+: ", s)]
    notes = [s for s in statements if s.startswith("  Note over ")]
    assert len(messages) == len(flow.sequence)
    assert len(notes) == sum(1 for s in flow.sequence if s.note)
    assert len(statements) == len(participant_lines) + len(messages) + len(notes)
    for line in messages + notes:
        label = line.split(": ", 1)[1]
        bare = re.sub(r"#\d+;", "", label.replace("<br>", ""))
        # No comment, statement end, HTML, or second colon (`wrap:`) Mermaid would read.
        assert not set(bare) & set('"#;&<>`|%\\:'), line
    assert "\x1b" not in text and "\u202e" not in text


def test_label_lines_wrap_without_breaking_words_and_cut_long_text() -> None:
    urn = "grant_type=urn:ietf:params:oauth:grant-type:token-exchange,"
    assert label_lines(f"POST /token: {urn} subject_token") == [
        "POST /token:",
        urn,
        "subject_token",
    ]
    long = label_lines("word " * 500)
    assert len(long) == MESSAGE_LINES and long[-1].endswith("…")
    assert label_lines("a\nb\r\n\tc \x1b[31m") == ["a b c"]
    assert label_lines("\x1b[2J") == []
