"""An answer read as a stream: the server sends each token as it writes it, so the read timeout between
bytes means "no progress" rather than "not finished yet" (a non-streamed answer sends nothing until it is
complete, and a slow or busy machine took longer than the timeout: the retry started the work over).

The chunks (OpenAI's `chat.completion.chunk`, as llama.cpp, vLLM and OpenAI send them) are put back
together into the one `chat.completion` the rest of the model layer reads.
"""

from typing import Any

import httpx
import openai
from openai import AsyncStream
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from service.errors import MalformedResponse, ResponseTooLarge


async def assembled(stream: AsyncStream[ChatCompletionChunk]) -> ChatCompletion:
    """The whole answer; a fault while reading it is raised as openai raises one before the answer (a
    timeout, a broken connection, an answer over the size cap), so that it is classified and retried alike."""
    response = stream.response
    if response.headers.get("content-type", "").startswith("application/json"):  # a server that does not stream
        return ChatCompletion.model_validate_json(await response.aread())
    try:
        return await _chunks_together(stream)
    except httpx.TimeoutException as exc:
        raise openai.APITimeoutError(request=response.request) from exc
    except (httpx.TransportError, ResponseTooLarge) as exc:
        raise openai.APIConnectionError(message=str(exc), request=response.request) from exc


async def _chunks_together(stream: AsyncStream[ChatCompletionChunk]) -> ChatCompletion:
    content: list[str] = []
    calls: dict[int, dict[str, Any]] = {}
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    first: ChatCompletionChunk | None = None
    async for chunk in stream:
        first = first or chunk
        if chunk.usage is not None:
            usage = chunk.usage.model_dump()
        for choice in chunk.choices[:1]:
            delta = choice.delta
            if delta.content:
                content.append(delta.content)
            for call in delta.tool_calls or []:
                entry = calls.setdefault(call.index, {"id": call.id, "type": "function", "name": "", "arguments": ""})
                entry["id"] = entry["id"] or call.id
                if call.function is not None:
                    entry["name"] += call.function.name or ""
                    entry["arguments"] += call.function.arguments or ""
            finish_reason = choice.finish_reason or finish_reason
    if first is None:
        raise MalformedResponse("the model server's stream ended before its first chunk")
    tool_calls = [
        {"id": c["id"] or f"call_{i}", "type": "function", "function": {"name": c["name"], "arguments": c["arguments"]}}
        for i, c in sorted(calls.items())
    ]
    message: dict[str, Any] = {"role": "assistant", "content": "".join(content) or None}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return ChatCompletion.model_validate(
        {
            "id": first.id,
            "object": "chat.completion",
            "created": first.created,
            "model": first.model,
            "choices": [{"index": 0, "finish_reason": finish_reason or "stop", "message": message}],
            "usage": usage,
        }
    )
