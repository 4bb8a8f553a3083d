"""API keys, rate limits, the admission gate, request ids, logs and metrics, as a client and an operator see them."""

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import respx
from litestar.testing import AsyncTestClient

from service.api.access import hash_key
from service.api.app import create_app
from service.settings import Settings
from tests.factories import SEED_QUESTIONS, ModelServer, models_list
from tests.live_servers import redis_server

Client = AsyncTestClient[Any]
KEY = "sk-sum-test-key-one"
OTHER_KEY = "sk-sum-test-key-two"


@asynccontextmanager
async def client_for(settings: Settings, **overrides: Any) -> AsyncIterator[Client]:
    async with AsyncTestClient(app=create_app(settings.model_copy(update=overrides))) as client:
        yield client


def answering(model_server: respx.MockRouter) -> respx.Route:
    model_server.get("/models").mock(return_value=models_list())
    return model_server.post("/chat/completions").mock(side_effect=ModelServer())


# --- API keys -------------------------------------------------------------------------------------


async def test_without_configured_keys_no_key_is_needed(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    answering(model_server)

    assert (await api.post("/v1/summaries", json=seed_article)).status_code == 200


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"),
        ({"Authorization": "Bearer sk-sum-wrong"}, "the API key is not valid"),
        ({"X-API-Key": "sk-sum-wrong"}, "the API key is not valid"),
        ({"Authorization": f"Basic {KEY}"}, "send an API key"),
        ({"Authorization": hash_key(KEY)}, "send an API key"),  # the hash itself is not a key
    ],
)
async def test_with_keys_configured_a_missing_or_wrong_key_is_a_401_problem(
    settings: Settings,
    model_server: respx.MockRouter,
    seed_article: dict[str, Any],
    headers: dict[str, str],
    detail: str,
) -> None:
    route = answering(model_server)
    async with client_for(settings, api_key_hashes=[hash_key(KEY), hash_key(OTHER_KEY)]) as client:
        response = await client.post("/v1/summaries", json=seed_article, headers=headers)

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"] == 'Bearer realm="summarise"'
    assert response.json()["type"].endswith("/unauthorized")
    assert response.json()["detail"].startswith(detail)
    assert not route.called


@pytest.mark.parametrize(
    "headers", [{"Authorization": f"Bearer {KEY}"}, {"authorization": f"bearer {OTHER_KEY}"}, {"X-API-Key": KEY}]
)
async def test_with_keys_configured_either_header_lets_a_valid_key_in(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any], headers: dict[str, str]
) -> None:
    answering(model_server)
    async with client_for(settings, api_key_hashes=[hash_key(KEY), hash_key(OTHER_KEY)]) as client:
        response = await client.post("/v1/summaries", json=seed_article, headers=headers)

    assert response.status_code == 200, response.text


async def test_probes_metrics_and_docs_need_no_key(settings: Settings, model_server: respx.MockRouter) -> None:
    answering(model_server)
    async with client_for(settings, api_key_hashes=[hash_key(KEY)]) as client:
        statuses = [
            (await client.get(path)).status_code for path in ("/health", "/ready", "/metrics", "/docs/openapi.json")
        ]

    assert statuses == [200, 200, 200, 200]


def test_a_key_pasted_where_its_hash_belongs_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError, match="64 hex characters") as error:
        Settings(_env_file=None, api_key_hashes=KEY)  # type: ignore[call-arg]

    assert KEY not in str(error.value)


def test_key_hashes_come_comma_separated_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARISE_API_KEY_HASHES", f"{hash_key(KEY)}, {hash_key(OTHER_KEY).upper()}")

    assert Settings(_env_file=None).api_key_hashes == [hash_key(KEY), hash_key(OTHER_KEY)]  # type: ignore[call-arg]


# --- rate limits and the admission gate -----------------------------------------------------------


