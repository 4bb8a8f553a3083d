"""POST /v1/summaries with `Accept: text/event-stream`: what code found first, one event per question as
its answers are grounded, then the summary (the JSON answer's twin) or a problem; a client that goes away
stops the work. The model server is mocked at the HTTP boundary (respx)."""

import asyncio
import json
from typing import Any

import httpx
import pytest
import respx
from litestar.testing import AsyncTestClient

from service.api.app import create_app
from service.settings import Settings
from tests.factories import SEED_QUESTIONS, ModelServer, error

Client = AsyncTestClient[Any]
STREAM = {"Accept": "text/event-stream"}


def events_of(body: str) -> list[tuple[str, Any]]:
    """The (event, data) of a Server-Sent Events body, data parsed as JSON."""
    events = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "event" in fields:
            events.append((fields["event"], json.loads(fields["data"])))
    return events


@pytest.mark.parametrize("ner", [True, pytest.param(False, marks=pytest.mark.model_first)], ids=["ner", "model-first"])
async def test_events_come_in_order_and_the_last_is_the_json_answer(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any], ner: bool
) -> None:
    model_server.post("/chat/completions").mock(side_effect=ModelServer())
    text = seed_article["text"]

    streamed = await api.post("/v1/summaries", json=seed_article, headers={**STREAM, "Cache-Control": "no-cache"})
    answered = await api.post("/v1/summaries", json=seed_article, headers={"Cache-Control": "no-cache"})

    assert streamed.status_code == 200, streamed.text
    assert streamed.headers["content-type"].startswith("text/event-stream")
    events = events_of(streamed.text)
    assert [kind for kind, _ in events] == ["found", "grounded", "grounded", "grounded", "summary"]
    found = events[0][1]
    if ner:  # code's candidates
        assert "Steve Witkoff" in {name["name"] for name in found["names"]}
    else:
        assert found["names"] is None  # the model's own list
    assert {d["text"] for d in found["dates"]} >= {"Feb. 26", "Feb. 24", "Feb. 17–18"}
    assert all(text[d["start"] : d["end"]] == d["text"] for d in found["dates"])
    grounded = [data for kind, data in events if kind == "grounded"]
    assert [g["question"] for g in grounded] == ["participants", "dates", "open_issues"]
    assert grounded[0]["partial"]["participants"]
    assert not grounded[0]["partial"]["dates"]
    assert grounded[1]["partial"]["dates"]
    assert not grounded[1]["partial"]["open_issues"]
    assert grounded[2]["partial"]["open_issues"]
    assert grounded[2]["partial"]["summary"] == ""
    final, body = events[-1][1], answered.json()
    for varying in (final, body):
        varying["meta"].pop("latency_ms")
    assert final == body
    assert grounded[2]["partial"]["participants"] == body["participants"]


