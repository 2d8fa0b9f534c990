"""Outgoing HTTP clients (providers, the card gateway, webhooks).

The services speak httpx (requests, responses, timeouts, error types); under it, the requests
travel over aiohttp's connection pool and C parser (``AiohttpTransport``), which costs about half
the CPU of httpx's own transport per request (``bench/RESULTS.md``, "Figures behind the code"):
a paid claim makes two such requests (the rail's send, the sandbox's callback), a portal payment
one (the gateway's charge).

What decides retries is kept exactly: an error raised before anything was sent is a
``httpx.ConnectError`` (or ``ConnectTimeout``), and every error after that is another
``httpx.TransportError`` (a timeout: ``ReadTimeout``), which callers read as "the outcome is
unknown". Tests inject their own ``httpx.AsyncClient`` (ASGI or mock transports) as before.
Proxies from the environment (HTTP(S)_PROXY) are not used.

TLS: certifi's bundle by default; a ``ClientTls`` adds a client certificate (mutual TLS, as
J.P. Morgan requires) and/or replaces the trusted bundle with a private CA's. A server refusing
our certificate must also read as "nothing sent", which TLS 1.3 cannot promise (below).
"""

from __future__ import annotations

import functools
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import certifi
import httpx

# uvicorn (and many servers) close a keep-alive connection after 5 idle seconds; a client that
# kept one as long could send a request on a connection the server was closing at that instant
# and fail with a read error. Dropping idle connections sooner avoids that race.
KEEPALIVE_EXPIRY_S = 2.0
MAX_CONNECTIONS = 100  # httpx's default limit

# Headers aiohttp writes itself from the URL and the body (httpx has set them too).
_WRITTEN_BY_AIOHTTP = frozenset({"host", "content-length", "transfer-encoding", "connection"})
# Only the encodings aiohttp decodes without optional packages (httpx may offer more).
_ACCEPTED_ENCODINGS = "gzip, deflate"
# aiohttp hands over the body decoded: these would describe the bytes on the wire instead.
_DESCRIBE_THE_WIRE = frozenset({"content-encoding", "content-length", "transfer-encoding"})
_SKIP_AUTO_HEADERS = ("User-Agent", "Accept", "Accept-Encoding", "Content-Type")


class TlsConfigError(ValueError):
    """A client certificate, key or CA bundle that cannot be used (missing, unreadable, a key
    that is not the certificate's); the message names the file and what is wrong with it."""


@dataclass(frozen=True)
class ClientTls:
    """What a client presents and trusts: ``cert_file`` + ``key_file`` (PEM, unencrypted key)
    present a client certificate; ``ca_file`` (PEM bundle) is then the only trust for the
    server's certificate, instead of certifi's. All unset: certifi, no client certificate."""

    cert_file: Path | None = None
    key_file: Path | None = None
    ca_file: Path | None = None

    @property
    def custom(self) -> bool:
        """A client certificate or a private CA: a server of its own arrangement, which may
        judge our certificate (or its absence) during the handshake."""
        return self.cert_file is not None or self.ca_file is not None


DEFAULT_TLS = ClientTls()


def ssl_context(tls: ClientTls = DEFAULT_TLS) -> ssl.SSLContext:
    """The SSL context of one configuration, built once per process: loading a CA bundle takes
    tens of milliseconds and the payouts worker has a client per rail. Raises
    ``TlsConfigError`` (not cached: a fixed file is read on the next call). Files are read
    once: a renewed certificate is taken up by restarting the process."""
    return _context(tls)  # keyed by the configuration however the caller passed it


@functools.cache
def _context(tls: ClientTls) -> ssl.SSLContext:
    if (tls.cert_file is None) != (tls.key_file is None):
        raise TlsConfigError("a client certificate needs both its certificate and its key file")
    context = _verifying(tls.ca_file)
    if tls.cert_file is not None and tls.key_file is not None:
        _load_client_certificate(context, tls.cert_file, tls.key_file)
    if tls.custom:
        # In TLS 1.3 the client's handshake ends before the server has judged its certificate:
        # a refused (or missing) certificate surfaces only after the request was written, as a
        # reset the client cannot tell from a server dying mid-request ("unknown"). In TLS 1.2
        # the server's verdict comes inside the handshake, before any request byte: a refusal
        # is a connect error, "nothing sent", as a refused connection is.
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    return context


