"""Issue 15, rows 7 and 13: HTML bodies are converted off the event loop, within a bound checked before
converting, and deeply nested HTML keeps its text."""

import asyncio
import threading
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx
import inscriptis
import pytest
from inscriptis import Inscriptis
from litestar.testing import AsyncTestClient

from service.api.app import create_app
from service.settings import Settings
from tests.factories import ModelServer
from tests.live_servers import mock_model_app, serving

Client = AsyncTestClient[Any]


class Conversions:
    """inscriptis's converter, run for real, that reports when a conversion starts and holds its end until
    the test lets it go: the test then knows what the service answered while a conversion was running."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.events: list[str] = []
        self.count = 0

    def converter(self) -> type[Inscriptis]:
        conversions = self

        class Observed(Inscriptis):
            def get_text(self) -> str:
                conversions.count += 1
                conversions.started.set()
                conversions.release.wait(timeout=5)  # on the event loop (the defect) this blocks it for 5 s
                conversions.events.append("converted")
                text: str = super().get_text()
                return text

        return Observed


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> Conversions:
    observed = Conversions()
    monkeypatch.setattr(inscriptis, "Inscriptis", observed.converter())
    return observed


def table(cells: int) -> str:
    rows = "".join("<tr>" + "<td>4.2</td>" * 50 + "</tr>" for _ in range(cells // 50))
    return f"<p>The council published its budget on Monday.</p><table>{rows}</table>"


@pytest.mark.timeout(60)
async def test_row_7_health_answers_while_an_html_body_converts(tmp_path: Path, conversions: Conversions) -> None:
    """On a real socket: Litestar's test client runs the app in a portal and waits for each request."""
    item = {"uri": "urn:x", "body_html": table(9_000), "language": "en"}
    with serving(mock_model_app()) as model:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            base_url=f"{model}/v1",
            model="test-model",
            model_cache_dir=tmp_path,
            log_level="WARNING",
        )
        with serving(create_app(settings)) as api:
            async with httpx.AsyncClient(base_url=api, timeout=30) as client:
                summary = asyncio.create_task(client.post("/v1/ninjs/summaries", json=item))
                assert await anyio.to_thread.run_sync(conversions.started.wait, 10)
                health = await client.get("/health")
                conversions.events.append("health answered")
                conversions.release.set()
                response = await summary

    assert health.status_code == 200
    assert conversions.events == ["health answered", "converted"]  # on the loop: ["converted", "health answered"]
    assert response.status_code != 500


async def test_row_7_an_html_body_over_the_bound_is_a_413_before_any_conversion(
    api: Client, answering: ModelServer, conversions: Conversions
) -> None:
    conversions.release.set()
    item = {"uri": "urn:x", "body_html": table(60_000)}  # the probe's 840 KB table of 60,000 cells

    response = await api.post("/v1/ninjs/summaries", json=item)

    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "more than 10,000 elements" in response.json()["detail"]
    assert conversions.count == 0
    assert not answering.asked


@pytest.mark.parametrize("depth", [300, 1000])
async def test_row_13_deeply_nested_html_keeps_its_text(api: Client, answering: ModelServer, depth: int) -> None:
    sentence = "The council published its budget on Monday."
    item = {"uri": "urn:x", "body_html": "<div>" * depth + sentence + "</div>" * depth, "language": "en"}

    response = await api.post("/v1/ninjs/summaries", json=item)

    assert response.status_code != 422, response.text
    assert response.json()["text"] == sentence
