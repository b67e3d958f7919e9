"""A hostile HTTP server on 127.0.0.1 that writes raw bytes, for what ``http.server`` cannot
send: headers trickled one byte at a time, a never-ending chunk header, stacked content
encodings, escape sequences in the reason phrase (the modes of the reliability repro stub).

    with HostileServer(trickle(b"HTTP/1.1 200 OK\\r\\nX-Slow: ", b"a", 0.2)) as server:
        discover(server.issuer, timeout=1, total_timeout=2)

Each connection is answered by the given function in its own thread; everything is closed
when the ``with`` block ends.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import threading
import time
import zlib
from collections.abc import Callable
from types import TracebackType

Respond = Callable[[socket.socket], None]
"""Answers one connection (the request has been read)."""


class HostileServer:
    """A loopback server answering every request with ``respond``."""

    def __init__(self, respond: Respond) -> None:
        self.respond = respond
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.requests = 0
        self._connections: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        self.listener.settimeout(0.05)  # a blocked accept() would not see the listener closed
        while not self._stop.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection.settimeout(None)
            self._connections.append(connection)
            self.requests += 1
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        with contextlib.suppress(OSError):
            request = b""
            while b"\r\n\r\n" not in request:
                data = connection.recv(65536)
                if not data:
                    return
                request += data
            self.respond(connection)
        with contextlib.suppress(OSError):
            connection.close()

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.listener.close()
        for connection in self._connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                connection.close()


def send(data: bytes) -> Respond:
    """Answer with ``data`` as it is, then close."""
    return lambda connection: connection.sendall(data)


def trickle(prefix: bytes, byte: bytes, delay: float) -> Respond:
    """Send ``prefix``, then ``byte`` every ``delay`` seconds until the client hangs up."""

    def respond(connection: socket.socket) -> None:
        connection.sendall(prefix)
        while True:
            time.sleep(delay)
            connection.sendall(byte)

    return respond


def response(body: bytes, *headers: str, status: str = "200 OK", length: bool = True) -> bytes:
    """A whole HTTP/1.1 response (``Connection: close``; no Content-Length if not ``length``)."""
    lines = [f"HTTP/1.1 {status}", "Content-Type: application/json", "Connection: close", *headers]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def gzip_of_zeros(mebibytes: int, layers: int = 1) -> bytes:
    """``mebibytes`` MiB of zero bytes, gzip-compressed ``layers`` times (a few KiB each)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1024 * 1024)
    data = b"".join(compressor.compress(block) for _ in range(mebibytes)) + compressor.flush()
    for _ in range(layers - 1):
        data = gzip.compress(data, 9)
    return data
