"""The summary cache and Idempotency-Key replays, as a CMS retrying on save would meet them."""

import asyncio
from pathlib import Path
from typing import Any

import pytest
import respx
from litestar.stores.memory import MemoryStore
from litestar.testing import AsyncTestClient

from service.api.access import hash_key
from service.api.app import create_app
from service.api.idempotency import Idempotency
from service.errors import IdempotencyKeyInProgress, IdempotencyKeyReused, ModelServerError
from service.settings import Settings
from tests.factories import SEED_QUESTIONS, ModelServer, Reply, error

Client = AsyncTestClient[Any]
QUESTIONS = SEED_QUESTIONS
ASKED = len(QUESTIONS)  # for one summary of the seed: who takes part is code's (NER)


def serve(model_server: respx.MockRouter, server: ModelServer) -> ModelServer:
    model_server.post("/chat/completions").mock(side_effect=server)
    return server


# --- cache ----------------------------------------------------------------------------------------


async def test_the_same_article_again_comes_from_the_cache_without_the_model(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    server = serve(model_server, ModelServer())

    first = await api.post("/v1/summaries", json=seed_article)
    again = await api.post("/v1/summaries", json={**seed_article, "id": "cms-42"})

    assert len(server.asked) == ASKED  # only the first request asked the model
    assert first.json()["meta"]["cached"] is False
    assert again.json()["meta"]["cached"] is True
    assert again.json()["id"] == "cms-42"  # the caller's own reference, not the first caller's
    assert again.json()["participants"] == first.json()["participants"]


@pytest.mark.parametrize(
    "change", [{"published": "2026-02-25"}, {"language": "de"}, {"title": "Another title"}, {"text_suffix": " More."}]
)
async def test_a_different_article_or_option_is_not_a_cache_hit(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any], change: dict[str, str]
) -> None:
    server = serve(model_server, ModelServer())
    other = {**seed_article, **change}
    if suffix := other.pop("text_suffix", None):
        other["text"] += suffix

    await api.post("/v1/summaries", json=seed_article)
    response = await api.post("/v1/summaries", json=other)

    assert response.json()["meta"]["cached"] is False
    assert len(server.asked) >= 6  # all three asked again (tagged German, the English summary a fourth time)


