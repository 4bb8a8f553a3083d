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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "model_first: NER off (SUMMARISE_NER_PIPELINES empty), participants are the model's own list, as for a "
        "language without a pipeline; for tests about that path (the default settings run NER, as production does)",
    )


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """As production runs: NER on, with the default pipeline (spaCy loads it once per process: `load_ner` is
    cached), so the participants come from code and the model is asked three questions. A test marked
    `model_first` runs with NER off: the model is asked who takes part too."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        base_url=MODEL_URL,
        model="test-model",
        reasks=1,
        transient_attempts=3,
        request_budget_s=20,
        model_cache_dir=tmp_path,
    )
    if request.node.get_closest_marker("model_first"):
        return settings.model_copy(update={"ner_pipelines": []})
    return settings


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
