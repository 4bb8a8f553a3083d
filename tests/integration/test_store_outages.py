"""The job store going away is a fault like any other: Redis killed (SIGKILL) under a burst of jobs with
callbacks and started again from its own files, the SQLite file taken away and put back. While the store
is away the routes that need it answer 503 `store-unavailable` with Retry-After (never a 500) and /ready
says not ready; when it is back, the workers carry on by themselves: every job done, every callback
delivered exactly once, the process never restarted. And nothing stuck silently: jobs that wait with no
worker to take them show in /ready and /metrics."""

import asyncio
import json
import shutil
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from arq import create_pool
from arq.connections import RedisSettings
from litestar.stores.redis import RedisStore

from service.jobs.redis import durability
from service.logs import configure_logging
from service.settings import Settings
from service.summaries import SummaryCache
from tests.callbacks import SECRET, backend, client_for, finished, job_settings, receiver_factory
from tests.factories import models_list
from tests.live_servers import Receiver, RedisServer, api_process, free_port, mock_model_app, redis_server, serving

__all__ = ["backend", "job_settings", "receiver_factory"]  # fixtures, used by name

pytestmark = pytest.mark.timeout(240)

JOBS = 20
OUTAGE_S = 8.0
RECOVERY_LIMIT_S = 60.0


