"""The HTTP client for the model server: one pooled httpx client per process, answers capped in size.

An answer is a few kilobytes; a proxy or a broken server can send megabytes. The cap stops reading at
`max_model_response_bytes` instead of buffering the whole body.
"""

import itertools
from collections.abc import AsyncIterator

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


class CappedTransport(httpx.AsyncBaseTransport):
    """Caps answers in size, and spreads requests over several small connection pools: httpcore scans its
    whole pool (a poll() per connection) to place each request, which dominated CPU with hundreds of
    connections (bench/JOURNAL.md, 2026-11-27 02:19)."""

    def __init__(self, limit: int, max_connections: int) -> None:
        shards = max(1, -(-max_connections // _CONNECTIONS_PER_POOL))
        per_pool = -(-max_connections // shards)
        limits = httpx.Limits(max_connections=per_pool, max_keepalive_connections=per_pool)
        context = httpx.create_ssl_context()  # httpx's default, made once (reading the CA bundle: ~40 ms)
        self._pools = [httpx.AsyncHTTPTransport(verify=context, limits=limits) for _ in range(shards)]
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
