"""What each kind of model server and model needs from us beyond the OpenAI wire format.

- `SUMMARISE_MODE=tools_strict`: OpenAI's strict function calling. instructor 1.17 maps its TOOLS_STRICT to
  plain TOOLS (a deprecated mode), so the request was byte-identical to `tools`; `strict_tool` makes the tool
  strict itself: every object closed (`additionalProperties: false`) with every property required, optional
  fields nullable, and only the keywords strict mode accepts (no `default`, `title`, lengths, bounds, patterns
  or formats: pydantic still checks those on the answer, and a failure is re-asked as in every mode).
- OpenAI's reasoning models (o1, o3, o4-mini, gpt-5...) refuse `max_tokens` and any `temperature` but the
  default: `sampling` sends them `max_completion_tokens` (which also covers their hidden reasoning) and no
  temperature.
- Structured output: not every server takes every request shape. `PROFILES` says, per server family, the
  modes it takes, best first; `SUMMARISE_MODE=auto` starts with `ModelSettings.resolved_mode()` and, when the
  server refuses that shape (`faults.refused_shape`), goes on to the next mode its family takes.
"""

import copy
import re
from dataclasses import dataclass
from typing import Any, Literal

from service.settings import StructuredMode

# The keywords a strict schema may hold (OpenAI's supported subset, kept to what every snapshot accepts).
STRICT_KEYWORDS = frozenset(
    {"type", "properties", "required", "additionalProperties", "items", "enum", "const", "anyOf", "$ref", "$defs"}
    | {"description"}
)
# o1, o1-mini, o3-mini-2025-01-31, o4-mini, gpt-5, gpt-5-mini, gpt-5.1; also behind a router prefix (openai/o3).
_REASONING_MODEL = re.compile(r"(?:^|/)(?:o\d+(?:-|$)|gpt-5)", re.IGNORECASE)


Family = Literal["llama.cpp", "llama-cpp-python", "vllm", "ollama", "lm-studio", "openai", "other"]


@dataclass(frozen=True)
class ServerProfile:
    family: Family
    modes: tuple[StructuredMode, ...]  # the structured-output modes it takes, best first

    def after(self, refused: StructuredMode) -> StructuredMode | None:
        """The mode to ask in once `refused` was refused: the next one this family takes (its best when it
        does not take `refused` at all); None when none is left."""
        if refused not in self.modes:
            return self.modes[0]
        rest = self.modes[self.modes.index(refused) + 1 :]
        return rest[0] if rest else None


# md_json (the schema in the prompt, JSON in a fenced block, nothing constrained) is what any server takes.
PROFILES: dict[Family, ServerProfile] = {
    # tools/server: response_format json_schema and json_object become a grammar; tools need --jinja.
    "llama.cpp": ServerProfile("llama.cpp", ("json_schema", "json", "md_json")),
    # llama_cpp/llama_types.py: ChatCompletionRequestResponseFormat.type is Literal["text", "json_object"],
    # so json_schema is refused (a 500). tools first: a tool_choice that names the tool becomes a grammar of its
    # parameters (llama_chat_format.py, chat_formatter_to_chat_completion_handler), while json_object without
    # a `schema` is any JSON: on the seed, checked for real, the 1.5B model then broke the schema's maxItems.
    "llama-cpp-python": ServerProfile("llama-cpp-python", ("tools", "json", "md_json")),
    "vllm": ServerProfile("vllm", ("json_schema", "json", "md_json")),
    # openai/openai.go: json_schema is the format's schema, json_object is format "json".
    "ollama": ServerProfile("ollama", ("json_schema", "json", "md_json")),
    # 400 "'response_format.type' must be 'json_schema' or 'text'": no json_object; tools since 0.3.6.
    "lm-studio": ServerProfile("lm-studio", ("json_schema", "tools", "md_json")),
    "openai": ServerProfile("openai", ("tools", "json_schema", "json")),
    "other": ServerProfile("other", ("json_schema", "json", "md_json")),
}
# What each says in /v1/models' `owned_by`, from the servers' own source where it is open:
# llama-cpp-python llama_cpp/server/app.py `"owned_by": "me"`; llama.cpp tools/server `{"owned_by", "llamacpp"}`;
# vLLM's ModelCard `owned_by: str = "vllm"`; Ollama openai/openai.go the model's namespace, "library" for its
# own library's models; LM Studio (closed) "organization_owner"; OpenAI "openai", "system", "openai-internal".
OWNED_BY: dict[str, Family] = {
    "me": "llama-cpp-python",
    "llamacpp": "llama.cpp",
    "vllm": "vllm",
    "library": "ollama",
    "organization_owner": "lm-studio",
    "openai": "openai",
    "system": "openai",
    "openai-internal": "openai",
}


