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

Redis going away is an outage, not a crash (`service.jobs.outages`): the API's calls answer StoreUnavailable
at once; the workers' calls wait for Redis to come back (`patient()`), arq's poll loops poll on until it
answers, and a run whose own bookkeeping in arq was cut is handed back to the queue once Redis answers,
so the job runs again (its outcome, if it was recorded, stands: the run only hands the callback over). What
survives a restart of Redis is what Redis persisted: `durability` says at start when that is not every job.
"""

import asyncio
import copy
import functools
import inspect
import json
import signal
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any, Concatenate, ParamSpec, TypeVar

import structlog
from arq import ArqRedis, Worker, create_pool
from arq.connections import RedisSettings
from arq.constants import in_progress_key_prefix
from arq.jobs import Job as QueuedJob
from arq.jobs import JobStatus as QueueStatus
from arq.utils import timestamp_ms
from arq.worker import Retry, func
from redis import exceptions as redis_errors
from tenacity import AsyncRetrying, retry_if_exception, wait_random_exponential

from service.errors import BacklogFull, StoreUnavailable
from service.jobs.lifecycle import run_one
from service.jobs.model import CallbackStatus, Deliver, Job, JobStatus, QueueState, Runner, abandoned
from service.jobs.outages import BACKOFF_FIRST_S, BACKOFF_MAX_S, Outages
from service.logs import shown_url

log = structlog.get_logger("summarise.jobs")

Reply = TypeVar("Reply")
Args = ParamSpec("Args")

_QUEUE = "summarise:queue"
_FUNCTION = "summarise_job"
_CALLBACKS = "summarise:callbacks"
_DELIVERY = "summarise_callback"
_LAST_STARTED = "summarise:last-started"  # when a worker, anywhere, last started a job (unix seconds)
_QUEUE_SEEN = 1000
# KEYS[1] a job's in-progress mark; ARGV[1] a worker's token: the mark is removed only if it is that worker's.
_UNMARK = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"  # /ready and /metrics look at the first this many entries of the queue

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


def _on_store(
    method: Callable[Concatenate["BrokerJobs", Args], Coroutine[Any, Any, Reply]],
) -> Callable[Concatenate["BrokerJobs", Args], Coroutine[Any, Any, Reply]]:
    """A method whose Redis calls go through the store's Outages: StoreUnavailable at once for the API,
    waited out by the workers' patient copy. (Each such method may run again whole: they are idempotent.)"""

    @functools.wraps(method)
    async def call(self: "BrokerJobs", /, *args: Args.args, **kwargs: Args.kwargs) -> Reply:
        return await self.outages.call(lambda: method(self, *args, **kwargs), self.patience_s)

    return call


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
        shown: str = "Redis",
    ) -> None:
        self.redis = redis
        self.outages = Outages(shown)
        self.patience_s = 0.0
        self.time_limit_s = time_limit_s
        self.takeovers = takeovers
        self.ttl_s = ttl_s
        self.backlog = backlog
        self.retry_after_s = retry_after_s

    def patient(self, patience_s: float) -> "BrokerJobs":
        """These jobs as workers use them: an outage of up to `patience_s` is waited out, not raised."""
        patient = copy.copy(self)
        patient.patience_s = patience_s
        return patient

    @staticmethod
    def _record(job_id: str) -> str:
        return f"summarise:job:{job_id}"

    @staticmethod
    def _backlog(caller: str) -> str:
        return f"summarise:backlog:{caller}"

    @_on_store
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

    @_on_store
    async def get(self, job_id: str, caller: str | None = None) -> Job | None:
        stored = await _reply(self.redis.hgetall(self._record(job_id)))
        record = {key.decode(): value.decode() for key, value in stored.items()}
        if not record or (caller is not None and record["caller"] != caller):
            return None
        # Until a run records the outcome, only arq knows whether the job waits, runs or was given up on.
        queue_status = None if "outcome" in record else await QueuedJob(job_id, self.redis, _queue_name=_QUEUE).status()
        return _job(job_id, record, queue_status)

    @_on_store
    async def start(self, job_id: str) -> int:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(self._record(job_id), "runs", 1)
            pipe.set(_LAST_STARTED, str(time.time()))
            runs, _ = await pipe.execute()
        return int(runs)

    async def ping(self) -> None:
        await self.outages.call(lambda: _reply(self.redis.ping()))

    async def queue(self) -> QueueState:
        """What waits in arq's queue (its first _QUEUE_SEEN entries): due, and not marked in progress."""

        async def read() -> QueueState:
            now = time.time()
            entries: list[tuple[bytes, float]] = await self.redis.zrange(_QUEUE, 0, _QUEUE_SEEN - 1, withscores=True)
            async with self.redis.pipeline(transaction=False) as pipe:
                for job_id, _ in entries:
                    pipe.exists(in_progress_key_prefix + job_id.decode())
                pipe.get(_LAST_STARTED)
                *running, started = await pipe.execute()
            due = [score / 1000 for (_, score), busy in zip(entries, running, strict=True) if not busy]
            due = [enqueued for enqueued in due if enqueued <= now]  # deferred ones (a retry's wait) are not late
            return QueueState(
                waiting=len(due),
                oldest_waiting_s=max(0.0, now - min(due)) if due else 0.0,
                last_started_s=None if started is None else max(0.0, now - float(started)),
            )

        return await self.outages.call(read)

    def holding(self, job_id: str) -> AbstractAsyncContextManager[None]:
        """Nothing to do: arq marks the job in progress for its time limit, and puts it back in the queue if
        the run is cancelled."""
        return nullcontext()

    async def finish(self, job_id: str, result: dict[str, Any] | None, error: dict[str, Any] | None) -> bool:
        """Record the outcome unless a run already did: a job has one result, ever. The outcome carries a
        token of this call, so that a call tried again after the connection broke under it knows its own
        outcome (recorded before the break) from another run's."""
        return await self._finish(job_id, json.dumps({"result": result, "error": error, "by": uuid.uuid4().hex}))

    @_on_store
    async def _finish(self, job_id: str, outcome: str) -> bool:
        first = bool(await _reply(self.redis.hsetnx(self._record(job_id), "outcome", outcome)))
        if not first:
            recorded: bytes | str | None = await _reply(self.redis.hget(self._record(job_id), "outcome"))
            first = recorded is not None and _text(recorded) == outcome
        if first:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.hset(self._record(job_id), "updated", str(time.time()))
                pipe.expire(self._record(job_id), self.ttl_s)  # kept ttl_s after it finished, as on SQLite
                await pipe.execute()
            caller: bytes | str | None = await _reply(self.redis.hget(self._record(job_id), "caller"))
            if caller is not None:
                await _reply(self.redis.zrem(self._backlog(_text(caller)), job_id))
        return first

    @_on_store
    async def hand_over(self, job: Job) -> None:
        """Queue the callback of a finished job, once (arq keeps one job per id)."""
        await self.redis.enqueue_job(
            _DELIVERY, job.id, _job_id=f"callback:{job.id}", _queue_name=_CALLBACKS, _expires=self.ttl_s
        )

    @_on_store
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
    shown = f"Redis at {shown_url(redis_url)}"
    try:
        if (loses := await durability(redis)) is not None:
            log.warning("redis_not_durable", store=shown, detail=loses)
        yield BrokerJobs(
            redis,
            time_limit_s=time_limit_s,
            takeovers=takeovers,
            ttl_s=ttl_s,
            backlog=backlog,
            retry_after_s=retry_after_s,
            shown=shown,
        )
    finally:
        await redis.aclose()


