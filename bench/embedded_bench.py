"""The embedded model, side by side: our API (the default configuration, which starts its own embedded
server) vs the same requests sent straight to llama.cpp, and our prompt tokens vs a naive instructor TOOLS
call with the same fields. Counted by the model's own tokenizer.

Each side runs on a freshly started embedded server, so both start with nothing cached.
"""

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import instructor
from litestar.testing import AsyncTestClient
from pydantic import BaseModel, Field

from service.api.app import create_app
from service.model.embedded import available_cpus, start_embedded
from service.settings import Settings

Row = tuple[str, str, str, str]


class NaiveParticipant(BaseModel):
    name: str = Field(description="Full name of the person, organisation, country or group")
    kind: str = Field(description="person, organization, country, group or other")
    role: str = Field(description="Who they are and what they do in this story")
    affiliation: str | None = Field(default=None, description="Their country or organisation, if stated")
    aliases: list[str] = Field(default_factory=list, description="Other forms of the name in the article")
    quote: str = Field(description="A verbatim quote from the article that names them")


class NaiveDate(BaseModel):
    text: str = Field(description="The date expression exactly as written in the article")
    event: str = Field(description="What happens on that date")
    quote: str = Field(description="The verbatim sentence containing the date")


class NaiveIssue(BaseModel):
    issue: str = Field(description="One sentence: what the article says is still unresolved")
    parties: list[str] = Field(default_factory=list, description="Names of the participants involved")
    quote: str = Field(description="The verbatim passage that shows it is unresolved")


class NaiveToolsSummary(BaseModel):
    """A structured summary of a news article."""

    summary: str = Field(description="A short, neutral summary of the article")
    participants: list[NaiveParticipant] = Field(description="Everyone who takes part in the story")
    dates: list[NaiveDate] = Field(description="Every date expression in the article")
    open_issues: list[NaiveIssue] = Field(description="What the article says is still unresolved")


def _naive_tools_request(article: dict[str, Any]) -> dict[str, Any]:
    """The body instructor sends in TOOLS mode for the naive model (captured, not sent)."""
    captured: dict[str, Any] = {}

    def capture(**kwargs: Any) -> Any:
        captured.update(kwargs)
        raise RuntimeError("captured")

    create = instructor.patch(create=capture, mode=instructor.Mode.TOOLS)
    with contextlib.suppress(Exception):  # the capture ends the call on purpose (instructor may wrap it)
        create(
            model="naive",
            response_model=NaiveToolsSummary,
            max_retries=0,
            messages=[
                {"role": "system", "content": "Extract a structured summary of the news article."},
                {"role": "user", "content": f"Published: {article['published']}\n\n{article['text']}"},
            ],
        )
    return captured


async def _prompt_tokens(http: httpx.AsyncClient, root: str, body: dict[str, Any]) -> int:
    """Tokens of the prompt llama.cpp would build for a chat request (chat template and tools included)."""
    keys = ("messages", "tools", "tool_choice")
    template = await http.post(f"{root}/apply-template", json={k: body[k] for k in keys if k in body})
    template.raise_for_status()
    return await _tokens(http, root, template.json()["prompt"])


async def _tokens(http: httpx.AsyncClient, root: str, text: str) -> int:
    response = await http.post(f"{root}/tokenize", json={"content": text})
    response.raise_for_status()
    return len(response.json()["tokens"])


