"""Callbacks: where a finished job's result is POSTed, signed, retried, and never sent somewhere internal.

Signature: `X-Signature: sha256=<hex HMAC-SHA256(secret, f"{X-Signature-Timestamp}." + body)>`. The secret
is per caller (API key): HMAC-SHA256(SUMMARISE_WEBHOOK_SECRET, key id), printed by
`summarise webhook-secret --key <key>`. Receivers recompute it over the raw body and reject old timestamps.

SSRF: only http(s); the host must resolve to public addresses only (no loopback, private, link-local,
multicast or reserved ranges) unless SUMMARISE_WEBHOOK_ALLOW_PRIVATE is set; checked when the job is
submitted and again before every attempt (DNS can change); redirects are never followed.
"""

import asyncio
import hashlib
import hmac
import ipaddress
import json
import socket
import time
from urllib.parse import urlsplit

import httpx
import structlog

from service.errors import CallbackRefused
from service.jobs.model import CallbackStatus, Job, Jobs

log = structlog.get_logger("summarise.webhooks")


def caller_secret(master: str, caller: str) -> bytes:
    return hmac.new(master.encode(), caller.encode(), hashlib.sha256).hexdigest().encode()


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


async def check_callback_url(url: str, allow_private: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CallbackRefused(f"callback_url must be an http(s) URL with a host, not {url[:100]!r}")
    if parts.username or parts.password:
        raise CallbackRefused("callback_url must not carry credentials; the body is signed instead")
    if allow_private:
        return
    try:
        infos = await asyncio.to_thread(socket.getaddrinfo, parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except OSError:
        raise CallbackRefused(f"callback host {parts.hostname!r} does not resolve") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            raise CallbackRefused(
                f"callback host {parts.hostname!r} resolves to {address}, which is not a public address"
            )


class Deliverer:
    """POSTs a job's result to its callback, retrying 5xx, timeouts and connection errors with backoff."""

    def __init__(
        self,
        store: Jobs,
        http: httpx.AsyncClient,
        master_secret: str,
        attempts: int,
        backoff_s: float,
        allow_private: bool,
    ) -> None:
        self.store = store
        self.http = http
        self.master_secret = master_secret
        self.attempts = attempts
        self.backoff_s = backoff_s
        self.allow_private = allow_private

    async def __call__(self, job: Job) -> None:
        assert job.callback_url is not None  # noqa: S101 - callers deliver only jobs with a callback
        body = json.dumps({"job": job.public()}, ensure_ascii=False).encode()
        secret = caller_secret(self.master_secret, job.caller)
        last_error = None
        for attempt in range(1, self.attempts + 1):
            try:
                await check_callback_url(job.callback_url, self.allow_private)
                timestamp = str(int(time.time()))
                response = await self.http.post(
                    job.callback_url,
                    content=body,
                    headers={
                        "Content-Type": "application/json",
                        "X-Signature": signature(secret, timestamp, body),
                        "X-Signature-Timestamp": timestamp,
                        "X-Job-Id": job.id,
                    },
                )
            except CallbackRefused as refused:
                await self.store.record_delivery(job.id, CallbackStatus.failed, attempt, refused.detail)
                return
            except httpx.HTTPError as exc:
                last_error = f"{type(exc).__name__}: {exc}"[:300]
            else:
                if response.is_success:
                    await self.store.record_delivery(job.id, CallbackStatus.delivered, attempt, None)
                    log.info("callback_delivered", job_id=job.id, attempts=attempt)
                    return
                last_error = f"HTTP {response.status_code}"
                if response.status_code < 500:  # 3xx (never followed) and 4xx: the receiver said no
                    await self.store.record_delivery(job.id, CallbackStatus.failed, attempt, last_error)
                    return
            await self.store.record_delivery(job.id, CallbackStatus.pending, attempt, last_error)
            if attempt < self.attempts:
                await asyncio.sleep(self.backoff_s * 2 ** (attempt - 1))
        await self.store.record_delivery(job.id, CallbackStatus.failed, self.attempts, last_error)
        log.warning("callback_failed", job_id=job.id, attempts=self.attempts, error=last_error)
