"""A model server that does not take every request shape (issue 29): llama-cpp-python refuses
`response_format: {"type": "json_schema"}`. Under SUMMARISE_MODE=auto the question is asked again in the
next mode its family takes (tools, the one it constrains by the schema), and later ones go there at once; a mode the user set is kept, and its 502 says
which one would suit. The server is mocked at the HTTP boundary (respx) with the bodies it really sends."""

import json
import logging
import re
from typing import Any

import httpx
import pytest
import respx
from litestar.testing import AsyncTestClient

from service.api.app import create_app
from service.settings import Settings
from tests.factories import (
    QUESTION_OF_SCHEMA,
    SEED_ANSWERS,
    SEED_QUESTIONS,
    SEED_SUMMARY_TEXT,
    answer,
    error,
    tool_call_completion,
)

# llama_cpp/server/app.py, get_models: every model it serves, as
#     {"id": model_alias, "object": "model", "owned_by": "me", "permissions": []}
# (for real, the id is the --model path unless --model_alias is given; it answers any model name we send).
LLAMA_CPP_PYTHON_MODELS = {
    "object": "list",
    "data": [{"id": "test-model", "object": "model", "owned_by": "me", "permissions": []}],
}
# llama_cpp/llama_types.py: `class ChatCompletionRequestResponseFormat(TypedDict): type: Literal["text",
# "json_object"]`, so FastAPI's body validation raises RequestValidationError. llama_cpp/server/errors.py,
# RouteErrorHandler.custom_route_handler, catches every exception of the route, that one included, and
# error_message_wrapper answers what matches none of its patterns with
#     return 500, ErrorResponse(message=str(error), type="internal_server_error", param=None, code=None)
# sent as JSONResponse({"error": error_message}, status_code=500). str(error) is FastAPI's (>= 0.124,
# fastapi/exceptions.py ValidationException.__str__): the count, each pydantic error, the endpoint.
# The body below is the real one, byte for byte, from llama-cpp-python 0.3.36 (FastAPI 0.165.0) on our GGUF
# (bench/results/llama-cpp-python-2026-12-05.txt); tests/slow/test_llama_cpp_python.py checks it still is.
REFUSED_JSON_SCHEMA = {
    "error": {
        "message": "1 validation error:\n"
        "  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
        "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema', "
        "'ctx': {'expected': \"'text' or 'json_object'\"}}\n\n"
        '  File "/tmp/lcp/lib/python3.11/site-packages/llama_cpp/server/app.py", line 376, '
        "in create_chat_completion\n"
        "    POST /v1/chat/completions",
        "type": "internal_server_error",
        "param": None,
        "code": None,
    }
}
# instructor's JSON mode names the answer's schema in the system message: `"title": "ParticipantsAnswer"`.
TITLE = re.compile(r'"title": "(\w+)"')


def question_in(body: dict[str, Any]) -> str:
    """Which question a request asks, in whichever mode it was sent."""
    if body.get("response_format", {}).get("type") == "json_schema":
        return QUESTION_OF_SCHEMA[body["response_format"]["json_schema"]["name"]]
    if "tools" in body:
        return QUESTION_OF_SCHEMA[body["tools"][0]["function"]["name"]]
    system = body["messages"][0]["content"]
    (asked,) = {QUESTION_OF_SCHEMA[title] for title in TITLE.findall(system) if title in QUESTION_OF_SCHEMA}
    return asked


ROOT = "http://model.test"
# FastAPI's 404 for the paths llama-cpp-python does not have (its tokenizer is /extras/tokenize).
NOT_FOUND = httpx.Response(404, json={"detail": "Not Found"})


def llama_cpp_python_paths(model_server: respx.MockRouter) -> respx.Route:
    """What llama-cpp-python answers besides chat completions: its model list, and 404 for the other
    servers' /props, /tokenize and /api/show that we ask at start. The model list's route is returned."""
    for method, path in (("GET", "/props"), ("POST", "/tokenize"), ("POST", "/api/show")):
        model_server.route(method=method, url=f"{ROOT}{path}").mock(return_value=NOT_FOUND)
    return model_server.get("/models").mock(return_value=httpx.Response(200, json=LLAMA_CPP_PYTHON_MODELS))


class LlamaCppPython:
    """llama-cpp-python's chat completions: a tool call, json_object (or none) answered, json_schema refused."""

    def __init__(self, models: respx.Route) -> None:
        self.models = models
        self.sent: list[tuple[str, str]] = []  # (question, response_format type, "tools" or "none"), in order

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        kind = body.get("response_format", {}).get("type", "tools" if "tools" in body else "none")
        question = question_in(body)
        self.sent.append((question, kind))
        if kind == "json_schema":
            return httpx.Response(500, json=REFUSED_JSON_SCHEMA)
        if kind == "tools":
            name = body["tool_choice"]["function"]["name"]
            return httpx.Response(200, json=tool_call_completion(SEED_ANSWERS[question], name=name))
        return answer(SEED_ANSWERS[question])

    def kinds(self) -> set[str]:
        return {kind for _, kind in self.sent}