async def test_the_found_event_lists_the_named_candidates_with_their_mentions(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    model_server.post("/chat/completions").mock(side_effect=ModelServer())
    async with AsyncTestClient(app=create_app(settings)) as api:  # NER on, as by default
        streamed = await api.post("/v1/summaries", json=seed_article, headers=STREAM)

    kind, found = events_of(streamed.text)[0]
    assert kind == "found"
    names = {name["name"]: name for name in found["names"]}
    assert "Steve Witkoff" in names
    text = seed_article["text"]
    for name in names.values():
        assert name["mentions"]
        assert all(text[m["start"] : m["end"]] == m["text"] for m in name["mentions"])


async def test_a_cached_summary_is_its_final_event_alone(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    server = ModelServer()
    model_server.post("/chat/completions").mock(side_effect=server)
    first = events_of((await api.post("/v1/summaries", json=seed_article, headers=STREAM)).text)
    asked = len(server.asked)

    again = events_of((await api.post("/v1/summaries", json=seed_article, headers=STREAM)).text)

    assert len(server.asked) == asked  # the model was not asked again
    assert [kind for kind, _ in again] == ["summary"]
    assert again[0][1]["meta"]["cached"] is True
    assert again[0][1]["participants"] == first[-1][1]["participants"]


async def test_an_idempotent_replay_streams_the_stored_answer(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    server = ModelServer()
    model_server.post("/chat/completions").mock(side_effect=server)
    headers = {**STREAM, "Idempotency-Key": "stream-1", "Cache-Control": "no-cache"}
    first = events_of((await api.post("/v1/summaries", json=seed_article, headers=headers)).text)
    asked = len(server.asked)

    replayed = events_of((await api.post("/v1/summaries", json=seed_article, headers=headers)).text)
    reused = events_of((await api.post("/v1/summaries", json={**seed_article, "title": "x"}, headers=headers)).text)

    assert len(server.asked) == asked
    assert replayed == [first[-1]]
    assert reused[0][0] == "problem"
    assert reused[0][1]["type"].endswith("/idempotency-key-reused")


async def test_a_model_that_fails_ends_the_stream_with_a_problem(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    model_server.post("/chat/completions").mock(side_effect=ModelServer({"issues": error(400, "bad request")}))

    streamed = await api.post("/v1/summaries", json=seed_article, headers=STREAM)

    assert streamed.status_code == 200
    events = events_of(streamed.text)
    assert events[0][0] == "found"
    kind, problem = events[-1]
    assert kind == "problem"
    assert problem["type"].endswith("/model-server-error"), problem
    assert (problem["status"], problem["title"]) == (502, "Model server error")
    assert problem["detail"]
    assert "summary" not in [kind for kind, _ in events]


async def test_a_client_that_goes_away_stops_the_summary(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    """Driven at the ASGI level: the client disconnects once the first event has arrived, while the model
    is still writing an answer; that request is cancelled and no question is asked after it."""
    server = ModelServer()
    asking = asyncio.Event()
    cancelled = asyncio.Event()

    async def slow_after_the_first(request: httpx.Request) -> httpx.Response:
        if server.asked:  # the first question answers; the next ones take their time
            asking.set()
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                cancelled.set()
                raise
        return server(request)

    model_server.post("/chat/completions").mock(side_effect=slow_after_the_first)
    app = create_app(settings.model_copy(update={"parallel_calls": 1}))
    body = json.dumps(seed_article).encode()
    sent: list[dict[str, Any]] = []
    first_event = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if not sent and not first_event.is_set():
            return {"type": "http.request", "body": body, "more_body": False}
        await first_event.wait()
        await asking.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and b"event: found" in message.get("body", b""):
            first_event.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/summaries",
        "raw_path": b"/v1/summaries",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"accept", b"text/event-stream"), (b"host", b"t")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    async with AsyncTestClient(app=app):  # runs the app's lifespan (its model client, stores)
        await asyncio.wait_for(app(scope, receive, send), timeout=15)  # type: ignore[arg-type]
        await asyncio.wait_for(cancelled.wait(), timeout=5)
        await asyncio.sleep(0.2)
        asked = list(server.asked)

    assert first_event.is_set()
    assert asked == [SEED_QUESTIONS[0]]  # the first answered; the one in flight was cancelled, none asked after it
    assert b"event: summary" not in b"".join(m.get("body", b"") for m in sent)


async def test_the_openapi_document_shows_the_event_stream(api: Client) -> None:
    document = (await api.get("/docs/openapi.json")).json()

    answer = document["paths"]["/v1/summaries"]["post"]["responses"]["200"]
    # Beside the JSON `content`, not in it: a generated client's answer is the summary, not a union with a string
    # (tests/integration/test_generated_clients.py compiles `data.participants` with openapi-typescript).
    assert set(answer["content"]) == {"application/json"}
    assert set(answer["x-event-stream"]) == {"text/event-stream"}
    assert "event: found" in answer["x-event-stream"]["text/event-stream"]["example"]
