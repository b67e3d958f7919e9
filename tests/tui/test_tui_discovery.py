"""Discovery from the parameters form: the issuer's metadata fills the samples' endpoints and
the advice is checked against it ("Server compatibility", ``#findings``), as ``ask --discover``.

The integration tests run against the real oidc-provider test server (``tests/oidc``); the
others use the metadata stub or an unreachable port, and run everywhere. Nothing here sleeps:
tests wait for the discovery worker (``app.workers.wait_for_complete()``) and then for the
screen to show the result.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Static

from advisor.cli import main as cli_main
from advisor.server.model import ServerMetadata
from advisor.tree.loader import load_tree
from advisor.tui.app import GrantAdvisorApp
from advisor.tui.screens.parameters import NEEDS_ISSUER, ParametersScreen
from advisor.tui.screens.recommendation import RecommendationScreen
from support.metadata_stub import WELL_KNOWN_OAUTH, MetadataStub
from support.tui import (
    REPO,
    SIZE,
    Walk,
    answer_flags,
    drive,
    make_app,
    tui_app,
    walks_to_outcomes,
)

UNREACHABLE = "http://127.0.0.1:9"
"""The discard port: nothing listens there, so the connection is refused at once."""


@pytest.fixture
def stub() -> Iterator[MetadataStub]:
    with MetadataStub() as server:
        yield server


def walk_to(outcome: str) -> tuple[Walk, list[str]]:
    """The shipped tree's walk to ``outcome``, and the same answers as ``ask -a`` flags."""
    tree = load_tree()
    walk = walks_to_outcomes(tree)[outcome]
    return walk, answer_flags(tree, walk)


def text_of(widget: Static) -> str:
    content: Any = widget.content
    return content.plain if isinstance(content, (Text, Content)) else str(content)


def findings(app: GrantAdvisorApp) -> list[tuple[str, str]]:
    """``(severity, text)`` of each finding on the recommendation screen, top to bottom."""
    screen = app.screen
    assert isinstance(screen, RecommendationScreen)
    assert not screen.has_class("-no-findings")
    assert screen.query_one("#findings").display
    rows = list(screen.query("#findings .finding").results(Static))
    severities = [next(c for c in ("-error", "-warning", "-info") if r.has_class(c)) for r in rows]
    return [(s.removeprefix("-"), text_of(r)) for s, r in zip(severities, rows, strict=True)]


async def until(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    """Let the app run until ``condition`` holds (each pause waits for it to be idle)."""
    for _ in range(200):
        if condition():
            return
        await pilot.pause()
    raise AssertionError(f"still waiting for {what}")


async def open_form(pilot: Pilot[None]) -> ParametersScreen:
    await pilot.press("e")
    await until(pilot, lambda: isinstance(pilot.app.screen, ParametersScreen), "the form")
    screen = pilot.app.screen
    assert isinstance(screen, ParametersScreen)
    return screen


async def apply_with_discovery(
    pilot: Pilot[None], issuer: str, client_id: str | None = None
) -> ParametersScreen:
    """Open the form, give the issuer (and client id), tick discovery, apply, and wait for
    the discovery worker; the form may still be open (with an error)."""
    form = await open_form(pilot)
    form.query_one("#param-issuer", Input).value = issuer
    if client_id is not None:
        form.query_one("#param-client-id", Input).value = client_id
    await pilot.pause()
    await pilot.click("#param-discover")
    await pilot.pause()
    assert form.query_one("#param-discover", Checkbox).value
    await pilot.press("ctrl+s")
    await pilot.app.workers.wait_for_complete()
    await until(
        pilot,
        lambda: not form.has_class("-discovering") or not form.is_attached,
        "the discovery result",
    )
    return form


async def discovered(pilot: Pilot[None], issuer: str, client_id: str | None = None) -> None:
    """:func:`apply_with_discovery`, which must succeed: back on the recommendation."""
    await apply_with_discovery(pilot, issuer, client_id)
    await until(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, RecommendationScreen)
            and not pilot.app.screen.has_class("-no-findings")
        ),
        "the recommendation with its findings",
    )


