"""Callbacks: where a finished job's result is POSTed, signed, retried, and never sent somewhere internal.

Signature: Standard Webhooks (https://www.standardwebhooks.com), so that receivers verify with a stock
library: `webhook-id: msg_<job id>` (the same on every attempt: the receiver's idempotency key),
`webhook-timestamp` (the attempt's, Unix seconds), `webhook-signature: v1,<base64 HMAC-SHA256(key,
"<id>.<timestamp>.<body>")>`. The key is per caller (API key): HMAC-SHA256(SUMMARISE_WEBHOOK_SECRET, key
id), printed as `whsec_<base64 key>` by `summarise webhook-secret --key <key>`.

SSRF: the URL is read once, by the parser that sends it (httpx), and must be written as it will be sent
(no space or control character anywhere); only http(s), a host, a port in 1-65535, no credentials. The
host must resolve to public addresses only (`refusal`: no loopback, private, link-local, multicast or
reserved range, nor an IPv6 form that embeds or maps one) unless SUMMARISE_WEBHOOK_ALLOW_PRIVATE is set.
It is checked when the job is submitted and again on every connection, where the address vetted is the
address connected to (`PinnedBackend`: one resolution per connection, so DNS rebinding gains nothing; the
Host header and TLS name stay the URL's). Redirects are never followed.
"""

import asyncio
import base64
import hashlib
import hmac
import ipaddress
import json
import re
import socket
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx
import structlog

from service.errors import CallbackRefused
from service.jobs.model import CallbackStatus, Job, Jobs

log = structlog.get_logger("summarise.webhooks")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_UNSENDABLE = re.compile(r"[\x00-\x20\x7f]")  # httpx refuses control characters; urlsplit strips or drops them
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the last 32 bits are the IPv4 address
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: local-use, any embedding
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d (RFC 4291)


def signing_key(master: str, caller: str) -> bytes:
    """The caller's HMAC key: derived from the master secret, so it is never stored."""
    return hmac.new(master.encode(), caller.encode(), hashlib.sha256).digest()


def whsec(master: str, caller: str) -> str:
    """The caller's key as Standard Webhooks verifiers take it."""
    return "whsec_" + base64.b64encode(signing_key(master, caller)).decode()


