"""POST /v1/summaries against a mocked model server: the happy path, re-asks and the fault paths."""

import copy
import time
from typing import Any

import httpx
import pytest
import respx
from litestar.testing import AsyncTestClient

from tests.conftest import request_body
from tests.factories import SEED_ANSWER, answer, error, tool_call_completion

Client = AsyncTestClient[Any]


def with_bad_issue_quote() -> dict[str, Any]:
    bad = copy.deepcopy(SEED_ANSWER)
    bad["open_issues"][0]["quote"] = "The Kremlin refused to comment on anything at all."
    return bad


def assert_evidence_is_verbatim(body: dict[str, Any], text: str) -> int:
    checked = 0
    for section in ("participants", "dates", "open_issues"):
        for item in body[section]:
            assert item["evidence"], f"{section} item without evidence: {item}"
            for evidence in item["evidence"]:
                assert text[evidence["start"] : evidence["end"]] == evidence["quote"]
                checked += 1
    return checked


async def test_seed_article_gets_a_grounded_summary(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    route = model_server.post("/chat/completions").mock(return_value=answer(SEED_ANSWER))

    response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 200, response.text
    body = response.json()
    assert route.call_count == 1  # the openai client went through httpx, where respx sees it
    assert body["id"] == seed_article["id"]
    assert assert_evidence_is_verbatim(body, seed_article["text"]) >= 9
    witkoff = body["participants"][0]
    assert witkoff["name"] == "Steve Witkoff"
    assert witkoff["aliases"] == ["Witkoff", "Special Envoy Steve Witkoff"]
    assert witkoff["evidence"][0]["quote"].startswith("U.S. and Ukrainian officials will hold")
    dates = {d["text"]: (d["start"], d["end"], d["precision"], d["approximate"]) for d in body["dates"]}
    assert dates == {
        "Feb. 26": ("2026-02-26", "2026-02-26", "day", False),
        "Feb. 24": ("2026-02-24", "2026-02-24", "day", False),
        "Feb. 17–18": ("2026-02-17", "2026-02-18", "day", False),
        "Around Feb. 27, give or take a day or two": ("2026-02-25", "2026-03-01", "day", True),
    }
    assert body["open_issues"][0]["parties"] == ["Kremlin"]
    meta = body["meta"]
    assert meta["attempts"] == 1
    assert meta["retries"] == 0
    assert meta["usage"] == {"prompt_tokens": 900, "completion_tokens": 300, "total_tokens": 1200}
    assert meta["model"] == "test-model"
    assert meta["prompt_version"].startswith("summarise-")
    assert meta["warnings"] == []


async def test_json_schema_mode_sends_the_schema_and_the_delimited_article(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    route = model_server.post("/chat/completions").mock(return_value=answer(SEED_ANSWER))

    await api.post("/v1/summaries", json=seed_article)

    sent = request_body(route)
    assert sent["model"] == "test-model"
    assert sent["response_format"]["type"] == "json_schema"
    schema = sent["response_format"]["json_schema"]["schema"]
    assert set(schema["properties"]) == {"summary", "participants", "dates", "open_issues"}
    assert schema["properties"]["participants"]["maxItems"] == 15  # a runaway list stops at the cap
    assert "tools" not in sent
    system, user = sent["messages"]
    assert system["role"] == "system"
    assert "<article>\n" + seed_article["text"] + "\n</article>" in user["content"]
    assert "Published: 2026-02-24" in user["content"]


@pytest.mark.parametrize("settings_mode", ["tools"])
async def test_tools_mode_forces_the_tool_and_reads_its_arguments(
    settings_mode: str, settings: Any, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    from service.app import create_app

    route = model_server.post("/chat/completions").mock(
        return_value=httpx.Response(200, json=tool_call_completion(SEED_ANSWER))
    )
    app = create_app(settings.model_copy(update={"mode": settings_mode}))
    async with AsyncTestClient(app=app) as client:
        response = await client.post("/v1/summaries", json=seed_article)

    assert response.status_code == 200, response.text
    sent = request_body(route)
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "Extraction"}}
    assert sent["tools"][0]["function"]["name"] == "Extraction"
    assert "response_format" not in sent
    assert response.json()["meta"]["mode"] == "tools"
    assert len(response.json()["participants"]) == 4


async def test_a_quote_not_in_the_article_is_re_asked_and_the_correction_returned(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    route = model_server.post("/chat/completions").mock(
        side_effect=[answer(with_bad_issue_quote()), answer(SEED_ANSWER, prompt_tokens=1300, completion_tokens=310)]
    )

    response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 200, response.text
    body = response.json()
    assert route.call_count == 2
    reask = request_body(route, 1)["messages"]
    assert "The Kremlin refused to comment on anything at all." in str(reask[-1]["content"])
    assert "is not in the article" in str(reask[-1]["content"])
    assert body["open_issues"][0]["evidence"][0]["quote"] == "The Kremlin did not confirm the timeline for the talks."
    assert body["meta"]["attempts"] == 2
    assert body["meta"]["usage"] == {"prompt_tokens": 2200, "completion_tokens": 610, "total_tokens": 2810}


async def test_an_item_still_ungrounded_after_the_re_ask_is_dropped_with_a_warning(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    model_server.post("/chat/completions").mock(return_value=answer(with_bad_issue_quote()))

    response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["open_issues"] == []
    assert len(body["participants"]) == 4  # the grounded items survive
    assert body["meta"]["attempts"] == 2
    warnings = " | ".join(body["meta"]["warnings"])
    assert "dropped open issue" in warnings
    assert "not in the article" in warnings


async def test_a_participant_the_article_never_names_is_dropped(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    invented = copy.deepcopy(SEED_ANSWER)
    invented["participants"].append({"name": "Mickey Mouse", "kind": "person", "role": "none", "aliases": []})
    model_server.post("/chat/completions").mock(return_value=answer(invented))

    body = (await api.post("/v1/summaries", json=seed_article)).json()

    assert "Mickey Mouse" not in [p["name"] for p in body["participants"]]
    assert any("Mickey Mouse" in w for w in body["meta"]["warnings"])


async def test_malformed_json_is_re_asked(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    route = model_server.post("/chat/completions").mock(
        side_effect=[answer('{"summary": "cut off", "participants": ['), answer(SEED_ANSWER)]
    )

    response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 200, response.text
    assert route.call_count == 2
    assert response.json()["meta"]["attempts"] == 2


async def test_never_valid_json_is_a_502_with_the_last_error(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    route = model_server.post("/chat/completions").mock(return_value=answer("I cannot answer in JSON, sorry."))

    response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 502
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("/model-output-invalid")
    assert "after 2 attempts" in problem["detail"]
    assert "last error" in problem["detail"]
    assert route.call_count == 2


async def test_429_with_retry_after_waits_then_succeeds(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    sent_at: list[float] = []
    replies = iter([error(429, "slow down", {"Retry-After": "0.3"}), answer(SEED_ANSWER)])

    def server(request: httpx.Request) -> httpx.Response:
        sent_at.append(time.monotonic())
        return next(replies)

    route = model_server.post("/chat/completions").mock(side_effect=server)

    response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 200, response.text
    assert route.call_count == 2
    assert sent_at[1] - sent_at[0] >= 0.3  # a lower bound only: it waited at least as long as asked
    assert response.json()["meta"]["retries"] == 1
    assert response.json()["meta"]["attempts"] == 1


async def test_retry_after_beyond_the_budget_fails_fast_with_503(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    route = model_server.post("/chat/completions").mock(return_value=error(429, "slow down", {"Retry-After": "3600"}))

    response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 503
    assert route.call_count == 1
    assert response.headers["retry-after"] == "3600"
    assert "3600" in response.json()["detail"]


async def test_500_twice_then_200_succeeds_and_counts_retries(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    route = model_server.post("/chat/completions").mock(side_effect=[error(500), error(500), answer(SEED_ANSWER)])

    response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 200, response.text
    assert route.call_count == 3
    assert response.json()["meta"]["retries"] == 2


async def test_500_on_every_try_is_a_502(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    route = model_server.post("/chat/completions").mock(return_value=error(500, "boom"))

    response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 502
    assert route.call_count == 3  # transient_attempts, not multiplied by instructor or openai retries
    assert "HTTP 500" in response.json()["detail"]


async def test_a_model_server_that_times_out_is_a_504(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    route = model_server.post("/chat/completions").mock(side_effect=httpx.ReadTimeout("too slow"))

    response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 504
    assert response.json()["type"].endswith("/model-timeout")
    assert route.call_count == 3


async def test_a_model_server_that_is_down_is_a_503(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    model_server.post("/chat/completions").mock(side_effect=httpx.ConnectError("connection refused"))

    response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 503
    assert "cannot connect to the model server at http://model.test/v1" in response.json()["detail"]


async def test_a_truncated_answer_is_a_502(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    model_server.post("/chat/completions").mock(
        return_value=answer('{"summary": "a", "participants": [{"name": "Wit', finish_reason="length")
    )

    response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 502
    assert "max_tokens" in response.json()["detail"]


async def test_the_request_budget_bounds_a_slow_model(
    settings: Any, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    import asyncio

    from service.app import create_app

    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return answer(SEED_ANSWER)

    model_server.post("/chat/completions").mock(side_effect=slow)
    app = create_app(settings.model_copy(update={"request_budget_s": 0.3}))
    async with AsyncTestClient(app=app) as client:
        response = await client.post("/v1/summaries", json=seed_article)

    assert response.status_code == 504
    assert "budget of 0.3 s" in response.json()["detail"]


async def test_a_model_server_rejecting_the_request_is_a_502_that_says_why(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    route = model_server.post("/chat/completions").mock(return_value=error(404, "model 'test-model' not found"))

    response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 502
    assert route.call_count == 1  # a 4xx is not retried
    assert "model 'test-model' not found" in response.json()["detail"]


async def test_without_a_publication_date_relative_dates_stay_unresolved(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    relative = copy.deepcopy(SEED_ANSWER)
    relative["dates"] = [{"text": "Feb. 26", "event": "talks"}]
    model_server.post("/chat/completions").mock(return_value=answer(relative))
    article = {k: v for k, v in seed_article.items() if k != "published"}

    body = (await api.post("/v1/summaries", json=article)).json()

    assert body["dates"][0]["start"] is None
    assert body["dates"][0]["end"] is None
    assert any("no publication date" in w for w in body["meta"]["warnings"])
