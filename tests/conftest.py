"""Shared fixtures. The model server is a respx router at a fake address: a request it does not mock
fails the test (assert_all_mocked), and pytest-socket refuses any socket that is not loopback."""

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import respx
from litestar.testing import AsyncTestClient

from service.api.app import create_app
from service.settings import Settings
from tests.factories import ModelServer, models_list

FIXTURES = Path(__file__).parent / "fixtures"
MODEL_URL = "http://model.test/v1"


@pytest.fixture
def seed_article() -> dict[str, Any]:
    article: dict[str, Any] = json.loads((FIXTURES / "seed_geneva.json").read_text(encoding="utf-8"))
    return article


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        base_url=MODEL_URL,
        model="test-model",
        reasks=1,
        transient_attempts=3,
        request_budget_s=20,
        model_cache_dir=tmp_path,
        # Model-first participants (German articles, or NER off); test_named_participants.py runs the
        # default, NER candidates with the ones the model adds.
        ner_pipelines=[],
    )


@pytest.fixture
def model_server() -> Iterator[respx.MockRouter]:
    """The OpenAI-compatible model server, mocked at the HTTP boundary."""
    with respx.mock(base_url=MODEL_URL, assert_all_mocked=True, assert_all_called=False) as router:
        yield router


@pytest.fixture
def answering(model_server: respx.MockRouter) -> ModelServer:
    """The model server answering each question from its script (the seed article's answers by default),
    and listing its model (so /ready passes)."""
    server = ModelServer()
    model_server.get("/models").mock(return_value=models_list())
    model_server.post("/chat/completions").mock(side_effect=server)
    return server


@pytest.fixture
async def api(settings: Settings, model_server: respx.MockRouter) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client


def request_body(route: respx.Route, call: int = -1) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(route.calls[call].request.content)
    return body
