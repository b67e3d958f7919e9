"""``grant-advisor sample``: one runnable sample on stdout, and nothing else."""

from __future__ import annotations

import pytest

from advisor.cli import main
from advisor.samples.catalog import DEFAULT_TEMPLATE, shipped_templates


def test_sample_prints_only_code_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "sample",
            "client_credentials",
            "--lang",
            "python",
            "--client-id",
            "svc-1",
            "--issuer",
            "https://login.example.org",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0
    assert out.startswith("#!/usr/bin/env python3\n")
    assert 'CLIENT_ID = "svc-1"' in out
    assert 'TOKEN_ENDPOINT = "https://login.example.org/token"' in out
    compile(out, "client_credentials.py", "exec")  # stdout is the program, nothing else
    assert "derived from the issuer" in err  # the assumption goes to stderr
    assert "placeholder" not in err


def test_flow_id_picks_its_default_template(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sample", "device_code", "--lang", "javascript"]) == 0
    out, _ = capsys.readouterr()
    assert "device_authorization" in out.lower()
    assert set(DEFAULT_TEMPLATE.values()) <= set(shipped_templates())


def test_template_id_and_client_auth(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["sample", "client_credentials", "--lang", "curl", "--client-auth", "client_secret_post"]
    assert main(argv) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("#!/usr/bin/env bash")
    assert "client_secret_post" in out


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sample", "--list"]) == 0
    out, _ = capsys.readouterr()
    for template in shipped_templates():
        assert f"  {template} (" in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["sample", "client_credential", "--lang", "python"], "did you mean 'client_credentials'"),
        (["sample", "device_code"], "sample needs --lang"),
        (["sample", "--lang", "python"], "sample needs a FLOW"),
        (["sample", "authorization_code_browser", "--lang", "python"], "javascript"),
        (["sample", "client_credentials", "--lang", "python", "--discover"], "needs --issuer"),
    ],
)
def test_sample_bad_input_is_one_line_exit_2(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert words in err


def test_sample_refuses_several_languages(capsys: pytest.CaptureFixture[str]) -> None:
    """stdout holds one program: two --lang values would have printed only the last."""
    code = main(["sample", "client_credentials", "--lang", "python", "--lang", "curl"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.strip() == (
        "grant-advisor: error: sample prints one program: give one --lang, not python, curl "
        "(ask --lang takes several)"
    )
    assert main(["sample", "client_credentials", "--lang", "curl", "--lang", "curl"]) == 0
