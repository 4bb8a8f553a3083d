"""SIGTERM with a summary still waiting for the model: the server drains for SUMMARISE_DRAIN_S, not for the
whole request budget, so it stops inside the orchestrator's grace (Kubernetes 30 s, Docker 10 s) instead of
being killed with the model still loaded."""

import contextlib
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live_servers import api_process, mock_model_app, serving

pytestmark = pytest.mark.timeout(120)

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