def _verifying(ca_file: Path | None) -> ssl.SSLContext:
    if ca_file is None:
        return ssl.create_default_context(cafile=certifi.where())
    _readable(ca_file, "CA bundle")
    try:
        return ssl.create_default_context(cafile=str(ca_file))
    except ssl.SSLError as exc:
        raise TlsConfigError(f"CA bundle {ca_file}: no PEM certificate in it ({exc})") from exc


def _load_client_certificate(context: ssl.SSLContext, cert_file: Path, key_file: Path) -> None:
    _readable(cert_file, "client certificate")
    _readable(key_file, "client key")
    try:
        # A password callback: without one OpenSSL would prompt on the terminal for an
        # encrypted key (a service has none); an empty password makes that a clear error.
        context.load_cert_chain(str(cert_file), str(key_file), password=lambda: b"")
    except ssl.SSLError as exc:
        if "KEY_VALUES_MISMATCH" in str(exc):
            raise TlsConfigError(f"client key {key_file} is not the key of the certificate "
                                 f"{cert_file}") from exc
        raise TlsConfigError(f"client certificate {cert_file} / key {key_file}: not a PEM "
                             f"certificate and unencrypted key ({exc})") from exc


def _readable(path: Path, what: str) -> None:
    if not path.is_file():
        raise TlsConfigError(f"{what} {path}: no such file")
    try:
        path.read_bytes()
    except OSError as exc:
        raise TlsConfigError(f"{what} {path}: unreadable ({exc.strerror})") from exc


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport on one aiohttp session, opened on first use in the running loop."""

    def __init__(self, *, keepalive_expiry: float = KEEPALIVE_EXPIRY_S,
                 max_connections: int = MAX_CONNECTIONS, tls: ClientTls = DEFAULT_TLS) -> None:
        self.keepalive_expiry = keepalive_expiry
        self._max_connections = max_connections
        # Built here, not on first use: a bad certificate fails where the client is made.
        self._ssl = ssl_context(tls)
        self._session: aiohttp.ClientSession | None = None

    def _opened(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._max_connections,
                                             keepalive_timeout=self.keepalive_expiry,
                                             ssl=self._ssl)
            # No cookies (httpx keeps its own), and no proxy from the environment: aiohttp would
            # look HTTP(S)_PROXY up on every request, a cost as large as the request's own, and
            # the services reach their providers directly.
            self._session = aiohttp.ClientSession(
                connector=connector, cookie_jar=aiohttp.DummyCookieJar(), trust_env=False)
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._opened()
        body = await request.aread()
        headers = [(name, _ACCEPTED_ENCODINGS if name.lower() == "accept-encoding" else value)
                   for name, value in request.headers.multi_items()
                   if name.lower() not in _WRITTEN_BY_AIOHTTP]
        try:
            async with session.request(
                request.method, str(request.url), headers=headers, data=body or None,
                allow_redirects=False, timeout=_timeout(request),
                skip_auto_headers=_SKIP_AUTO_HEADERS,
            ) as answer:
                content = await answer.read()
                status = answer.status
                raw_headers = answer.raw_headers
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _as_httpx(exc, request) from exc
        return httpx.Response(
            status,
            headers=[(name, value) for name, value in raw_headers
                     if name.decode("latin-1").lower() not in _DESCRIBE_THE_WIRE],
            content=content, request=request, extensions={"http_version": b"HTTP/1.1"},
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _timeout(request: httpx.Request) -> aiohttp.ClientTimeout:
    """httpx's per-phase timeouts (the client's, or the request's own) in aiohttp's terms."""
    phases: dict[str, Any] = request.extensions.get("timeout", {})
    return aiohttp.ClientTimeout(total=None, connect=phases.get("pool"),
                                 sock_connect=phases.get("connect"),
                                 sock_read=phases.get("read"))


def _as_httpx(exc: Exception, request: httpx.Request) -> httpx.TransportError:
    """The httpx error a caller expects for what aiohttp raised. Order matters: aiohttp's
    timeout and connection errors subclass each other and ``asyncio.TimeoutError``."""
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(detail, request=request)  # no connection: nothing sent
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(detail, request=request)  # refused, unreachable: nothing sent
    if isinstance(exc, TimeoutError):
        return httpx.ReadTimeout(detail, request=request)  # sent, no answer in time
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        return httpx.RemoteProtocolError(detail, request=request)
    if isinstance(exc, aiohttp.ClientOSError):
        return httpx.ReadError(detail, request=request)
    return httpx.TransportError(detail, request=request)


def client(timeout_s: float, tls: ClientTls = DEFAULT_TLS) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=timeout_s, transport=AiohttpTransport(tls=tls))
