"""The job model's statuses as the API spells them, and one job's run (lifecycle.run_one) on a real SQLite
store: one outcome whichever run writes first, give up after the takeovers, deliver a callback left pending.
(tests/integration/test_jobs.py runs the whole path, on SQLite and on Redis, with real workers.)"""

import asyncio
import json
import logging
import sqlite3
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import BaseModel

from schemas.jobs import CallbackState, JobRef, JobView
from service.jobs.lifecycle import run_one
from service.jobs.model import CallbackStatus, Job, JobStatus, Outcome
from service.jobs.sqlite import JobStore, Worker
from service.logs import configure_logging
from service.settings import Settings

ARTICLE = {"id": "a", "title": "T", "body": "B"}


def _literal_values(annotation: Any) -> set[str]:
    """The strings a `status` annotation allows: Literal[...], or Literal[...] | None."""
    if isinstance(annotation, str):
        return {annotation}
    return {value for arg in get_args(annotation) for value in _literal_values(arg)}


def test_the_api_spells_the_statuses_of_the_job_model() -> None:
    def allowed(model: type[BaseModel]) -> set[str]:
        return _literal_values(model.model_fields["status"].annotation)

    assert allowed(JobView) == {status.value for status in JobStatus}
    assert allowed(CallbackState) == {status.value for status in CallbackStatus}
    assert allowed(JobRef) == {JobStatus.queued.value}


def test_only_succeeded_and_failed_are_finished() -> None:
    assert {status for status in JobStatus if status.finished} == {JobStatus.succeeded, JobStatus.failed}
    assert JobStatus.of_outcome(None) == JobStatus.succeeded
    assert JobStatus.of_outcome({"type": "x"}) == JobStatus.failed


class Calls:
    """A runner and a delivery that record what they were given (the model and the receiver are not here)."""

    def __init__(self, summary: dict[str, Any]) -> None:
        self.summary = summary
        self.ran: list[str] = []
        self.delivered: list[Job] = []

    async def run(self, job: Job) -> Outcome:
        self.ran.append(job.id)
        return self.summary, None

    async def deliver(self, job: Job) -> None:
        self.delivered.append(job)


@pytest.fixture
def store(tmp_path: Path) -> JobStore:
    return JobStore(tmp_path / "jobs.sqlite3", takeovers=2)


def worker(store: JobStore, calls: Calls, lease_s: float = 60) -> Worker:
    return Worker(store, calls.run, calls.deliver, lease_s=lease_s, poll_s=0.01)


async def claim(store: JobStore, by: Worker) -> Job:
    job = await store.claim(by.owner, by.lease_s)
    assert job is not None
    return job


async def test_the_first_run_to_record_its_outcome_wins_and_only_it_delivers(
    store: JobStore, capfd: pytest.CaptureFixture[str]
) -> None:
    configure_logging(Settings(_env_file=None, log_json=True))  # type: ignore[call-arg]
    (job_id,) = await store.create("caller", [ARTICLE], "https://hooks.example/summaries")
    slow, fast = Calls({"id": "slow"}), Calls({"id": "fast"})
    lapsed = worker(store, slow, lease_s=0)  # stalls: its lease runs out before it runs the model
    taken = await claim(store, lapsed)
    other = worker(store, fast)

    await run_one(await claim(store, other), other, fast.run, fast.deliver, store.takeovers)
    await run_one(taken, lapsed, slow.run, slow.deliver, store.takeovers)

    done = await store.get(job_id)
    assert done is not None
    assert (done.status, done.result, done.runs) == (JobStatus.succeeded, {"id": "fast"}, 2)
    assert (slow.ran, fast.ran) == ([job_id], [job_id])  # both ran the model; one outcome was kept
    assert [job.result for job in fast.delivered] == [{"id": "fast"}]
    assert slow.delivered == []
    logging.getLogger().handlers[-1].flush()
    logged = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    assert [
        (line["event"], line.get("run"), line.get("status")) for line in logged if line.get("job_id") == job_id
    ] == [
        ("job_started", 1, None),
        ("job_finished", None, "succeeded"),
        ("job_started", 2, None),
        ("job_lease_lost", None, None),
    ]


async def test_a_job_whose_runs_all_ended_without_a_result_is_abandoned_and_the_callback_says_so(
    store: JobStore,
) -> None:
    (job_id,) = await store.create("caller", [ARTICLE], "https://hooks.example/summaries")
    calls = Calls({"id": "a"})
    for _ in range(1 + store.takeovers):  # each run's worker dies: it started the model, then stopped renewing
        died = worker(store, calls, lease_s=0)
        await store.start((await claim(store, died)).id)
    last = worker(store, calls)

    await run_one(await claim(store, last), last, calls.run, calls.deliver, store.takeovers)

    assert calls.ran == []  # not tried a fourth time
    (delivered,) = calls.delivered
    assert delivered.id == job_id
    assert delivered.status == JobStatus.failed
    assert delivered.runs == 3
    assert delivered.error is not None
    assert delivered.error["type"].endswith("/job-abandoned")
    assert "3 runs" in delivered.error["detail"]


async def test_a_finished_job_whose_callback_is_still_pending_is_only_delivered(store: JobStore) -> None:
    (job_id,) = await store.create("caller", [ARTICLE], "https://hooks.example/summaries")
    calls = Calls({"id": "a"})

    async def stopped_before_delivering(job: Job) -> None:
        raise RuntimeError("the worker went down between the result and the callback")

    first = worker(store, calls)
    with pytest.raises(RuntimeError):
        await run_one(await claim(store, first), first, calls.run, stopped_before_delivering, store.takeovers)
    assert await store.claim(first.owner, first.lease_s) is None  # finished: not claimable again
    pending = await store.claim_delivery("delivery", lease_s=60, busy=set())  # the callback left pending
    assert pending is not None

    await run_one(pending, first, calls.run, calls.deliver, store.takeovers)

    assert calls.ran == [job_id]  # the model ran once
    assert [(job.id, job.status, job.callback_status) for job in calls.delivered] == [
        (job_id, JobStatus.succeeded, CallbackStatus.pending)
    ]


async def test_a_worker_stopped_while_it_claims_hands_the_claimed_job_back(store: JobStore, tmp_path: Path) -> None:
    """A stop that lands between the claim and the run (here: while the claim waits for SQLite's write lock)
    must not leave the job leased to a worker that is gone, waiting out the lease."""
    (job_id,) = await store.create("caller", [ARTICLE], None)
    calls = Calls({"id": "a"})
    stopping = worker(store, calls)
    other_writer = sqlite3.connect(store.path, isolation_level=None)
    other_writer.execute("BEGIN IMMEDIATE")  # the worker's claim blocks on this lock
    serving = asyncio.create_task(stopping.serve(asyncio.Event()))
    await asyncio.sleep(0.3)
    serving.cancel()
    await asyncio.sleep(0.1)
    other_writer.execute("COMMIT")  # now the claim goes through, after the stop
    other_writer.close()

    with pytest.raises(asyncio.CancelledError):
        await serving
    await asyncio.sleep(0.5)  # a claim left running in its thread after the stop has landed by now
    job = await store.get(job_id)
    assert job is not None
    assert (job.status, calls.ran) == (JobStatus.queued, [])
    assert await store.claim("next worker", 60) is not None  # at once, not after the 60-s lease
