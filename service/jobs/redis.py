"""Jobs on Redis through arq: the scale-out path (several API replicas, `summarise worker` processes anywhere).

Set SUMMARISE_REDIS_URL and every replica and worker shares one queue. arq keeps a job in the queue until a
run of it finishes; a worker marks the job in progress for the job's time limit, so a worker that is killed
leaves the job to be taken over by another once that mark expires (a worker that is stopped hands it back at
once). Our own record of a job (owner, callback, outcome, runs) is a Redis hash next to it; the outcome is
written with HSETNX: the first run to finish sets it, and a later run of the same job finds it and only
finishes the callback delivery. So a job has one result, ever, whatever crashed. Each run is
lifecycle.run_one, the step the SQLite workers take too; BrokerJobs is its Hold here.

Callbacks go on a queue of their own (`callback:<job id>` on summarise:callbacks, one arq job per callback:
handed over twice, it is queued once), run by their own arq worker, so the summarising workers never wait
for a receiver. An API key may have `backlog` jobs queued or running (a sorted set per key, checked and
added in one Lua script; BacklogFull beyond); a record is kept `ttl_s` after its job finished.
"""

import asyncio
import inspect
import json
import signal
import time
import uuid
from collections.abc import AsyncIterator, Awaitable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext, suppress
from typing import Any, TypeVar

from arq import ArqRedis, Worker, create_pool
from arq.connections import RedisSettings
from arq.jobs import Job as QueuedJob
from arq.jobs import JobStatus as QueueStatus
from arq.worker import func

from service.errors import BacklogFull
from service.jobs.lifecycle import run_one
from service.jobs.model import CallbackStatus, Deliver, Job, JobStatus, Runner, abandoned

Reply = TypeVar("Reply")

_QUEUE = "summarise:queue"
_FUNCTION = "summarise_job"
_CALLBACKS = "summarise:callbacks"
_DELIVERY = "summarise_callback"

# KEYS[1] the caller's backlog (job id -> created); ARGV: now, the cutoff of expired records, the limit, the
# TTL, then the new job ids. Adds them all, or none and answers how many are waiting, negated.
_ADMIT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
local waiting = redis.call('ZCARD', KEYS[1])
if waiting + #ARGV - 4 > tonumber(ARGV[3]) then return -waiting - 1 end
for i = 5, #ARGV do redis.call('ZADD', KEYS[1], ARGV[1], ARGV[i]) end
redis.call('EXPIRE', KEYS[1], ARGV[4])
return waiting
"""


class BrokerJobs:
    """The job store the API and the workers share through Redis (the same Jobs as the SQLite JobStore),
    and lifecycle.run_one's Hold on the job an arq worker runs (start, holding, finish)."""

    lost_event = "job_already_finished"  # an earlier run's result stands

    def __init__(
        self,
        redis: ArqRedis,
        *,
        time_limit_s: float,
        takeovers: int,
        ttl_s: int,
        backlog: int = 100,
        retry_after_s: int = 30,
    ) -> None:
        self.redis = redis
        self.time_limit_s = time_limit_s
        self.takeovers = takeovers
        self.ttl_s = ttl_s
        self.backlog = backlog
        self.retry_after_s = retry_after_s

    @staticmethod
    def _record(job_id: str) -> str:
        return f"summarise:job:{job_id}"

    @staticmethod
    def _backlog(caller: str) -> str:
        return f"summarise:backlog:{caller}"

    async def create(self, caller: str, articles: list[dict[str, Any]], callback_url: str | None) -> list[str]:
        now = time.time()
        ids = [uuid.uuid4().hex for _ in articles]
        admitted = await _reply(
            self.redis.eval(
                _ADMIT, 1, self._backlog(caller), *map(str, (now, now - self.ttl_s, self.backlog, self.ttl_s)), *ids
            )
        )
        if int(admitted) < 0:
            raise BacklogFull(-int(admitted) - 1, self.backlog, len(ids), self.retry_after_s)
        # Every record in one round trip, before any job is queued: a worker always finds the record.
        async with self.redis.pipeline(transaction=True) as pipe:
            for job_id, article in zip(ids, articles, strict=True):
                record: dict[str, Any] = {
                    "caller": caller,
                    "article": json.dumps(article),
                    "runs": 0,
                    "created": now,
                    "updated": now,
                }
                if callback_url:
                    record |= {
                        "callback_url": callback_url,
                        "callback_status": CallbackStatus.pending,
                        "callback_attempts": 0,
                    }
                pipe.hset(self._record(job_id), mapping=record)
                pipe.expire(self._record(job_id), self.ttl_s)
            await pipe.execute()
        for job_id in ids:
            await self.redis.enqueue_job(_FUNCTION, job_id, _job_id=job_id, _queue_name=_QUEUE, _expires=self.ttl_s)
        return ids

    async def get(self, job_id: str, caller: str | None = None) -> Job | None:
        stored = await _reply(self.redis.hgetall(self._record(job_id)))
        record = {key.decode(): value.decode() for key, value in stored.items()}
        if not record or (caller is not None and record["caller"] != caller):
            return None
        # Until a run records the outcome, only arq knows whether the job waits, runs or was given up on.
        queue_status = None if "outcome" in record else await QueuedJob(job_id, self.redis, _queue_name=_QUEUE).status()
        return _job(job_id, record, queue_status)

    async def start(self, job_id: str) -> int:
        return await _reply(self.redis.hincrby(self._record(job_id), "runs", 1))

    def holding(self, job_id: str) -> AbstractAsyncContextManager[None]:
        """Nothing to do: arq marks the job in progress for its time limit, and puts it back in the queue if
        the run is cancelled."""
        return nullcontext()

    async def finish(self, job_id: str, result: dict[str, Any] | None, error: dict[str, Any] | None) -> bool:
        """Record the outcome unless a run already did: a job has one result, ever."""
        outcome = json.dumps({"result": result, "error": error})
        first = bool(await _reply(self.redis.hsetnx(self._record(job_id), "outcome", outcome)))
        if first:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.hset(self._record(job_id), "updated", str(time.time()))
                pipe.expire(self._record(job_id), self.ttl_s)  # kept ttl_s after it finished, as on SQLite
                await pipe.execute()
            caller: bytes | str | None = await _reply(self.redis.hget(self._record(job_id), "caller"))
            if caller is not None:
                name = caller.decode() if isinstance(caller, bytes) else caller
                await _reply(self.redis.zrem(self._backlog(name), job_id))
        return first

    async def hand_over(self, job: Job) -> None:
        """Queue the callback of a finished job, once (arq keeps one job per id)."""
        await self.redis.enqueue_job(
            _DELIVERY, job.id, _job_id=f"callback:{job.id}", _queue_name=_CALLBACKS, _expires=self.ttl_s
        )

    async def record_delivery(self, job_id: str, status: CallbackStatus, attempts: int, last_error: str | None) -> None:
        fields = {"callback_status": status, "callback_attempts": attempts, "callback_error": last_error or ""}
        await _reply(self.redis.hset(self._record(job_id), mapping={**fields, "updated": time.time()}))


