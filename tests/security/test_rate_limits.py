"""Issue 15, row 12: callers without a valid key are rate-limited by their address (a 401 flood is limited,
and a bogus key gets no bucket of its own); the address is the peer's unless SUMMARISE_FORWARDED_ALLOW_IPS
names the proxy in front (uvicorn by itself trusts X-Forwarded-For from 127.0.0.1)."""

import base64
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from litestar.testing import AsyncTestClient

from service.api.access import hash_key
from service.api.app import create_app
from service.settings import Settings
from tests.factories import ModelServer, models_list
from tests.live_servers import api_process

KEY = "sk-sum-client-a"


async def test_row12_a_401_flood_is_limited_by_address_and_bogus_keys_get_no_bucket(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    model_server.get("/models").mock(return_value=models_list())
    model_server.post("/chat/completions").mock(side_effect=ModelServer())
    app = create_app(settings.model_copy(update={"api_key_hashes": [hash_key(KEY)], "rate_limit_per_minute": 3}))
    async with AsyncTestClient(app=app) as client:
        flood = [
            (await client.post("/v1/summaries", json=seed_article, headers={"X-API-Key": f"bogus-{n}"})).status_code
            for n in range(5)
        ]
        anonymous = await client.post("/v1/summaries", json=seed_article)
        valid = await client.post("/v1/summaries", json=seed_article, headers={"X-API-Key": KEY})

    assert flood == [401, 401, 401, 429, 429]  # one bucket for the address, whatever key it makes up
    assert anonymous.status_code == 429
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    assert valid.status_code == 200  # a valid key has its own bucket: a flood from its address does not lock it out


async def test_row12_a_valid_key_sent_as_basic_auth_keeps_its_own_bucket(
    settings: Settings, model_server: respx.MockRouter
) -> None:
    app = create_app(settings.model_copy(update={"api_key_hashes": [hash_key(KEY)], "rate_limit_per_minute": 2}))
    basic = "Basic " + base64.b64encode(f"superdesk:{KEY}".encode()).decode()
    async with AsyncTestClient(app=app) as client:
        flood = [(await client.post("/v1/summaries", json={"text": "x"})).status_code for _ in range(3)]
        feedback = await client.post(
            "/v1/imatrics/article/store", json={"pubStatus": True}, headers={"Authorization": basic}
        )

    assert flood == [401, 401, 429]
    assert feedback.status_code == 200, feedback.text  # the iMatrics client's key, not its address


def forwarded_statuses(url: str) -> list[int]:
    """Three requests, each claiming another client address in X-Forwarded-For."""
    return [
        httpx.get(f"{url}/v1/jobs/none", headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code for n in range(3)
    ]


@pytest.mark.parametrize(("trusted", "statuses"), [(None, [404, 404, 429]), ("127.0.0.1", [404, 404, 404])])
def test_row12_x_forwarded_for_counts_only_from_a_configured_proxy(
    tmp_path: Path, trusted: str | None, statuses: list[int]
) -> None:
    env = {
        "SUMMARISE_BASE_URL": "http://127.0.0.1:9/v1",  # never asked: these requests need no model
        "SUMMARISE_MODEL": "test-model",
        "SUMMARISE_MODEL_CACHE_DIR": str(tmp_path),
        "SUMMARISE_RATE_LIMIT_PER_MINUTE": "2",
        "SUMMARISE_JOB_WORKERS": "0",
        **({"SUMMARISE_FORWARDED_ALLOW_IPS": trusted} if trusted else {}),
    }
    with api_process(env, tmp_path / "server.log") as (_, url):
        # loopback, as a client on the same host (or a proxy not configured) would come
        assert forwarded_statuses(url) == statuses
