"""Idempotency-Key replays: a client retrying a POST with the same key and the same body gets the first
answer back (`Idempotent-Replayed: true`); the same key with a different body is a 422; the same key while
the first request is still running is a 409. Keys are scoped by API key and by route, so two clients, or
one client's summary and job, cannot collide; an empty or blank header is no key.

Kept in a Litestar store: files under the cache directory by default (they survive a restart), Redis when
SUMMARISE_REDIS_URL is set (shared by replicas).
"""

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from litestar.stores.base import Store
from pydantic import BaseModel

from service.errors import IdempotencyKeyInProgress, IdempotencyKeyReused
from service.summaries import fingerprint

_IN_PROGRESS = b"in-progress"
M = TypeVar("M", bound=BaseModel)


class Idempotency:
    def __init__(self, store: Store, ttl_s: int, running_ttl_s: int) -> None:
        self._store = store
        self._ttl_s = ttl_s
        self._running_ttl_s = running_ttl_s  # a crashed request frees its key after this
        # Stores have no set-if-absent: this lock makes claiming a key atomic within a process. Between
        # replicas two first requests racing within milliseconds could both run (documented).
        self._claiming = asyncio.Lock()

    async def respond(
        self,
        caller: str,
        route: str,
        key: str | None,
        body: Any,
        produce: Callable[[], Awaitable[M]],
        model: type[M],
    ) -> tuple[M, dict[str, str]]:
        """A handler's answer and its headers: made directly without an Idempotency-Key (or with an empty
        one), else made once for (caller, route, key) and replayed after, marked `Idempotent-Replayed: true`."""
        if key is None or not key.strip():
            return await produce(), {}

        async def produce_json() -> dict[str, Any]:
            return (await produce()).model_dump(mode="json")

        answer, replayed = await self.run(f"{caller} {route}", key, body, produce_json)
        return model.model_validate(answer), {"Idempotent-Replayed": "true"} if replayed else {}

    async def run(
        self, caller: str, key: str, body: Any, produce: Callable[[], Awaitable[dict[str, Any]]]
    ) -> tuple[dict[str, Any], bool]:
        """The answer for (caller, key), `caller` naming the route too: produced once, replayed after.
        Returns (answer, replayed)."""
        slot = fingerprint(caller, key)
        body_hash = fingerprint(body)
        async with self._claiming:
            stored = await self._store.get(slot)
            if stored is not None:
                return self._replay(stored, body_hash)
            claim = _IN_PROGRESS + b":" + body_hash.encode()
            await self._store.set(slot, claim, expires_in=self._running_ttl_s)
        try:
            answer = await produce()
        except BaseException:
            await self._store.delete(slot)  # a failed request may be retried with the same key
            raise
        record = json.dumps({"body": body_hash, "answer": answer}, ensure_ascii=False)
        await self._store.set(slot, record, expires_in=self._ttl_s)
        return answer, False

    def _replay(self, stored: bytes, body_hash: str) -> tuple[dict[str, Any], bool]:
        if stored.startswith(_IN_PROGRESS):
            same = stored.endswith(body_hash.encode())
            if not same:
                raise IdempotencyKeyReused("this Idempotency-Key is in use for a request with a different body")
            raise IdempotencyKeyInProgress(
                "the first request with this Idempotency-Key is still running; retry shortly",
                headers={"Retry-After": "5"},
            )
        record = json.loads(stored)
        if record["body"] != body_hash:
            raise IdempotencyKeyReused("this Idempotency-Key was used for a request with a different body")
        answer: dict[str, Any] = record["answer"]
        return answer, True
