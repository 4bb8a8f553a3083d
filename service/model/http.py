"""The HTTP client for the model server: one pooled httpx client per process, answers capped in size.

An answer is a few kilobytes; a proxy or a broken server can send megabytes. The cap stops reading at
`max_model_response_bytes` instead of buffering the whole body.

A request goes out in one write: httpcore writes its head and its body apart (two system calls, two TCP
segments); held until the answer is read, they are sent together, the same bytes.
"""

import contextlib
import itertools
import ssl
import typing
from collections.abc import AsyncIterator, Iterable

import httpcore
import httpx

from service.errors import ResponseTooLarge
from service.settings import ModelSettings

_CONNECTIONS_PER_POOL = 32


class _CappedStream(httpx.AsyncByteStream):
    def __init__(self, stream: httpx.AsyncByteStream, limit: int) -> None:
        self._stream = stream
        self._limit = limit

    async def __aiter__(self) -> AsyncIterator[bytes]:
        received = 0
        async for chunk in self._stream:
            received += len(chunk)
            if received > self._limit:
                raise ResponseTooLarge(self._limit)
            yield chunk

    async def aclose(self) -> None:
        await self._stream.aclose()


class _OneWrite(httpcore.AsyncNetworkStream):
    """A connection whose writes are held until the next read (the answer), then sent as one write: what
    httpcore does with a write error while sending a request (the server may have answered and closed:
    the answer is read) is done here too."""

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream
        self._held: list[bytes] = []
        self._timeout: float | None = None

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109 - httpcore's
        self._held.append(buffer)
        self._timeout = timeout

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109 - httpcore's
        if self._held:
            data = b"".join(self._held)
            self._held.clear()
            # As httpcore's HTTP/1.1 connection does with a write error: the answer may be there to read.
            with contextlib.suppress(httpcore.WriteError):
                await self._stream.write(data, timeout=self._timeout)
        return await self._stream.read(max_bytes, timeout=timeout)

    async def aclose(self) -> None:
        self._held.clear()
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
    ) -> httpcore.AsyncNetworkStream:
        return _OneWrite(await self._stream.start_tls(ssl_context, server_hostname=server_hostname, timeout=timeout))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class _OneWriteBackend(httpcore.AsyncNetworkBackend):
    """httpcore's asyncio backend, its connections writing each request once (`_OneWrite`)."""

    def __init__(self) -> None:
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _OneWrite(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _OneWrite(await self._backend.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


def _pool(limits: httpx.Limits, ssl_context: ssl.SSLContext) -> httpx.AsyncHTTPTransport:
    """httpx's transport with its defaults, its pool made as httpx makes it but on `_OneWriteBackend`."""
    transport = httpx.AsyncHTTPTransport(verify=ssl_context, limits=limits)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_OneWriteBackend(),
    )
    return transport


class CappedTransport(httpx.AsyncBaseTransport):
    """Caps answers in size, and spreads requests over several small connection pools: httpcore scans its
    whole pool (a poll() per connection) to place each request, which dominated CPU with hundreds of
    connections (bench/JOURNAL.md, 2026-11-27 02:19)."""

    def __init__(self, limit: int, max_connections: int) -> None:
        shards = max(1, -(-max_connections // _CONNECTIONS_PER_POOL))
        per_pool = -(-max_connections // shards)
        limits = httpx.Limits(max_connections=per_pool, max_keepalive_connections=per_pool)
        context = httpx.create_ssl_context()  # httpx's default, made once (reading the CA bundle: ~40 ms)
        self._pools = [_pool(limits, context) for _ in range(shards)]
        self._next = itertools.cycle(self._pools)
        self._limit = limit

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await next(self._next).handle_async_request(request)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._limit:
            await response.aclose()
            raise ResponseTooLarge(self._limit)
        if not isinstance(response.stream, httpx.AsyncByteStream):  # pragma: no cover - httpx always gives one
            raise TypeError("an async transport must give an async stream")
        response.stream = _CappedStream(response.stream, self._limit)
        return response

    async def aclose(self) -> None:
        for pool in self._pools:
            await pool.aclose()


def model_http_client(settings: ModelSettings) -> httpx.AsyncClient:
    transport = CappedTransport(settings.max_model_response_bytes, settings.max_connections)
    return httpx.AsyncClient(transport=transport)
