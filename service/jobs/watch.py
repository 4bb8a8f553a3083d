"""Nothing stuck silently: what `/ready` and `/metrics` say about the jobs a process serves.

A process is not ready while its job store cannot be reached (StoreUnavailable), while a job worker loop of
its own has ended (an error that is not the store's: it would hold its share of the jobs forever), or while
jobs wait and no worker anywhere has started one for `stall_s` (every worker dead or wedged; on Redis this is
seen by every replica, workers of their own or not). Every few seconds the same is put in the gauges
(`summarise_jobs_waiting`, `summarise_jobs_oldest_waiting_seconds`, `summarise_jobs_stalled`,
`summarise_job_workers_alive`, `summarise_job_store_up`) and a stall, a dead loop and their end are logged
once each. `summarise worker` exits non-zero once a loop of its own has ended (`died`).
"""

import asyncio
import contextlib
from collections.abc import Sequence

import structlog

from service import metrics
from service.errors import StoreUnavailable
from service.jobs.model import Jobs, QueueState

log = structlog.get_logger("summarise.jobs")

PING_TIMEOUT_S = 3.0  # as long as /ready gives the model server


class Watch:
    def __init__(self, jobs: Jobs, store: str, workers: Sequence[asyncio.Task[None]], stall_s: float) -> None:
        self.jobs = jobs  # the API's: a store fault is StoreUnavailable at once
        self.store = store  # as it may be shown
        self.workers = list(workers)
        self.stall_s = stall_s
        self.died = asyncio.Event()  # set once a worker loop has ended
        self._stalled = False
        self._dead = 0
        for worker in self.workers:
            worker.add_done_callback(self._ended)
        metrics.job_workers_alive.set(len(self.workers))

    def _ended(self, worker: asyncio.Task[None]) -> None:
        metrics.job_workers_alive.set(sum(not task.done() for task in self.workers))
        if worker.cancelled() or worker.exception() is None:
            return  # stopped on purpose (the process is shutting down)
        self._dead += 1
        self.died.set()
        log.error("job_worker_died", error=repr(worker.exception()), dead=self._dead, of=len(self.workers))

    async def state(self) -> QueueState:
        """The queue as the store has it now; StoreUnavailable if it does not answer (within PING_TIMEOUT_S)."""
        try:
            async with asyncio.timeout(PING_TIMEOUT_S):
                await self.jobs.ping()
                return await self.jobs.queue()
        except TimeoutError:
            raise StoreUnavailable(f"{self.store} did not answer within {PING_TIMEOUT_S:g} s") from None

    async def check(self) -> list[str]:
        """Why this process should not be sent work now (empty: nothing of its jobs' says so); StoreUnavailable
        if its store cannot be reached. Updates the gauges."""
        try:
            queue = await self.state()
        except StoreUnavailable:
            metrics.job_store_up.set(0)
            raise
        metrics.job_store_up.set(1)
        metrics.jobs_waiting.set(queue.waiting)
        metrics.jobs_oldest_waiting_seconds.set(round(queue.oldest_waiting_s, 1))
        stalled = queue.stalled(self.stall_s)
        metrics.jobs_stalled.set(int(stalled))
        if stalled != self._stalled:
            self._stalled = stalled
            if stalled:
                log.error(
                    "jobs_stalled",
                    waiting=queue.waiting,
                    oldest_waiting_s=round(queue.oldest_waiting_s),
                    after_s=self.stall_s,
                )
            else:
                log.info("jobs_moving", waiting=queue.waiting)
        reasons = []
        if self._dead:
            reasons.append(f"{self._dead} of this process's {len(self.workers)} job worker loops have died")
        if stalled:
            reasons.append(
                f"{queue.waiting} jobs wait (the oldest for {queue.oldest_waiting_s:.0f} s) and no worker has "
                f"started one for over {self.stall_s:g} s (SUMMARISE_JOB_STALL_S)"
            )
        return reasons

    async def serve(self, every_s: float) -> None:
        """Check every `every_s`, so that the gauges and the logs say it without anyone asking /ready."""
        while True:
            with contextlib.suppress(StoreUnavailable):  # said by the gauge, and logged once by the store
                await self.check()
            await asyncio.sleep(every_s)