def _first_of_each_question(sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each question as first asked (a re-ask carries its question's prompt plus the correction)."""
    first: dict[str, dict[str, Any]] = {}
    for body in sent:
        first.setdefault(body["response_format"]["json_schema"]["name"], body)
    return list(first.values())


@asynccontextmanager
async def _fresh_server(threads: int) -> AsyncIterator[str]:
    """A newly started embedded server (nothing cached); yields its base URL."""
    server, _ = await asyncio.to_thread(
        start_embedded, "1.5b", Path.home() / ".cache" / "summarise", n_ctx=8192, threads=threads
    )
    try:
        yield server.base_url
    finally:
        server.stop()


async def _measure(article: dict[str, Any]) -> list[Row]:
    """Each side on a freshly started server: llama.cpp keeps earlier prompts in a host-memory cache, so a
    replay on the same server would reuse what the first run processed (bench/JOURNAL.md, 2026-11-27 02:19)."""
    threads = available_cpus()  # what the server itself would take: the CPUs this process may use
    exchanges: list[tuple[dict[str, Any], dict[str, Any]]] = []

    async def record(response: httpx.Response) -> None:
        if response.request.url.path.endswith("/chat/completions"):
            await response.aread()
            exchanges.append((json.loads(response.request.content), response.json()))

    rows: list[Row] = []
    # Our API exactly as `summarise serve` runs by default: it starts its own embedded server.
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        log_level="WARNING",
        cache_ttl_s=0,
        job_workers=0,
        embedded_threads=threads,
        model_stream=False,  # the answers carry llama.cpp's timings, read below
    )
    async with AsyncTestClient(app=create_app(settings), timeout=600) as api:
        api.app.state.summariser.llm.observe(record)
        started = time.perf_counter()
        response = await api.post("/v1/summaries", json=article)
        through_api = time.perf_counter() - started
        response.raise_for_status()
    sent = [request for request, _ in exchanges]
    api_completion = sum(answer["usage"]["completion_tokens"] for _, answer in exchanges)
    sent_prompt_tokens = sum(answer["usage"]["prompt_tokens"] for _, answer in exchanges)
    api_timings = [answer.get("timings", {}) for _, answer in exchanges]

    async with _fresh_server(threads) as base_url, httpx.AsyncClient(timeout=600) as http:
        root = base_url.removesuffix("/v1")
        started = time.perf_counter()
        # The same requests in the same order (the server has one slot: sending them together gains nothing).
        direct_answers = [(await http.post(f"{base_url}/chat/completions", json=body)).json() for body in sent]
        direct = time.perf_counter() - started
        direct_completion = sum(answer["usage"]["completion_tokens"] for answer in direct_answers)

        article_tokens = await _tokens(http, root, article["text"])
        ours = [await _prompt_tokens(http, root, body) for body in _first_of_each_question(sent)]
        naive = await _prompt_tokens(http, root, _naive_tools_request(article))

    direct_prompt_n = sum(answer.get("timings", {}).get("prompt_n", 0) for answer in direct_answers)
    prompt_n = sum(t.get("prompt_n", 0) for t in api_timings)
    prompt_ms = sum(t.get("prompt_ms", 0.0) for t in api_timings)
    predicted_n = sum(t.get("predicted_n", 0) for t in api_timings)
    predicted_ms = sum(t.get("predicted_ms", 0.0) for t in api_timings)
    ours_overhead = sum(tokens - article_tokens for tokens in ours)
    naive_overhead = naive - article_tokens
    rows += [
        ("embedded", "seed through our API, s (model calls incl. re-asks)", f"{through_api:.1f} ({len(sent)})", ""),
        ("embedded", "same requests straight to llama.cpp, s", f"{direct:.1f}", ""),
        ("embedded", "ratio API / direct", f"{through_api / direct:.3f}", "<= 1.15"),
        ("embedded", "completion tokens: API / direct", f"{api_completion} / {direct_completion}", "same output"),
        (
            "embedded",
            "prompt tokens processed, not from llama.cpp's cache: API / direct",
            f"{prompt_n} / {direct_prompt_n} (of {sent_prompt_tokens} sent)",
            "",
        ),
        (
            "embedded",
            "prompt tokens processed per call: API | direct",
            " ".join(str(t.get("prompt_n", "?")) for t in api_timings)
            + " | "
            + " ".join(str(a.get("timings", {}).get("prompt_n", "?")) for a in direct_answers),
            "",
        ),
        (
            "embedded",
            "prompt / decode tokens per s",
            f"{prompt_n / prompt_ms * 1000:.0f} / {predicted_n / predicted_ms * 1000:.1f}"
            if prompt_ms and predicted_ms
            else "n/a",
            f"threads {threads}",
        ),
        ("tokens", "seed article alone", f"{article_tokens}", ""),
        ("tokens", f"ours: prompt tokens per call ({len(ours)} questions)", " / ".join(map(str, ours)), ""),
        ("tokens", f"ours: overhead beyond the article, {len(ours)} calls summed", f"{ours_overhead}", ""),
        ("tokens", "naive TOOLS call: prompt tokens / overhead", f"{naive} / {naive_overhead}", ""),
        ("tokens", "overhead ratio ours / naive", f"{ours_overhead / naive_overhead:.2f}", "<= 0.6"),
        (
            "tokens",
            "ours: overhead of the largest single call / naive",
            f"{(max(ours) - article_tokens) / naive_overhead:.2f}",
            "",
        ),
    ]
    return rows


def measure_embedded(article: dict[str, Any]) -> list[Row]:
    return asyncio.run(_measure(article))