async def test_cache_control_no_cache_makes_a_new_summary(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    server = serve(model_server, ModelServer())

    await api.post("/v1/summaries", json=seed_article)
    fresh = await api.post("/v1/summaries", json=seed_article, headers={"Cache-Control": "no-cache"})

    assert fresh.json()["meta"]["cached"] is False
    assert len(server.asked) >= 6  # all three asked again (tagged German, the English summary a fourth time)


async def test_the_cache_survives_a_restart(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    server = serve(model_server, ModelServer())
    async with AsyncTestClient(app=create_app(settings)) as client:
        await client.post("/v1/summaries", json=seed_article)
    async with AsyncTestClient(app=create_app(settings)) as restarted:
        response = await restarted.post("/v1/summaries", json=seed_article)

    assert response.json()["meta"]["cached"] is True
    assert len(server.asked) == ASKED


async def test_with_the_cache_off_every_request_asks_the_model(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    server = serve(model_server, ModelServer())
    async with AsyncTestClient(app=create_app(settings.model_copy(update={"cache_ttl_s": 0}))) as client:
        for _ in range(2):
            await client.post("/v1/summaries", json=seed_article)

    assert len(server.asked) >= 6  # all three asked again (tagged German, the English summary a fourth time)


# --- Idempotency-Key ------------------------------------------------------------------------------


async def test_a_retry_with_the_same_key_and_body_gets_the_first_answer(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    server = serve(model_server, ModelServer())
    headers = {"Idempotency-Key": "save-7f3a", "Cache-Control": "no-cache"}  # no cache: only the key replays
    async with AsyncTestClient(app=create_app(settings)) as client:
        first = await client.post("/v1/summaries", json=seed_article, headers=headers)
        retry = await client.post("/v1/summaries", json=seed_article, headers=headers)

    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert len(server.asked) == ASKED


async def test_the_same_key_with_another_body_is_a_422(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    serve(model_server, ModelServer())
    headers = {"Idempotency-Key": "save-7f3a"}

    await api.post("/v1/summaries", json=seed_article, headers=headers)
    reused = await api.post("/v1/summaries", json={**seed_article, "title": "Changed"}, headers=headers)

    assert reused.status_code == 422
    assert reused.headers["content-type"].startswith("application/problem+json")
    assert reused.json()["type"].endswith("/idempotency-key-reused")


@pytest.mark.parametrize(
    "other", [{"title": "Another client's article"}, {}], ids=["another article", "the same article"]
)
async def test_keys_belong_to_their_api_key(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any], other: dict[str, str]
) -> None:
    server = serve(model_server, ModelServer())
    app = create_app(settings.model_copy(update={"api_key_hashes": [hash_key("key-a"), hash_key("key-b")]}))
    async with AsyncTestClient(app=app) as client:
        a = await client.post(
            "/v1/summaries", json=seed_article, headers={"X-API-Key": "key-a", "Idempotency-Key": "k1"}
        )
        b = await client.post(
            "/v1/summaries",
            json={**seed_article, **other},
            headers={"X-API-Key": "key-b", "Idempotency-Key": "k1", "Cache-Control": "no-cache"},  # only a key replays
        )

    # The same key string, two clients: no clash (another article would be a 422, the same one a's answer replayed).
    assert (a.status_code, b.status_code) == (200, 200)
    assert "idempotent-replayed" not in b.headers
    assert len(server.asked) == 2 * ASKED  # b's answer was made for b


async def test_a_failed_request_can_be_retried_with_the_same_key(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    failing: dict[str, Reply | list[Reply]] = {q: error(500) for q in QUESTIONS}
    model_server.post("/chat/completions").mock(side_effect=ModelServer(failing))
    headers = {"Idempotency-Key": "save-1"}

    failed = await api.post("/v1/summaries", json=seed_article, headers=headers)
    model_server.post("/chat/completions").mock(side_effect=ModelServer())
    retried = await api.post("/v1/summaries", json=seed_article, headers=headers)

    assert failed.status_code == 502
    assert retried.status_code == 200
    assert "idempotent-replayed" not in retried.headers


async def test_a_second_request_while_the_first_runs_is_a_409_and_another_body_a_422() -> None:
    replays = Idempotency(MemoryStore(), ttl_s=60, running_ttl_s=60)
    release = asyncio.Event()

    async def slow() -> dict[str, Any]:
        await release.wait()
        return {"summary": "done"}

    first = asyncio.create_task(replays.run("key:a", "k", {"text": "x"}, slow))
    await asyncio.sleep(0)
    with pytest.raises(IdempotencyKeyInProgress):
        await replays.run("key:a", "k", {"text": "x"}, slow)
    with pytest.raises(IdempotencyKeyReused):
        await replays.run("key:a", "k", {"text": "y"}, slow)
    release.set()

    assert await first == ({"summary": "done"}, False)
    assert await replays.run("key:a", "k", {"text": "x"}, slow) == ({"summary": "done"}, True)


async def test_a_crashed_request_frees_its_key(tmp_path: Path) -> None:
    replays = Idempotency(MemoryStore(), ttl_s=60, running_ttl_s=60)

    async def boom() -> dict[str, Any]:
        raise ModelServerError("model server failed")

    with pytest.raises(ModelServerError):
        await replays.run("key:a", "k", {"text": "x"}, boom)

    async def fine() -> dict[str, Any]:
        return {"summary": "ok"}

    assert await replays.run("key:a", "k", {"text": "x"}, fine) == ({"summary": "ok"}, False)
