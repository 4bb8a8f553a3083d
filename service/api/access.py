"""Who may call, and how often: optional API keys and per-key rate limits.

Keys are configured as SHA-256 digests, never in clear. A presented key is hashed and compared with every
configured digest in constant time; what identifies a caller in logs and rate limits is `key_id`, the
first 12 hex characters of the digest, which cannot be turned back into the key.
"""

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.rate_limit import RateLimitConfig, get_remote_address

from service.settings import AccessSettings

# Paths that answer without a key and are not rate limited: probes, metrics, documentation.
OPEN_PATHS = ["/health", "/ready", "/metrics", "/docs"]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return "sk-sum-" + secrets.token_urlsafe(32)


def presented_key(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    authorization = connection.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return connection.headers.get("x-api-key") or None


def basic_auth_key(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The password of `Authorization: Basic` as the key (the user name is not checked): how an iMatrics
    client, such as Superdesk's (IMATRICS_USER, IMATRICS_KEY), sends its credentials."""
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        _, colon, password = base64.b64decode(token.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return password if colon and password else None


def key_id(key: str) -> str:
    return hash_key(key)[:12]


class KeyGuard:
    """A Litestar guard: 401 unless the request carries one of the configured keys (when any are), read by
    `read` (Bearer or X-API-Key; `basic_auth_key` for the iMatrics routes)."""

    def __init__(
        self,
        key_hashes: list[str],
        read: Callable[[ASGIConnection[Any, Any, Any, Any]], str | None] = presented_key,
        challenge: str = 'Bearer realm="summarise"',
    ) -> None:
        self._digests = [bytes.fromhex(digest) for digest in key_hashes]
        self._read = read
        self._challenge = challenge

    @property
    def enabled(self) -> bool:
        return bool(self._digests)

    def valid(self, key: str) -> bool:
        digest = hashlib.sha256(key.encode()).digest()
        matched = False
        for known in self._digests:  # no early exit: the time taken does not depend on which key matched
            matched |= hmac.compare_digest(digest, known)
        return matched

    def rate_limit_identity(self, request: Request[Any, Any, Any]) -> str:
        """What a rate limit counts against: a valid key's id, else the client's address. A made-up key
        gets no bucket of its own, so a 401 flood is limited like any caller from its address; without
        configured keys every caller is its address. The key as either guard reads it (Bearer, X-API-Key, or
        the iMatrics routes' basic auth)."""
        key = presented_key(request) or basic_auth_key(request)
        if key is not None and self.enabled and self.valid(key):
            return f"key:{key_id(key)}"
        return f"ip:{get_remote_address(request)}"

    # async: Litestar runs a sync guard in a worker thread, a thread hop on every request for a few µs of work.
    async def __call__(self, connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if not self.enabled:
            return
        key = self._read(connection)
        if key is None:
            if self._read is basic_auth_key:
                raise _unauthorized("send an API key as the password of HTTP basic auth", self._challenge)
            raise _unauthorized("send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'")
        if not self.valid(key):
            raise _unauthorized("the API key is not valid", self._challenge)


def _unauthorized(detail: str, challenge: str = 'Bearer realm="summarise"') -> NotAuthorizedException:
    return NotAuthorizedException(detail=detail, headers={"WWW-Authenticate": challenge})


def _key_scope(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    key = presented_key(connection)
    return f"key:{key_id(key)}" if key else None


def caller_identity(request: Request[Any, Any, Any]) -> str:
    """Whose Idempotency-Keys these are (behind the guard): the key's id when one is sent, else the address."""
    return _key_scope(request) or f"ip:{get_remote_address(request)}"


def job_owner(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """Whose jobs these are (and whose callback secret signs them): the key's id, or anonymous."""
    return _key_scope(connection) or "anonymous"


def rate_limit_config(settings: AccessSettings, guard: KeyGuard) -> RateLimitConfig | None:
    """Counted before the guard runs, so that refused requests count too (by `guard.rate_limit_identity`)."""
    if not settings.rate_limit_per_minute:
        return None
    return RateLimitConfig(
        rate_limit=("minute", settings.rate_limit_per_minute),
        identifier_for_request=guard.rate_limit_identity,
        exclude=[f"^{path}" for path in OPEN_PATHS],
        store="rate_limit",
    )