def cli_output(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    # Textual captures stdout while an app runs: ask the CLI before starting the app.
    capsys.readouterr()
    assert cli_main(argv) == 0
    return capsys.readouterr().out


async def export(pilot: Pilot[None], path: Path) -> str:
    await pilot.press("s")
    await pilot.pause()
    pilot.app.screen.query_one("#export-path", Input).value = str(path)
    await pilot.press("enter")
    await until(pilot, path.exists, "the exported file")
    return path.read_text(encoding="utf-8")


# -- against the real provider ----------------------------------------------------------------


@pytest.mark.integration
async def test_discovery_fills_the_endpoints_and_lists_the_findings(oidc_provider: Any) -> None:
    walk, _ = walk_to("m2m_client_secret")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await drive(pilot, app, walk)
        before = app.advice.samples["python"].code
        assert 'TOKEN_ENDPOINT = "https://auth.example.com/token"' in before
        assert isinstance(app.screen, RecommendationScreen)
        assert app.screen.has_class("-no-findings")  # no section before discovery
        assert not app.screen.query_one("#findings").display

        await discovered(pilot, oidc_provider.issuer, "cc-basic")
        screen = app.screen
        assert isinstance(screen, RecommendationScreen)
        expected = f'TOKEN_ENDPOINT = "{oidc_provider.token_endpoint}"'
        assert expected in app.advice.samples["python"].code
        await pilot.press("right_square_bracket")  # the python tab
        await pilot.pause()
        assert expected in text_of(screen.query_one("#code-python", Static))
        assert 'CLIENT_ID = "cc-basic"' in app.advice.samples["python"].code
        # the parameters are what `ask` records (discovery is not one of them)
        assert app.parameters == {"issuer": oidc_provider.issuer, "client_id": "cc-basic"}
        assert isinstance(app.metadata, ServerMetadata)
        assert app.metadata.issuer == oidc_provider.issuer

        source = text_of(screen.query_one("#findings-source", Static))
        assert oidc_provider.issuer in source and "well-known" in source
        found = findings(app)
        assert ("warning", "[plain_http]") in [(s, t[t.rindex("[") :]) for s, t in found]
        assert any(t.startswith("warning: the metadata came over plain http") for _, t in found)
        assert "derived from the issuer" not in " ".join(app.advice.assumptions)

        # the form reopens with discovery ticked; unticking it drops the server's endpoints
        form = await open_form(pilot)
        assert form.query_one("#param-discover", Checkbox).value
        await pilot.click("#param-discover")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, RecommendationScreen), "the form closing")
        assert app.metadata is None and app.advice.compatibility is None
        assert app.screen.has_class("-no-findings")
        assert (
            f'TOKEN_ENDPOINT = "{oidc_provider.issuer}/token"' in app.advice.samples["python"].code
        )


@pytest.mark.integration
async def test_a_server_without_the_device_flow_gives_errors_first(
    oidc_provider_factory: Callable[..., Any],
) -> None:
    provider = oidc_provider_factory("no-device")
    walk, _ = walk_to("device_code_tv")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await drive(pilot, app, walk)
        await discovered(pilot, provider.issuer, "device-client")
        found = findings(app)
        codes = {t[t.rindex("[") + 1 : -1]: s for s, t in found}
        assert codes["grant_type_not_supported"] == "error"
        assert codes["plain_http"] == "warning"
        severities = [s for s, _ in found]
        assert severities == sorted(severities, key=["error", "warning", "info"].index)
        # the engine's own verdict, in its order: the screen shows all of it, nothing more
        assert app.advice.compatibility is not None
        assert [
            (f.severity, f"{f.severity}: {f.message} [{f.code}]")
            for f in app.advice.compatibility.findings
        ] == found


