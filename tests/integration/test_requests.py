"""Bad requests get RFC 9457 problems and never reach the model; health, readiness and the OpenAPI page."""

from typing import Any

import pytest
import respx
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from tests.factories import models_list

Client = AsyncTestClient[Any]


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({}, 422, "text: Field required"),
        ({"text": ""}, 422, "text is empty"),
        ({"text": " \n\t "}, 422, "text is empty"),
        ({"text": "An article.", "published": "next Tuesday"}, 422, "published"),
        ({"text": "An article.", "published": "2026-02-30"}, 422, "published"),
        ({"text": "An article.", "language": "not a language!"}, 422, "language"),
        ({"text": "An article.", "colour": "blue"}, 422, "colour"),
        ({"text": 42}, 422, "text"),
        ({"text": "An article with a NUL \u0000 inside."}, 422, "NUL"),
    ],
)
async def test_invalid_bodies_are_422_problems(
    api: Client, model_server: respx.MockRouter, body: dict[str, Any], status: int, detail: str
) -> None:
    route = model_server.post("/chat/completions")

    response = await api.post("/v1/summaries", json=body)

    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status
    assert detail in problem["detail"]
    assert not route.called


async def test_text_over_the_limit_is_413(settings: Settings, model_server: respx.MockRouter) -> None:
    route = model_server.post("/chat/completions")
    app = create_app(settings.model_copy(update={"max_text_chars": 1000}))
    async with AsyncTestClient(app=app) as client:
        response = await client.post("/v1/summaries", json={"text": "word " * 300})

    assert response.status_code == 413
    assert response.json()["detail"] == "text has 1500 characters; the limit is 1000"
    assert not route.called


async def test_a_body_over_the_limit_is_413_before_it_is_parsed(
    settings: Settings, model_server: respx.MockRouter
) -> None:
    app = create_app(settings.model_copy(update={"max_body_bytes": 10_000}))
    async with AsyncTestClient(app=app) as client:
        response = await client.post("/v1/summaries", json={"text": "x" * 20_000})

    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"Just the article as plain text.", "text/plain", 415),
        (b"text=hello", "application/x-www-form-urlencoded", 415),
        (b'{"text": "unterminated', "application/json", 400),
        (b"\xff\xfe not utf-8", "application/json", 400),
    ],
)
async def test_bodies_that_are_not_json_are_refused(
    api: Client, model_server: respx.MockRouter, content: bytes, content_type: str, status: int
) -> None:
    route = model_server.post("/chat/completions")

    response = await api.post("/v1/summaries", content=content, headers={"content-type": content_type})

    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert not route.called


async def test_unknown_paths_and_methods_are_problems(api: Client) -> None:
    missing = await api.get("/v1/nothing-here")
    wrong_method = await api.get("/v1/summaries")

    assert missing.status_code == 404
    assert wrong_method.status_code == 405
    assert missing.headers["content-type"].startswith("application/problem+json")


async def test_health_needs_no_model(api: Client, model_server: respx.MockRouter) -> None:
    response = await api.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert not model_server.calls


async def test_ready_when_the_model_server_answers(api: Client, model_server: respx.MockRouter) -> None:
    route = model_server.get("/models").mock(return_value=models_list())

    response = await api.get("/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "model": "test-model"}
    assert route.called


async def test_not_ready_when_the_model_server_is_down(api: Client, model_server: respx.MockRouter) -> None:
    import httpx

    model_server.get("/models").mock(side_effect=httpx.ConnectError("refused"))

    response = await api.get("/ready")

    assert response.status_code == 503
    assert "is not answering" in response.json()["detail"]


async def test_the_openapi_document_describes_the_contract(api: Client) -> None:
    response = await api.get("/docs/openapi.json")

    assert response.status_code == 200
    document = response.json()
    operation = document["paths"]["/v1/summaries"]["post"]
    assert {"200", "413", "415", "422", "502", "503", "504"} <= set(operation["responses"])
    schemas = document["components"]["schemas"]
    assert {"ArticleRequest", "SummaryResponse", "Evidence", "Problem"} <= set(schemas)
    assert schemas["ArticleRequest"]["required"] == ["text"]
