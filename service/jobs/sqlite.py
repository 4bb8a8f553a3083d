"""Jobs in SQLite (the default, one host): persisted in a file, run by workers that lease them, finished
exactly once.

Workers (in the API process by default, or `summarise worker` processes sharing the database file) claim a
queued job with a lease, renew the lease while the model works, and write the result only if they still
hold the lease. A worker stopped mid-job hands the job back at once; one killed mid-job stops renewing, and
when the lease runs out another worker takes the job over, so every job ends with exactly one result,
whatever crashed. Each run is lifecycle.run_one, the step the Redis workers take too; Worker is its Hold
here.

Callers take turns at the workers (the one with the fewest jobs running, then the one served longest
ago), so one caller's batch does not hold up another's single job. Callbacks are delivered apart
(`Deliveries`: tasks of their own, at most half of them for one API key), so a worker hands a finished
job over and takes the next one, whatever the receiver does; a delivery is leased like a run, so one whose
process died is resumed by the next (a restart included), and delivered once.
An API key may have `backlog` jobs queued or running (BacklogFull beyond); a finished job is deleted, with
its article, `ttl_s` after it finished (its callback done).
"""

import asyncio
import contextlib
import copy
import json
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import structlog

from service.errors import BacklogFull, StoreUnavailable
from service.jobs.lifecycle import run_one
from service.jobs.model import CallbackStatus, Deliver, HandOver, Job, JobStatus, QueueState, Runner
from service.jobs.outages import Outages

