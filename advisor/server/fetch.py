"""Reading an authorization server's metadata (RFC 8414, OpenID Connect Discovery 1.0).

``--discover`` and ``check-server`` fetch the server's own description of itself, so sample
code gets its real endpoints and the advice can be checked against what it supports (see
:mod:`advisor.server.findings`).

Where the metadata is looked for, in this order (:func:`metadata_locations`), for an issuer
``https://h/tenant``:

1. ``https://h/.well-known/oauth-authorization-server/tenant``: RFC 8414 §3, the well-known
   suffix inserted between the host and the issuer's path;
2. ``https://h/tenant/.well-known/oauth-authorization-server``: the RFC 8414 suffix appended
   to the issuer, as OpenID Connect does it; not what RFC 8414 §3 says, but where servers
   that mount the authorization server under a path publish it (django-oauth-toolkit under
   its ``o/`` mount, for one);
3. ``https://h/tenant/.well-known/openid-configuration``: OpenID Connect Discovery 1.0 §4,
   appended to the issuer;
4. ``https://h/.well-known/openid-configuration/tenant``: the RFC 8414 insertion applied to the
   OpenID suffix, which RFC 8414 §5 allows and some servers use.

RFC 8414 documents come first: they describe the OAuth server as a whole, while an OpenID
document may list only what sign-in uses. For an issuer without a path, 1 and 2 are the same
URL, and so are 3 and 4. The first document whose ``issuer`` is exactly the issuer is used; its
kind (``oauth`` or ``openid``) decides whose defaults absent fields take
(:attr:`ServerMetadata.kind`), and the locations tried before it are kept
(:attr:`ServerMetadata.tried`). Documents are not merged: one document, one issuer check, one
source for every value (two documents may disagree, and neither specification says which
wins); the first is the complete OAuth description whenever the server has one.

A URL that answers with an HTTP error, with something that is not a JSON object, or with
metadata for another issuer is skipped and the next is tried; when none has usable metadata,
:class:`DiscoveryError` says why, with the code ``templated_issuer`` (a multi-tenant template
such as Entra ID's ``{tenantid}`` issuer), ``issuer_mismatch`` or ``metadata_not_found``. Any
other failure (network, TLS, timeout, an oversized body, a redirect off the issuer's host or
in a loop) stops discovery at once (code ``discovery_failed``).

Network hygiene: httpx is imported inside :func:`discover` only (``ask`` without
``--discover`` never loads it). Issuers must be https URLs, except on loopback hosts
(127.0.0.0/8, ``::1``, ``localhost``), which may use plain http for local testing (reported as
a finding). Connect and read timeouts are separate and a total deadline bounds the whole
discovery, every phase of it (a server trickling its headers one byte at a time included);
the body is streamed, never decoded beyond ``max_bytes`` (identity is asked for; one layer of
gzip or deflate is inflated in bounded steps, anything else is refused), and reading stops
past it; at most :data:`MAX_REDIRECTS` redirects are followed, never to another scheme, host
or port; nothing from the environment is used (no proxies, no ``.netrc``), and no credentials
or cookies are ever sent. Only ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` are honoured, so a private
CA still works.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from advisor import __version__
from advisor.core.errors import DiscoveryError
from advisor.core.fields import check_issuer, shown
from advisor.core.termsafe import one_line
from advisor.server.model import MetadataKind, ServerMetadata

if TYPE_CHECKING:
    import ssl

    import httpx

DEFAULT_TIMEOUT: Final = 5.0
"""Seconds allowed to connect, and then between two reads of the response."""
DEFAULT_TOTAL_TIMEOUT: Final = 15.0
"""Seconds allowed for the whole discovery, every URL and redirect included."""
DEFAULT_MAX_BYTES: Final = 1024 * 1024
"""The largest metadata document read (1 MiB; real ones are a few KiB)."""
MAX_REDIRECTS: Final = 3
"""Redirects followed per metadata URL (same scheme, host and port only)."""
MAX_DEPTH: Final = 32
"""The deepest nesting of arrays and objects read (real metadata nests two or three)."""
_REASON_CHARS: Final = 120
"""The most characters of a server's reason phrase quoted in a message."""

OAUTH_WELL_KNOWN: Final = "/.well-known/oauth-authorization-server"
OPENID_WELL_KNOWN: Final = "/.well-known/openid-configuration"

