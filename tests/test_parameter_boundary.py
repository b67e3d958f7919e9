"""Values that can never be valid are refused at the boundary: one line, exit code 2."""

from __future__ import annotations

import json

import pytest

from advisor.cli import main

COMPLETE = [
    "ask",
    "-a",
    "situation=own_service",
    "-a",
    "workload_platform=no_platform_identity",
    "-a",
    "m2m_credential=shared_secret_only",
]


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (["--issuer", "http://auth.example.com"], "uses plain http; only https is allowed"),
        (["--issuer", "auth.example.com"], "is not an absolute https URL"),
        (["--issuer", "ftp://auth.example.com"], "is not an absolute https URL"),
        (["--issuer", "https://auth.example.com/?tenant=1"], "must not have a query or fragment"),
        (["--issuer", "https://user:pw@auth.example.com"], "must not contain credentials"),
        (["--token-endpoint", "http://auth.example.com/token"], "uses plain http"),
        (["--redirect-uri", "https://app.example.com/cb#frag"], "must not contain a fragment"),
        (["--redirect-uri", "/callback"], "is not absolute"),
        (["--scope", 'read "all"'], "is not a valid scope token"),
        (["--scope", "read\\write"], "is not a valid scope token"),
        (["--client-id", "abc\x1b[2Jdef"], "contains control characters"),
        (["--audience", "api\u202eevil"], "contains control characters"),
        (["--issuer", "https://auth.example.com/\nx"], "contains spaces or control characters"),
    ],
)
@pytest.mark.parametrize("command", ["ask", "sample"])
def test_invalid_parameters_exit_2_with_one_line(
    command: str, flags: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = (
        [*COMPLETE, *flags]
        if command == "ask"
        else ["sample", "client_credentials", "--lang", "python", *flags]
    )
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("grant-advisor: error: ")
    assert words in lines[0]
    assert "\x1b" not in err
    assert "\u202e" not in err


def test_plain_http_on_loopback_is_allowed_with_a_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = [*COMPLETE, "--issuer", "http://127.0.0.1:8080", "--lang", "python", "-f", "json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assumptions = data["recommendation"]["assumptions"]
    assert any("plain http" in a for a in assumptions)
    assert (
        'TOKEN_ENDPOINT = "http://127.0.0.1:8080/token"'
        in data["recommendation"]["samples"]["python"]
    )


def test_private_use_scheme_redirect_is_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "ask",
        "-a",
        "situation=person_present",
        "-a",
        "client_location=native",
        "-a",
        "native_platform=mobile",
        "-a",
        "native_needs=neither",
        "--redirect-uri",
        "com.example.app:/oauth2redirect",
        "--lang",
        "none",
    ]
    assert main(argv) == 0


def test_secrets_in_the_environment_never_reach_any_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "s3cr3t-that-must-not-leak"
    for name in (
        "OAUTH_CLIENT_SECRET",
        "OAUTH_ASSERTION",
        "OAUTH_SUBJECT_TOKEN",
        "OAUTH_CLIENT_ASSERTION",
    ):
        monkeypatch.setenv(name, secret)
    for fmt in ("text", "json", "markdown"):
        assert main([*COMPLETE, "-f", fmt]) == 0
        out, err = capsys.readouterr()
        assert secret not in out + err
        assert "OAUTH_CLIENT_SECRET" in out  # the samples read it from the environment instead
