"""pytest plugin: a django-oauth-toolkit authorization server on loopback, a second and
independent server (Python, oauthlib) next to oidc-provider (tests/support/oidc.py).

Loaded from tests/conftest.py (``pytest_plugins``). The server is tests/dot/server.py, a
small Django project (tests/dot/project/) started as a subprocess on 127.0.0.1 with an
ephemeral port, an SQLite database in a temporary folder and an RSA key made at start; its
docstring lists the users and the OAuth applications it creates.

Fixtures
    ``dot_server`` (session)   a :class:`DOTServer`

When Django or django-oauth-toolkit is missing, or at a version outside :data:`PINNED`, the
fixture skips the test with the reason on a developer's machine and fails it when the ``CI``
environment variable is set (as the oidc-provider fixtures do). Install with
``pip install -e '.[test]'``.

Helpers
    :meth:`DOTServer.sample_env` (the environment a sample runs in, with the browser),
    :meth:`DOTServer.approve_device`, :func:`running_dot_server`.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from advisor.samples.catalog import TEMPLATES
from advisor.samples.params import SampleParams
from support import dot_browser
from support.oidc import _ci, ensure_executable, http_client

TESTS_DIR = Path(__file__).resolve().parent.parent
DOT_DIR = TESTS_DIR / "dot"
SERVER_SCRIPT = DOT_DIR / "server.py"
DOT_BROWSER = Path(__file__).resolve().parent / "dot_browser.py"
STARTUP_TIMEOUT = 60.0  # seconds; migrating the SQLite database takes a few on a busy machine

PINNED: Mapping[str, tuple[tuple[int, ...], tuple[int, ...]]] = MappingProxyType(
    {
        # The device authorization grant (RFC 8628) arrived in django-oauth-toolkit 3.0 and
        # needs oauthlib's, from 3.3. 3.4 is the newest 3.x.
        "django-oauth-toolkit": ((3, 4), (4,)),
        # oauthlib 3.3.x, which django-oauth-toolkit 3.4 was released against: its device
        # authorization endpoint requires client_id in the body and compares the
        # Content-Type with "application/x-www-form-urlencoded" as a string (4.0 accepts
        # parameters such as ;charset=UTF-8), so the samples are tested against the
        # stricter server most deployments run.
        "oauthlib": ((3, 3, 1), (3, 4)),
        "django": ((4, 2), (6,)),
    }
)
"""The versions this suite is pinned to, as [lowest, first excluded); the same ranges as the
``test`` extra in pyproject.toml."""


@dataclass(frozen=True)
class DOTServer:
    """A running django-oauth-toolkit server. Endpoints come from its discovery document."""

    issuer: str
    origin: str
    port: int
    pid: int
    metadata: Mapping[str, Any]
    authorization_endpoint: str
    token_endpoint: str
    device_authorization_endpoint: str
    clients: Mapping[str, Mapping[str, Any]]
    users: Mapping[str, str]
    versions: Mapping[str, str]
    log_path: Path
    browser: Path = DOT_BROWSER
    ready: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def secret(self, client_id: str) -> str:
        secret = self.clients[client_id]["client_secret"]
        if not secret:
            raise ValueError(f"{client_id} is a public client")
        return str(secret)

    def sample_env(self, **values: str | Path) -> dict[str, str]:
        """``os.environ`` without OAUTH_*, with BROWSER (the DOT browser), a NO_PROXY covering
        loopback, and ``values`` (OAUTH_*, FAKE_BROWSER_* settings)."""
        ensure_executable(self.browser)
        env = {k: v for k, v in os.environ.items() if not k.startswith("OAUTH_")}
        env["BROWSER"] = str(self.browser)
        for name in ("NO_PROXY", "no_proxy"):
            existing = [p for p in env.get(name, "").split(",") if p]
            env[name] = ",".join([*existing, "127.0.0.1", "localhost"])
        env.update({k: str(v) for k, v in values.items()})
        return env

    def approve_device(self, verification_uri_complete: str, *, deny: bool = False) -> None:
        dot_browser.approve_device(verification_uri_complete, deny=deny)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""


# --- prerequisites -----------------------------------------------------------------------------


def _parse(text: str) -> tuple[int, ...]:
    parts: list[int] = []
    for piece in text.split("."):
        digits = "".join(c for c in piece if c.isdigit())
        if not digits:
            break
        parts.append(int(digits))
        if digits != piece:
            break
    return tuple(parts)


def missing_prerequisite() -> str | None:
    """Why the django-oauth-toolkit server cannot run here, or None."""
    for name, (low, high) in PINNED.items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            return f"{name} is not installed; run pip install -e '.[test]'"
        if not low <= _parse(installed) < high:
            wanted = f">={'.'.join(map(str, low))},<{'.'.join(map(str, high))}"
            return f"{name} {installed} is installed, the tests need {wanted}"
    return None


def require_dot_prerequisites() -> None:
    """Skip (developer machine) or fail (``CI`` set) when the server cannot run."""
    reason = missing_prerequisite()
    if reason is None:
        return
    if _ci():
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


# --- starting and stopping ---------------------------------------------------------------------


class DOTStartError(RuntimeError):
    pass


@contextlib.contextmanager
def running_dot_server(
    folder: Path, *, startup_timeout: float = STARTUP_TIMEOUT
) -> Iterator[DOTServer]:
    """Start tests/dot/server.py with its database in ``folder``; yield a :class:`DOTServer`;
    stop it after. Raises :class:`DOTStartError` (with the server's stderr) if it does not
    come up."""
    log_path = folder / "dot-server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DOT_TEST_", "DJANGO_"))}
    env["DOT_TEST_DIR"] = str(folder)
    env["PYTHONUNBUFFERED"] = "1"
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [sys.executable, str(SERVER_SCRIPT)],
            cwd=DOT_DIR,
            env=env,
            stdin=subprocess.PIPE,  # closing it (or our death) makes the server exit
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        try:
            ready = _ready_line(proc, log_path, startup_timeout)
            yield _make_server(ready, log_path)
        finally:
            _stop(proc)


def _ready_line(proc: subprocess.Popen[str], log_path: Path, timeout: float) -> dict[str, Any]:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(
        target=lambda: lines.put(proc.stdout.readline() if proc.stdout else ""), daemon=True
    ).start()
    started = time.monotonic()
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        line = ""
    try:
        data = json.loads(line)
        if isinstance(data, dict) and "issuer" in data:
            return data
    except ValueError:
        pass
    waited = time.monotonic() - started
    log = log_path.read_text(encoding="utf-8", errors="replace")
    raise DOTStartError(
        f"the django-oauth-toolkit test server did not start ({waited:.0f} s, stdout "
        f"{line!r}, exit status {proc.poll()})\n--- server stderr ---\n{log[-8000:]}"
    )


def _make_server(ready: dict[str, Any], log_path: Path) -> DOTServer:
    with http_client() as client:
        response = client.get(ready["issuer"] + "/.well-known/openid-configuration")
        response.raise_for_status()
        metadata: dict[str, Any] = response.json()
    # The toolkit's OpenID discovery document lists no device authorization endpoint.
    device = metadata.get("device_authorization_endpoint") or (
        ready["issuer"] + "/device-authorization/"
    )
    return DOTServer(
        issuer=ready["issuer"],
        origin=ready["origin"],
        port=ready["port"],
        pid=ready["pid"],
        metadata=MappingProxyType(metadata),
        authorization_endpoint=metadata["authorization_endpoint"],
        token_endpoint=metadata["token_endpoint"],
        device_authorization_endpoint=device,
        clients=MappingProxyType(ready["clients"]),
        users=MappingProxyType(ready["users"]),
        versions=MappingProxyType(ready["versions"]),
        log_path=log_path,
        ready=MappingProxyType(ready),
    )


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.stdin is not None:
        with contextlib.suppress(OSError):
            proc.stdin.close()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    if proc.stdout is not None:
        with contextlib.suppress(OSError):
            proc.stdout.close()


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def dot_server() -> Iterator[DOTServer]:
    """The django-oauth-toolkit server, one per test session."""
    require_dot_prerequisites()
    with tempfile.TemporaryDirectory(prefix="dot-test-") as folder:
        try:
            with running_dot_server(Path(folder)) as server:
                yield server
        except DOTStartError as exc:
            pytest.fail(str(exc), pytrace=False)


__all__ = [
    "PINNED",
    "DOTServer",
    "DOTStartError",
    "dot_server",
    "missing_prerequisite",
    "require_dot_prerequisites",
    "running_dot_server",
]


def dot_params(server: DOTServer, template: str, client_id: str, **values: Any) -> SampleParams:
    """Sample parameters for ``server``: its endpoints, and the template's default scopes that
    the server supports (what discovery's ``scopes_supported`` leaves: it has no
    ``offline_access``)."""
    supported = set(server.metadata.get("scopes_supported", ()))
    scopes = tuple(s for s in TEMPLATES[template].default_scope.split() if s in supported)
    return SampleParams(
        issuer=server.issuer,
        client_id=client_id,
        authorization_endpoint=server.authorization_endpoint,
        token_endpoint=server.token_endpoint,
        device_authorization_endpoint=server.device_authorization_endpoint,
        scopes=scopes,
    ).with_values(**values)


def dot_credentials(server: DOTServer, client_id: str, client_auth: str) -> dict[str, str]:
    """The environment a sample needs to authenticate ``client_id`` (nothing for a public
    client)."""
    if client_auth == "none":
        return {}
    return {"OAUTH_CLIENT_SECRET": server.secret(client_id)}
