"""One job taken to its end, the same on both stores: run it (or give up on it), record one outcome, and
hand its callback to the delivery side (its own tasks or queue: the worker moves on to the next summary,
whatever the receiver does).

A store hands `run_one` a job together with its `Hold` on it: SQLite's Worker holds a job by a lease it
renews, Redis by arq's in-progress mark. `run_one` decides what the job needs; the hold does it on its store.
"""

from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

import structlog

from service.jobs.model import HandOver, Job, JobStatus, Runner, abandoned

log = structlog.get_logger("summarise.jobs")


class Hold(Protocol):
    """What `run_one` needs of the store a worker took the job from."""

    lost_event: str  # logged when another run's outcome was recorded first, so this one's is dropped

    async def get(self, job_id: str) -> Job | None: ...

    async def start(self, job_id: str) -> int:
        """Count a run of the job; its number (1 for the first)."""
        ...

    def holding(self, job_id: str) -> AbstractAsyncContextManager[None]:
        """Around the run: keep the job this worker's while the model works. (A worker stopped mid-job hands
        it back to the queue at once: SQLite's Worker.serve does, arq does for Redis.)"""
        ...

    async def finish(self, job_id: str, result: dict[str, Any] | None, error: dict[str, Any] | None) -> bool:
        """Record the outcome unless one already was (the first writer wins): a job has one result, ever.
        Whether this one was recorded."""
        ...


async def run_one(job: Job, store: Hold, run: Runner, hand_over: HandOver, takeovers: int) -> None:
    """Run `job` and record its outcome, or record it abandoned if more than `takeovers` runs of it ended
    without one; then hand its callback over for delivery. A job that already has its outcome only has its
    callback handed over: the run that recorded it was stopped before that."""
    if not job.status.finished:
        if job.runs > takeovers:
            # An article that brought every worker so far down would bring the next one down too: say so.
            recorded = await store.finish(job.id, None, abandoned(job.runs))
        else:
            recorded = await _run(job, store, run)
        if not recorded:
            return  # another run's outcome stands, and that run hands the callback over
    finished = await store.get(job.id)
    if finished is not None and finished.callback_pending:
        await hand_over(finished)


async def _run(job: Job, store: Hold, run: Runner) -> bool:
    """Run the job once and record the outcome; False if another run's outcome was recorded first."""
    log.info("job_started", job_id=job.id, run=await store.start(job.id))
    async with store.holding(job.id):
        result, error = await run(job)
    if not await store.finish(job.id, result, error):
        log.warning(store.lost_event, job_id=job.id)
        return False
    log.info("job_finished", job_id=job.id, status=JobStatus.of_outcome(error))
    return True
