"""Issue 15, rows 10 and 11: an empty Idempotency-Key is no key, and a key belongs to its route; a job's
article is refused on submission by the limits /v1/summaries applies, not accepted and failed later."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from service.api.access import hash_key
from service.api.app import create_app
from service.settings import Settings
from tests.factories import ModelServer

Client = AsyncTestClient[Any]


KEY = "sk-sum-client-a"


@pytest.fixture
async def client(settings: Settings, answering: ModelServer) -> AsyncIterator[Client]:
    """One API key (sent on every request), no job workers: jobs stay queued."""
    app = create_app(settings.model_copy(update={"job_workers": 0, "api_key_hashes": [hash_key(KEY)]}))
    async with AsyncTestClient(app=app) as client:
        client.headers["X-API-Key"] = KEY
        yield client


@pytest.mark.parametrize("empty", ["", " "])
async def test_row10_an_empty_idempotency_key_is_no_key(
    client: Client, answering: ModelServer, seed_article: dict[str, Any], empty: str
) -> None:
    headers = {"Idempotency-Key": empty, "Cache-Control": "no-cache"}
    first = await client.post("/v1/summaries", json=seed_article, headers=headers)
    other = await client.post("/v1/summaries", json={**seed_article, "title": "Another title"}, headers=headers)

    assert first.status_code == other.status_code == 200, other.text
    assert "idempotent-replayed" not in other.headers
    assert other.json()["meta"]["cached"] is False


async def test_row10_the_same_key_on_another_route_is_another_key(
    client: Client, answering: ModelServer, seed_article: dict[str, Any]
) -> None:
    headers = {"Idempotency-Key": "save-7f3a"}
    summary = await client.post("/v1/summaries", json=seed_article, headers=headers)
    jobs = await client.post("/v1/jobs", json={"articles": [seed_article]}, headers=headers)
    jobs_again = await client.post("/v1/jobs", json={"articles": [seed_article]}, headers=headers)

    assert summary.status_code == 200
    assert jobs.status_code == 202, jobs.text
    assert "idempotent-replayed" not in jobs.headers
    assert jobs_again.headers["idempotent-replayed"] == "true"  # still one key per route
    assert jobs_again.json() == jobs.json()


async def test_row11_a_job_article_over_the_text_limit_is_refused_on_submission(
    client: Client, seed_article: dict[str, Any], settings: Settings
) -> None:
    too_long = {"text": "word " * (settings.max_text_chars // 5) + "x"}  # 60,001 characters
    assert len(too_long["text"]) == settings.max_text_chars + 1

    refused = await client.post("/v1/jobs", json={"articles": [seed_article, too_long]})
    summaries_says = await client.post("/v1/summaries", json=too_long)

    assert refused.status_code == 413, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["type"].endswith("/article-too-long")
    assert problem["detail"] == f"articles[1]: {summaries_says.json()['detail']}"
    assert summaries_says.status_code == 413