_REDIRECT_CODES: Final = frozenset({301, 302, 303, 307, 308})


# -- URLs -------------------------------------------------------------------------------------


def metadata_locations(issuer: str) -> tuple[tuple[str, MetadataKind], ...]:
    """Where to look for ``issuer``'s metadata, in the order tried, each with the kind of
    document expected there (see the module docstring).

    A terminating ``/`` of the issuer's path is removed before the well-known suffix is
    inserted or appended (RFC 8414 §3, OpenID Connect Discovery §4).

    Returns:
        ``(url, kind)`` pairs, 2 for an issuer without a path, 4 otherwise.

    Raises:
        ParameterError: ``issuer`` is not a valid issuer identifier.
    """
    parts = check_issuer(issuer)
    origin = f"{parts.scheme}://{parts.netloc}"
    path = parts.path.rstrip("/")
    locations: tuple[tuple[str, MetadataKind], ...] = (
        (origin + OAUTH_WELL_KNOWN + path, "oauth"),
        (origin + path + OAUTH_WELL_KNOWN, "oauth"),
        (origin + path + OPENID_WELL_KNOWN, "openid"),
        (origin + OPENID_WELL_KNOWN + path, "openid"),
    )
    return _unique(locations)


def _unique(
    locations: tuple[tuple[str, MetadataKind], ...],
) -> tuple[tuple[str, MetadataKind], ...]:
    """``locations`` without repeated URLs (the first of each is kept)."""
    kept: dict[str, MetadataKind] = {}
    for url, kind in locations:
        kept.setdefault(url, kind)
    return tuple(kept.items())


def metadata_urls(issuer: str) -> tuple[str, ...]:
    """The URLs of :func:`metadata_locations`, in the order tried.

    Raises:
        ParameterError: ``issuer`` is not a valid issuer identifier.
    """
    return tuple(url for url, _ in metadata_locations(issuer))


# -- fetching ---------------------------------------------------------------------------------


class _Miss(Exception):
    """This URL has no metadata (HTTP error, not a JSON object): try the next one."""


def discover(
    issuer: str,
    *,
    timeout: float | None = None,
    total_timeout: float | None = None,
    max_bytes: int | None = None,
) -> ServerMetadata:
    """Fetch and check ``issuer``'s metadata.

    Args:
        issuer: The issuer identifier, e.g. ``https://login.example.com/tenant``.
        timeout: Seconds allowed to connect, and between two reads of a response
            (default :data:`DEFAULT_TIMEOUT`).
        total_timeout: Seconds allowed for everything, every URL tried and every redirect
            (default: three times ``timeout``, so :data:`DEFAULT_TOTAL_TIMEOUT`).
        max_bytes: The largest document read; reading stops as soon as it is exceeded
            (default :data:`DEFAULT_MAX_BYTES`).

    Returns:
        The metadata, whose ``issuer`` is exactly ``issuer`` (RFC 8414 §3.3, OpenID Connect
        Discovery §4.3), with the kind of document found and the locations tried before it.

    Raises:
        ParameterError: ``issuer`` is not an absolute https URL (http only on loopback), or
            holds a template placeholder.
        DiscoveryError: The metadata cannot be fetched or trusted; the message is one line,
            and ``code`` says which kind of failure it is (see the module docstring).
    """
    locations = metadata_locations(issuer)
    # Defaults are read at call time, so tests (and embedders) can tighten them.
    if timeout is None:
        timeout = DEFAULT_TIMEOUT
    if total_timeout is None:
        total_timeout = 3 * timeout
    if max_bytes is None:
        max_bytes = DEFAULT_MAX_BYTES
    deadline = time.monotonic() + total_timeout
    misses: list[tuple[str, str]] = []
    refused: DiscoveryError | None = None  # the first document for another issuer
    with _client(timeout) as client:
        for url, kind in locations:
            try:
                document, final_url = _fetch(client, url, timeout, deadline, max_bytes)
            except _Miss as miss:
                misses.append((url, str(miss)))
                continue
            stated = document.get("issuer")
            if stated != issuer:
                # Not used (RFC 8414 §3.3), but another location may hold the right document.
                refused = refused or _issuer_problem(issuer, stated, final_url)
                misses.append((url, "metadata for another issuer"))
                continue
            return ServerMetadata(
                issuer, MappingProxyType(document), final_url, kind=kind, tried=tuple(misses)
            )
    if refused is not None:
        raise refused
    raise DiscoveryError(
        f"no authorization server metadata found for {issuer}: "
        + "; ".join(f"{url}: {why}" for url, why in misses),
        code="metadata_not_found",
    )


