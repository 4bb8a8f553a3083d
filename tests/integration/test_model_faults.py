"""The model-server fault matrix: one test per row of docs/contract.md's table "When the model server misbehaves".

Each row: what the (respx-mocked) model server does, the status and problem `type` we answer with, how many
times we tried, and what `meta` or the problem says. No row may end in a 500 or a hung request.
Settings from conftest: transient_attempts=3, reasks=1, request_budget_s=20.
"""

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
import respx
from litestar.testing import AsyncTestClient

from service.api.app import create_app
from service.settings import Settings
from tests.factories import SEED_ISSUES, SEED_QUESTIONS, ModelServer, answer, composed, error, question_of

Client = AsyncTestClient[Any]
QUESTIONS = ("kind", "participants", "issues", "summary", "subjects")


def serve(model_server: respx.MockRouter, server: ModelServer) -> respx.Route:
    return model_server.post("/chat/completions").mock(side_effect=server)


def every_question(reply: httpx.Response) -> ModelServer:
    return ModelServer(dict.fromkeys(QUESTIONS, reply))


def assert_problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["type"] == f"https://summarise.dev/problems/{slug}"
    assert problem["status"] == status
    return problem


# --- rate limiting: 429 ---------------------------------------------------------------------------


@pytest.mark.parametrize("retry_after", ["seconds", "http-date"])
async def test_429_with_retry_after_waits_as_asked_then_succeeds(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any], retry_after: str
) -> None:
    def retry_after_header() -> str:  # made when the 429 is sent: an HTTP date is relative to that moment
        if retry_after == "seconds":
            return "1"
        return format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)  # 1-2 s: whole seconds

    sent_at: list[float] = []
    server = ModelServer()

    def timed(request: httpx.Request) -> httpx.Response:
        if question_of(request) == "summary":  # the first question asked
            sent_at.append(time.monotonic())
            if len(sent_at) == 1:
                return error(429, "slow down", {"Retry-After": retry_after_header()})
        return server(request)

    model_server.post("/chat/completions").mock(side_effect=timed)

    response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 200, response.text
    assert len(sent_at) == 2
    assert sent_at[1] - sent_at[0] >= 0.9  # at least ~1 s either way
    assert response.json()["meta"]["retries"] == 1
    assert response.json()["meta"]["attempts"] == len(SEED_QUESTIONS)  # participants: NER's


