"""Request logging: one request id per request (the client's X-Request-ID if sane, else a new one),
bound to every log line of the request and echoed back, and one log line per request. And a refused
request's body read to its end before the answer, so that the client sees it."""

import asyncio
import contextlib
import re
import time
import uuid
from typing import Any

import structlog
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

from service.api.access import key_id, presented_key

REQUEST_ID_HEADER = "x-request-id"
_ACCEPTABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_STATE_KEY = "summarise_request"

log = structlog.get_logger("summarise")


class RequestContextMiddleware:
    """Binds the request id (the client's X-Request-ID if sane, else a new one) and the caller's key id to
    every log line of the request. `finish_request` (a before_send hook) echoes it and logs the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        context = _context(scope)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=context["request_id"])
        await self.app(scope, receive, send)


def _context(scope: Scope) -> dict[str, Any]:
    """Per-request facts kept in the ASGI scope, made on first use (404s never reach the middleware)."""
    state = scope.setdefault("state", {})
    if _STATE_KEY not in state:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        offered = headers.get(REQUEST_ID_HEADER, "")
        authorization_present = "authorization" in headers or "x-api-key" in headers
        state[_STATE_KEY] = {
            "request_id": offered if _ACCEPTABLE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex,
            "started": time.perf_counter(),
            "key": authorization_present,
        }
    context: dict[str, Any] = state[_STATE_KEY]
    return context


async def finish_request(message: Message, scope: Scope) -> None:
    if scope["type"] != ScopeType.HTTP:
        return
    context = _context(scope)
    if message["type"] == "http.response.start":
        message["headers"] = [*message.get("headers", []), (b"x-request-id", context["request_id"].encode())]
        context["status"] = message["status"]
    elif message["type"] == "http.response.body" and not message.get("more_body", False):
        fields: dict[str, Any] = {
            "request_id": context["request_id"],
            "method": scope.get("method"),
            "path": scope.get("path"),
            "status": context.get("status"),
            "duration_ms": round((time.perf_counter() - context["started"]) * 1000, 1),
        }
        if context["key"] and (key := _key_of(scope)):
            fields["key_id"] = key_id(key)
        log.info("request", **fields)
        structlog.contextvars.clear_contextvars()


def _key_of(scope: Scope) -> str | None:
    return presented_key(ASGIConnection(scope))


class RefusedBodyDrain:
    """A response started before the request's body was read whole (a 413 on Content-Length, a 401, a 415)
    first reads the rest of the body and throws it away, up to `max_bytes` and `timeout_s`: a client that
    sends its whole body before reading (Python requests, urllib, many CMS plugins) otherwise has its
    connection reset under it and never sees the problem. Only for a declared Content-Length within the bound:
    not for `Expect: 100-continue` (that client waits for the answer before it sends), a larger one or a
    chunked body (the connection is closed, as before)."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout_s: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        body_read = False

        async def receiving() -> ReceiveMessage:
            nonlocal body_read
            message = await receive()
            body_read = body_read or message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def sending(message: Message) -> None:
            nonlocal body_read
            # A 408 is for a body that is not coming: nothing to wait for.
            if message["type"] == "http.response.start" and not body_read and message["status"] != 408:
                body_read = True
                await self._discard_body(scope, receive)
            await send(message)

        await self.app(scope, receiving, sending)

    async def _discard_body(self, scope: Scope, receive: Receive) -> None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if "100-continue" in headers.get("expect", "").lower():
            return
        declared = headers.get("content-length", "")
        if not declared.isdigit() or int(declared) > self.max_bytes:
            return  # chunked or too large: refused at once and the connection closed, as before
        discarded = 0
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.timeout_s):
                while discarded <= self.max_bytes:
                    message = await receive()
                    body = message.get("body", b"")
                    discarded += len(body) if isinstance(body, bytes) else 0
                    if message["type"] != "http.request" or not message.get("more_body", False):
                        return
