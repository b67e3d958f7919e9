"""One check per parameter field, the same for the command line and the TUI's form.

Each row of :data:`TABLE` goes through ``grant-advisor ask`` (the flag, in process) and through
the parameters form's parsing (``advisor.tui.state.parse_parameters``, what Apply calls): both
must accept it, or both must refuse it with the same message.
"""

from __future__ import annotations

import pytest

from advisor.cli import main
from advisor.core.fields import FIELD_CHECKS, field_problem
from advisor.core.vocabulary import ENDPOINTS
from advisor.tui.state import PARAMETER_FIELDS, parse_parameters

COMPLETE = [
    "ask",
    "--answer",
    "situation=own_service",
    "--answer",
    "workload_platform=no_platform_identity",
    "--answer",
    "m2m_credential=shared_secret_only",
    "--lang",
    "python",
]
FLAGS = {
    "issuer": "--issuer",
    "client_id": "--client-id",
    "scopes": "--scope",
    "redirect_uri": "--redirect-uri",
    "audience": "--audience",
}

TABLE: list[tuple[str, str, bool]] = [
    # (field, value as typed, valid?)
    ("issuer", "https://login.example.com", True),
    ("issuer", "https://login.example.com/tenant/v2.0", True),
    ("issuer", "http://127.0.0.1:8080", True),
    ("issuer", "http://127.0.0.2", True),  # all of 127.0.0.0/8 is loopback
    ("issuer", "http://localhost/realms/x", True),
    ("issuer", "http://[::1]:9000", True),
    ("issuer", "http://auth.example.com", False),
    ("issuer", "auth.example.com", False),
    ("issuer", "https://user:pw@host.example", False),
    ("issuer", "https://host.example/?tenant=1", False),
    ("issuer", "https://host.example/#x", False),
    ("issuer", "ftp://host.example", False),
    ("issuer", "https://host.example:99999", False),
    ("redirect_uri", "http:\\\\evil.example\\cb", False),  # no //host: refused
    # http(s) without "//": no host here, but a browser goes to evil.example
    ("redirect_uri", "http:evil.example/cb", False),
    ("redirect_uri", "http:/evil.example/cb", False),
    ("redirect_uri", "https:///evil.example/cb", False),
    ("redirect_uri", "com.example.app:/oauth2redirect", True),  # private-use (RFC 8252 §7.1)
    ("client_id", "my-app", True),
    ("client_id", "café-app", True),
    ("client_id", "0oa1b2c3d4", True),
    ("client_id", "tab\there", False),
    ("client_id", "esc\x1b[31m", False),
    ("client_id", "bidi\u202eevil", False),
    ("scopes", "openid profile", True),
    ("scopes", "api://orders/.default", True),
    ("scopes", 'a"b', False),
    ("scopes", "a\\b", False),
    ("scopes", "é", False),
    ("redirect_uri", "http://127.0.0.1:8000/callback", True),
    ("redirect_uri", "com.example.app:/oauth2redirect", True),
    ("redirect_uri", "callback", False),
    ("redirect_uri", "https://app.example/cb#frag", False),
    ("audience", "https://api.example.com", True),
    ("audience", "orders-api", True),
    ("audience", "new\nline", False),
]


def cli_verdict(field: str, value: str, capsys: pytest.CaptureFixture[str]) -> str | None:
    """None when ``ask`` accepts the value, else its one-line error without the prefix."""
    code = main([*COMPLETE, FLAGS[field], value])
    err = capsys.readouterr().err
    if code == 0:
        return None
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0].removeprefix("grant-advisor: error: ")


def form_verdict(field: str, value: str) -> str | None:
    parameters, problems = parse_parameters({field: value})
    assert (field in parameters) != (field in problems)
    return problems.get(field)


@pytest.mark.parametrize(("field", "value", "valid"), TABLE, ids=repr)
def test_cli_and_tui_give_the_same_verdict_and_message(
    field: str, value: str, valid: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = cli_verdict(field, value, capsys)
    form = form_verdict(field, value)
    assert (cli is None) == valid, cli
    assert cli == form


def test_every_form_field_and_flag_has_a_check() -> None:
    assert {name for name, _ in PARAMETER_FIELDS} <= set(FIELD_CHECKS)
    assert set(FLAGS) == {name for name, _ in PARAMETER_FIELDS}
    assert set(ENDPOINTS) <= set(FIELD_CHECKS)
    assert {"client_auth", "interval"} <= set(FIELD_CHECKS)


@pytest.mark.parametrize(
    ("field", "value"),
    [("issuer", 123), ("client_id", ["a", "b"]), ("scopes", "not a list"), ("interval", "5")],
)
def test_values_of_the_wrong_type_are_problems_not_exceptions(field: str, value: object) -> None:
    problem = field_problem(field, value)
    assert problem is not None
    assert "\n" not in problem