@pytest.mark.integration
async def test_export_with_discovery_is_what_ask_discover_prints(
    oidc_provider: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    walk, answers = walk_to("m2m_client_secret")
    expected = cli_output(
        capsys,
        [
            "ask",
            *answers,
            "--issuer",
            oidc_provider.issuer,
            "--client-id",
            "cc-basic",
            "--discover",
            "--format",
            "markdown",
        ],
    )
    assert "## Server compatibility" in expected and "(`plain_http`)" in expected
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await drive(pilot, app, walk)
        await discovered(pilot, oidc_provider.issuer, "cc-basic")
        written = await export(pilot, tmp_path / "report.md")
    assert written == expected


# -- against the stub, or nothing at all ------------------------------------------------------


async def test_export_with_discovery_matches_ask_on_the_stub(
    stub: MetadataStub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The same without Node: a server without the device flow, and the TV outcome."""
    monkeypatch.chdir(tmp_path)
    grants = ["authorization_code", "client_credentials", "refresh_token"]
    stub.json(
        WELL_KNOWN_OAUTH,
        stub.metadata(device_authorization_endpoint=None, grant_types_supported=grants),
    )
    walk, answers = walk_to("device_code_tv")
    argv = ["ask", *answers, "--issuer", stub.issuer, "--discover", "--format", "markdown"]
    expected = cli_output(capsys, argv)
    assert "- **error** (`grant_type_not_supported`)" in expected
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await drive(pilot, app, walk)
        await discovered(pilot, stub.issuer)
        assert findings(app)[0][0] == "error"
        written = await export(pilot, tmp_path / "report.md")
    assert written == expected


async def test_unreachable_issuer_shows_one_error_and_keeps_the_samples() -> None:
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "1")
        await until(pilot, lambda: isinstance(app.screen, RecommendationScreen), "the outcome")
        advice, parameters = app.advice, dict(app.parameters)
        form = await apply_with_discovery(pilot, UNREACHABLE, "my-app")
        assert app.screen is form  # still open, with what the user typed
        error = form.query_one("#params-error", Static)
        assert error.display
        message = text_of(error)
        assert message.startswith("Discovery failed: connection refused by 127.0.0.1:9")
        assert "\n" not in message and "Traceback" not in message
        assert form.query_one("#param-client-id", Input).value == "my-app"
        assert not form.has_class("-discovering")
        # nothing was applied: the samples and parameters are the previous ones
        assert app.advice is advice and app.parameters == parameters
        assert app.metadata is None
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        assert app.screen.has_class("-no-findings")
        assert app.advice is advice


async def test_discovery_needs_an_issuer() -> None:
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "1")
        await until(pilot, lambda: isinstance(app.screen, RecommendationScreen), "the outcome")
        form = await open_form(pilot)
        await pilot.click("#param-discover")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert text_of(form.query_one("#param-issuer-error", Static)) == NEEDS_ISSUER
        assert form.query_one("#param-issuer", Input).has_class("-invalid")
        assert not form.has_class("-discovering")


async def test_the_form_shows_it_waits_and_cancelling_drops_the_answer(
    stub: MetadataStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The UI keeps running while the worker waits on the network; Escape drops the answer."""
    stub.json(WELL_KNOWN_OAUTH, stub.metadata())
    release = threading.Event()
    started = threading.Event()
    import advisor.server.fetch

    real_discover = advisor.server.fetch.discover

    def held_discover(issuer: str, **kwargs: Any) -> ServerMetadata:
        started.set()
        assert release.wait(10), "the test never released discovery"
        return real_discover(issuer, **kwargs)

    monkeypatch.setattr(advisor.server.fetch, "discover", held_discover)
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "1")
        await until(pilot, lambda: isinstance(app.screen, RecommendationScreen), "the outcome")
        form = await open_form(pilot)
        form.query_one("#param-issuer", Input).value = stub.issuer
        await pilot.click("#param-discover")
        await pilot.press("ctrl+s")
        await until(pilot, started.is_set, "the worker to start")
        assert form.has_class("-discovering")
        assert form.query_one("#params-discovering").display
        assert stub.issuer in text_of(form.query_one("#params-discovering-text", Static))
        await pilot.press("escape")  # the UI answers while the worker is blocked
        await until(pilot, lambda: isinstance(app.screen, RecommendationScreen), "the cancel")
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.metadata is None and app.parameters == {}
        assert app.screen.has_class("-no-findings")

        # again, this time waiting: the answer closes the form and applies
        release.clear()
        started.clear()
        form = await open_form(pilot)
        form.query_one("#param-issuer", Input).value = stub.issuer
        await pilot.click("#param-discover")
        await pilot.press("ctrl+s")
        await until(pilot, started.is_set, "the worker to start")
        assert app.screen is form and form.has_class("-discovering")
        release.set()
        await app.workers.wait_for_complete()
        await until(
            pilot,
            lambda: isinstance(app.screen, RecommendationScreen) and app.metadata is not None,
            "the result",
        )
        assert app.metadata is not None and app.parameters == {"issuer": stub.issuer}
        assert f"{stub.issuer}/token" in app.advice.samples["curl"].code
        assert [t for _, t in findings(app)][-1].endswith("[plain_http]")


async def test_findings_follow_the_walk_without_fetching_again(stub: MetadataStub) -> None:
    """Back to another outcome: its findings come from the same metadata (no new request)."""
    stub.json(WELL_KNOWN_OAUTH, stub.metadata(device_authorization_endpoint=None))
    m2m, _ = walk_to("m2m_client_secret")
    tv, _ = walk_to("device_code_tv")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await drive(pilot, app, m2m)
        await discovered(pilot, stub.issuer)
        codes = [t[t.rindex("[") + 1 : -1] for _, t in findings(app)]
        assert codes == ["plain_http", "stronger_client_auth_available"]
        requests = len(stub.paths())
        await pilot.press("r")
        await until(pilot, lambda: not isinstance(app.screen, RecommendationScreen), "restart")
        await drive(pilot, app, tv)
        await until(pilot, lambda: isinstance(app.screen, RecommendationScreen), "the TV outcome")
        assert any("[device_endpoint_not_listed]" in t for s, t in findings(app))
        assert len(stub.paths()) == requests


def test_starting_the_tui_does_not_import_httpx() -> None:
    """``import advisor.tui``, the first question and the prefetched recommendation screen
    leave the HTTP client out: only discovery imports it."""
    probe = """
import asyncio, json, sys
import advisor.tui
before = "httpx" in sys.modules
from advisor.tui.app import GrantAdvisorApp

async def main():
    app = GrantAdvisorApp()
    async with app.run_test(size=(100, 32)) as pilot:
        await app.workers.wait_for_complete()  # the prefetch of the recommendation screen
        await pilot.press("1")
        await pilot.pause()
    return "advisor.tui.screens.recommendation" in sys.modules

prefetched = asyncio.run(main())
print(json.dumps([before, prefetched, "httpx" in sys.modules]))
"""
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    before, prefetched, after = json.loads(result.stdout.strip().splitlines()[-1])
    assert prefetched
    assert (before, after) == (False, False)