def _job(job_id: str, record: dict[str, str], queue_status: QueueStatus | None) -> Job:
    """The job a record (our Redis hash) and, while it has no outcome, arq's status of it describe."""
    runs = int(record["runs"])
    result, error = None, None
    if "outcome" in record:
        outcome = json.loads(record["outcome"])
        result, error = outcome["result"], outcome["error"]
        status = JobStatus.of_outcome(error)
    elif queue_status == QueueStatus.in_progress:
        status = JobStatus.running
    elif queue_status in (QueueStatus.queued, QueueStatus.deferred) or runs == 0:
        status = JobStatus.queued
    else:  # arq gave up on it, or it expired before a worker took it
        status = JobStatus.failed
        error = abandoned(runs)
    return Job(
        id=job_id,
        caller=record["caller"],
        status=status,
        article=json.loads(record["article"]),
        result=result,
        error=error,
        callback_url=record.get("callback_url"),
        callback_status=CallbackStatus(record["callback_status"]) if "callback_status" in record else None,
        callback_attempts=int(record.get("callback_attempts", 0)),
        callback_error=record.get("callback_error") or None,
        runs=runs,
        created=float(record["created"]),
        updated=float(record["updated"]),
    )


@asynccontextmanager
async def open_broker(
    redis_url: str, *, time_limit_s: float, takeovers: int, ttl_s: int, backlog: int = 100, retry_after_s: int = 30
) -> AsyncIterator[BrokerJobs]:
    redis = await create_pool(RedisSettings.from_dsn(redis_url), default_queue_name=_QUEUE)
    try:
        yield BrokerJobs(
            redis,
            time_limit_s=time_limit_s,
            takeovers=takeovers,
            ttl_s=ttl_s,
            backlog=backlog,
            retry_after_s=retry_after_s,
        )
    finally:
        await redis.aclose()


@asynccontextmanager
async def broker_workers(
    jobs: BrokerJobs, run: Runner, deliver: Deliver, count: int, deliveries: int, delivery_limit_s: float
) -> AsyncIterator[None]:
    """`count` jobs at a time from the shared queue, and `deliveries` callbacks at a time from theirs, until
    the context ends. A job or callback still running then is handed back to its queue at once; one whose
    worker was killed is taken over after its time limit."""

    async def summarise_job(ctx: dict[str, Any], job_id: str) -> None:
        job = await jobs.get(job_id)
        if job is not None:  # None: its record expired, there is nothing to report to
            await run_one(job, jobs, run, jobs.hand_over, jobs.takeovers)

    async def summarise_callback(ctx: dict[str, Any], job_id: str) -> None:
        job = await jobs.get(job_id)
        if job is not None and job.callback_pending:  # a run killed after recording it resumes here
            await deliver(job)

    if count == 0:
        yield
        return
    # arq may start the job once more than our limit: that run records the job as abandoned and says so.
    workers = [
        _worker(
            jobs,
            func(summarise_job, name=_FUNCTION, timeout=jobs.time_limit_s, max_tries=2 + jobs.takeovers),
            _QUEUE,
            count,
        ),
        _worker(
            jobs,
            func(summarise_callback, name=_DELIVERY, timeout=delivery_limit_s + 10, max_tries=2 + jobs.takeovers),
            _CALLBACKS,
            deliveries,
        ),
    ]
    tasks = [asyncio.create_task(worker.async_run()) for worker in workers]
    try:
        yield
    finally:
        for worker in workers:
            worker.handle_sig(signal.SIGTERM)  # cancel what runs: arq puts it back in the queue for another worker
        for task in tasks:
            with suppress(asyncio.CancelledError):
                await task
        for worker in workers:
            await asyncio.gather(*worker.tasks.values(), return_exceptions=True)


def _worker(jobs: BrokerJobs, function: Any, queue: str, max_jobs: int) -> Worker:
    return Worker(
        functions=[function],
        redis_pool=jobs.redis,
        queue_name=queue,
        max_jobs=max_jobs,
        handle_signals=False,  # the process (uvicorn, our CLI) owns SIGTERM/SIGINT
        keep_result=60,  # the outcome is in our record; arq's own copy is only for its bookkeeping
        poll_delay=0.5,
        log_results=False,
    )


async def _reply(reply: Awaitable[Reply] | Reply) -> Reply:
    """redis-py types each command for its sync and asyncio clients at once; ours is the asyncio one."""
    return await reply if inspect.isawaitable(reply) else reply