def _client(timeout: float) -> httpx.Client:
    from http.cookiejar import CookieJar, DefaultCookiePolicy

    import httpx

    return httpx.Client(
        timeout=httpx.Timeout(timeout),
        # A fresh connection per request, so the deadline watch sees (and can cut) each one.
        limits=httpx.Limits(max_keepalive_connections=0),
        follow_redirects=False,  # followed by hand: same origin only, loops detected
        trust_env=False,  # no proxies, no .netrc credentials from the environment
        cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),  # keeps none
        verify=_verify(),
        headers={
            "Accept": "application/json",
            "Accept-Encoding": "identity",
            "User-Agent": f"grant-advisor/{__version__}",
        },
    )


def _verify() -> ssl.SSLContext | bool:
    """httpx's default trust store, or the CA file/folder the user points OpenSSL to."""
    cafile = os.environ.get("SSL_CERT_FILE") or None
    capath = os.environ.get("SSL_CERT_DIR") or None
    if cafile is None and capath is None:
        return True
    import ssl

    try:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    except (OSError, ssl.SSLError) as exc:
        raise DiscoveryError(
            f"cannot load the CA certificates named by SSL_CERT_FILE/SSL_CERT_DIR: {exc}"
        ) from None


def _fetch(
    client: httpx.Client,
    url: str,
    timeout: float,
    deadline: float,
    max_bytes: int,
) -> tuple[dict[str, Any], str]:
    """GET ``url``, following same-origin redirects; the JSON object and the final URL.

    The deadline holds for every phase (name lookup, connecting, headers, chunk headers,
    body), although httpx's read timeout starts again with every byte a server trickles: the
    request runs in a worker thread, and when the deadline passes its connection is shut
    down (which ends a blocked read at once) and the caller gets the timeout.

    Raises:
        _Miss: no metadata here (an HTTP error, not a JSON object): try the next URL.
        DiscoveryError: anything else, including the total deadline passing.
    """
    watch = _Watch()
    outcome: list[tuple[dict[str, Any], str] | BaseException] = []

    def work() -> None:
        try:
            outcome.append(_fetch_now(client, url, timeout, deadline, max_bytes, watch))
        except BaseException as exc:  # handed to the caller, never printed by the thread
            outcome.append(exc)

    worker = threading.Thread(target=work, name="grant-advisor metadata", daemon=True)
    worker.start()
    try:
        worker.join(max(0.0, deadline - time.monotonic()))
        late = worker.is_alive()
    finally:
        if worker.is_alive():  # the deadline passed, or Ctrl-C: stop the request now
            watch.abort()
    if late or not outcome:
        raise DiscoveryError(f"timed out fetching {url} (discovery took too long)")
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result


class _Watch:
    """The sockets of one fetch, so the deadline can cut them (httpcore's ``trace``
    extension reports each connection it opens)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._aborted = False

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's trace callback: remember the socket of each new connection."""
        if event != "connection.connect_tcp.complete":
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            self._sockets.append(sock)
            aborted = self._aborted
        if aborted:
            _shut(sock)

    def abort(self) -> None:
        """Shut every connection down: a read blocked on one returns at once."""
        with self._lock:
            self._aborted = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _fetch_now(
    client: httpx.Client,
    url: str,
    timeout: float,
    deadline: float,
    max_bytes: int,
    watch: _Watch,
) -> tuple[dict[str, Any], str]:
    """:func:`_fetch`'s work, in its worker thread."""
    import httpx

    current = url
    seen = {url}
    for _ in range(MAX_REDIRECTS + 1):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise DiscoveryError(f"timed out fetching {current} (discovery took too long)")
        per_request = httpx.Timeout(min(timeout, remaining))
        try:
            with client.stream(
                "GET", current, timeout=per_request, extensions={"trace": watch.trace}
            ) as response:
                status = response.status_code
                if status in _REDIRECT_CODES:
                    current = _redirect_target(current, response.headers.get("location"), seen)
                    continue
                if status != 200:
                    reason = one_line(response.reason_phrase)[:_REASON_CHARS]
                    raise _Miss(f"HTTP {status} {reason}".rstrip())
                body = _read_capped(response, current, max_bytes, deadline)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            if time.monotonic() >= deadline:  # cut by the watch: say why
                raise DiscoveryError(
                    f"timed out fetching {current} (discovery took too long)"
                ) from None
            raise DiscoveryError(_transport_message(exc, current, timeout)) from None
        try:
            document = _parse(body)
        except RecursionError:
            document = None
        if document is None or _depth(document) > MAX_DEPTH:
            raise _Miss(f"JSON nested more than {MAX_DEPTH} levels deep")
        return document, current
    raise DiscoveryError(
        f"too many redirects fetching {url} (more than {MAX_REDIRECTS}; last to {current})"
    )