async def durability(redis: ArqRedis) -> str | None:
    """What a restart of this Redis would lose of the jobs, from its persistence settings (`CONFIG GET
    appendonly` and `save`), or None: nothing, or it does not let us ask (CONFIG renamed, or not in the ACL)."""
    try:
        settings = await _reply(redis.config_get("appendonly")) | await _reply(redis.config_get("save"))
    except redis_errors.ResponseError:  # NOPERM, an unknown (renamed) command: the operator knows best
        return None
    said = {_text(key): _text(value) for key, value in settings.items()}
    if said.get("appendonly") == "yes":
        return None
    if not said.get("save"):
        return (
            "Redis keeps jobs only in memory (appendonly no, no save points): a restart of Redis loses every job "
            "queued or running and every result; set `appendonly yes` (and keep its files on a volume)"
        )
    return (
        f"Redis only saves snapshots (save {said['save']!r}, appendonly no): a restart of Redis loses the jobs "
        "submitted and the results recorded since the last one; set `appendonly yes` (appendfsync everysec: "
        "at most the last second)"
    )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


@asynccontextmanager
async def broker_workers(
    jobs: BrokerJobs, run: Runner, deliver: Deliver, count: int, deliveries: int, delivery_limit_s: float
) -> AsyncIterator[list[asyncio.Task[None]]]:
    """`count` jobs at a time from the shared queue, and `deliveries` callbacks at a time from theirs, until
    the context ends; yields the tasks that serve them (each ends only with an error that is not the
    store's). A job or callback still running at the end is handed back to its queue at once; one whose
    worker was killed is taken over after its time limit. `jobs` is the workers' patient copy: a run waits
    for Redis to come back rather than lose its summary or record a callback twice."""

    async def summarise_job(ctx: dict[str, Any], job_id: str) -> None:
        try:
            job = await jobs.get(job_id)
            if job is not None:  # None: its record expired, there is nothing to report to
                await run_one(job, jobs, run, jobs.hand_over, jobs.takeovers)
        except StoreUnavailable:  # away for longer than the patience: run it again later, not failed
            raise Retry(defer=StoreUnavailable.retry_after_s) from None

    async def summarise_callback(ctx: dict[str, Any], job_id: str) -> None:
        try:
            job = await jobs.get(job_id)
            if job is not None and job.callback_pending:  # a run killed after recording it resumes here
                await deliver(job)
        except StoreUnavailable:
            raise Retry(defer=StoreUnavailable.retry_after_s) from None

    if count == 0:
        yield []
        return
    # arq may start the job once more than our limit: that run records the job as abandoned and says so.
    workers = [
        _Worker(
            jobs,
            func(summarise_job, name=_FUNCTION, timeout=jobs.time_limit_s, max_tries=2 + jobs.takeovers),
            _QUEUE,
            count,
        ),
        _Worker(
            jobs,
            func(summarise_callback, name=_DELIVERY, timeout=delivery_limit_s + 10, max_tries=2 + jobs.takeovers),
            _CALLBACKS,
            deliveries,
        ),
    ]
    tasks = [asyncio.create_task(worker.serve()) for worker in workers]
    try:
        yield tasks
    finally:
        for worker in workers:
            worker.handle_sig(signal.SIGTERM)  # cancel what runs: arq puts it back in the queue for another worker
        for task in tasks:
            task.cancel()  # also when it waits for Redis between two tries
        await asyncio.gather(*tasks, return_exceptions=True)  # one that died has said why (the Watch logs it)
        for worker in workers:
            await asyncio.gather(*worker.tasks.values(), return_exceptions=True)