async def test_429_with_retry_after_beyond_the_budget_fails_fast_with_503(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    server = ModelServer({"summary": error(429, "slow down", {"Retry-After": "3600"})})
    serve(model_server, server)

    started = time.monotonic()
    response = await api.post("/v1/summaries", json=seed_article)

    problem = assert_problem(response, 503, "model-unavailable")
    assert time.monotonic() - started < 5
    assert server.count("summary") == 1
    assert response.headers["retry-after"] == "3600"
    assert "3600" in problem["detail"]


async def test_429_without_retry_after_backs_off_three_times_then_503(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    server = every_question(error(429, "rate limit reached"))
    serve(model_server, server)

    response = await api.post("/v1/summaries", json=seed_article)

    problem = assert_problem(response, 503, "model-unavailable")
    assert "429 after retries" in problem["detail"]
    assert problem["retries"] == 2
    assert "retry-after" not in response.headers
    assert max(server.count(q) for q in QUESTIONS) == 3


# --- server errors: 5xx ---------------------------------------------------------------------------


async def test_500_twice_then_200_succeeds_and_counts_retries(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    server = ModelServer({"issues": [error(500), error(500), {"open_issues": []}]})
    serve(model_server, server)

    response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 200, response.text
    assert server.count("issues") == 3
    assert response.json()["meta"]["retries"] == 2


@pytest.mark.parametrize(
    ("status", "ours", "slug"), [(500, 502, "model-server-error"), (502, 502, "model-server-error")]
)
async def test_5xx_on_every_try_is_a_502(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any], status: int, ours: int, slug: str
) -> None:
    server = every_question(error(status, "boom"))
    serve(model_server, server)

    response = await api.post("/v1/summaries", json=seed_article)

    problem = assert_problem(response, ours, slug)
    assert max(server.count(q) for q in QUESTIONS) == 3  # transient_attempts, not multiplied by instructor or openai
    assert f"HTTP {status}" in problem["detail"]
    assert (problem["attempts"], problem["retries"]) == (0, 2)


async def test_503_on_every_try_is_a_503_passing_on_retry_after(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    server = every_question(error(503, "loading model", {"Retry-After": "1"}))
    serve(model_server, server)

    response = await api.post("/v1/summaries", json=seed_article)

    problem = assert_problem(response, 503, "model-unavailable")
    assert response.headers["retry-after"] == "1"
    assert problem["retries"] == 2


async def test_a_4xx_is_not_retried_and_the_502_says_why(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    server = every_question(error(404, "model 'test-model' not found"))
    serve(model_server, server)

    response = await api.post("/v1/summaries", json=seed_article)

    problem = assert_problem(response, 502, "model-server-error")
    assert len(server.asked) <= 3  # one request per question at most
    assert "model 'test-model' not found" in problem["detail"]


# --- the network ----------------------------------------------------------------------------------


async def test_a_read_timeout_on_every_try_is_a_504(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    route = model_server.post("/chat/completions").mock(side_effect=httpx.ReadTimeout("too slow"))

    response = await api.post("/v1/summaries", json=seed_article)

    problem = assert_problem(response, 504, "model-timeout")
    assert "did not answer in time" in problem["detail"]
    assert route.call_count >= 3


@pytest.mark.parametrize("fault", [httpx.ConnectTimeout("timed out"), httpx.ConnectError("connection refused")])
async def test_a_model_server_we_cannot_reach_is_a_503(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any], fault: Exception
) -> None:
    route = model_server.post("/chat/completions").mock(side_effect=fault)

    response = await api.post("/v1/summaries", json=seed_article)

    problem = assert_problem(response, 503, "model-unavailable")
    assert problem["detail"].startswith("cannot connect to the model server at http://model.test/v1")
    assert type(fault).__name__ in problem["detail"]
    assert route.call_count >= 3


class _ResetMidBody(httpx.AsyncByteStream):
    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"id": "chatcmpl-1", "object": "chat.completion", "choices": [{"index": 0, "mess'
        raise httpx.ReadError("[Errno 104] Connection reset by peer")


async def test_a_connection_reset_mid_body_is_retried_then_a_502(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    route = model_server.post("/chat/completions").mock(
        side_effect=lambda request: httpx.Response(
            200, stream=_ResetMidBody(), headers={"content-type": "application/json"}
        )
    )

    response = await api.post("/v1/summaries", json=seed_article)

    problem = assert_problem(response, 502, "model-server-error")
    assert "broke off" in problem["detail"]
    assert "Connection reset by peer" in problem["detail"]
    assert route.call_count >= 3


# --- a 200 that is not an answer ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "detail"),
    [
        (
            httpx.Response(200, content=b'{"id": "x", "choices": [', headers={"content-type": "application/json"}),
            "not valid JSON",
        ),
        (
            httpx.Response(
                200, json={"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": []}
            ),
            "no choices",
        ),
        (
            httpx.Response(
                200, text="<html><body><h1>502 Bad Gateway</h1></body></html>", headers={"content-type": "text/html"}
            ),
            "non-JSON body: '<html>",
        ),
    ],
    ids=["malformed-json-body", "empty-choices", "html-error-page"],
)
async def test_a_200_that_is_not_a_chat_completion_is_retried_then_a_502(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any], reply: httpx.Response, detail: str
) -> None:
    server = every_question(reply)
    serve(model_server, server)

    response = await api.post("/v1/summaries", json=seed_article)

    problem = assert_problem(response, 502, "model-server-error")
    assert detail in problem["detail"]
    assert max(server.count(q) for q in QUESTIONS) == 3
    assert (problem["attempts"], problem["retries"]) == (0, 2)


async def test_an_html_502_page_from_a_proxy_says_http_502(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    page = httpx.Response(
        502, text="<html><body>nginx: 502 Bad Gateway</body></html>", headers={"content-type": "text/html"}
    )
    serve(model_server, every_question(page))

    problem = assert_problem(await api.post("/v1/summaries", json=seed_article), 502, "model-server-error")

    assert "HTTP 502" in problem["detail"]


class _Endless(httpx.AsyncByteStream):
    """A body that never ends: a trickle (`pause` between chunks) or a flood (no pause, large chunks)."""

    def __init__(self, first: bytes, chunk: bytes, pause: float) -> None:
        self.first, self.chunk, self.pause = first, chunk, pause

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.first
        while True:
            await asyncio.sleep(self.pause)
            yield self.chunk


async def test_an_answer_that_streams_forever_ends_at_the_request_budget_with_504(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    model_server.post("/chat/completions").mock(
        side_effect=lambda request: httpx.Response(
            200, stream=_Endless(b'{"id": ', b" " * 10, pause=0.01), headers={"content-type": "application/json"}
        )
    )
    async with AsyncTestClient(app=create_app(settings.model_copy(update={"request_budget_s": 1.0}))) as client:
        started = time.monotonic()
        response = await client.post("/v1/summaries", json=seed_article)
        elapsed = time.monotonic() - started

    problem = assert_problem(response, 504, "model-timeout")
    assert "request budget of 1 s" in problem["detail"]
    assert elapsed < 10


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
async def test_a_huge_200_is_refused_unread_and_not_retried(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any], declared: bool
) -> None:
    limit = settings.max_model_response_bytes
    huge = b'{"id": "' + b"a" * (limit + 1) + b'"}'

    def reply(request: httpx.Request) -> httpx.Response:
        if declared:
            return httpx.Response(200, content=huge, headers={"content-type": "application/json"})
        return httpx.Response(
            200, stream=_Endless(b'{"id": "', b"a" * 65536, pause=0), headers={"content-type": "application/json"}
        )

    route = model_server.post("/chat/completions").mock(side_effect=reply)
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.post("/v1/summaries", json=seed_article)

    problem = assert_problem(response, 502, "model-server-error")
    assert f"larger than {limit:,} bytes" in problem["detail"]
    assert route.call_count <= 3  # one per question: a huge answer is not asked for again
    assert problem["retries"] == 0


# --- an answer that is not what we asked for ------------------------------------------------------


async def test_malformed_json_content_is_re_asked(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    server = ModelServer({"issues": ['{"open_issues": [{"issue": "The time', SEED_ISSUES]})
    serve(model_server, server)

    response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 200, response.text
    assert server.count("issues") == 2
    assert response.json()["meta"]["attempts"] == len(SEED_QUESTIONS) + 1  # one asked again


async def test_an_answer_failing_the_schema_twice_is_a_502_with_the_last_error(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    server = ModelServer({"issues": {"open_issues": [{"issue": 42, "quote": ["everyone"]}]}})
    serve(model_server, server)

    response = await api.post("/v1/summaries", json=seed_article)

    problem = assert_problem(response, 502, "model-output-invalid")
    assert "after 2 attempts" in problem["detail"]
    assert "last error" in problem["detail"]
    assert "open_issues" in problem["detail"]
    assert server.count("issues") == 2
    assert problem["attempts"] == 2


async def test_an_answer_cut_off_at_max_tokens_keeps_its_complete_items(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    kremlin = '{"quote": "The Kremlin did not confirm the timeline for the talks.", "issue": "Whether the timeline '
    umerov = '{"quote": "Umerov may come to the U.S. for another round of talks", "issue": "Whether Umerov '
    looping = f'{{"open_issues": [{kremlin}holds."}}, {umerov}comes."}}, {umerov}co'

    server = ModelServer({"issues": answer(looping, finish_reason="length")})
    serve(model_server, server)

    response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 200, response.text
    body = response.json()
    assert [i["issue"] for i in body["open_issues"]] == ["Whether the timeline holds.", "Whether Umerov comes."]
    assert server.count("issues") == 1
    assert any("cut off at max_tokens" in w for w in body["meta"]["warnings"])


async def test_a_cut_off_answer_with_nothing_complete_is_asked_again_with_twice_the_room(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any], settings: Settings
) -> None:
    cut_off = answer('{"news": "U.S. and Ukr', finish_reason="length")
    server = ModelServer({"summary": [cut_off, composed("U.S. and Ukrainian officials will meet in Geneva.")]})
    serve(model_server, server)

    response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 200, response.text
    assert response.json()["summary"] == "U.S. and Ukrainian officials will meet in Geneva."
    sent = [body["max_tokens"] for body in server.requests["summary"]]
    assert sent == [settings.max_output_tokens, 2 * settings.max_output_tokens]


async def test_an_answer_cut_off_twice_is_a_clear_502(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any], settings: Settings
) -> None:
    serve(model_server, ModelServer({"summary": answer('{"news": "U.S. and Ukr', finish_reason="length")}))

    response = await api.post("/v1/summaries", json=seed_article)

    problem = assert_problem(response, 502, "model-output-invalid")
    assert f"cut off at max_tokens={2 * settings.max_output_tokens}" in problem["detail"]
    assert problem["attempts"] == 2


async def test_a_slow_model_is_bounded_by_the_request_budget(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return ModelServer()(request)

    model_server.post("/chat/completions").mock(side_effect=slow)
    async with AsyncTestClient(app=create_app(settings.model_copy(update={"request_budget_s": 0.3}))) as client:
        started = time.monotonic()
        response = await client.post("/v1/summaries", json=seed_article)
        elapsed = time.monotonic() - started

    problem = assert_problem(response, 504, "model-timeout")
    assert "budget of 0.3 s" in problem["detail"]
    assert elapsed < 5  # it did not wait for the slow answers
