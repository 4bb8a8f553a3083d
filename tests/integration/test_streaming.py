"""Answers read as a stream (the embedded server's default): chunks as llama.cpp sends them, put back
together; a slow answer that keeps sending is not cut off by the timeout between bytes."""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import respx
from litestar.testing import AsyncTestClient

from service.api.app import create_app
from service.settings import Settings
from tests.factories import SEED_QUESTIONS, SEED_SUMMARY_TEXT, ModelServer
from tests.live_servers import lifespan_answered, read_body, serving

QUESTIONS = len(SEED_QUESTIONS)  # who takes part is code's (NER): the one name it is unsure of is asked


def sse_chunks(completion: dict[str, Any], pieces: int) -> list[bytes]:
    """A chat completion as the `chat.completion.chunk` events of a llama.cpp stream, then usage, then DONE."""
    content = completion["choices"][0]["message"]["content"]
    step = max(1, -(-len(content) // pieces))
    base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_790_000_000, "model": "test-model"}
    events = [
        {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": None}, "finish_reason": None}]}
    ]
    events += [
        {**base, "choices": [{"index": 0, "delta": {"content": content[i : i + step]}, "finish_reason": None}]}
        for i in range(0, len(content), step)
    ]
    events.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    events.append({**base, "choices": [], "usage": completion["usage"]})
    return [f"data: {json.dumps(event)}\n\n".encode() for event in events] + [b"data: [DONE]\n\n"]


class StreamingModelServer(ModelServer):
    """The seed answers, streamed in `pieces` chunks `gap_s` apart."""

    def __init__(self, pieces: int = 8, gap_s: float = 0.0) -> None:
        super().__init__()
        self.pieces = pieces
        self.gap_s = gap_s
        self.bodies: list[dict[str, Any]] = []

    def stream(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        completion = self(request).json()
        chunks = sse_chunks(completion, self.pieces)

        async def slowly() -> AsyncIterator[bytes]:
            for chunk in chunks:
                await asyncio.sleep(self.gap_s)
                yield chunk

        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=slowly())


async def test_a_streamed_answer_is_put_back_together(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    server = StreamingModelServer()
    model_server.post("/chat/completions").mock(side_effect=server.stream)

    async with AsyncTestClient(app=create_app(settings.model_copy(update={"model_stream": True}))) as api:
        response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 200, response.text
    body = response.json()
    assert len(server.bodies) == QUESTIONS
    assert all(sent["stream"] is True and sent["stream_options"] == {"include_usage": True} for sent in server.bodies)
    assert {p["name"] for p in body["participants"]} >= {"Steve Witkoff", "Jared Kushner"}
    assert body["summary"] == SEED_SUMMARY_TEXT  # the model's answer, put back together from its chunks
    assert body["meta"]["usage"]["completion_tokens"] == QUESTIONS * 300  # from the stream's usage chunks
    assert body["meta"]["retries"] == 0


async def test_an_answer_that_keeps_coming_outlasts_the_timeout_between_bytes(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    # Each answer takes about 12 x 0.1 s, four times the 0.3 s timeout, but no gap between chunks reaches it
    # (llama.cpp sends a chunk per token; unstreamed, it sends nothing until the answer is complete).
    server = StreamingModelServer(pieces=10, gap_s=0.1)
    model_server.post("/chat/completions").mock(side_effect=server.stream)
    streaming = settings.model_copy(update={"model_stream": True, "model_timeout_s": 0.3})

    async with AsyncTestClient(app=create_app(streaming)) as api:
        response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 200, response.text
    assert response.json()["meta"]["retries"] == 0
    assert len(server.bodies) == QUESTIONS  # one request per question: nothing started over


def test_the_embedded_server_streams_by_default(settings: Settings) -> None:
    assert settings.streams is False
    assert settings.model_copy(update={"base_url": None}).streams is True


def stalling_model_app() -> Any:
    """A real OpenAI-compatible server on loopback (respx cannot time a read out) that streams each answer
    as llama.cpp does, but stalls after the first chunk the first time each question is asked."""
    answers = ModelServer()
    stalled: set[str] = set()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if await lifespan_answered(scope, receive, send):
            return
        body = await read_body(receive)
        question = json.loads(body)["messages"][-1]["content"]
        chunks = sse_chunks(answers(httpx.Request("POST", "http://model/v1/chat/completions", content=body)).json(), 8)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]})
        for number, chunk in enumerate(chunks):
            if number == 1 and question not in stalled:
                stalled.add(question)
                await asyncio.sleep(3)  # far past the client's 0.5 s between bytes
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    return app


async def test_a_stream_that_stalls_is_retried_like_any_timeout(
    settings: Settings, seed_article: dict[str, Any]
) -> None:
    with serving(stalling_model_app()) as model:
        streaming = settings.model_copy(
            update={"base_url": f"{model}/v1", "model_stream": True, "model_timeout_s": 0.5, "request_budget_s": 60}
        )
        async with AsyncTestClient(app=create_app(streaming)) as api:
            response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 200, response.text
    assert response.json()["meta"]["retries"] == QUESTIONS  # each question stalled once, timed out, then answered


async def test_a_server_that_does_not_stream_is_read_as_json(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    server = ModelServer()  # answers every request with one plain `chat.completion` JSON body
    model_server.post("/chat/completions").mock(side_effect=server)

    async with AsyncTestClient(app=create_app(settings.model_copy(update={"model_stream": True}))) as api:
        response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 200, response.text
    sent = [body for bodies in server.requests.values() for body in bodies]
    assert [body.get("stream") for body in sent] == [True] * QUESTIONS  # each question asked for a stream, read as JSON
    assert {p["name"] for p in response.json()["participants"]} >= {"Steve Witkoff", "Jared Kushner"}
    assert response.json()["summary"] == SEED_SUMMARY_TEXT  # the model's plain JSON answer, read
    assert response.json()["meta"]["retries"] == 0