class _Worker(Worker):
    """arq's worker, through outages of Redis: its poll loop polls on while Redis is away (and is started
    again with backoff if Redis went away as it started), and a job whose start or run was cut (arq reading the job, marking it in progress,
    recording its end) is unmarked once Redis answers, as a stopped worker's is, so the next poll runs it
    again. It marks a job in progress with a token of its own, so that it only ever unmarks its own mark,
    never another worker's. (`start_jobs` is arq 0.28's, pinned in pyproject.toml, but for the token and
    the outage; `run_job` is arq's, wrapped.)"""

    def __init__(self, jobs: BrokerJobs, function: Any, queue: str, max_jobs: int) -> None:
        super().__init__(
            functions=[function],
            redis_pool=jobs.redis,
            queue_name=queue,
            max_jobs=max_jobs,
            handle_signals=False,  # the process (uvicorn, our CLI) owns SIGTERM/SIGINT
            keep_result=60,  # the outcome is in our record; arq's own copy is only for its bookkeeping
            poll_delay=0.5,
            log_results=False,
        )
        self.outages = jobs.outages
        self.token = uuid.uuid4().hex
        self.cut: set[str] = set()  # jobs whose start an outage cut: maybe marked in progress by us, not run

    async def serve(self) -> None:
        """arq's poll loop, until cancelled or an error that is not the store's. (An outage is met in
        `_poll_iteration`; this starts the loop again if Redis went away in its first steps.)"""
        async for attempt in AsyncRetrying(
            retry=retry_if_exception(lambda exc: self.outages.fault(exc) is not None),
            wait=wait_random_exponential(multiplier=BACKOFF_FIRST_S, max=BACKOFF_MAX_S),
            reraise=True,
        ):
            with attempt:
                await self.async_run()

    async def _poll_iteration(self) -> None:
        """One poll, through an outage: while Redis is away the loop goes on polling (every poll_delay, a
        refused connection costs nothing) instead of ending; once it answers, the starts it cut are unmarked."""
        try:
            for job_id in list(self.cut):
                await self._unmark(job_id)
                self.cut.discard(job_id)
            await super()._poll_iteration()
        except Exception as exc:
            if self.outages.fault(exc) is None:
                raise

    async def _unmark(self, job_id: str) -> None:
        await _reply(self.pool.eval(_UNMARK, 1, in_progress_key_prefix + job_id, self.token))

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        for job_id_b in job_ids:
            await self.sem.acquire()
            if self.job_counter >= self.max_jobs:
                self.sem.release()
                return
            self.job_counter += 1
            job_id = job_id_b.decode()
            in_progress_key = in_progress_key_prefix + job_id
            try:
                async with self.pool.pipeline(transaction=True) as pipe:
                    await pipe.watch(in_progress_key)
                    ongoing_exists = await pipe.exists(in_progress_key)
                    score = await pipe.zscore(self.queue_name, job_id)
                    if ongoing_exists or not score or score > timestamp_ms():
                        # running elsewhere, finished, or put off (a retry's wait)
                        self._release_sem_dec_counter_on_complete()
                        continue
                    pipe.multi()  # type: ignore[no-untyped-call]
                    pipe.psetex(in_progress_key, int(self.in_progress_timeout_s * 1000), self.token)
                    try:
                        await pipe.execute()
                    except (redis_errors.ResponseError, redis_errors.WatchError):  # started elsewhere meanwhile
                        self._release_sem_dec_counter_on_complete()
                        continue
            except Exception as exc:
                self._release_sem_dec_counter_on_complete()
                if self.outages.fault(exc) is not None:
                    self.cut.add(job_id)  # unmarked by `serve` once Redis answers
                raise
            task = self.loop.create_task(self.run_job(job_id, int(score)))
            task.add_done_callback(lambda _: self._release_sem_dec_counter_on_complete())
            self.tasks[job_id] = task

    async def run_job(self, job_id: str, score: int) -> None:
        try:
            await super().run_job(job_id, score)
        except Exception as exc:
            if self.outages.fault(exc) is None:
                raise
            # Still in the queue, and marked in progress by us for its whole time limit: unmark it once Redis
            # is back, and the next poll runs it again (or only hands its callback over, if it was recorded).
            await self.outages.call(lambda: self._unmark(job_id), self.in_progress_timeout_s)


async def _reply(reply: Awaitable[Reply] | Reply) -> Reply:
    """redis-py types each command for its sync and asyncio clients at once; ours is the asyncio one."""
    return await reply if inspect.isawaitable(reply) else reply
