"""Our API on a real socket (uvicorn), against a real mock model server on loopback: what an in-process
test client cannot show — concurrent bursts, a request body streamed without a length, SIGTERM."""

import asyncio
import contextlib
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.api.app import create_app
from service.settings import Settings
from tests.live_servers import api_process, mock_model_app, serving

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def slow_model() -> Iterator[str]:
    with serving(mock_model_app(delay_s=0.3)) as url:
        yield f"{url}/v1"


def api_settings(model_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        base_url=model_url,
        model="test-model",
        model_cache_dir=tmp_path,
        log_level="WARNING",
        **overrides,
    )


async def test_a_burst_beyond_the_queue_gets_503_at_once_and_the_rest_are_served(
    slow_model: str, tmp_path: Path, seed_article: dict[str, Any]
) -> None:
    app = create_app(api_settings(slow_model, tmp_path, max_concurrent_summaries=1, max_queued_summaries=2))
    with serving(app) as api:
        async with httpx.AsyncClient(base_url=api, timeout=30) as client:
            started = time.monotonic()
            responses = await asyncio.gather(*(client.post("/v1/summaries", json=seed_article) for _ in range(6)))
            elapsed = time.monotonic() - started

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 200, 503, 503, 503]  # one running, two queued, three refused at once
    refused = next(r for r in responses if r.status_code == 503)
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"].endswith("/overloaded")
    assert refused.headers["retry-after"] == "5"
    assert elapsed >= 0.9  # three summaries one after another, each at least one 0.3 s model round


def test_a_100_mb_body_without_a_length_is_refused_before_it_is_read_whole(slow_model: str, tmp_path: Path) -> None:
    app = create_app(api_settings(slow_model, tmp_path, max_body_bytes=1_000_000))
    chunk = b"x" * 100_000
    sent = 0
    with serving(app) as api, socket.create_connection(("127.0.0.1", int(api.rsplit(":", 1)[1])), timeout=10) as conn:
        conn.sendall(
            b"POST /v1/summaries HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        reply = b""
        try:
            # 100 MB if the server kept reading: more than a loopback socket's kernel buffers hold (up to
            # ~36 MB with Linux's default autotuning), so the client blocks unless the server refuses.
            for _ in range(1000):
                conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += 1
                conn.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    reply += conn.recv(65536)
                conn.setblocking(True)
                if reply:
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass
        conn.settimeout(5)
        while b"\r\n\r\n" not in reply:
            more = conn.recv(65536)
            if not more:
                break
            reply += more

    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert b"application/problem+json" in reply
    assert sent < 1000  # refused while the client was still sending


def test_sigterm_lets_the_request_in_flight_finish_then_exits_cleanly(
    tmp_path: Path, seed_article: dict[str, Any]
) -> None:
    with serving(mock_model_app(delay_s=1.5)) as model:
        env = {
            "SUMMARISE_BASE_URL": f"{model}/v1",
            "SUMMARISE_MODEL": "test-model",
            "SUMMARISE_MODEL_CACHE_DIR": str(tmp_path),
        }
        log_file = tmp_path / "server.log"
        with api_process(env, log_file) as (process, url):
            result: dict[str, httpx.Response] = {}
            request = threading.Thread(
                target=lambda: result.update(response=httpx.post(f"{url}/v1/summaries", json=seed_article, timeout=30))
            )
            request.start()
            time.sleep(0.7)  # the summary is now waiting for the model (1.5 s)
            process.send_signal(signal.SIGTERM)
            request.join(timeout=30)
            exit_code = process.wait(timeout=30)
        logs = log_file.read_text()

    assert result["response"].status_code == 200, result["response"].text
    assert result["response"].json()["participants"]
    assert exit_code in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once it has shut down cleanly
    assert "Application shutdown complete" in logs  # the lifespan ran: the model client (and server) stopped
    assert logs.index("Shutting down") < logs.index('"path": "/v1/summaries"')  # it finished after SIGTERM
    assert "Traceback" not in logs