log = structlog.get_logger("summarise.jobs")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    caller TEXT NOT NULL,
    status TEXT NOT NULL,              -- a JobStatus: queued | running | succeeded | failed
    article TEXT NOT NULL,             -- the request body (JSON)
    result TEXT,                       -- the summary (JSON) when succeeded
    error TEXT,                        -- the problem (JSON) when failed
    callback_url TEXT,
    callback_status TEXT,              -- a CallbackStatus: pending | delivered | failed | null (no callback)
    callback_attempts INTEGER NOT NULL DEFAULT 0,
    callback_error TEXT,
    runs INTEGER NOT NULL DEFAULT 0,   -- how many times a worker started it (more than 1 after a crash)
    lease_owner TEXT,
    lease_until REAL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    callback_owner TEXT,               -- the delivery that holds the callback, until callback_lease_until
    callback_lease_until REAL,
    started REAL                       -- when a worker last took it: callers take turns by it
);
CREATE INDEX IF NOT EXISTS jobs_claimable ON jobs (status, lease_until);
CREATE INDEX IF NOT EXISTS jobs_of_caller ON jobs (caller, status);
CREATE INDEX IF NOT EXISTS jobs_to_deliver ON jobs (callback_status, callback_lease_until);
CREATE INDEX IF NOT EXISTS jobs_by_age ON jobs (updated);
CREATE INDEX IF NOT EXISTS jobs_turns ON jobs (caller, started);
"""
# Added since the first release: a file made before gets them on opening.
_ADDED_COLUMNS = {"callback_owner": "TEXT", "callback_lease_until": "REAL", "started": "REAL"}


class JobStore:
    """SQLite, one connection per call (WAL: readers never block the writer); calls run in a thread.

    The file is created here, at start, and only opened after: a file removed (or a directory made
    unreadable) while the service runs is StoreUnavailable, never an empty store made anew in its place.
    `patient()` is the same store for workers, which wait out such an outage (`service.jobs.outages`)."""

    def __init__(
        self, path: Path, takeovers: int = 2, backlog: int = 100, ttl_s: float = 7 * 24 * 3600, retry_after_s: int = 30
    ) -> None:
        self.path = path
        self.takeovers = takeovers
        self.backlog = backlog
        self.ttl_s = ttl_s
        self.retry_after_s = retry_after_s
        self.outages = Outages(f"the job database {path}")
        self.patience_s = 0.0
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect(create=True) as db:
            columns = {row["name"] for row in db.execute("PRAGMA table_info(jobs)")}
            for name, kind in _ADDED_COLUMNS.items():
                if columns and name not in columns:
                    db.execute(f"ALTER TABLE jobs ADD COLUMN {name} {kind}")
            db.executescript(_SCHEMA)

    def patient(self, patience_s: float) -> "JobStore":
        """This store as workers use it: an outage of up to `patience_s` is waited out, not raised."""
        patient = copy.copy(self)
        patient.patience_s = patience_s
        return patient

    def _connect(self, create: bool = False) -> sqlite3.Connection:
        where = str(self.path) if create else f"{self.path.resolve().as_uri()}?mode=rw"
        db = sqlite3.connect(where, timeout=30, isolation_level=None, uri=not create)
        db.execute("PRAGMA journal_mode=WAL")
        db.row_factory = sqlite3.Row
        return db

    async def _run(self, work: Callable[[sqlite3.Connection], Any], *, patient: bool = True) -> Any:
        """`work` on a connection of its own, in a thread; a fault of the file is StoreUnavailable (waited
        out first if this store is `patient` and the call may wait)."""

        def in_thread() -> Any:
            with contextlib.closing(self._connect()) as db, db:
                return work(db)

        return await self.outages.call(lambda: asyncio.to_thread(in_thread), self.patience_s if patient else 0)

    async def ping(self) -> None:
        """StoreUnavailable unless the file answers now (whatever the patience)."""
        await self._run(lambda db: db.execute("SELECT 1 FROM jobs LIMIT 1").fetchall(), patient=False)

    async def queue(self) -> QueueState:
        """What waits: jobs queued, or running under a lease that ran out (their worker died)."""
        now = time.time()

        def read(db: sqlite3.Connection) -> QueueState:
            waiting, since = db.execute(
                "SELECT count(*), min(CASE WHEN status = 'queued' THEN updated ELSE lease_until END) FROM jobs"
                " WHERE status = 'queued' OR (status = 'running' AND lease_until < ?)",
                (now,),
            ).fetchone()
            (started,) = db.execute("SELECT max(started) FROM jobs").fetchone()
            return QueueState(
                waiting=waiting,
                oldest_waiting_s=max(0.0, now - since) if since is not None else 0.0,
                last_started_s=None if started is None else max(0.0, now - started),
            )

        state: QueueState = await self._run(read, patient=False)
        return state

    async def create(self, caller: str, articles: list[dict[str, Any]], callback_url: str | None) -> list[str]:
        now = time.time()
        ids = [uuid.uuid4().hex for _ in articles]

        def insert(db: sqlite3.Connection) -> None:
            db.execute("BEGIN IMMEDIATE")  # counted and added in one transaction: two requests never both fit
            _delete_expired(db, now - self.ttl_s)
            (waiting,) = db.execute(
                "SELECT count(*) FROM jobs WHERE caller = ? AND status IN ('queued', 'running')", (caller,)
            ).fetchone()
            if waiting + len(articles) > self.backlog:
                db.execute("ROLLBACK")
                raise BacklogFull(waiting, self.backlog, len(articles), self.retry_after_s)
            db.executemany(
                "INSERT INTO jobs (id, caller, status, article, callback_url, callback_status, created, updated)"
                " VALUES (?, ?, 'queued', ?, ?, ?, ?, ?)",
                [
                    (
                        job_id,
                        caller,
                        json.dumps(article),
                        callback_url,
                        CallbackStatus.pending if callback_url else None,
                        now,
                        now,
                    )
                    for job_id, article in zip(ids, articles, strict=True)
                ],
            )
            db.execute("COMMIT")

        await self._run(insert)
        return ids

    async def get(self, job_id: str, caller: str | None = None) -> Job | None:
        def select(db: sqlite3.Connection) -> sqlite3.Row | None:
            row: sqlite3.Row | None = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
            return row

        row = await self._run(select)
        if row is None or (caller is not None and row["caller"] != caller):
            return None
        return _job(row)

    async def claim(self, owner: str, lease_s: float) -> Job | None:
        """A queued job, or a running one whose worker stopped renewing its lease, leased to `owner` for
        `lease_s`. Callers take turns, so one caller's batch does not hold up everyone else: the caller with
        the fewest jobs running first, then the one whose last job started longest ago, then the oldest job."""
        now = time.time()

        def take(db: sqlite3.Connection) -> sqlite3.Row | None:
            db.execute("BEGIN IMMEDIATE")  # one writer at a time: two workers never take the same job
            row: sqlite3.Row | None = db.execute(
                "SELECT id FROM jobs AS job WHERE status = 'queued' OR (status = 'running' AND lease_until < ?)"
                " ORDER BY (SELECT count(*) FROM jobs AS other WHERE other.caller = job.caller"
                " AND other.status = 'running' AND other.lease_until >= ?),"
                " (SELECT coalesce(max(started), 0) FROM jobs AS other WHERE other.caller = job.caller), created"
                " LIMIT 1",
                (now, now),
            ).fetchone()
            if row is not None:
                row = db.execute(
                    "UPDATE jobs SET status = 'running', lease_owner = ?, lease_until = ?, updated = ?, started = ?"
                    " WHERE id = ? RETURNING *",
                    (owner, now + lease_s, now, now, row["id"]),
                ).fetchone()
            db.execute("COMMIT")
            return row

        taking = asyncio.ensure_future(self._run(take, patient=False))  # a stop never waits for an outage
        try:
            row = await asyncio.shield(taking)
        except asyncio.CancelledError:  # stopped mid-claim: let the claim land, so that hand_back sees it
            await taking
            raise
        return None if row is None else _job(row)

    async def start(self, job_id: str) -> int:
        """Count a run of the job (a worker starts the model on it); its number."""

        def count(db: sqlite3.Connection) -> int:
            (row,) = db.execute("UPDATE jobs SET runs = runs + 1 WHERE id = ? RETURNING runs", (job_id,)).fetchall()
            runs: int = row["runs"]
            return runs

        run: int = await self._run(count)
        return run

    async def renew(self, job_id: str, owner: str, lease_s: float) -> bool:
        def extend(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                "UPDATE jobs SET lease_until = ? WHERE id = ? AND lease_owner = ? AND status = 'running'",
                (time.time() + lease_s, job_id, owner),
            )
            return cursor.rowcount == 1

        renewed: bool = await self._run(extend)
        return renewed

    async def hand_back(self, owner: str) -> None:
        """Put the jobs `owner` holds back in the queue: its worker is stopping, another may take them at once."""

        def requeue(db: sqlite3.Connection) -> None:
            db.execute(
                "UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_until = NULL, updated = ?"
                " WHERE lease_owner = ? AND status = 'running'",
                (time.time(), owner),
            )

        await self._run(requeue, patient=False)  # stopping: with the store away, the lease hands the job on

    async def finish(
        self, job_id: str, owner: str, result: dict[str, Any] | None, error: dict[str, Any] | None
    ) -> bool:
        """Record the outcome only if `owner` still holds the lease: a job has one result, ever."""

        def write(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                "UPDATE jobs SET status = ?, result = ?, error = ?, lease_owner = NULL, lease_until = NULL,"
                " updated = ? WHERE id = ? AND lease_owner = ? AND status = 'running'",
                (
                    JobStatus.of_outcome(error),
                    json.dumps(result) if result is not None else None,
                    json.dumps(error) if error is not None else None,
                    time.time(),
                    job_id,
                    owner,
                ),
            )
            return cursor.rowcount == 1

        finished: bool = await self._run(write)
        return finished

    async def record_delivery(self, job_id: str, status: CallbackStatus, attempts: int, last_error: str | None) -> None:
        def write(db: sqlite3.Connection) -> None:
            db.execute(
                "UPDATE jobs SET callback_status = ?, callback_attempts = ?, callback_error = ?, updated = ?"
                " WHERE id = ?",
                (status, attempts, last_error, time.time(), job_id),
            )

        await self._run(write)

    async def claim_delivery(self, owner: str, lease_s: float, busy: set[str]) -> Job | None:
        """The finished job whose callback has waited longest and that no delivery holds (or whose delivery's
        process died: its lease ran out), leased to `owner` for `lease_s`; none of the callers in `busy`."""
        now = time.time()
        not_busy = f" AND caller NOT IN ({','.join('?' * len(busy))})" if busy else ""  # placeholders only
        query = (
            "SELECT id FROM jobs WHERE callback_status = 'pending' AND status IN ('succeeded', 'failed')"  # noqa: S608
            f" AND (callback_lease_until IS NULL OR callback_lease_until < ?){not_busy} ORDER BY updated LIMIT 1"
        )

        def take(db: sqlite3.Connection) -> sqlite3.Row | None:
            db.execute("BEGIN IMMEDIATE")  # two deliveries never take the same callback
            row: sqlite3.Row | None = db.execute(query, (now, *sorted(busy))).fetchone()
            if row is not None:
                row = db.execute(
                    "UPDATE jobs SET callback_owner = ?, callback_lease_until = ? WHERE id = ? RETURNING *",
                    (owner, now + lease_s, row["id"]),
                ).fetchone()
            db.execute("COMMIT")
            return row

        row = await self._run(take, patient=False)  # the poll comes back soon enough
        return None if row is None else _job(row)

    async def hand_back_deliveries(self, owner: str) -> None:
        """Free the callbacks `owner` was delivering: its process is stopping, the next takes them at once."""

        def free(db: sqlite3.Connection) -> None:
            db.execute(
                "UPDATE jobs SET callback_owner = NULL, callback_lease_until = NULL"
                " WHERE callback_owner = ? AND callback_status = 'pending'",
                (owner,),
            )

        await self._run(free, patient=False)

    async def delete_expired(self) -> int:
        """Delete the jobs (article, result) that finished, callback done, more than `ttl_s` ago."""
        cutoff = time.time() - self.ttl_s

        def delete(db: sqlite3.Connection) -> int:
            return _delete_expired(db, cutoff)

        deleted: int = await self._run(delete)
        return deleted


def _delete_expired(db: sqlite3.Connection, cutoff: float) -> int:
    cursor = db.execute(
        "DELETE FROM jobs WHERE updated < ? AND status IN ('succeeded', 'failed')"
        " AND (callback_status IS NULL OR callback_status != 'pending')",
        (cutoff,),
    )
    return cursor.rowcount


def _job(row: sqlite3.Row) -> Job:
    return Job(
        id=row["id"],
        caller=row["caller"],
        status=JobStatus(row["status"]),
        article=json.loads(row["article"]),
        result=json.loads(row["result"]) if row["result"] else None,
        error=json.loads(row["error"]) if row["error"] else None,
        callback_url=row["callback_url"],
        callback_status=CallbackStatus(row["callback_status"]) if row["callback_status"] else None,
        callback_attempts=row["callback_attempts"],
        callback_error=row["callback_error"],
        runs=row["runs"],
        created=row["created"],
        updated=row["updated"],
    )


class Worker:
    """Claims jobs and takes each to its end with lifecycle.run_one, holding it by a lease it renews while
    the model works (it is that step's Hold on SQLite); a finished job's callback is handed to Deliveries."""

    lost_event = "job_lease_lost"  # another worker took the job over (this one's lease ran out); its result stands

    def __init__(self, store: JobStore, run: Runner, hand_over: HandOver, lease_s: float, poll_s: float) -> None:
        self.store = store
        self.run = run
        self.hand_over = hand_over
        self.lease_s = lease_s
        self.poll_s = poll_s
        self.owner = uuid.uuid4().hex

    async def serve(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                try:
                    job = await self.store.claim(self.owner, self.lease_s)
                    if job is not None:
                        await run_one(job, self, self.run, self.hand_over, self.store.takeovers)
                        continue
                except StoreUnavailable:  # logged once by the store; polled again until it answers
                    pass
                except Exception:  # a worker outlives any one job: log it, the lease hands the job on
                    log.exception("job_worker_error")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.poll_s)
        except asyncio.CancelledError:
            # Stopped (SIGTERM, a deploy), wherever it was between the claim and the outcome: hand back what
            # it holds now, not at lease end.
            await asyncio.shield(self.store.hand_back(self.owner))
            raise

    async def get(self, job_id: str) -> Job | None:
        return await self.store.get(job_id)

    async def start(self, job_id: str) -> int:
        return await self.store.start(job_id)

    @contextlib.asynccontextmanager
    async def holding(self, job_id: str) -> AsyncIterator[None]:
        """Renew the lease while the model works; a cancelled run's job is handed back by `serve`."""
        renewing = asyncio.create_task(self._renew(job_id))
        try:
            yield
        finally:
            renewing.cancel()

    async def finish(self, job_id: str, result: dict[str, Any] | None, error: dict[str, Any] | None) -> bool:
        return await self.store.finish(job_id, self.owner, result, error)

    async def _renew(self, job_id: str) -> None:
        while True:
            await asyncio.sleep(self.lease_s / 3)
            if not await self.store.renew(job_id, self.owner, self.lease_s):
                return


_FINISH_IN_FLIGHT_S = 5.0  # at a stop, how long a callback being sent may still finish and be recorded


class Deliveries:
    """Delivers the callbacks of finished jobs, `concurrency` at once and at most half of them for one
    caller, in tasks of their own: a receiver that is slow or never answers holds up only its own caller's
    callbacks. Each delivery is leased for `lease_s` (every attempt and wait of one callback), so one whose
    process died is taken up again once that runs out; stopped, it hands back what it was delivering."""

    def __init__(self, store: JobStore, deliver: Deliver, concurrency: int, lease_s: float, poll_s: float) -> None:
        self.store = store
        self.deliver = deliver
        self.concurrency = concurrency
        self.per_caller = max(1, concurrency // 2)
        self.lease_s = lease_s
        self.poll_s = poll_s
        self.owner = uuid.uuid4().hex
        self.sweep_s = 60.0
        self._woken = asyncio.Event()
        self._running: dict[asyncio.Task[None], str] = {}  # each delivery and its caller

    async def hand_over(self, job: Job) -> None:
        """A worker finished `job` (recorded, callback pending): deliver it now rather than at the next poll."""
        self._woken.set()

    async def serve(self, stop: asyncio.Event) -> None:
        swept = 0.0
        try:
            while not stop.is_set():
                self._woken.clear()
                try:
                    if time.monotonic() - swept > self.sweep_s:
                        swept = time.monotonic()
                        await self.store.delete_expired()
                    if len(self._running) < self.concurrency:
                        job = await self.store.claim_delivery(self.owner, self.lease_s, self._busy())
                        if job is not None:
                            task = asyncio.create_task(self._deliver(job))
                            self._running[task] = job.caller
                            task.add_done_callback(self._done)
                            continue
                except StoreUnavailable:  # logged once by the store; polled again until it answers
                    pass
                except Exception:  # deliveries outlive any one job: log it, the lease hands the callback on
                    log.exception("callback_worker_error")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._woken.wait(), timeout=self.poll_s)
        except asyncio.CancelledError:
            # A callback in flight may already be at its receiver: cut now, it would be sent again by the next
            # process. Each gets a moment to finish its attempt and record it (the drain measured one twice).
            try:
                if self._running:
                    await asyncio.wait(list(self._running), timeout=_FINISH_IN_FLIGHT_S)
            finally:  # cancelled again while waiting: stop them now all the same
                for task in list(self._running):
                    task.cancel()
                await asyncio.gather(*self._running, return_exceptions=True)
                await asyncio.shield(self.store.hand_back_deliveries(self.owner))
            raise

    def _busy(self) -> set[str]:
        counts: dict[str, int] = {}
        for caller in self._running.values():
            counts[caller] = counts.get(caller, 0) + 1
        return {caller for caller, count in counts.items() if count >= self.per_caller}

    def _done(self, task: asyncio.Task[None]) -> None:
        self._running.pop(task, None)
        self._woken.set()  # a slot is free: look for the next callback at once

    async def _deliver(self, job: Job) -> None:
        try:
            await self.deliver(job)
        except StoreUnavailable:  # logged once by the store; the lease hands the callback on
            pass
        except Exception:  # the Deliverer records every outcome; this is a store error: the lease hands it on
            log.exception("callback_worker_error", job_id=job.id)
