"""Asynchronous jobs: lifecycle, signed callbacks to a real local receiver, retries, SSRF refusals,
idempotency, and a worker killed mid-job (SIGKILL) whose job still completes exactly once.

Every test runs on both job stores: the SQLite file (the default) and the Redis queue (arq) that several
replicas and workers share, on a real throw-away redis-server."""

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
import standardwebhooks
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from service.api.access import hash_key, key_id
from service.api.app import create_app
from service.jobs.webhooks import whsec
from service.settings import Settings
from tests.callbacks import SECRET, backend, client_for, finished, job_settings, receiver_factory, verified
from tests.factories import SEED_SUMMARY_TEXT, ModelServer
from tests.live_servers import Receiver, mock_model_app, serving

__all__ = ["backend", "job_settings", "receiver_factory"]  # fixtures, used by name


async def test_a_job_is_queued_then_succeeds_with_the_summary(
    job_settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    async with client_for(job_settings, model_server) as client:
        accepted = await client.post("/v1/jobs", json={"articles": [seed_article, {**seed_article, "id": "b"}]})
        assert accepted.status_code == 202, accepted.text
        refs = accepted.json()["jobs"]
        views = [await finished(client, ref["id"]) for ref in refs]

    assert [ref["status"] for ref in refs] == ["queued", "queued"]
    assert refs[0]["url"] == f"/v1/jobs/{refs[0]['id']}"
    assert "location" not in accepted.headers  # two jobs: no one place to follow
    assert [view["status"] for view in views] == ["succeeded", "succeeded"]
    assert views[1]["result"]["id"] == "b"
    assert views[0]["result"]["summary"] == SEED_SUMMARY_TEXT
    assert "Steve Witkoff" in [p["name"] for p in views[0]["result"]["participants"]]
    assert views[0]["runs"] == 1
    assert views[0]["callback"] is None


async def test_jobs_belong_to_their_api_key_and_batches_are_bounded(
    job_settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    keyed = job_settings.model_copy(update={"api_key_hashes": [hash_key("key-a"), hash_key("key-b")]})
    async with client_for(keyed, model_server) as client:
        job_id = (
            await client.post("/v1/jobs", json={"articles": [seed_article]}, headers={"X-API-Key": "key-a"})
        ).json()["jobs"][0]["id"]
        other = await client.get(f"/v1/jobs/{job_id}", headers={"X-API-Key": "key-b"})
        own = await client.get(f"/v1/jobs/{job_id}", headers={"X-API-Key": "key-a"})
        too_many = await client.post(
            "/v1/jobs", json={"articles": [seed_article] * 101}, headers={"X-API-Key": "key-a"}
        )

    assert other.status_code == 404
    assert own.status_code == 200
    assert too_many.status_code == 422


async def test_the_callback_is_signed_with_the_callers_secret_and_delivered_once(
    job_settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any], receiver_factory: Any
) -> None:
    receiver, url = receiver_factory([200])
    keyed = job_settings.model_copy(update={"api_key_hashes": [hash_key("key-a")]})
    headers = {"X-API-Key": "key-a"}
    async with client_for(keyed, model_server) as client:
        job_id = (
            await client.post("/v1/jobs", json={"articles": [seed_article], "callback_url": url}, headers=headers)
        ).json()["jobs"][0]["id"]
        view = await finished(client, job_id, headers)

    assert view["callback"] == {"url": url, "status": "delivered", "attempts": 1, "last_error": None}
    ((sent_headers, body),) = receiver.received
    secret = whsec(SECRET, f"key:{key_id('key-a')}")
    assert verified(secret, sent_headers, body)["job"]["id"] == job_id  # the Standard Webhooks verifier accepts it
    with pytest.raises(standardwebhooks.WebhookVerificationError):  # another key's secret fails
        verified(whsec(SECRET, "anonymous"), sent_headers, body)
    with pytest.raises(standardwebhooks.WebhookVerificationError):  # so does a changed body
        verified(secret, sent_headers, body + b" ")
    assert sent_headers["webhook-id"] == f"msg_{job_id}"
    assert sent_headers["x-job-id"] == job_id
    result = json.loads(body)["job"]["result"]
    assert result["summary"] == SEED_SUMMARY_TEXT
    assert "Steve Witkoff" in [p["name"] for p in result["participants"]]


@pytest.mark.parametrize(
    ("statuses", "status", "attempts", "error"),
    [
        ([500, 503, 200], "delivered", 3, None),  # 5xx: retried with backoff
        ([400], "failed", 1, "HTTP 400"),  # 4xx: the receiver said no; not retried
        ([302], "failed", 1, "HTTP 302"),  # a redirect is never followed
        ([500], "failed", 3, "HTTP 500"),  # retried up to the limit, then failed and visible
    ],
)
async def test_callback_retries_follow_the_receivers_answer(
    job_settings: Settings,
    model_server: respx.MockRouter,
    seed_article: dict[str, Any],
    receiver_factory: Any,
    statuses: list[int],
    status: str,
    attempts: int,
    error: str | None,
) -> None:
    receiver, url = receiver_factory(statuses)
    async with client_for(job_settings, model_server) as client:
        job_id = (await client.post("/v1/jobs", json={"articles": [seed_article], "callback_url": url})).json()["jobs"][
            0
        ]["id"]
        view = await finished(client, job_id)

    assert view["status"] == "succeeded"
    assert view["callback"]["status"] == status
    assert view["callback"]["attempts"] == attempts
    assert view["callback"]["last_error"] == error
    assert len(receiver.received) == attempts


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:8080/hook", "127.0.0.1"),
        ("http://localhost/hook", "not a public address"),
        ("http://10.1.2.3/hook", "10.1.2.3"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254"),
        ("http://[::1]/hook", "::1"),
        ("ftp://example.com/hook", "http(s)"),
        ("file:///etc/passwd", "http(s)"),
        ("http://user:secret@127.0.0.1/hook", "credentials"),
    ],
)
async def test_callbacks_to_internal_or_odd_urls_are_refused(
    job_settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any], url: str, why: str
) -> None:
    strict = job_settings.model_copy(update={"webhook_allow_private": False})
    async with client_for(strict, model_server) as client:
        response = await client.post("/v1/jobs", json={"articles": [seed_article], "callback_url": url})

    assert response.status_code == 422
    assert response.json()["type"].endswith("/callback-refused")
    assert why in response.json()["detail"]


