"""The one job model: what a job is whichever store holds it (a SQLite row, a Redis hash), its statuses,
and what the API and the callback delivery need of a store.

A job is one article to summarise. It is queued, then running, then succeeded (a summary) or failed (a
problem); a job with a callback URL also has a callback status: pending until delivered or failed.
A store that cannot be reached raises StoreUnavailable from any of its methods (`service.jobs.outages`).
`Job.public()` is what callers see (schemas/jobs.py `JobView`) and what a callback POSTs.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from service.errors import JobAbandoned, as_problem

# How a run ends: (the summary, None) or (None, the problem, RFC 9457 as service.errors.as_problem writes it).
Outcome = tuple[dict[str, Any] | None, dict[str, Any] | None]


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.succeeded, JobStatus.failed)

    @classmethod
    def of_outcome(cls, error: dict[str, Any] | None) -> "JobStatus":
        """A finished job's status: failed if it ended with a problem."""
        return cls.succeeded if error is None else cls.failed


class CallbackStatus(StrEnum):
    pending = "pending"  # not delivered yet (a delivery may be retrying)
    delivered = "delivered"
    failed = "failed"  # given up on: refused, answered 3xx/4xx, or out of attempts


@dataclass(frozen=True)
class Job:
    id: str
    caller: str  # who submitted it (job_owner): only they can see it, and its callback is signed for them
    status: JobStatus
    article: dict[str, Any]  # the request body
    result: dict[str, Any] | None  # the summary, once succeeded
    error: dict[str, Any] | None  # the problem, once failed
    callback_url: str | None
    callback_status: CallbackStatus | None  # None: no callback
    callback_attempts: int
    callback_error: str | None
    runs: int  # how many times a worker started it (more than 1 after a worker crashed or stopped)
    created: float
    updated: float

    @property
    def callback_pending(self) -> bool:
        return self.callback_url is not None and self.callback_status == CallbackStatus.pending

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "result": self.result,
            "error": self.error,
            "callback": None
            if self.callback_url is None
            else {
                "url": self.callback_url,
                "status": self.callback_status,
                "attempts": self.callback_attempts,
                "last_error": self.callback_error,
            },
            "runs": self.runs,
            "created": self.created,
            "updated": self.updated,
        }


@dataclass(frozen=True)
class QueueState:
    """What waits in a store, for /ready and /metrics: nothing stuck silently."""

    waiting: int  # jobs queued and not running (a run whose worker died counts once its hold ran out)
    oldest_waiting_s: float  # how long the one that waited longest has waited (0: none waits)
    last_started_s: float | None  # since a worker, anywhere, last started a job (None: never)

    def stalled(self, after_s: float) -> bool:
        """Jobs wait, and no worker has started one for `after_s`: every worker is dead or wedged."""
        idle_s = self.last_started_s if self.last_started_s is not None else float("inf")
        return self.waiting > 0 and self.oldest_waiting_s > after_s and idle_s > after_s


@runtime_checkable  # Litestar checks what a dependency provides against the handler's annotation
class Jobs(Protocol):
    """What the API and the callback delivery need of a job store: SQLite (JobStore) or Redis (BrokerJobs)."""

    async def create(self, caller: str, articles: list[dict[str, Any]], callback_url: str | None) -> list[str]: ...

    async def get(self, job_id: str, caller: str | None = None) -> Job | None: ...

    async def record_delivery(
        self, job_id: str, status: CallbackStatus, attempts: int, last_error: str | None
    ) -> None: ...

    async def ping(self) -> None:
        """StoreUnavailable unless the store answers now."""
        ...

    async def queue(self) -> QueueState: ...


Runner = Callable[[Job], Awaitable[Outcome]]  # summarises the job's article
Deliver = Callable[[Job], Awaitable[None]]  # POSTs a finished job to its callback and records how it went
HandOver = Callable[[Job], Awaitable[None]]  # gives a finished job to the delivery side, which will Deliver it


def abandoned(runs: int) -> dict[str, Any]:
    """The problem of a job given up on."""
    return as_problem(JobAbandoned(runs))
