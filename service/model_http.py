"""The HTTP client for the model server: one pooled httpx client per process, answers capped in size.

An answer is a few kilobytes; a proxy or a broken server can send megabytes. The cap stops reading at
`max_model_response_bytes` instead of buffering the whole body.
"""

from collections.abc import AsyncIterator

import httpx

from service.settings import Settings


class ResponseTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the model server's answer is larger than {limit:,} bytes")
        self.limit = limit


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
    def __init__(self, limit: int, limits: httpx.Limits) -> None:
        self._inner = httpx.AsyncHTTPTransport(limits=limits)
        self._limit = limit

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._limit:
            await response.aclose()
            raise ResponseTooLarge(self._limit)
        if not isinstance(response.stream, httpx.AsyncByteStream):  # pragma: no cover - httpx always gives one
            raise TypeError("an async transport must give an async stream")
        response.stream = _CappedStream(response.stream, self._limit)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def model_http_client(settings: Settings) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=settings.max_connections, max_keepalive_connections=settings.max_connections)
    return httpx.AsyncClient(transport=CappedTransport(settings.max_model_response_bytes, limits))
