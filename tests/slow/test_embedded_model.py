"""The real thing: the embedded llama.cpp server with the default model summarises the seed article.

Slow (model load plus 30-60 s of generation on two cores); deselect locally with `-m "not slow"`.
No mock: the only network traffic is to the embedded server on loopback."""

from datetime import date
from pathlib import Path
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


@pytest.mark.timeout(600)
async def test_the_weights_rewritten_for_amx_are_the_same_model_to_llama_cpp(seed_article: dict[str, Any]) -> None:
    """llama.cpp reads both files and, on the seed, gives the same next words with the same log-probabilities
    to a few hundredths (fp16's rounding of the rewritten scales); on a processor without AMX, nothing to do."""
    from service.model.embedded import EMBEDDED_MODELS, EmbeddedServer, amx_weights, assemble_weights

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    model = EMBEDDED_MODELS["1.5b"]
    rewritten = amx_weights(model, settings.model_cache_dir)
    if rewritten is None:
        pytest.skip("llama.cpp runs no AMX kernels here (or the rewrite failed: the test below says)")
    question = f"{seed_article['text']}\n\nIn one sentence, what will happen in Geneva?"
    answers = []
    for weights in (assemble_weights(model, settings.model_cache_dir), rewritten):
        server = EmbeddedServer(weights, n_ctx=4096, threads=2, alias="amx-check")
        try:
            async with httpx.AsyncClient(timeout=300) as client:
                response = await client.post(
                    f"{server.base_url}/chat/completions",
                    json={
                        "model": "amx-check",
                        "messages": [{"role": "user", "content": question}],
                        "max_tokens": 8,
                        "temperature": 0,
                        "logprobs": True,
                        "top_logprobs": 3,
                    },
                )
        finally:
            server.stop()
        assert response.status_code == 200, response.text
        answers.append(response.json()["choices"][0]["logprobs"]["content"])
    published, amx = answers
    assert [t["token"] for t in amx[:4]] == [t["token"] for t in published[:4]]
    for one, other in zip(published[:4], amx[:4], strict=True):
        assert abs(one["logprob"] - other["logprob"]) < 0.1


@pytest.mark.timeout(600)
def test_the_published_weights_rewritten_come_out_as_recorded(tmp_path: Path) -> None:
    """On any processor: the pinned gguf and numpy rewrite the published file into the bytes whose size and
    SHA-256 `Repacked` records, the ones measured (a lock that moves either would otherwise go unseen until an
    AMX machine quietly loads the published file)."""
    from service.model.embedded import EMBEDDED_MODELS, assemble_weights, sha256_of
    from service.model.repack import repack

    model = EMBEDDED_MODELS["1.5b"]
    assert model.repacked is not None
    published = assemble_weights(model, Settings(_env_file=None).model_cache_dir)  # type: ignore[call-arg]

    repack(published, tmp_path / "rewritten.gguf")

    assert (tmp_path / "rewritten.gguf").stat().st_size == model.repacked.size
    assert sha256_of(tmp_path / "rewritten.gguf") == model.repacked.sha256