def profile_of(host: str | None, owned_by: list[str], has_props: bool = False) -> ServerProfile:
    """The family a server belongs to, from what it says about itself: its models' `owned_by` (the first
    one we know), else its host, else whether it answers llama.cpp's `GET /props`."""
    for owner in owned_by:
        if owner in OWNED_BY:
            return PROFILES[OWNED_BY[owner]]
    if host == "api.openai.com":
        return PROFILES["openai"]
    return PROFILES["llama.cpp" if has_props else "other"]


def is_reasoning_model(model: str) -> bool:
    return _REASONING_MODEL.search(model) is not None


def sampling(model: str, max_tokens: int, temperature: float) -> dict[str, Any]:
    """The answer-length and sampling parameters `model` accepts."""
    if is_reasoning_model(model):
        return {"max_completion_tokens": max_tokens}
    return {"max_tokens": max_tokens, "temperature": temperature}


def strict_tool(function: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI tool function (`name`, `description`, `parameters`) as a strict one."""
    parameters = copy.deepcopy(function["parameters"])
    return {
        "name": function["name"],
        "description": function.get("description", ""),
        "parameters": _strict(parameters, parameters),
        "strict": True,
    }


def _strict(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node and len(node) > 1:
        # A reference may not have siblings (a description): inline what it points at, ours first.
        node = {**_resolve(root, node["$ref"]), **{key: value for key, value in node.items() if key != "$ref"}}
    if "oneOf" in node and "anyOf" not in node:
        node = {**node, "anyOf": node["oneOf"]}
    if isinstance(node.get("allOf"), list) and len(node["allOf"]) == 1:
        node = {**_strict(node["allOf"][0], root), **{key: value for key, value in node.items() if key != "allOf"}}
    strict = {key: value for key, value in node.items() if key in STRICT_KEYWORDS}
    if isinstance(strict.get("$defs"), dict):
        strict["$defs"] = {name: _strict(schema, root) for name, schema in strict["$defs"].items()}
    if isinstance(strict.get("items"), dict):
        strict["items"] = _strict(strict["items"], root)
    if isinstance(strict.get("anyOf"), list):
        strict["anyOf"] = [_strict(branch, root) for branch in strict["anyOf"]]
    if strict.get("type") == "object" or "properties" in strict:
        properties = {}
        for name, schema in (strict.get("properties") or {}).items():
            prop = _strict(schema, root)
            if name not in node.get("required", []) and schema.get("default", ...) is None and not _nullable(prop):
                prop = {"anyOf": [prop, {"type": "null"}]}  # optional: the model says null rather than leaving it out
            properties[name] = prop
        strict["properties"] = properties
        strict["required"] = list(properties)
        strict["additionalProperties"] = False
    return strict


def _nullable(schema: dict[str, Any]) -> bool:
    kinds = schema.get("type")
    if kinds == "null" or (isinstance(kinds, list) and "null" in kinds):
        return True
    return any(_nullable(branch) for branch in schema.get("anyOf", []))


def _resolve(root: dict[str, Any], ref: str) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"only local references can be made strict, not {ref!r}")
    node: Any = root
    for key in ref[2:].split("/"):
        node = node[key]
    if not isinstance(node, dict):
        raise ValueError(f"{ref!r} does not point at a schema")
    return node