async def test_the_rate_limit_is_per_key_and_says_when_to_come_back(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    answering(model_server)
    one, other = {"X-API-Key": KEY}, {"X-API-Key": OTHER_KEY}
    async with client_for(
        settings, api_key_hashes=[hash_key(KEY), hash_key(OTHER_KEY)], rate_limit_per_minute=2
    ) as client:
        first = [(await client.post("/v1/summaries", json=seed_article, headers=one)).status_code for _ in range(2)]
        limited = await client.post("/v1/summaries", json=seed_article, headers=one)
        other_key = await client.post("/v1/summaries", json=seed_article, headers=other)
        health = await client.get("/health", headers=one)

    assert first == [200, 200]
    assert limited.status_code == 429
    assert limited.headers["content-type"].startswith("application/problem+json")
    assert limited.json()["type"].endswith("/rate-limited")
    assert "over the limit of 2 requests per minute" in limited.json()["detail"]
    assert 0 < int(limited.headers["retry-after"]) <= 60
    assert limited.headers["ratelimit-remaining"] == "0"
    assert other_key.status_code == 200
    assert health.status_code == 200  # probes are not counted


# --- request ids, logs, metrics -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "echoed"),
    [("cms-7f3a:item-42", "cms-7f3a:item-42"), ("has spaces & <html>", None), ("x" * 200, None), (None, None)],
)
async def test_the_request_id_is_echoed_or_made(
    api: Client, model_server: respx.MockRouter, sent: str | None, echoed: str | None
) -> None:
    headers = {"X-Request-ID": sent} if sent else {}

    responses = [await api.get("/health", headers=headers), await api.get("/no-such-page", headers=headers)]

    for response in responses:
        request_id = response.headers["x-request-id"]
        assert request_id == echoed if echoed else len(request_id) == 32  # a fresh uuid4 hex


async def test_logs_are_json_with_the_request_id_and_never_the_article_or_the_key(
    settings: Settings,
    model_server: respx.MockRouter,
    seed_article: dict[str, Any],
    capfd: pytest.CaptureFixture[str],
) -> None:
    answering(model_server)
    async with client_for(settings, api_key_hashes=[hash_key(KEY)]) as client:
        response = await client.post(
            "/v1/summaries", json=seed_article, headers={"Authorization": f"Bearer {KEY}", "X-Request-ID": "req-1"}
        )
    assert response.status_code == 200
    logging.getLogger().handlers[-1].flush()

    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")]

    ours = [line for line in lines if line.get("request_id") == "req-1"]
    events = [line["event"] for line in ours]
    assert events.count("model_answer") == len(SEED_QUESTIONS)  # who takes part: NER's
    assert events[-2:] == ["summary", "request"]
    request_line = ours[-1]
    assert request_line["status"] == 200
    assert request_line["key_id"] == hash_key(KEY)[:12]
    answer_line = next(line for line in ours if line["event"] == "model_answer")
    assert {"latency_ms", "answers", "retries", "prompt_tokens", "completion_tokens"} <= set(answer_line)
    everything = "\n".join(json.dumps(line) for line in lines)
    assert KEY not in everything
    assert "Special Envoy Steve Witkoff said" not in everything  # a phrase of the article


async def test_metrics_count_requests_model_calls_tokens_and_drops(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    def metric(text: str, name: str) -> float:
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name))

    answering(model_server)
    before = (await api.get("/metrics")).text
    article = {**seed_article, "text": seed_article["text"]}
    await api.post("/v1/summaries", json=article)
    after = (await api.get("/metrics")).text

    def grew(name: str) -> float:
        return metric(after, name) - metric(before, name)

    assert (
        grew('summarise_requests_total{app_name="summarise",method="POST",path="/v1/summaries",status_code="200"}') == 1
    )
    assert grew('summarise_model_calls_total{outcome="answered"}') == len(SEED_QUESTIONS)  # who takes part is NER's
    assert grew('summarise_model_tokens_total{kind="prompt"}') == len(SEED_QUESTIONS) * 900
    assert grew('summarise_summaries_total{outcome="ok"}') == 1
    assert grew("summarise_summary_seconds_count") == 1
    assert grew('summarise_dropped_items_total{kind="participant"}') == 0  # the seed answers are all grounded


async def test_replicas_sharing_redis_share_one_rate_limit_per_key(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    answering(model_server)
    limits = {"api_key_hashes": [hash_key(KEY)], "rate_limit_per_minute": 3}
    headers = {"X-API-Key": KEY}
    with redis_server() as redis_url:
        async with (
            client_for(settings, redis_url=redis_url, **limits) as replica_a,
            client_for(settings, redis_url=redis_url, **limits) as replica_b,
        ):
            statuses = [
                (await replica.post("/v1/summaries", json=seed_article, headers=headers)).status_code
                for replica in (replica_a, replica_b, replica_a, replica_b)
            ]

    assert statuses == [200, 200, 200, 429]  # one count across both replicas, not three each