def logged(record: logging.LogRecord) -> dict[str, Any]:
    """The fields of one of our log lines (structlog hands the standard library its event dict)."""
    return record.msg if isinstance(record.msg, dict) else {}


@pytest.fixture
def llama_cpp_python(model_server: respx.MockRouter) -> LlamaCppPython:
    server = LlamaCppPython(llama_cpp_python_paths(model_server))
    model_server.post("/chat/completions").mock(side_effect=server)
    return server


async def test_llama_cpp_python_with_no_setting_is_asked_in_tools_after_it_refuses_json_schema(
    settings: Settings,
    llama_cpp_python: LlamaCppPython,
    seed_article: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert settings.mode == "auto"

    async with AsyncTestClient(app=create_app(settings)) as api:
        asked_at_start = llama_cpp_python.models.call_count  # the context probe reads it too
        first = await api.post("/v1/summaries", json=seed_article)
        sent_for_the_first = list(llama_cpp_python.sent)
        llama_cpp_python.sent.clear()
        second = await api.post("/v1/summaries", json={**seed_article, "id": "another"})

    assert first.status_code == 200, first.text
    assert first.json()["meta"]["mode"] == "tools"
    assert first.json()["summary"] == SEED_SUMMARY_TEXT  # read from the tool's arguments
    # Each question asked at once (in parallel) in json_schema, refused, not retried in it, asked in tools.
    refused = [question for question, kind in sent_for_the_first if kind == "json_schema"]
    assert refused
    assert len(refused) == len(set(refused))
    assert {question for question, kind in sent_for_the_first if kind == "tools"} == set(SEED_QUESTIONS)
    # The answer says so too, once, with the setting that avoids it; the second summary goes straight to tools.
    switch = [w for w in first.json()["meta"]["warnings"] if w.startswith("SUMMARISE_MODE=json_schema: ")]
    assert len(switch) == 1
    assert "the model server refused this request shape" in switch[0]
    assert second.status_code == 200, second.text
    assert second.json()["meta"]["mode"] == "tools"
    assert not [w for w in second.json()["meta"]["warnings"] if w.startswith("SUMMARISE_MODE=")]
    assert llama_cpp_python.kinds() == {"tools"}
    # The server was asked who it is once, and the switch said once, with the setting that avoids it.
    assert llama_cpp_python.models.call_count - asked_at_start == 1
    (switched,) = [record for record in caplog.records if logged(record).get("event") == "model_mode_switched"]
    line = logged(switched)
    assert (line["server"], line["refused"], line["mode"]) == ("llama-cpp-python", "json_schema", "tools")
    assert "set SUMMARISE_MODE=tools " in line["hint"]
    assert switched.levelname == "WARNING"


async def test_an_explicit_json_schema_is_kept_and_the_502_names_the_mode_that_suits(
    settings: Settings, llama_cpp_python: LlamaCppPython, seed_article: dict[str, Any]
) -> None:
    async with AsyncTestClient(app=create_app(settings.model_copy(update={"mode": "json_schema"}))) as api:
        response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 502, response.text
    problem = response.json()
    assert problem["type"] == "https://summarise.dev/problems/model-server-error"
    assert "does not take the request shape of SUMMARISE_MODE=json_schema" in problem["detail"]
    assert "set SUMMARISE_MODE=tools)" in problem["detail"]
    assert "Input should be 'text' or 'json_object'" in problem["detail"]  # the server's own words
    assert llama_cpp_python.kinds() == {"json_schema"}  # the user's choice wins: never switched
    questions = [question for question, _ in llama_cpp_python.sent]
    assert len(questions) == len(set(questions))  # a refused shape is not retried: it would be refused again
    assert problem["retries"] == 0


@pytest.mark.parametrize(
    "message",
    [
        "error",  # what the fault table's rows send
        "llama_decode returned -1",  # llama-cpp-python's own 500 (RuntimeError in llama.py), of no shape
    ],
)
async def test_a_500_that_names_no_request_shape_is_retried_as_any_500(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any], message: str
) -> None:
    models = llama_cpp_python_paths(model_server)
    sent: list[str] = []

    def failing(request: httpx.Request) -> httpx.Response:
        sent.append(question_in(json.loads(request.content)))
        return error(500, message)

    model_server.post("/chat/completions").mock(side_effect=failing)

    async with AsyncTestClient(app=create_app(settings)) as api:
        asked_at_start = models.call_count
        response = await api.post("/v1/summaries", json=seed_article)

    assert response.status_code == 502, response.text
    problem = response.json()
    assert "model server failed: HTTP 500" in problem["detail"]
    assert "SUMMARISE_MODE" not in problem["detail"]
    assert max(sent.count(question) for question in SEED_QUESTIONS) == settings.transient_attempts
    assert (problem["attempts"], problem["retries"]) == (0, settings.transient_attempts - 1)
    assert models.call_count == asked_at_start  # not a dialect: nobody asked who the server is
