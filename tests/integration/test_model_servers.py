"""Each kind of model server gets the exact body it accepts (respx at the HTTP boundary): OpenAI's strict
tools and reasoning models, llama.cpp's and vLLM's /tokenize, Ollama's context."""

import json
from typing import Any

import httpx
import pytest
import respx
from litestar.testing import AsyncTestClient

from service.api.app import create_app
from service.model.client import ModelClient
from service.model.http import model_http_client
from service.model.servers import STRICT_KEYWORDS
from service.settings import Settings
from tests.conftest import MODEL_URL
from tests.factories import ModelServer, composed, models_list

ROOT = MODEL_URL.removesuffix("/v1")


async def summarise(settings: Settings, server: ModelServer, model_server: respx.MockRouter, article: Any) -> Any:
    model_server.post("/chat/completions").mock(side_effect=server)
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.post("/v1/summaries", json=article)
    assert response.status_code == 200, response.text
    return response.json()


def objects_in(schema: Any) -> list[dict[str, Any]]:
    """Every object schema in `schema`, nested ones and definitions included."""
    found = []
    if isinstance(schema, dict):
        if schema.get("type") == "object" or "properties" in schema:
            found.append(schema)
        for value in schema.values():
            found += objects_in(value)
    elif isinstance(schema, list):
        for value in schema:
            found += objects_in(value)
    return found


def keywords_in(schema: Any) -> set[str]:
    """The JSON Schema keywords used (property names and definition names are not keywords)."""
    if isinstance(schema, list):
        return set().union(*(keywords_in(value) for value in schema)) if schema else set()
    if not isinstance(schema, dict):
        return set()
    used = set(schema)
    for key, value in schema.items():
        if key in ("properties", "$defs"):
            used |= set().union(*(keywords_in(sub) for sub in value.values())) if value else set()
        else:
            used |= keywords_in(value)
    return used


@pytest.mark.model_first  # the participants question's answer has the optional fields (affiliation) checked here
async def test_tools_strict_sends_a_strict_tool(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    server = ModelServer(tools=True)

    body = await summarise(settings.model_copy(update={"mode": "tools_strict"}), server, model_server, seed_article)

    assert body["meta"]["mode"] == "tools_strict"
    assert len(body["participants"]) == 4
    for question, requests in server.requests.items():
        sent = requests[0]
        (tool,) = sent["tools"]
        function = tool["function"]
        assert function["strict"] is True, question
        assert sent["parallel_tool_calls"] is False
        assert sent["tool_choice"] == {"type": "function", "function": {"name": function["name"]}}
        parameters = function["parameters"]
        assert keywords_in(parameters) <= STRICT_KEYWORDS, keywords_in(parameters) - STRICT_KEYWORDS
        for schema in objects_in(parameters):
            assert schema["additionalProperties"] is False
            assert schema["required"] == list(schema["properties"])
    # The optional fields (default None) are required and nullable: the model says null, never leaves one out.
    nullable = [
        name
        for requests in server.requests.values()
        for schema in objects_in(requests[0]["tools"][0]["function"]["parameters"])
        for name, prop in schema["properties"].items()
        if {"type": "null"} in prop.get("anyOf", [])
    ]
    assert nullable


async def test_tools_is_left_as_instructor_sends_it(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    server = ModelServer(tools=True)

    await summarise(settings.model_copy(update={"mode": "tools"}), server, model_server, seed_article)

    sent = server.requests["summary"][0]
    assert "strict" not in sent["tools"][0]["function"]
    assert "parallel_tool_calls" not in sent


@pytest.mark.parametrize("model", ["o1", "o3-mini", "o4-mini-2025-04-16", "gpt-5", "gpt-5-mini", "openai/o3"])
async def test_reasoning_models_get_max_completion_tokens_and_no_temperature(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any], model: str
) -> None:
    server = ModelServer()
    configured = settings.model_copy(update={"model": model})

    await summarise(configured, server, model_server, seed_article)

    for requests in server.requests.values():
        sent = requests[0]
        assert sent["max_completion_tokens"] == settings.max_output_tokens
        assert "max_tokens" not in sent
        assert "temperature" not in sent


@pytest.mark.parametrize("model", ["gpt-4o-mini", "qwen2.5:7b-instruct", "Qwen/Qwen2.5-7B-Instruct", "solar-pro"])
async def test_other_models_get_max_tokens_and_the_temperature(
    settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any], model: str
) -> None:
    server = ModelServer()

    await summarise(settings.model_copy(update={"model": model}), server, model_server, seed_article)

    sent = server.requests["summary"][0]
    assert (sent["max_tokens"], sent["temperature"]) == (settings.max_output_tokens, settings.temperature)
    assert "max_completion_tokens" not in sent