def _depth(value: object) -> int:
    """How deeply ``value`` nests arrays and objects (without recursion)."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:
                stack += [(child, level + 1) for child in item]
    return deepest


def _redirect_target(current: str, location: str | None, seen: set[str]) -> str:
    if not location:
        raise _Miss("redirect without a Location header")
    target = urllib.parse.urljoin(current, location.strip())
    here = urllib.parse.urlsplit(current)
    try:
        there = urllib.parse.urlsplit(target)
        same = (there.scheme, there.hostname, there.port) == (here.scheme, here.hostname, here.port)
        has_credentials = there.username is not None or there.password is not None
    except ValueError:
        same, has_credentials = False, False
    if not same:
        raise DiscoveryError(
            f"{current} redirects to another host or scheme ({shown(target)}): refused, "
            "metadata must come from the issuer's own origin"
        )
    if has_credentials:
        raise DiscoveryError(f"{current} redirects to a URL with credentials: refused")
    if target in seen:
        raise DiscoveryError(
            f"redirect loop fetching metadata: {current} redirects back to {target}"
        )
    seen.add(target)
    return target


def _read_capped(response: httpx.Response, url: str, max_bytes: int, deadline: float) -> bytes:
    """The body, decoded, refused as soon as it exceeds ``max_bytes`` or the deadline passes.

    We ask for the identity encoding. A server that compresses anyway may use one layer of
    ``gzip`` or ``deflate``, inflated here at most :data:`_PIECE` bytes per step, so the cap
    holds while decoding (a few KiB of gzip can inflate to gigabytes in one call); any other
    encoding, or layers of them (``gzip, gzip``), are refused.

    Raises:
        DiscoveryError: too big, too slow, or an encoding we cannot or will not decode.
    """
    limit = _size(max_bytes)
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise DiscoveryError(
            f"metadata at {url} is too big ({_size(int(declared))}, the limit is {limit})"
        )
    inflate = _decoder(response, url)
    chunks: list[bytes] = []
    size = 0
    for raw in _chunks(response):
        for chunk in inflate(raw):
            size += len(chunk)
            if size > max_bytes:
                raise DiscoveryError(
                    f"metadata at {url} is too big (more than {limit}): stopped reading"
                )
            if time.monotonic() > deadline:
                raise DiscoveryError(f"timed out reading {url} (discovery took too long)")
            chunks.append(chunk)
    return b"".join(chunks)


def _chunks(response: httpx.Response) -> Iterator[bytes]:
    # The bytes as sent: httpx would inflate a whole network chunk at once before the cap
    # could be checked (a decompression bomb); _read_capped decodes in bounded steps.
    yield from response.iter_raw()


_PIECE: Final = 64 * 1024
"""The most bytes one decoding step produces (the cap is checked after each)."""


def _decoder(response: httpx.Response, url: str) -> Callable[[bytes], Iterator[bytes]]:
    """How to decode the body's bytes: as they are, or inflated in bounded pieces."""
    import zlib

    codings = [
        coding.strip().lower()
        for value in response.headers.get_list("content-encoding")
        for coding in value.split(",")
        if coding.strip() and coding.strip().lower() != "identity"
    ]
    if not codings:
        return _as_sent
    shown_codings = one_line(", ".join(codings))[:_REASON_CHARS]
    if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate"):
        raise DiscoveryError(
            f"metadata at {url} is sent with content encoding {shown_codings!r} although "
            "identity was asked for: refused (only one layer of gzip or deflate is read)"
        )
    wbits = zlib.MAX_WBITS | 16 if codings[0] != "deflate" else zlib.MAX_WBITS
    inflater = zlib.decompressobj(wbits)

    def inflate(data: bytes) -> Iterator[bytes]:
        while data and not inflater.eof:
            try:
                piece = inflater.decompress(data, _PIECE)
            except zlib.error as exc:
                raise DiscoveryError(
                    f"cannot decode the response from {url} ({shown_codings}: {exc})"
                ) from None
            data = inflater.unconsumed_tail
            yield piece

    return inflate