def signature(key: bytes, message_id: str, timestamp: str, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def callback_url(url: str) -> httpx.URL:
    """The URL as httpx will send it, or CallbackRefused saying what is wrong with it."""
    if _UNSENDABLE.search(url):
        raise CallbackRefused("callback_url must be written as it will be sent: no space or control character")
    try:
        parsed = httpx.URL(url)
        port, host = parsed.port, parsed.host  # the host is decoded from IDNA here, and may not decode
    except (httpx.InvalidURL, ValueError):  # idna's IDNAError is a ValueError too
        raise CallbackRefused("callback_url is not a valid URL") from None
    if parsed.scheme not in ("http", "https") or not host:
        raise CallbackRefused(f"callback_url must be an http(s) URL with a host, not {url[:100]!r}")
    if port is not None and not 0 < port < 65536:
        raise CallbackRefused(f"callback_url's port must be between 1 and 65535, not {port}")
    if parsed.userinfo:
        raise CallbackRefused("callback_url must not carry credentials; the body is signed instead")
    return parsed


def refusal(address: Address) -> str | None:
    """Why a callback may not go to `address` (None: it may): what is not a public unicast address, and
    the IPv6 forms that reach an IPv4 address (mapped, NAT64, 6to4, IPv4-compatible) when that one is not."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded: ipaddress.IPv4Address | None = address.ipv4_mapped or address.sixtofour
        if address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            reason = refusal(embedded)
            return None if reason is None else f"{address} reaches {embedded}, {reason}"
        if address in _NAT64_LOCAL:
            return f"{address} is a local-use NAT64 address"
        if address in _IPV4_COMPATIBLE:
            return f"{address} is an IPv4-compatible address (deprecated)"
        if address.is_site_local:
            return f"{address} is a site-local address"
        if address.teredo:
            return f"{address} is a Teredo address"
    if not address.is_global or address.is_multicast:
        return f"{address}, which is not a public address"
    return None


async def vetted_addresses(host: str, port: int, allow_private: bool) -> list[str]:
    """The addresses `host` resolves to now, every one of them public (CallbackRefused if not, unless
    `allow_private`); httpcore.ConnectError if it does not resolve (DNS may answer on the next attempt)."""
    try:
        infos = await asyncio.to_thread(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):  # UnicodeError: a label the IDNA codec cannot encode (over 63 characters)
        raise httpcore.ConnectError(f"callback host {host!r} does not resolve") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow_private:
        for address in addresses:
            reason = refusal(ipaddress.ip_address(address))
            if reason is not None:
                raise CallbackRefused(f"callback host {host!r} resolves to {reason}")
    return addresses


async def check_callback_url(url: str, allow_private: bool) -> None:
    """At submission: the URL is one that will be sent, to a host that resolves to public addresses."""
    parsed = callback_url(url)
    if allow_private:
        return
    try:
        await vetted_addresses(parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80), False)
    except httpcore.ConnectError:
        raise CallbackRefused(f"callback host {parsed.host!r} does not resolve") from None


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects to an address it has just resolved and vetted, never to a name: the HTTP client would
    resolve the name again, and a rebinding DNS server answers it with an internal address. TLS still
    verifies the URL's host (httpcore passes it as the server name), and the Host header is the URL's."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await vetted_addresses(host, port, self.allow_private)
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"callback host {host!r} has no address")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def callback_client(timeout_s: float, allow_private: bool) -> httpx.AsyncClient:
    """The HTTP client callbacks are sent with: pinned to vetted addresses, no proxy from the environment
    (it would resolve the name itself), no redirects."""
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    # httpx takes no network backend; its pool does (the same pool, with ours).
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False), network_backend=PinnedBackend(allow_private)
    )
    return httpx.AsyncClient(transport=transport, follow_redirects=False, timeout=timeout_s, trust_env=False)


class Deliverer:
    """POSTs a job's result to its callback, retrying 5xx, timeouts and connection errors with backoff.
    Anything else ends the delivery failed, with its error recorded: a callback is never left pending."""

    def __init__(
        self, store: Jobs, http: httpx.AsyncClient, master_secret: str, attempts: int, backoff_s: float
    ) -> None:
        self.store = store
        self.http = http
        self.master_secret = master_secret
        self.attempts = attempts
        self.backoff_s = backoff_s

    async def __call__(self, job: Job) -> None:
        assert job.callback_url is not None  # noqa: S101 - callers deliver only jobs with a callback
        body = json.dumps({"job": job.public()}, ensure_ascii=False).encode()
        key = signing_key(self.master_secret, job.caller)
        message_id = f"msg_{job.id}"
        try:
            url = callback_url(job.callback_url)  # stored before today's check, it may not be sendable
        except CallbackRefused as refused:
            await self.store.record_delivery(job.id, CallbackStatus.failed, 1, refused.detail)
            return
        last_error = None
        for attempt in range(1, self.attempts + 1):
            try:
                timestamp = str(int(time.time()))
                response = await self.http.post(
                    url,
                    content=body,
                    headers={
                        "Content-Type": "application/json",
                        "webhook-id": message_id,
                        "webhook-timestamp": timestamp,
                        "webhook-signature": signature(key, message_id, timestamp, body),
                        "X-Job-Id": job.id,
                    },
                )
            except CallbackRefused as refused:
                await self.store.record_delivery(job.id, CallbackStatus.failed, attempt, refused.detail)
                return
            except httpx.HTTPError as exc:  # timeouts, connection errors: the receiver may be back soon
                last_error = _described(exc)
            except Exception as exc:  # not a network fault: trying again would fail the same way
                last_error = _described(exc)
                await self.store.record_delivery(job.id, CallbackStatus.failed, attempt, last_error)
                log.warning("callback_failed", job_id=job.id, attempts=attempt, error=last_error)
                return
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


def _described(error: BaseException) -> str:
    """What went wrong, as recorded on the job: the first error inside a group (anyio connects in a task
    group), never a URL's credentials (callback URLs carry none)."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return f"{type(error).__name__}: {error}"[:300]
