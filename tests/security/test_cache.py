"""Issue 15, row 9: the summary cache is scoped per API key and never replays another request's warnings;
an absent published date and the CMS placeholders 9999-12-31 and 0001-01-01 are three entries, not one."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from service.api.access import hash_key
from service.api.app import create_app
from service.settings import Settings
from tests.factories import ModelServer

Client = AsyncTestClient[Any]
A, B = {"X-API-Key": "sk-sum-client-a"}, {"X-API-Key": "sk-sum-client-b"}


@pytest.fixture
async def two_keys(settings: Settings, answering: ModelServer) -> AsyncIterator[Client]:
    keys = [hash_key(A["X-API-Key"]), hash_key(B["X-API-Key"])]
    async with AsyncTestClient(app=create_app(settings.model_copy(update={"api_key_hashes": keys}))) as client:
        yield client


async def test_row9_cache_is_scoped_per_key_and_never_replays_another_keys_warnings(
    two_keys: Client, answering: ModelServer, seed_article: dict[str, Any]
) -> None:
    a_first = await two_keys.post("/v1/summaries", json={**seed_article, "embargo_until_for_client_A": 1}, headers=A)
    asked_for_a = len(answering.asked)
    b = await two_keys.post("/v1/summaries", json=seed_article, headers=B)
    a_again = await two_keys.post("/v1/summaries", json=seed_article, headers=A)

    assert a_first.status_code == b.status_code == a_again.status_code == 200
    assert "ignored unknown fields: embargo_until_for_client_A" in a_first.json()["meta"]["warnings"]
    # B is not told that A summarised this text, nor given A's warnings.
    assert b.json()["meta"]["cached"] is False
    assert len(answering.asked) == 2 * asked_for_a
    assert not any("embargo_until_for_client_A" in warning for warning in b.json()["meta"]["warnings"])
    # A's own entry serves A again, with this request's warnings.
    assert a_again.json()["meta"]["cached"] is True
    assert len(answering.asked) == 2 * asked_for_a
    assert not any("embargo_until_for_client_A" in warning for warning in a_again.json()["meta"]["warnings"])


async def test_row9_request_warnings_are_recomputed_on_every_cache_hit(
    api: Client, answering: ModelServer, seed_article: dict[str, Any]
) -> None:
    first = await api.post("/v1/summaries", json={**seed_article, "x_first": 1})
    plain = await api.post("/v1/summaries", json=seed_article)
    second = await api.post("/v1/summaries", json={**seed_article, "x_second": 2})

    assert [plain.json()["meta"]["cached"], second.json()["meta"]["cached"]] == [True, True]
    assert "ignored unknown fields: x_first" in first.json()["meta"]["warnings"]
    assert plain.json()["meta"]["warnings"] == [w for w in first.json()["meta"]["warnings"] if "x_first" not in w]
    assert "ignored unknown fields: x_second" in second.json()["meta"]["warnings"]
    assert not any("x_first" in warning for warning in second.json()["meta"]["warnings"])
    assert second.json()["meta"]["warnings"][1:] == plain.json()["meta"]["warnings"]  # the same order as fresh


async def test_row9_absent_and_placeholder_published_dates_do_not_share_an_entry(
    api: Client, answering: ModelServer, seed_article: dict[str, Any]
) -> None:
    article = {key: value for key, value in seed_article.items() if key != "published"}
    responses = [
        await api.post("/v1/summaries", json=body)
        for body in (article, {**article, "published": "9999-12-31"}, {**article, "published": "0001-01-01"})
    ]

    assert [response.json()["meta"]["cached"] for response in responses] == [False, False, False]
    absent, future, ancient = (response.json()["meta"]["warnings"] for response in responses)
    assert any(warning.startswith("no publication date given") for warning in absent)
    assert any("published 9999-12-31 is not a plausible" in warning for warning in future)
    assert any("published 0001-01-01 is not a plausible" in warning for warning in ancient)
    assert not any("no publication date given" in warning for warning in future + ancient)
