"""The one classifier of what went wrong at the model server: its metrics label, whether another try
may help, and what the client is told when it was the last try.

Transient: 408, 409, 429, 5xx, timeouts, broken connections, and a 200 that is not a chat completion (a
proxy's error page). Not transient: an answer over the size cap, a 4xx the server gave our request, a
Retry-After longer than the budget left (answered 503 at once, with the wait), and a refused request shape:
a 4xx or 5xx whose message names what the structured-output mode sent (`response_format`, `json_schema`,
`tools`...), which the same request would meet again (llama-cpp-python answers json_schema with a 500).
"""

import re
from dataclasses import dataclass

import httpx
import openai

from service.errors import (
    MalformedResponse,
    ModelServerError,
    ModelTimeout,
    ModelUnavailable,
    ResponseTooLarge,
    RetryAfterBeyondBudget,
    SummariseError,
)
from service.settings import StructuredMode

# What the model layer raises or receives from openai for a fault of the server (not of our code).
SERVER_FAULTS = (openai.APIError, RetryAfterBeyondBudget, MalformedResponse)


# What a server's refusal names when it does not take the shape a mode sends: response_format (json_schema:
# {"type": "json_schema", "json_schema": ...}; json: {"type": "json_object"}), or the tool and tool_choice.
# md_json sends neither: nothing of its shape can be refused.
_SHAPE_WORDS: dict[StructuredMode, re.Pattern[str]] = {
    "json_schema": re.compile(r"response_format|json_schema", re.IGNORECASE),
    "json": re.compile(r"response_format|json_object", re.IGNORECASE),
    "tools": re.compile(r"\btools?\b|tool_choice|tool call|function.call", re.IGNORECASE),
    "tools_strict": re.compile(r"\btools?\b|tool_choice|tool call|function.call|parallel_tool_calls", re.IGNORECASE),
}
# Statuses that say "not now" rather than "not this": their own rows, whatever the message.
_NOT_NOW = frozenset({408, 409, 429, 503, 504})


@dataclass(frozen=True)
class Fault:
    label: str  # outcome on the model-calls counter: a small, fixed set
    transient: bool  # worth another try within the budget
    error: SummariseError  # what the client is told when no try is left
    refused_shape: bool = False  # the server does not take the request shape of the mode asked in


def refused_shape(exc: BaseException, mode: StructuredMode | None) -> bool:
    """Whether `exc` is the server refusing the shape of a request sent in `mode`."""
    if mode is None or mode not in _SHAPE_WORDS or not isinstance(exc, openai.APIStatusError):
        return False
    if exc.status_code < 400 or exc.status_code in _NOT_NOW:
        return False
    return _SHAPE_WORDS[mode].search(exc.message) is not None  # openai puts the whole body in the message


def classify(
    exc: BaseException, base_url: str, mode: StructuredMode | None = None, instead: StructuredMode | None = None
) -> Fault | None:
    """The fault `exc` stands for; None when it is not the model server's (a bug of ours: let it rise).

    `mode`: the structured-output mode the request was sent in (a refused shape is told apart by it);
    `instead`: the mode the server's family takes, which the problem then names."""
    if isinstance(exc, RetryAfterBeyondBudget):
        asked = {"Retry-After": str(round(exc.wait_s))}
        return Fault("rate_limited", False, ModelUnavailable(f"model server is rate-limiting: {exc}", headers=asked))
    if isinstance(exc, MalformedResponse):
        return Fault("malformed", True, ModelServerError(str(exc)))
    if isinstance(exc, openai.APIConnectionError):  # timeouts included
        return _connection_fault(exc, base_url)
    if isinstance(exc, openai.APIStatusError):
        if mode is not None and refused_shape(exc, mode):
            return _refused_shape_fault(exc, mode, instead)
        return _status_fault(exc)
    if isinstance(exc, openai.APIError):
        return Fault("error", False, ModelServerError(f"model server error: {short(str(exc))}"))
    return None


def _connection_fault(exc: openai.APIConnectionError, base_url: str) -> Fault:
    cause = exc.__cause__
    label = "timeout" if isinstance(exc, openai.APITimeoutError) else "connection_error"
    if isinstance(cause, ResponseTooLarge):
        return Fault("too_large", False, ModelServerError(str(cause)))
    if isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout)):
        detail = f"cannot connect to the model server at {base_url} ({type(cause).__name__})"
        return Fault(label, True, ModelUnavailable(detail))
    if isinstance(exc, openai.APITimeoutError):
        return Fault(label, True, ModelTimeout(f"model server at {base_url} did not answer in time"))
    detail = f"the connection to the model server at {base_url} broke off: {short(str(cause))}"
    return Fault(label, True, ModelServerError(detail))


def _status_fault(exc: openai.APIStatusError) -> Fault:
    status = exc.status_code
    label = "rate_limited" if status == 429 else "server_error" if status >= 500 else "rejected"
    transient = status in (408, 409, 429) or status >= 500
    if status in (429, 503):
        retry_after = exc.response.headers.get("retry-after")
        detail = f"model server still answered {status} after retries"
        return Fault(
            label, transient, ModelUnavailable(detail, headers={"Retry-After": retry_after} if retry_after else None)
        )
    what = "failed" if status >= 500 else "rejected our request"
    return Fault(label, transient, ModelServerError(f"model server {what}: HTTP {status}: {short(exc.message)}"))


def _refused_shape_fault(exc: openai.APIStatusError, mode: StructuredMode, instead: StructuredMode | None) -> Fault:
    setting = f"set SUMMARISE_MODE={instead}" if instead else "no other SUMMARISE_MODE is known to suit it"
    detail = (
        f"the model server does not take the request shape of SUMMARISE_MODE={mode} ({setting}): "
        f"HTTP {exc.status_code}: {short(_said(exc))}"
    )
    return Fault("refused_shape", False, ModelServerError(detail), refused_shape=True)


def _said(exc: openai.APIStatusError) -> str:
    """The server's own message, unescaped: openai keeps a body's `error` as `body` (OpenAI's and
    llama-cpp-python's `{"message"}`, LM Studio's string); FastAPI's `{"detail"}`. Else openai's message,
    which holds the body's repr."""
    said = exc.body
    if isinstance(said, dict):
        said = said.get("message", said.get("detail"))
    return said if isinstance(said, str) and said else exc.message


def short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
