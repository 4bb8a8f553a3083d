"""The real thing: the embedded llama.cpp server with the default model summarises the seed article.

Slow (model load plus 30-60 s of generation on two cores); deselect locally with `-m "not slow"`.
No mock: the only network traffic is to the embedded server on loopback."""

from datetime import date
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from service.api.app import create_app
from service.settings import Settings

pytestmark = pytest.mark.slow


@pytest.mark.timeout(1000)
async def test_the_embedded_model_summarises_the_seed_article(seed_article: dict[str, Any]) -> None:
    # A generous budget: on a loaded machine (CI beside other work) the 1.5B model writes slowly.
    settings = Settings(_env_file=None, request_budget_s=900)  # type: ignore[call-arg]
    assert settings.uses_embedded

    async with AsyncTestClient(app=create_app(settings), timeout=960) as client:
        ready = await client.get("/ready")
        # no-cache: the summary cache lives in ~/.cache and outlives a run; this test is about the model.
        response = await client.post("/v1/summaries", json=seed_article, headers={"Cache-Control": "no-cache"})
        embedded_url = client.app.state.summariser.llm.base_url

    with pytest.raises(httpx.ConnectError):  # the app's shutdown stopped the embedded server
        async with httpx.AsyncClient() as probe:
            await probe.get(f"{embedded_url}/models", timeout=5)

    assert ready.status_code == 200, ready.text
    assert response.status_code == 200, response.text
    body = response.json()
    print(response.text)  # shown with -s: the seed's summary from the embedded model
    text = seed_article["text"]
    for section in ("participants", "dates", "open_issues"):
        for item in body[section]:
            assert item["evidence"]
            for evidence in item["evidence"]:
                assert text[evidence["start"] : evidence["end"]] == evidence["quote"]
    assert body["summary"]
    names = " ".join(p["name"] for p in body["participants"])
    assert "Witkoff" in names
    assert any(d["start"] == date(2026, 2, 26).isoformat() for d in body["dates"])
    assert body["meta"]["model"] == "qwen2.5-coder-1.5b-instruct-q4_k_m"
    assert body["meta"]["usage"]["completion_tokens"] > 0
    assert body["meta"]["cached"] is False