async def test_callbacks_need_a_server_secret(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    async with client_for(settings, model_server) as client:
        response = await client.post(
            "/v1/jobs", json={"articles": [seed_article], "callback_url": "http://127.0.0.1:9/hook"}
        )

    assert response.status_code == 422
    assert "SUMMARISE_WEBHOOK_SECRET" in response.json()["detail"]


async def test_the_same_idempotency_key_returns_the_same_jobs(
    job_settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    headers = {"Idempotency-Key": "import-2026-02-24"}
    async with client_for(job_settings, model_server) as client:
        first = await client.post("/v1/jobs", json={"articles": [seed_article]}, headers=headers)
        again = await client.post("/v1/jobs", json={"articles": [seed_article]}, headers=headers)
        other = await client.post("/v1/jobs", json={"articles": [seed_article, seed_article]}, headers=headers)

    assert first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"
    job_url = first.json()["jobs"][0]["url"]
    assert first.headers["location"] == again.headers["location"] == job_url  # one job: where to follow it
    assert other.status_code == 422


def test_a_worker_killed_mid_job_leaves_it_to_the_next_which_completes_it_exactly_once(
    tmp_path: Path, seed_article: dict[str, Any], backend: str | None
) -> None:
    """Two API replicas (no workers of their own) and `summarise worker` processes, sharing the job store:
    the job is submitted to one replica, its worker is SIGKILLed mid-job, and the other replica shows it
    finished by the next worker, with one result and one callback."""
    receiver = Receiver([200])
    with serving(mock_model_app(delay_s=1.5)) as model, serving(receiver) as hooks:
        env = {
            "SUMMARISE_BASE_URL": f"{model}/v1",
            "SUMMARISE_MODEL": "test-model",
            "SUMMARISE_MODEL_CACHE_DIR": str(tmp_path),
            "SUMMARISE_NER_PIPELINES": "",  # NER off in these replicas: the jobs' hand-over is tested, and each process would load spaCy
            "SUMMARISE_JOB_LEASE_S": "2",  # SQLite: taken over 2 s after the last renewal
            # Redis queue: taken over once the job's time limit (budget + callback attempts) and 10 s pass
            "SUMMARISE_REQUEST_BUDGET_S": "8",
            "SUMMARISE_WEBHOOK_ATTEMPTS": "1",
            "SUMMARISE_WEBHOOK_TIMEOUT_S": "2",
            "SUMMARISE_WEBHOOK_SECRET": SECRET,
            "SUMMARISE_WEBHOOK_ALLOW_PRIVATE": "true",
            "SUMMARISE_CACHE_TTL_S": "0",
            **({"SUMMARISE_REDIS_URL": backend} if backend else {}),
        }
        replica_settings = Settings(  # type: ignore[call-arg]
            _env_file=None, **{k.removeprefix("SUMMARISE_").lower(): v for k, v in env.items()}, job_workers=0
        )

        def start_worker() -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                [sys.executable, "-m", "service.cli", "worker"],
                env={**os.environ, **env},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

        with serving(create_app(replica_settings)) as replica_a, serving(create_app(replica_settings)) as replica_b:
            submitted = httpx.post(
                f"{replica_a}/v1/jobs", json={"articles": [seed_article], "callback_url": f"{hooks}/hook"}
            )
            assert submitted.status_code == 202, submitted.text
            job_id = submitted.json()["jobs"][0]["id"]

            def job() -> dict[str, Any]:
                view: dict[str, Any] = httpx.get(f"{replica_b}/v1/jobs/{job_id}").json()
                return view

            first = start_worker()
            try:
                deadline = time.monotonic() + 30
                while job()["status"] != "running":  # the first worker has it, and is waiting for the model
                    assert time.monotonic() < deadline, "the first worker never started the job"
                    time.sleep(0.05)
                time.sleep(0.5)
                first.send_signal(signal.SIGKILL)
                first.wait(timeout=10)
                assert job()["status"] == "running"  # killed: no result, the lease (heartbeat) still held
            finally:
                if first.poll() is None:
                    first.kill()

            second = start_worker()
            try:
                deadline = time.monotonic() + 60
                while job()["status"] != "succeeded" or job()["callback"]["status"] == "pending":
                    assert time.monotonic() < deadline, f"the job was not taken over: {job()}"
                    time.sleep(0.1)
            finally:
                second.send_signal(signal.SIGTERM)
                second.wait(timeout=30)
            done = job()

    assert done["runs"] == 2  # started twice: once by the killed worker, once by the one that finished it
    assert done["result"]["participants"][0]["name"] == "Steve Witkoff"
    assert done["callback"]["status"] == "delivered"
    assert len(receiver.received) == 1  # the client heard about it exactly once
    assert json.loads(receiver.received[0][1])["job"]["result"] == done["result"]


async def test_a_stopped_worker_hands_its_job_straight_back(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any], backend: str | None
) -> None:
    """A replica shut down mid-job (a deploy) puts the job back in the queue at once; the next worker
    finishes it long before a killed worker's job would be taken over (SQLite: the 60-s lease; Redis: the
    job's time limit)."""
    answers = ModelServer()
    slow = asyncio.Event()
    slow.set()

    async def model(request: httpx.Request) -> httpx.Response:
        if slow.is_set():
            await asyncio.sleep(60)  # the first replica is stopped while the model works
        return answers(request)

    model_server.post("/chat/completions").mock(side_effect=model)
    on_store = settings.model_copy(update={"redis_url": backend})
    assert on_store.job_lease_s >= 60
    assert on_store.job_time_limit_s > 30
    async with AsyncTestClient(app=create_app(on_store)) as first:
        job_id = (await first.post("/v1/jobs", json={"articles": [seed_article]})).json()["jobs"][0]["id"]
        deadline = time.monotonic() + 20
        # Stopped once its run is counted (the model works): a stop between the claim and the run is
        # handed back as well, but then the run the test counts below never happened.
        while (view := (await first.get(f"/v1/jobs/{job_id}")).json())["status"] != "running" or view["runs"] < 1:
            assert time.monotonic() < deadline, "the first replica's worker never started the job"
            await asyncio.sleep(0.05)
    slow.clear()
    started = time.monotonic()
    async with AsyncTestClient(app=create_app(on_store)) as second:
        view = await finished(second, job_id)
    took = time.monotonic() - started

    assert view["status"] == "succeeded"
    assert view["runs"] == 2
    assert took < 10  # handed back, not left to the time limit


async def _leave_as_after_lost_runs(settings: Settings, job_id: str, runs: int) -> None:
    """The state `runs` runs whose workers all died leave a job in (the SIGKILL test makes one for real)."""
    if settings.redis_url:
        redis = Redis.from_url(settings.redis_url)
        await redis.hset(f"summarise:job:{job_id}", "runs", runs)  # arq: still in the queue, taken over
        await redis.aclose()
        return
    with sqlite3.connect(settings.jobs_path) as db:
        db.execute(
            "UPDATE jobs SET status = 'running', runs = ?, lease_owner = 'dead', lease_until = 0 WHERE id = ?",
            (runs, job_id),
        )


async def test_a_job_whose_every_run_ended_without_a_result_is_abandoned_and_the_callback_says_so(
    job_settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any], receiver_factory: Any
) -> None:
    receiver, url = receiver_factory([200])
    no_workers = job_settings.model_copy(update={"job_workers": 0})
    async with client_for(no_workers, model_server) as api:
        accepted = await api.post("/v1/jobs", json={"articles": [seed_article], "callback_url": url})
        job_id = accepted.json()["jobs"][0]["id"]
    await _leave_as_after_lost_runs(job_settings, job_id, runs=1 + job_settings.job_takeovers)
    async with client_for(job_settings, model_server) as with_worker:
        view = await finished(with_worker, job_id)

    assert view["status"] == "failed"
    assert view["error"]["type"].endswith("/job-abandoned")
    assert "3 runs" in view["error"]["detail"]
    assert view["callback"]["status"] == "delivered"
    ((_, body),) = receiver.received
    assert json.loads(body)["job"]["status"] == "failed"
    assert not any(call.request.url.path.endswith("/chat/completions") for call in model_server.calls)