TEXT = "U.S. and Ukrainian officials will hold another round of talks in Geneva on Feb. 26."


@pytest.fixture
async def client(settings: Settings) -> Any:
    http = model_http_client(settings)
    yield ModelClient(settings, http, MODEL_URL, "test-model")
    await http.aclose()


def tokenize_as(server: str) -> Any:
    """/tokenize as llama.cpp or vLLM answers it: each takes its own body and refuses the other's."""

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if server == "llama.cpp" and set(body) == {"content"}:
            return httpx.Response(200, json={"tokens": list(range(len(body["content"]) // 4))})
        if server == "vllm" and set(body) == {"model", "prompt"}:
            count = len(body["prompt"]) // 4
            return httpx.Response(200, json={"count": count, "max_model_len": 32768, "tokens": list(range(count))})
        return httpx.Response(400, json={"error": "invalid request"})

    return answer


@pytest.mark.parametrize("server", ["llama.cpp", "vllm"])
async def test_tokenize_is_asked_in_each_servers_own_form(
    client: ModelClient, model_server: respx.MockRouter, server: str
) -> None:
    tokenize = model_server.post(f"{ROOT}/tokenize").mock(side_effect=tokenize_as(server))

    counts = [await client.count_tokens(TEXT), await client.count_tokens(TEXT + TEXT)]

    assert counts == [len(TEXT) // 4, len(TEXT + TEXT) // 4]  # the server's count, not our estimate
    assert client.tokenizer == server
    bodies = [json.loads(call.request.content) for call in tokenize.calls]
    own = {"llama.cpp": {"content": TEXT + TEXT}, "vllm": {"model": "test-model", "prompt": TEXT + TEXT}}[server]
    assert bodies[-1] == own
    assert len(bodies) == (2 if server == "llama.cpp" else 3)  # the form that works is kept


async def test_a_server_without_tokenize_gets_an_estimate_said_once(
    client: ModelClient, model_server: respx.MockRouter
) -> None:
    tokenize = model_server.post(f"{ROOT}/tokenize").mock(return_value=httpx.Response(404))

    counts = [await client.count_tokens(TEXT), await client.count_tokens(TEXT)]

    assert counts == [len(TEXT) // 2 + 1] * 2
    assert client.tokenizer == "estimate"
    assert tokenize.call_count == 2  # both forms tried once, then no more


async def test_a_tokenize_fault_is_an_estimate_this_time_only(
    client: ModelClient, model_server: respx.MockRouter
) -> None:
    model_server.post(f"{ROOT}/tokenize").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json={"tokens": [1, 2, 3]})]
    )

    assert await client.count_tokens(TEXT) == len(TEXT) // 2 + 1
    assert await client.count_tokens(TEXT) == 3
    assert client.tokenizer == "llama.cpp"


def not_found(model_server: respx.MockRouter, *paths: str) -> None:
    for method, path in (p.split(" ") for p in paths):
        model_server.route(method=method, url=f"{ROOT}{path}").mock(return_value=httpx.Response(404))


async def test_llama_cpp_says_its_context(client: ModelClient, model_server: respx.MockRouter) -> None:
    model_server.get(f"{ROOT}/props").mock(
        return_value=httpx.Response(200, json={"default_generation_settings": {"n_ctx": 8192}, "total_slots": 1})
    )

    assert await client.context_window() == 8192


async def test_vllm_says_its_context(client: ModelClient, model_server: respx.MockRouter) -> None:
    not_found(model_server, "GET /props")
    models = {"object": "list", "data": [{"id": "test-model", "object": "model", "max_model_len": 32768}]}
    model_server.get("/models").mock(return_value=httpx.Response(200, json=models))

    assert await client.context_window() == 32768


def ollama(model_server: respx.MockRouter, *, parameters: str = "", loaded: int | None = None) -> respx.Route:
    not_found(model_server, "GET /props")
    model_server.get("/models").mock(
        return_value=httpx.Response(200, json={"object": "list", "data": [{"id": "test-model", "object": "model"}]})
    )
    show = model_server.post(f"{ROOT}/api/show").mock(
        return_value=httpx.Response(
            200, json={"parameters": parameters, "model_info": {"qwen2.context_length": 32768}, "details": {}}
        )
    )
    running = [{"name": "test-model", "model": "test-model", "context_length": loaded}] if loaded else []
    model_server.get(f"{ROOT}/api/ps").mock(return_value=httpx.Response(200, json={"models": running}))
    return show


@pytest.mark.parametrize(
    ("parameters", "loaded", "held"),
    [
        ("", None, 4096),  # Ollama's default: its least since 0.6.7
        ('stop "<|im_end|>"\nnum_ctx 16384\ntemperature 0.7', None, 16384),  # the Modelfile's
        ("num_ctx 16384", 2048, 2048),  # loaded with OLLAMA_CONTEXT_LENGTH=2048: what it really holds
    ],
    ids=["default", "modelfile", "loaded"],
)
async def test_ollama_says_what_it_holds(
    client: ModelClient, model_server: respx.MockRouter, parameters: str, loaded: int | None, held: int
) -> None:
    show = ollama(model_server, parameters=parameters, loaded=loaded)

    assert await client.context_window() == held
    assert json.loads(show.calls.last.request.content) == {"model": "test-model"}


async def test_openai_says_no_context(client: ModelClient, model_server: respx.MockRouter) -> None:
    not_found(model_server, "GET /props", "POST /api/show")
    model_server.get("/models").mock(return_value=models_list())

    assert await client.context_window() is None


async def test_an_article_is_split_to_the_context_ollama_holds(
    settings: Settings, model_server: respx.MockRouter
) -> None:
    # 9,000 characters: about 4,500 tokens by our estimate (Ollama has no /tokenize), one part in 8,192
    # tokens of context, but more than Ollama's default 4,096 holds, which would cut it without a word.
    paragraph = "Mayor Ana Ruiz said on Monday that the council will vote on the budget next week. " * 3
    text = "\n\n".join(f"Part {n}. {paragraph}" for n in range(1, 37))
    assert 8_500 < len(text) < 9_500
    ollama(model_server)
    model_server.post(f"{ROOT}/tokenize").mock(return_value=httpx.Response(404))
    answers = {
        "participants": {"participants": [{"name": "Ana Ruiz", "kind": "person", "role": "mayor"}]},
        "issues": {"open_issues": []},
        "summary": composed("The council will vote on the budget next week."),
        "combine": {"summary": "The council will vote on the budget next week."},
    }
    server = ModelServer(answers)

    body = await summarise(settings, server, model_server, {"text": text})

    assert settings.context_tokens == 8192
    assert body["meta"]["chunks"] > 1
    split = f"{body['meta']['chunks']} parts: the model server counts no tokens for us: the article was split by an estimate of them"
    assert split in body["meta"]["warnings"]  # sized by an estimate, and said so
    for requests in server.requests.values():
        for request in requests:
            prompt = sum(len(message["content"]) for message in request["messages"])
            assert prompt // 2 + settings.max_output_tokens <= 4096  # fits, by the same conservative estimate
