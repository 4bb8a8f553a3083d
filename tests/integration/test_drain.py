"""SIGTERM with a summary still waiting for the model: the server drains for SUMMARISE_DRAIN_S, not for the
whole request budget, so it stops inside the orchestrator's grace (Kubernetes 30 s, Docker 10 s) instead of
being killed with the model still loaded. And SIGTERM in the middle of a burst of jobs: nothing lost, nothing
delivered twice, on both stores."""

import contextlib
import json
import signal
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.callbacks import SECRET, backend
from tests.live_servers import Receiver, api_process, mock_model_app, serving

__all__ = ["backend"]  # a fixture, used by name

pytestmark = pytest.mark.timeout(180)

DRAIN_S = 2
MODEL_DELAY_S = 60.0  # far longer than the drain, far shorter than the budget


def test_sigterm_stops_the_server_once_the_drain_is_over(tmp_path: Path, seed_article: dict[str, Any]) -> None:
    slow_model = mock_model_app(delay_s=MODEL_DELAY_S)
    asked = threading.Event()

    async def model_app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].endswith("/chat/completions"):
            asked.set()
        await slow_model(scope, receive, send)

    with serving(model_app) as model:
        env = {
            "SUMMARISE_BASE_URL": f"{model}/v1",
            "SUMMARISE_MODEL": "test-model",
            "SUMMARISE_MODEL_CACHE_DIR": str(tmp_path),
            "SUMMARISE_REQUEST_BUDGET_S": "300",
            "SUMMARISE_DRAIN_S": str(DRAIN_S),
        }
        log_file = tmp_path / "server.log"
        with api_process(env, log_file) as (process, url):

            def post() -> None:
                with contextlib.suppress(httpx.TransportError):  # cut off after the drain: the point here
                    httpx.post(f"{url}/v1/summaries", json=seed_article, timeout=MODEL_DELAY_S + 30)

            threading.Thread(target=post, daemon=True).start()
            assert asked.wait(timeout=30), "the summary never asked the model"
            signalled = time.monotonic()
            process.send_signal(signal.SIGTERM)
            try:
                exit_code: int | None = process.wait(timeout=DRAIN_S + 20)
            except subprocess.TimeoutExpired:
                exit_code = None
            stopped_after_s = time.monotonic() - signalled
        logs = log_file.read_text()

    assert exit_code is not None, f"still running {stopped_after_s:.0f} s after SIGTERM:\n{logs[-2000:]}"
    assert DRAIN_S <= stopped_after_s < 30, stopped_after_s  # drained, and inside Kubernetes' default grace
    assert "Application shutdown complete" in logs  # the lifespan ran: the model client (and server) stopped


BURST = 12


def test_a_replica_stopped_in_the_middle_of_a_burst_hands_its_jobs_over_and_nothing_is_lost_or_sent_twice(
    tmp_path: Path, seed_article: dict[str, Any], backend: str | None
) -> None:
    """SIGTERM while jobs with callbacks and summaries run: the summaries in flight are answered, the jobs
    running are handed back, and the next replica on the same store finishes every job, each callback
    delivered once (on both stores)."""
    receiver = Receiver([200])
    with serving(mock_model_app(delay_s=1.0)) as model, serving(receiver) as hooks:
        env = {
            "SUMMARISE_BASE_URL": f"{model}/v1",
            "SUMMARISE_MODEL": "test-model",
            "SUMMARISE_MODEL_CACHE_DIR": str(tmp_path / "state"),  # both replicas: the same SQLite file
            "SUMMARISE_NER_PIPELINES": "",  # NER off in these replicas: the jobs' hand-over is tested, and each process would load spaCy
            "SUMMARISE_JOB_WORKERS": "3",
            "SUMMARISE_DRAIN_S": "10",
            "SUMMARISE_CACHE_TTL_S": "0",
            "SUMMARISE_WEBHOOK_SECRET": SECRET,
            "SUMMARISE_WEBHOOK_ALLOW_PRIVATE": "true",
            **({"SUMMARISE_REDIS_URL": backend} if backend else {}),
        }
        answered: list[int] = []
        with api_process(env, tmp_path / "first.log") as (first, url):
            ids = [
                httpx.post(
                    f"{url}/v1/jobs",
                    json={"articles": [{**seed_article, "id": f"a{n}"}], "callback_url": f"{hooks}/hook"},
                    timeout=10,
                ).json()["jobs"][0]["id"]
                for n in range(BURST)
            ]

            def summarise() -> None:
                with contextlib.suppress(httpx.TransportError):
                    answered.append(httpx.post(f"{url}/v1/summaries", json=seed_article, timeout=60).status_code)

            deadline = time.monotonic() + 30
            while sum(httpx.get(f"{url}/v1/jobs/{job_id}").json()["status"] == "succeeded" for job_id in ids) < 2:
                assert time.monotonic() < deadline, "the first replica never finished a job"
                time.sleep(0.1)
            asking = [threading.Thread(target=summarise) for _ in range(2)]
            for thread in asking:
                thread.start()
            time.sleep(0.3)  # the summaries are at the model, and so are the jobs
            first.send_signal(signal.SIGTERM)
            exit_code = first.wait(timeout=40)
            for thread in asking:
                thread.join(timeout=30)
        with api_process(env, tmp_path / "second.log") as (_, url):
            deadline = time.monotonic() + 60
            while True:
                views = [httpx.get(f"{url}/v1/jobs/{job_id}").json() for job_id in ids]
                if all(v["status"] == "succeeded" and v["callback"]["status"] != "pending" for v in views):
                    break
                assert time.monotonic() < deadline, [(v["status"], v["callback"]["status"]) for v in views]
                time.sleep(0.2)
        time.sleep(1)  # a second delivery, if there were one, would have arrived by now

    assert exit_code in (0, -signal.SIGTERM)  # uvicorn re-raises the signal it stopped on
    assert answered == [200, 200]  # the summaries in flight were answered within the drain
    assert [v["callback"]["status"] for v in views] == ["delivered"] * BURST
    assert any(v["runs"] == 2 for v in views), "no job was running when the replica stopped"
    delivered = Counter(json.loads(body)["job"]["id"] for _, body in receiver.received)
    assert delivered == dict.fromkeys(ids, 1), delivered
