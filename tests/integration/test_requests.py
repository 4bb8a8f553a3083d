"""Bad requests get RFC 9457 problems and never reach the model; health, readiness and the OpenAPI page."""

from typing import Any

import pytest
import respx
from litestar.testing import AsyncTestClient

from service.api.app import create_app
from service.settings import Settings
from tests.factories import ModelServer, models_list

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
        ({"text": 42}, 422, "text"),
        ({"text": "An article with a NUL \u0000 inside."}, 422, "NUL"),
        ({"text": "<html><body><p>Talks in <b>Geneva</b>.</p></body></html>"}, 422, "looks like HTML"),
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
    assert response.json()["detail"] == "the body is larger than the limit of 10,000 bytes"


@pytest.mark.parametrize("published", ["9999-12-31", "0001-01-01T00:00:00Z", "1599-12-31"])
async def test_a_placeholder_publication_date_leaves_relative_dates_unresolved(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any], published: str
) -> None:
    server = ModelServer()
    model_server.post("/chat/completions").mock(side_effect=server)

    response = await api.post("/v1/summaries", json={**seed_article, "published": published})

    assert response.status_code == 200, response.text
    body = response.json()
    assert {(d["start"], d["end"]) for d in body["dates"]} == {(None, None)}
    assert any("not a plausible publication date" in w for w in body["meta"]["warnings"])
    assert "Published: unknown" in server.requests["issues"][0]["messages"][1]["content"]


async def test_unknown_fields_are_ignored_and_named(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    model_server.post("/chat/completions").mock(side_effect=ModelServer())

    response = await api.post("/v1/summaries", json={**seed_article, "publised": "2026-02-24", "colour": "blue"})

    assert response.status_code == 200, response.text
    assert "ignored unknown fields: colour, publised" in response.json()["meta"]["warnings"]


async def test_an_article_in_german_has_its_dates_resolved_in_german(
    api: Client, model_server: respx.MockRouter
) -> None:
    model_server.post("/chat/completions").mock(side_effect=ModelServer())
    article = {
        "text": "Die Gespräche in Genf finden am 26. Februar statt, sagte Außenminister Müller am Dienstag.",
        "published": "2026-02-24",
        "language": "de",
    }

    response = await api.post("/v1/summaries", json=article)

    assert response.status_code == 200, response.text
    dates = {d["text"]: (d["start"], d["end"]) for d in response.json()["dates"]}
    assert dates["26. Februar"] == ("2026-02-26", "2026-02-26")


@pytest.mark.parametrize(
    ("language", "summer"), [("en-GB", "2026-06-01"), ("en-AU", "2025-12-01"), (None, "2026-06-01")]
)
async def test_the_language_tag_says_which_hemisphere_a_season_is_in(
    api: Client, model_server: respx.MockRouter, language: str | None, summer: str
) -> None:
    model_server.post("/chat/completions").mock(side_effect=ModelServer())
    article = {"text": "The council said the pool will reopen this summer.", "published": "2026-01-10"}

    response = await api.post("/v1/summaries", json=article | {"language": language})

    assert response.status_code == 200, response.text
    assert [(d["text"], d["start"]) for d in response.json()["dates"]] == [("this summer", summer)]


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"Just the article as plain text.", "text/plain", 415),
        (b"text=hello", "application/x-www-form-urlencoded", 415),
        (b'{"text": "unterminated', "application/json", 400),
        (b"\xff\xfe not utf-8", "application/json", 400),
        (b'{"text": "caf\xe9 au lait, in Latin-1"}', "application/json", 400),
        (b'{"text": "deep", "title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "application/json", 400),
        (b'{"a": ' * 50_000 + b"1" + b"}" * 50_000, "application/json", 400),
    ],
    ids=["plain-text", "form", "malformed-json", "bom-not-json", "latin-1-in-json", "nested-arrays", "nested-objects"],
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
