"""The rendered-sample cache: a hit equals a render, and anything odd means rendering."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.samples import jinja, rendercache
from advisor.samples.params import SampleParams
from advisor.samples.render import render_sample

CASES = [
    ("client_credentials", "python"),
    ("device_code", "curl"),
    ("authorization_code_loopback", "javascript"),
]

HOSTILE = SampleParams().with_values(
    client_id='it\'s "quoted" $HOME `ls` \\ \u00e9\u2028',
    scopes=("openid", "api:read"),
    audience="https://api.example.com/v1?x=1&y='2'",
)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("GRANT_ADVISOR_CACHE_DIR", str(folder))
    monkeypatch.delenv("GRANT_ADVISOR_NO_CACHE", raising=False)
    return folder / "samples"


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja actually rendered during the test."""
    seen: list[str] = []
    real = jinja.render_template

    def counting(name: str, *args: object, **kwargs: object) -> str:
        seen.append(name)
        return real(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja, "render_template", counting)
    return seen


@pytest.mark.parametrize(("template", "language"), CASES)
@pytest.mark.parametrize("params", [SampleParams(), HOSTILE], ids=["defaults", "hostile"])
def test_a_hit_equals_a_render(
    cache: Path, renders: list[str], template: str, language: str, params: SampleParams
) -> None:
    first = render_sample(template, language, params)
    assert len(renders) == 1 and len(list(cache.glob("*.json"))) == 1
    second = render_sample(template, language, params)
    assert len(renders) == 1  # from the cache: Jinja was not asked again
    assert second == first


def test_a_different_value_is_a_different_entry(cache: Path, renders: list[str]) -> None:
    mine = render_sample("client_credentials", "python", SampleParams())
    theirs = render_sample(
        "client_credentials", "python", SampleParams().with_values(client_id="other")
    )
    assert len(renders) == 2 and len(list(cache.glob("*.json"))) == 2
    assert '"other"' in theirs.code and '"other"' not in mine.code


def test_an_edited_template_or_renderer_misses(
    cache: Path, renders: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    render_sample("ciba", "python", SampleParams())
    fingerprint = rendercache._fingerprint()
    assert "ciba.py.j2:" in fingerprint and "escape.py:" in fingerprint
    assert fingerprint.startswith("jinja2/__init__.py:")  # another Jinja2 may render differently
    # A template's size or time stamp changed: the recorded input no longer matches.
    monkeypatch.setattr(rendercache, "_fingerprint", lambda: fingerprint + " ciba.py.j2:1:2")
    render_sample("ciba", "python", SampleParams())
    assert renders == ["ciba.py.j2", "ciba.py.j2"]


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        json.dumps({"input": "something else", "code": "print('wrong')"}),
        json.dumps({"code": 42}),
    ],
    ids=["garbage", "not-an-object", "other-input", "no-input"],
)
def test_a_broken_or_foreign_entry_is_ignored(
    cache: Path, renders: list[str], content: str
) -> None:
    expected = render_sample("client_credentials", "curl", SampleParams())
    [entry] = cache.glob("*.json")
    entry.write_text(content, encoding="utf-8")
    again = render_sample("client_credentials", "curl", SampleParams())
    assert again == expected and len(renders) == 2
    assert json.loads(entry.read_text(encoding="utf-8"))["code"] == expected.code  # rewritten


def test_user_templates_are_never_cached(cache: Path, renders: list[str], tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "client_credentials.py.j2").write_text("print({{ client_id | py }})\n")
    for _ in range(2):
        sample = render_sample("client_credentials", "python", SampleParams(), [folder])
        assert sample.code == 'print("YOUR_CLIENT_ID")\n'
    assert len(renders) == 2
    assert not cache.exists() or not list(cache.glob("*.json"))


def test_switched_off_or_unwritable_still_renders(
    cache: Path, renders: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRANT_ADVISOR_NO_CACHE", "1")
    off = render_sample("device_code", "python", SampleParams())
    assert not cache.exists()
    monkeypatch.delenv("GRANT_ADVISOR_NO_CACHE")
    cache.parent.mkdir()
    cache.write_text("a file where the folder should be")
    blocked = render_sample("device_code", "python", SampleParams())
    assert blocked == off and len(renders) == 2


def test_the_pruning_keeps_the_newest(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rendercache, "MAX_ENTRIES", 3)
    for n in range(5):
        render_sample("client_credentials", "curl", SampleParams().with_values(client_id=f"c{n}"))
    kept = sorted(json.loads(p.read_text())["code"] for p in cache.glob("*.json"))
    assert len(kept) == 3
    assert all(any(f"c{n}" in code for code in kept) for n in (2, 3, 4))


def test_ask_run_again_does_not_import_jinja(cache: Path) -> None:
    """The point of the cache: the same command again renders nothing, so never imports
    Jinja2, and prints the same bytes."""
    probe = """
import contextlib, io, json, sys
from advisor.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(["ask", "-a", "what_building=service_no_user",
                 "-a", "workload_platform=no_platform_identity",
                 "-a", "m2m_credential=private_key", "--format", "json", "--client-id", "x'y"])
print(json.dumps([code, "jinja2" in sys.modules, out.getvalue()]))
"""
    runs = []
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
        )
        assert result.returncode == 0, result.stderr
        runs.append(json.loads(result.stdout))
    (code1, jinja1, out1), (code2, jinja2, out2) = runs
    assert (code1, code2) == (0, 0)
    assert (jinja1, jinja2) == (True, False)
    assert out1 == out2 and "x'y" in out1
