"""Each kind of model server gets the exact body it accepts (respx at the HTTP boundary): OpenAI's strict
tools and reasoning models, llama.cpp's and vLLM's /tokenize, Ollama's context."""

from typing import Any

import pytest
import respx
from litestar.testing import AsyncTestClient

from service.api.app import create_app
from service.model.servers import STRICT_KEYWORDS
from service.settings import Settings
from tests.conftest import MODEL_URL
from tests.factories import ModelServer

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

    sent = server.requests["participants"][0]
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


