"""Nothing stuck silently: a process whose job worker loop died says so (not ready; `summarise worker`
exits non-zero on `died`), and jobs that wait while no worker starts any are stalled."""

import asyncio
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from service.jobs.model import QueueState
from service.jobs.sqlite import JobStore
from service.jobs.watch import Watch


async def test_a_worker_loop_that_died_makes_the_process_not_ready(tmp_path: Path) -> None:
    async def dies() -> None:
        raise RuntimeError("a bug in a worker loop")

    serves = asyncio.create_task(asyncio.sleep(3600))
    watch = Watch(JobStore(tmp_path / "jobs.sqlite3"), "the job database", [asyncio.create_task(dies()), serves], 60)
    await asyncio.wait_for(watch.died.wait(), timeout=5)

    assert await watch.check() == ["1 of this process's 2 job worker loops have died"]
    assert REGISTRY.get_sample_value("summarise_job_workers_alive") == 1
    serves.cancel()


@pytest.mark.parametrize(
    ("queue", "stalled"),
    [
        (QueueState(waiting=0, oldest_waiting_s=0, last_started_s=None), False),  # nothing waits
        (QueueState(waiting=3, oldest_waiting_s=500, last_started_s=None), True),  # never a worker
        (QueueState(waiting=3, oldest_waiting_s=500, last_started_s=400), True),  # workers gone or wedged
        (QueueState(waiting=3, oldest_waiting_s=500, last_started_s=5), False),  # a long backlog, moving
        (QueueState(waiting=3, oldest_waiting_s=30, last_started_s=None), False),  # only just submitted
    ],
)
def test_jobs_are_stalled_when_they_wait_and_no_worker_has_started_one(queue: QueueState, stalled: bool) -> None:
    assert queue.stalled(after_s=300) == stalled
