"""The django-oauth-toolkit fixture's prerequisites: a skip with the reason on a developer's
machine, a failure when CI is set (the server itself is exercised by
tests/integration/test_samples_dot.py)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError

import pytest

from support import dot as dot_support


def _not_installed(name: str) -> str:
    raise PackageNotFoundError(name)


def test_the_pins_match_the_test_extra() -> None:
    import tomllib

    extra = tomllib.loads(
        (dot_support.TESTS_DIR.parent / "pyproject.toml").read_text(encoding="utf-8")
    )["project"]["optional-dependencies"]["test"]
    for name, (low, high) in dot_support.PINNED.items():
        wanted = f"{name}>={'.'.join(map(str, low))},<{'.'.join(map(str, high))}"
        assert wanted in extra, (wanted, extra)


@pytest.mark.parametrize(
    ("versions", "reason"),
    [
        ({}, "django-oauth-toolkit is not installed"),
        ({"django-oauth-toolkit": "2.4.0"}, "django-oauth-toolkit 2.4.0 is installed"),
        ({"django-oauth-toolkit": "3.4.1", "oauthlib": "4.0.1"}, "oauthlib 4.0.1 is installed"),
    ],
)
def test_missing_or_other_versions_skip_or_fail_on_ci(
    monkeypatch: pytest.MonkeyPatch, versions: dict[str, str], reason: str
) -> None:
    monkeypatch.setattr(
        dot_support, "version", lambda name: versions.get(name) or _not_installed(name)
    )
    assert reason in (dot_support.missing_prerequisite() or "")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=reason):
        dot_support.require_dot_prerequisites()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        dot_support.require_dot_prerequisites()


def test_installed_versions_in_range(monkeypatch: pytest.MonkeyPatch) -> None:
    versions = {"django-oauth-toolkit": "3.4.1", "oauthlib": "3.3.1", "django": "5.2.19"}
    monkeypatch.setattr(dot_support, "version", versions.__getitem__)
    assert dot_support.missing_prerequisite() is None