def _as_sent(data: bytes) -> Iterator[bytes]:
    yield data


def _parse(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except UnicodeDecodeError:
        raise _Miss("not JSON (not UTF-8 text)") from None
    except ValueError as exc:
        raise _Miss(f"not JSON ({exc})") from None
    if not isinstance(document, dict):
        kind = {list: "array", str: "string", bool: "boolean", type(None): "null"}
        raise _Miss(f"a JSON {kind.get(type(document), 'number')}, not an object")
    return document


_PLACEHOLDER: Final = re.compile(r"\{[^{}/]*\}")


def _issuer_problem(requested: str, stated: object, url: str) -> DiscoveryError:
    """Why a document whose issuer is not ``requested`` is not used (RFC 8414 §3.3)."""
    if not isinstance(stated, str):
        return DiscoveryError(
            f"metadata at {url} has no issuer; expected {requested!r} (RFC 8414 §3.3)",
            code="issuer_mismatch",
        )
    placeholder = _PLACEHOLDER.search(stated)
    if placeholder is not None and _same_origin(stated, requested):
        # Only a template of the issuer asked for: a template on another host would send the
        # user to a server this one merely names (that is an issuer mismatch).
        name = placeholder.group()
        example = stated.replace(name, "<" + name.strip("{}") + ">")
        return DiscoveryError(
            f"the metadata at {url} is a template shared by many tenants, not one server's "
            f"metadata: its issuer {shown(stated)} holds the placeholder {shown(name)}, and a "
            "URL with { } is not a valid issuer. Each tenant has its own issuer, the one its "
            "tokens carry: pass --issuer with yours, "
            f"{shown(example)} with {shown('<' + name.strip('{}') + '>')} replaced by your "
            "tenant's id (e.g. Microsoft Entra ID's directory (tenant) ID, instead of its "
            "/common or /organizations endpoint)",
            code="templated_issuer",
        )
    hint = ""
    if stated.rstrip("/") == requested.rstrip("/"):
        hint = f"; they differ only by a trailing slash: pass --issuer {shown(stated)} exactly"
    return DiscoveryError(
        f"issuer mismatch: metadata at {url} is for issuer {shown(stated)}, not "
        f"{requested!r}; they must be identical (RFC 8414 §3.3, OpenID Connect Discovery "
        f"§4.3), so it is not trusted{hint}",
        code="issuer_mismatch",
    )


def _same_origin(one: str, other: str) -> bool:
    """Whether two URLs have the same scheme, host and port (False when either is unusable)."""
    try:
        a, b = urllib.parse.urlsplit(one), urllib.parse.urlsplit(other)
        return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)
    except ValueError:
        return False


def _transport_message(exc: Exception, url: str, timeout: float) -> str:
    """One line saying what went wrong on the network, for every failure httpx reports."""
    import socket
    import ssl

    import httpx

    host = urllib.parse.urlsplit(url).netloc
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timed out connecting to {host} after {timeout:g}s ({url})"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out waiting for {url} (no data for {timeout:g}s)"
    causes = list(_causes(exc))
    for cause in causes:
        if isinstance(cause, socket.gaierror):
            name = urllib.parse.urlsplit(url).hostname
            return f"cannot resolve host {name!r} (DNS lookup failed: {cause.strerror or cause})"
        if isinstance(cause, ConnectionRefusedError):
            return f"connection refused by {host} ({url}): is the server running?"
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = cause.verify_message or cause.reason or str(cause)
            return f"TLS certificate of {host} is not trusted ({reason})"
        if isinstance(cause, ssl.SSLError):
            return f"TLS handshake with {host} failed ({cause.reason or cause})"
    text = one_line(str(exc))[:200] or type(exc).__name__  # it may quote the server
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"{host} broke the HTTP protocol ({text}) fetching {url}"
    if isinstance(exc, httpx.DecodingError):
        return f"cannot decode the response from {url} ({text})"
    return f"cannot fetch {url}: {text}"


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _size(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MiB"
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:.0f} KiB"
    return f"{n} bytes"
