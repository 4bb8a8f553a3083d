"""The one classifier of what went wrong at the model server: its metrics label, whether another try
may help, and what the client is told when it was the last try.

Transient: 408, 409, 429, 5xx, timeouts, broken connections, and a 200 that is not a chat completion (a
proxy's error page). Not transient: an answer over the size cap, a 4xx the server gave our request, and
a Retry-After longer than the budget left (answered 503 at once, with the wait).
"""

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

# What the model layer raises or receives from openai for a fault of the server (not of our code).
SERVER_FAULTS = (openai.APIError, RetryAfterBeyondBudget, MalformedResponse)


@dataclass(frozen=True)
class Fault:
    label: str  # outcome on the model-calls counter: a small, fixed set
    transient: bool  # worth another try within the budget
    error: SummariseError  # what the client is told when no try is left


def classify(exc: BaseException, base_url: str) -> Fault | None:
    """The fault `exc` stands for; None when it is not the model server's (a bug of ours: let it rise)."""
    if isinstance(exc, RetryAfterBeyondBudget):
        asked = {"Retry-After": str(round(exc.wait_s))}
        return Fault("rate_limited", False, ModelUnavailable(f"model server is rate-limiting: {exc}", headers=asked))
    if isinstance(exc, MalformedResponse):
        return Fault("malformed", True, ModelServerError(str(exc)))
    if isinstance(exc, openai.APIConnectionError):  # timeouts included
        return _connection_fault(exc, base_url)
    if isinstance(exc, openai.APIStatusError):
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


def short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
