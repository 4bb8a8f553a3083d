"""Jobs in SQLite (the default, one host): persisted in a file, run by workers that lease them, finished
exactly once.

Workers (in the API process by default, or `summarise worker` processes sharing the database file) claim a
queued job with a lease, renew the lease while the model works, and write the result only if they still
hold the lease. A worker stopped mid-job hands the job back at once; one killed mid-job stops renewing, and
when the lease runs out another worker takes the job over, so every job ends with exactly one result,
whatever crashed. Each run is lifecycle.run_one, the step the Redis workers take too; Worker is its Hold
here. Delivery of the result to a callback URL (signed, retried) is recorded on the job.
"""

import asyncio
import contextlib
import json
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import structlog

from service.jobs.lifecycle import run_one
from service.jobs.model import CallbackStatus, Deliver, Job, JobStatus, Runner

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
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_claimable ON jobs (status, lease_until);
"""


class JobStore:
    """SQLite, one connection per call (WAL: readers never block the writer); calls run in a thread."""

    def __init__(self, path: Path, takeovers: int = 2) -> None:
        self.path = path
        self.takeovers = takeovers
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.row_factory = sqlite3.Row
        return db

    async def _run(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        def in_thread() -> Any:
            with self._connect() as db:
                return work(db)

        return await asyncio.to_thread(in_thread)

    async def create(self, caller: str, articles: list[dict[str, Any]], callback_url: str | None) -> list[str]:
        now = time.time()
        ids = [uuid.uuid4().hex for _ in articles]

        def insert(db: sqlite3.Connection) -> None:
            db.execute("BEGIN IMMEDIATE")
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
        """The oldest queued job, or a running one whose worker stopped renewing its lease, leased to
        `owner` for `lease_s`."""
        now = time.time()

        def take(db: sqlite3.Connection) -> sqlite3.Row | None:
            db.execute("BEGIN IMMEDIATE")  # one writer at a time: two workers never take the same job
            row: sqlite3.Row | None = db.execute(
                "SELECT id FROM jobs WHERE status = 'queued' OR (status = 'running' AND lease_until < ?)"
                " ORDER BY created LIMIT 1",
                (now,),
            ).fetchone()
            if row is not None:
                row = db.execute(
                    "UPDATE jobs SET status = 'running', lease_owner = ?, lease_until = ?, updated = ? WHERE id = ?"
                    " RETURNING *",
                    (owner, now + lease_s, now, row["id"]),
                ).fetchone()
            db.execute("COMMIT")
            return row

        taking = asyncio.ensure_future(self._run(take))
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

        await self._run(requeue)

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

    async def claim_undelivered(self, stale_s: float) -> Job | None:
        """A finished job whose callback has been pending for `stale_s` (its worker died between the result
        and the delivery), claimed by touching it, so that two workers never deliver it both."""
        now = time.time()

        def take(db: sqlite3.Connection) -> sqlite3.Row | None:
            db.execute("BEGIN IMMEDIATE")
            row: sqlite3.Row | None = db.execute(
                "SELECT * FROM jobs WHERE status IN ('succeeded', 'failed') AND callback_status = 'pending'"
                " AND updated < ? ORDER BY updated LIMIT 1",
                (now - stale_s,),
            ).fetchone()
            if row is not None:
                db.execute("UPDATE jobs SET updated = ? WHERE id = ?", (now, row["id"]))
            db.execute("COMMIT")
            return row

        row = await self._run(take)
        return None if row is None else _job(row)


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
    the model works (it is that step's Hold on SQLite). Between jobs it delivers callbacks left pending."""

    lost_event = "job_lease_lost"  # another worker took the job over (this one's lease ran out); its result stands

    def __init__(self, store: JobStore, run: Runner, deliver: Deliver, lease_s: float, poll_s: float) -> None:
        self.store = store
        self.run = run
        self.deliver = deliver
        self.lease_s = lease_s
        self.poll_s = poll_s
        self.owner = uuid.uuid4().hex

    async def serve(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                try:
                    job = await self.store.claim(self.owner, self.lease_s) or await self.store.claim_undelivered(
                        stale_s=max(60.0, self.lease_s)
                    )
                    if job is not None:
                        await run_one(job, self, self.run, self.deliver, self.store.takeovers)
                        continue
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
