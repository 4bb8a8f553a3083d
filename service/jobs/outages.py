"""A job store going away, and coming back: the one place its operations meet its faults.

Every operation on a job store (SQLite's file, Redis) goes through `Outages.call`. A fault of the store
(`service.errors.store_fault`: a refused or broken connection, Redis loading its files, a file that cannot be
opened or locked) is

- for the API (no patience): StoreUnavailable at once, a 503 with Retry-After, never a 500;
- for a worker (patience, up to about a job's time limit): retried with jittered backoff (tenacity) until the
  store answers again, so a run that had its summary when Redis went away records it when Redis is back, and
  a callback POSTed just before records that it was delivered, once. Past the patience it is StoreUnavailable.

The fall and the return are logged once each (`store_unavailable`, `store_back`, with how long it was away)
and shown in `summarise_job_store_up`; whoever asks (`/ready`) sees `down_since`.
"""

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog
from tenacity import AsyncRetrying, retry_if_exception, stop_after_delay, wait_random_exponential

from service import metrics
from service.errors import StoreUnavailable, store_fault

log = structlog.get_logger("summarise.jobs")

Reply = TypeVar("Reply")

BACKOFF_FIRST_S = 0.1
BACKOFF_MAX_S = 2.0  # how long a store that is back may wait for its workers to notice


class Outages:
    """One store's faults, as the operations on it meet them (one per store object and its patient copies)."""

    def __init__(self, store: str) -> None:
        self.store = store  # as it may be shown: no credentials
        self.down_since: float | None = None  # time.time() of the first fault since the store last answered
        metrics.job_store_up.set(1)

    def fault(self, exc: BaseException) -> StoreUnavailable | None:
        """The StoreUnavailable `exc` stands for, noted (logged once per outage); None if it is not the store's."""
        unavailable = store_fault(exc, self.store)
        if unavailable is not None and self.down_since is None:
            self.down_since = time.time()
            metrics.job_store_up.set(0)
            log.warning("store_unavailable", store=self.store, error=unavailable.detail)
        return unavailable

    def answered(self) -> None:
        if self.down_since is not None:
            log.info("store_back", store=self.store, down_s=round(time.time() - self.down_since, 1))
            self.down_since = None
            metrics.job_store_up.set(1)

    async def call(self, operation: Callable[[], Awaitable[Reply]], patience_s: float = 0) -> Reply:
        """`operation()`'s reply; StoreUnavailable if the store cannot be reached (within `patience_s`:
        tried again with backoff until then)."""
        retrying = AsyncRetrying(
            retry=retry_if_exception(lambda exc: self.fault(exc) is not None),
            wait=wait_random_exponential(multiplier=BACKOFF_FIRST_S, max=BACKOFF_MAX_S),
            stop=stop_after_delay(patience_s),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    reply = await operation()
        except Exception as exc:
            unavailable = self.fault(exc)
            if unavailable is None:
                raise
            raise unavailable from exc
        self.answered()
        return reply