class Outcomes:
    """Every answer the API gave while we watched: status, problem type, Retry-After."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, int, str, str | None]] = []
        self.lock = threading.Lock()

    def note(self, what: str, response: httpx.Response) -> None:
        kind = response.json().get("type", "").rsplit("/", 1)[-1] if response.status_code >= 400 else ""
        with self.lock:
            self.seen.append((what, response.status_code, kind, response.headers.get("retry-after")))

    def count(self, status: int) -> int:
        return sum(1 for _, seen, _, _ in self.seen if seen == status)


@pytest.mark.parametrize(
    "patience",
    [
        # The workers wait the outage out (up to 40 s a call here): the runs in flight record their outcome.
        "waited out",
        # Half a callback's 2-s time limit: the runs in flight give up, are put back and run again.
        "runs cut",
    ],
)
def test_redis_killed_under_a_burst_of_jobs_comes_back_and_every_job_and_callback_completes_once(
    tmp_path: Path, seed_article: dict[str, Any], patience: str
) -> None:
    redis = RedisServer(tmp_path, "--appendonly", "yes", "--appendfsync", "always", "--save", "")
    redis.start()
    receiver = Receiver([200])
    outcomes = Outcomes()
    try:
        with serving(mock_model_app(delay_s=1.0)) as model, serving(receiver) as hooks:
            env = {
                "SUMMARISE_BASE_URL": f"{model}/v1",
                "SUMMARISE_MODEL": "test-model",
                "SUMMARISE_MODEL_CACHE_DIR": str(tmp_path / "cache"),
                "SUMMARISE_NER_PIPELINES": "",  # NER off in these replicas: the jobs' hand-over is tested, and each process would load spaCy
                "SUMMARISE_REDIS_URL": redis.url,
                "SUMMARISE_JOB_WORKERS": "4",
                "SUMMARISE_REQUEST_BUDGET_S": "60",
                "SUMMARISE_WEBHOOK_SECRET": SECRET,
                "SUMMARISE_WEBHOOK_ALLOW_PRIVATE": "true",
                "SUMMARISE_CACHE_TTL_S": "0",
                **(
                    {"SUMMARISE_WEBHOOK_ATTEMPTS": "1", "SUMMARISE_WEBHOOK_TIMEOUT_S": "2"}
                    if patience == "runs cut"
                    else {}
                ),
            }
            with api_process(env, tmp_path / "server.log") as (process, url):
                ids = []
                for n in range(JOBS):
                    article = {**seed_article, "id": f"a{n}"}
                    body = {"articles": [article], "callback_url": f"{hooks}/hook"}
                    accepted = httpx.post(f"{url}/v1/jobs", json=body, timeout=10)
                    assert accepted.status_code == 202, accepted.text
                    ids.append(accepted.json()["jobs"][0]["id"])
                # Killed while runs are at the model: the first jobs done, the next ones taken (a job is ~2 s).
                deadline = time.monotonic() + 30
                while sum(httpx.get(f"{url}/v1/jobs/{job_id}").json()["status"] == "succeeded" for job_id in ids) < 2:
                    assert time.monotonic() < deadline, "no job finished before the outage"
                    time.sleep(0.1)
                time.sleep(0.8)
                redis.kill()
                killed = time.monotonic()
                with httpx.Client(base_url=url, timeout=10) as client:
                    while time.monotonic() - killed < OUTAGE_S:
                        body = {"articles": [seed_article], "callback_url": f"{hooks}/hook"}
                        outcomes.note("submit", client.post("/v1/jobs", json=body))
                        keyed = {"Idempotency-Key": f"import-{time.monotonic()}"}  # Litestar's store, in Redis
                        outcomes.note("keyed submit", client.post("/v1/jobs", json=body, headers=keyed))
                        outcomes.note("status", client.get(f"/v1/jobs/{ids[-1]}"))
                        outcomes.note("ready", client.get("/ready"))
                        outcomes.note("health", client.get("/health"))
                        time.sleep(0.2)
                    redis.start()
                    back = time.monotonic()

                    def done(job_id: str) -> bool:
                        response = client.get(f"/v1/jobs/{job_id}")
                        outcomes.note("status", response)
                        view = response.json() if response.status_code == 200 else {}
                        callback = view.get("callback") or {}
                        return view.get("status") == "succeeded" and callback.get("status") == "delivered"

                    waiting = set(ids)
                    while waiting and time.monotonic() - back < RECOVERY_LIMIT_S:
                        waiting = {job_id for job_id in waiting if not done(job_id)}
                        time.sleep(0.2)
                    all_done_s = time.monotonic() - back
                    views = [client.get(f"/v1/jobs/{job_id}").json() for job_id in ids]
                    after = client.post("/v1/jobs", json={"articles": [seed_article]})
                    ready_after = client.get("/ready")
                time.sleep(1)  # a second delivery, if there were one, would have arrived by now
                alive = process.poll() is None
            logs = (tmp_path / "server.log").read_text()
    finally:
        redis.stop()

    during = [seen for seen in outcomes.seen if seen[0] != "health"]
    print(  # the timings the issue asks for (pytest -s shows them)
        f"\n{patience}: Redis away {OUTAGE_S:.0f} s; all {JOBS} jobs done and called back {all_done_s:.1f} s after it was back; "
        f"answers while watching: {outcomes.count(500)} x 500, {outcomes.count(503)} x 503, "
        f"{outcomes.count(200) + outcomes.count(202)} x 2xx; runs {Counter(view['runs'] for view in views)}"
    )
    assert not waiting, f"not done {RECOVERY_LIMIT_S:.0f} s after Redis came back: {sorted(waiting)}\n{logs[-3000:]}"
    assert outcomes.count(500) == 0, [seen for seen in outcomes.seen if seen[1] == 500]
    unavailable = [seen for seen in during if seen[1] == 503]
    assert {(what, kind) for what, _, kind, _ in unavailable} >= {
        ("submit", "store-unavailable"),
        ("keyed submit", "store-unavailable"),
        ("status", "store-unavailable"),
        ("ready", "store-unavailable"),
    }
    assert all(retry_after is not None for _, _, _, retry_after in unavailable)
    assert {status for what, status, _, _ in outcomes.seen if what == "health"} == {200}  # liveness stays
    assert alive, "the server process ended"
    assert after.status_code == 202, after.text
    assert ready_after.status_code == 200, ready_after.text
    assert [view["status"] for view in views] == ["succeeded"] * JOBS
    if patience == "runs cut":
        assert 2 in {view["runs"] for view in views}, "no run was cut by the outage and run again"
    else:
        assert {view["runs"] for view in views} == {1}
    delivered = Counter(json.loads(body)["job"]["id"] for _, body in receiver.received)
    assert delivered == dict.fromkeys(ids, 1), delivered  # every callback, exactly once
    assert logs.count('"store_unavailable"') == 1, "the outage is logged once"
    assert '"store_back"' in logs
    assert "Traceback" not in logs, logs[logs.index("Traceback") - 500 :][:3000]


async def test_the_sqlite_file_taken_away_answers_503_and_jobs_carry_on_when_it_is_back(
    tmp_path: Path, settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    jobs_dir = tmp_path / "jobs"
    on_file = settings.model_copy(update={"jobs_db": jobs_dir / "jobs.sqlite3", "redis_url": None})
    model_server.get("/models").mock(return_value=models_list())
    async with client_for(on_file, model_server) as client:
        first = (await client.post("/v1/jobs", json={"articles": [seed_article]})).json()["jobs"][0]["id"]
        shutil.move(jobs_dir, tmp_path / "elsewhere")  # a volume gone, a directory removed
        try:
            answers = {
                "submit": await client.post("/v1/jobs", json={"articles": [seed_article]}),
                "status": await client.get(f"/v1/jobs/{first}"),
                "ready": await client.get("/ready"),
                "health": await client.get("/health"),
            }
            await asyncio.sleep(1.5)  # the workers meet it too, and wait
            made_anew = jobs_dir.exists()
        finally:
            shutil.move(tmp_path / "elsewhere", jobs_dir)
        second = await client.post("/v1/jobs", json={"articles": [seed_article]})
        views = [await finished(client, first), await finished(client, second.json()["jobs"][0]["id"])]
        ready = await client.get("/ready")

    for what in ("submit", "status", "ready"):
        response = answers[what]
        assert response.status_code == 503, (what, response.text)
        assert response.json()["type"].endswith("/store-unavailable")
        assert "jobs.sqlite3" in response.json()["detail"]
        assert response.headers["retry-after"] == "5"
    assert answers["health"].status_code == 200
    assert not made_anew  # never an empty store in the lost one's place
    assert second.status_code == 202
    assert [view["status"] for view in views] == ["succeeded", "succeeded"]
    assert ready.status_code == 200, ready.text


async def test_jobs_that_no_worker_takes_show_in_ready_and_metrics(
    job_settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    model_server.get("/models").mock(return_value=models_list())
    no_workers = job_settings.model_copy(update={"job_workers": 0, "job_stall_s": 1.0})
    async with client_for(no_workers, model_server) as client:
        assert (await client.get("/ready")).status_code == 200
        await client.post("/v1/jobs", json={"articles": [seed_article, seed_article]})
        await asyncio.sleep(1.5)
        ready = await client.get("/ready")
        metrics = (await client.get("/metrics")).text

    assert ready.status_code == 503
    assert "2 jobs wait" in ready.json()["detail"]
    assert "SUMMARISE_JOB_STALL_S" in ready.json()["detail"]
    assert "summarise_jobs_stalled 1.0" in metrics
    assert "summarise_jobs_waiting 2.0" in metrics
    oldest = next(line for line in metrics.splitlines() if line.startswith("summarise_jobs_oldest_waiting_seconds "))
    assert float(oldest.split()[1]) >= 1.0


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (("--appendonly", "no", "--save", ""), "only in memory"),
        (("--appendonly", "no", "--save", "3600 1"), "only saves snapshots"),
        (("--appendonly", "yes"), None),
        (("--appendonly", "no", "--save", "", "--rename-command", "CONFIG", ""), None),  # not ours to ask
    ],
)
async def test_at_start_redis_says_whether_jobs_would_survive_its_restart(
    tmp_path: Path, options: tuple[str, ...], says: str | None
) -> None:
    with redis_server(tmp_path, *options) as url:
        redis = await create_pool(RedisSettings.from_dsn(url))
        try:
            loses = await durability(redis)
        finally:
            await redis.aclose()

    assert (loses is None) if says is None else (loses is not None and says in loses), loses


async def test_summaries_are_made_without_the_cache_while_its_store_is_away(
    capfd: pytest.CaptureFixture[str],
) -> None:
    configure_logging(Settings(_env_file=None, log_json=True))  # type: ignore[call-arg]
    nobody = RedisStore.with_client(url=f"redis://127.0.0.1:{free_port()}/0", namespace="summarise:summaries")
    async with nobody:
        cache = SummaryCache(nobody, ttl_s=60)
        misses = [await cache.get("a summary's key") for _ in range(3)]

    assert misses == [None, None, None]  # a miss: the summary is made, not a 500
    logged = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    assert [line["event"] for line in logged] == ["summary_cache_unavailable"]  # once per outage
