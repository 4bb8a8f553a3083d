"""Server families as data: who a server is by what it says, the modes each takes, and which refusals are
of the request's shape (what the fault classifier tells apart from every other 4xx and 5xx)."""

import json
from typing import Any

import httpx
import openai
import pytest

from service.errors import ModelServerError
from service.model.faults import classify, refused_shape
from service.model.servers import PROFILES, profile_of
from service.settings import StructuredMode


@pytest.mark.parametrize(
    ("host", "owned_by", "has_props", "family"),
    [
        ("localhost", ["me"], False, "llama-cpp-python"),  # llama_cpp/server/app.py
        ("localhost", ["llamacpp"], True, "llama.cpp"),  # tools/server
        ("localhost", [], True, "llama.cpp"),  # an older llama-server: /props is its own
        ("gpu-box", ["vllm"], False, "vllm"),  # vLLM's ModelCard
        ("localhost", ["library"], False, "ollama"),  # Ollama: the namespace of a library model
        ("localhost", ["organization_owner"], False, "lm-studio"),
        ("api.openai.com", ["system", "openai"], False, "openai"),
        ("api.openai.com", ["user-abc123"], False, "openai"),  # a fine-tune: the host says it
        ("router.example", ["bartowski"], False, "other"),  # Ollama with a Hugging Face model, or anyone
        ("router.example", ["unknown", "vllm"], False, "vllm"),  # the first owner we know
    ],
)
def test_a_server_is_known_by_what_it_says_of_itself(
    host: str, owned_by: list[str], has_props: bool, family: str
) -> None:
    assert profile_of(host, owned_by, has_props).family == family


@pytest.mark.parametrize(
    ("family", "refused", "instead"),
    [
        ("llama-cpp-python", "json_schema", "tools"),  # it takes no json_schema: its best
        ("llama-cpp-python", "tools", "json"),
        ("lm-studio", "json", "json_schema"),  # it takes no json_object
        ("lm-studio", "json_schema", "tools"),
        ("other", "json_schema", "json"),
        ("other", "json", "md_json"),
        ("other", "md_json", None),  # nothing left
        ("openai", "tools", "json_schema"),
    ],
)
def test_a_refused_mode_gives_way_to_the_next_one_the_family_takes(
    family: str, refused: StructuredMode, instead: StructuredMode | None
) -> None:
    assert PROFILES[family].after(refused) == instead  # type: ignore[index]


def test_every_family_ends_in_a_mode_any_server_takes_or_its_own() -> None:
    for profile in PROFILES.values():
        assert "auto" not in profile.modes
        assert len(set(profile.modes)) == len(profile.modes)


def status_error(status: int, body: Any) -> openai.APIStatusError:
    """The exception openai raises for this response (its own code builds it, as in a real call)."""
    client = openai.OpenAI(base_url="http://model.test/v1", api_key="-")
    request = httpx.Request("POST", "http://model.test/v1/chat/completions")
    text = body if isinstance(body, str) else json.dumps(body)
    return client._make_status_error_from_response(httpx.Response(status, text=text, request=request))


LLAMA_CPP_PYTHON = {  # tests/integration/test_model_dialects.py has the whole message and its source
    "error": {
        "message": "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
        "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}",
        "type": "internal_server_error",
        "param": None,
        "code": None,
    }
}

NO_JINJA = {
    "error": {"code": 500, "message": "tools param requires --jinja flag", "type": "server_error"}
}  # llama-server
OLLAMA_NO_TOOLS = {"error": {"message": "registry.ollama.ai/library/gemma3:270m does not support tools"}}


@pytest.mark.parametrize(
    ("status", "body", "mode", "refused"),
    [
        (500, LLAMA_CPP_PYTHON, "json_schema", True),
        (400, {"error": "'response_format.type' must be 'json_schema' or 'text'"}, "json", True),  # LM Studio
        (500, NO_JINJA, "tools", True),
        (400, OLLAMA_NO_TOOLS, "tools_strict", True),
        (500, {"error": {"message": "boom", "type": "server_error"}}, "json_schema", False),
        (400, {"error": {"message": "This model's maximum context length is 8192 tokens."}}, "json_schema", False),
        (429, {"error": {"message": "response_format: rate limit"}}, "json_schema", False),  # not now, not this
        (503, {"error": {"message": "Loading model (response_format unavailable)"}}, "json", False),
        (500, LLAMA_CPP_PYTHON, "tools", False),  # a tools request sent no response_format to refuse
        (500, LLAMA_CPP_PYTHON, "md_json", False),  # md_json sends nothing of a shape
        (500, LLAMA_CPP_PYTHON, None, False),  # the mode unknown: no guess
    ],
)
def test_a_refused_shape_is_a_4xx_or_5xx_naming_what_the_mode_sent(
    status: int, body: Any, mode: StructuredMode | None, refused: bool
) -> None:
    exc = status_error(status, body)

    assert refused_shape(exc, mode) is refused
    fault = classify(exc, "http://model.test/v1", mode, "json")
    assert fault is not None
    assert fault.refused_shape is refused
    assert fault.label == "refused_shape" if refused else fault.label != "refused_shape"
    if refused:
        assert not fault.transient  # the same request would be refused again
        assert isinstance(fault.error, ModelServerError)
        assert f"SUMMARISE_MODE={mode} (set SUMMARISE_MODE=json)" in fault.error.detail


def test_a_refused_shape_says_the_servers_own_words() -> None:
    fault = classify(status_error(500, LLAMA_CPP_PYTHON), "http://model.test/v1", "json_schema", None)

    assert fault is not None
    assert "Input should be 'text' or 'json_object'" in fault.error.detail  # unescaped, not the body's repr
    assert "no other SUMMARISE_MODE is known to suit it" in fault.error.detail
