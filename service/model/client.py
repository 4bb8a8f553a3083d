"""The one place that calls the model: openai's async client, instructor for structure, tenacity for faults.

Retries have one owner each:
- transient model-server faults (429, 408/409, 5xx, timeouts, connection errors) are retried here, with
  tenacity, honouring Retry-After; the openai client's own retries are off (`max_retries=0`);
- an answer that fails validation is re-asked by instructor (`max_retries=reasks`) with the error appended;
- the whole call runs under one time budget.

Every HTTP call is counted and its token usage summed, re-asks and retries included, in `CallStats`.
"""

import asyncio
import functools
import json
import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Generic, TypeVar, cast

import httpx
import instructor
import jiter
import openai
import structlog
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from instructor.v2.core.response_model import prepare_response_model
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, ValidationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from service import metrics
from service.errors import (
    MalformedResponse,
    ModelOutputInvalid,
    ModelServerError,
    ModelTimeout,
    ModelUnavailable,
    ResponseTooLarge,
    RetryAfterBeyondBudget,
    SummariseError,
)
from service.settings import Settings, StructuredMode

T = TypeVar("T", bound=BaseModel)

log = structlog.get_logger("summarise.model")

# instructor logs every exhausted re-ask as an ERROR; we handle those (salvage or 502) and report them.
logging.getLogger("instructor").setLevel(logging.CRITICAL)

INSTRUCTOR_MODES: dict[StructuredMode, instructor.Mode] = {
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "tools": instructor.Mode.TOOLS,
    "tools_strict": instructor.Mode.TOOLS_STRICT,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}


@dataclass
class CallStats:
    """What one extraction cost, across retries and re-asks."""

    deadline: float
    answers: int = 0  # responses the model gave (each one validated: first try + re-asks)
    retries: int = 0  # transient failures retried
    prompt_tokens: int = 0
    completion_tokens: int = 0
    started: float = field(default_factory=time.monotonic)

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def count(self, response: ChatCompletion) -> None:
        self.answers += 1
        if response.usage is not None:
            self.prompt_tokens += response.usage.prompt_tokens
            self.completion_tokens += response.usage.completion_tokens
            metrics.model_tokens.labels("prompt").inc(response.usage.prompt_tokens)
            metrics.model_tokens.labels("completion").inc(response.usage.completion_tokens)


@dataclass(frozen=True)
class Answer(Generic[T]):
    value: T
    stats: CallStats
    # Set when no answer passed the strict check and `value` is the last one, parsed without context.
    rejected_because: str | None = None
    # Set when the answer was cut off at max_tokens and `value` keeps only its complete items.
    truncated: bool = False


_stats: ContextVar[CallStats] = ContextVar("call_stats")
# What validators may check an answer against (e.g. the article), for the duration of one `extract`.
# Not instructor's `context=`: given one, instructor renders every message as a Jinja template, and an
# article containing "{{ 7*7 }}" would reach the model as "49" (or "{% if %}" fail the request).
_validation_context: ContextVar[dict[str, Any] | None] = ContextVar("validation_context", default=None)


def validation_context() -> dict[str, Any]:
    """The context of the strict check in progress; empty outside one (the lenient pass, salvage)."""
    return _validation_context.get() or {}


class ModelClient:
    """Talks to one OpenAI-compatible server. Built once at start-up; safe for concurrent requests."""

    def __init__(self, settings: Settings, http_client: httpx.AsyncClient, base_url: str, model: str) -> None:
        self.settings = settings
        self.base_url = base_url
        self.model = model
        self.mode: StructuredMode = settings.resolved_mode()
        api_key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
        self._http = http_client
        self._tokenizer_available: bool | None = None
        self._openai = openai.AsyncOpenAI(
            base_url=base_url,
            api_key=api_key,
            http_client=http_client,  # an httpx client: pooled, and visible to respx in tests
            max_retries=0,
            timeout=httpx.Timeout(settings.model_timeout_s, connect=10.0),
        )
        # instructor wraps our retrying `create`: it owns re-asks, we own transient faults.
        self._create: Callable[..., Awaitable[Any]] = instructor.patch(
            create=self._create_with_retries, mode=INSTRUCTOR_MODES[self.mode]
        )

    async def extract(
        self,
        messages: list[dict[str, str]],
        response_model: type[T],
        context: dict[str, Any],
        deadline: float | None = None,
    ) -> Answer[T]:
        """A validated answer, re-asked on invalid ones, within the budget ending at `deadline` (monotonic)."""
        budget = self.settings.request_budget_s
        stats = CallStats(deadline=deadline or time.monotonic() + budget)
        token = _stats.set(stats)
        context_token = _validation_context.set(None)
        max_tokens = self.settings.max_output_tokens
        try:
            async with asyncio.timeout(stats.remaining()):
                answer = await self._extract(messages, response_model, context, max_tokens)
                if answer is None:  # cut off before one item was complete: once more, with twice the room
                    max_tokens *= 2
                    answer = await self._extract(messages, response_model, context, max_tokens)
            if answer is None:
                raise ModelOutputInvalid(
                    f"the model's answer was cut off at max_tokens={max_tokens} before it was complete"
                )
            return answer
        except TimeoutError:
            timeout = ModelTimeout(f"no valid answer within the request budget of {budget:g} s")
            raise _with_stats(timeout, stats) from None
        except SummariseError as error:
            raise _with_stats(error, stats) from error.__cause__
        finally:
            _stats.reset(token)
            _validation_context.reset(context_token)
            metrics.model_reasks.inc(max(stats.answers - 1, 0))
            log.info(
                "model_answer",
                question=response_model.__name__,
                latency_ms=round((time.monotonic() - stats.started) * 1000),
                answers=stats.answers,
                retries=stats.retries,
                prompt_tokens=stats.prompt_tokens,
                completion_tokens=stats.completion_tokens,
            )

    async def _extract(
        self, messages: list[dict[str, str]], response_model: type[T], context: dict[str, Any], max_tokens: int
    ) -> Answer[T] | None:
        """One instructor call (with its re-asks); None when the answer was cut off with no complete item."""
        stats = _stats.get()
        _validation_context.set(context)
        try:
            value = await self._create(
                model=self.model,
                messages=messages,
                response_model=_prepared(response_model),
                max_retries=self.settings.reasks,
                max_tokens=max_tokens,
                temperature=self.settings.temperature,
            )
            return Answer(cast(T, value), stats)
        except InstructorRetryException as exc:
            cause = exc.__cause__
            if isinstance(cause, _SERVER_FAULTS):
                raise _server_fault(cause, self.base_url) from cause
            _validation_context.set(None)  # what follows keeps what is valid without the strict check
            if isinstance(cause, IncompleteOutputException):
                return _salvaged(cause, response_model, stats)
            return Answer(_lenient_parse(exc, response_model), stats, rejected_because=str(cause or exc))
        except IncompleteOutputException as exc:
            _validation_context.set(None)
            return _salvaged(exc, response_model, stats)
        except _SERVER_FAULTS as exc:
            raise _server_fault(exc, self.base_url) from exc

    async def count_tokens(self, text: str) -> int:
        """Tokens in `text` by the server's own tokenizer (llama.cpp's /tokenize), else a safe estimate."""
        if self._tokenizer_available is not False:
            root = self.base_url.removesuffix("/").removesuffix("/v1")
            try:
                response = await self._http.post(f"{root}/tokenize", json={"content": text}, timeout=10.0)
                if response.status_code == 200:
                    self._tokenizer_available = True
                    return len(response.json()["tokens"])
            except (httpx.HTTPError, ValueError, KeyError):
                pass
            self._tokenizer_available = False
        return len(text) // 2 + 1  # conservative: most tokenizers average 3-4 characters per token

    def observe(self, on_response: Callable[[httpx.Response], Awaitable[None]]) -> None:
        """Call `on_response` for every HTTP exchange with the model server (benchmarks, debugging)."""
        self._http.event_hooks["response"].append(on_response)

    async def ready(self) -> bool:
        try:
            await self._openai.with_options(timeout=3.0).models.list()
        except openai.APIError:
            return False
        return True

    async def _create_with_retries(self, **kwargs: Any) -> ChatCompletion:
        stats = _stats.get()
        retrying = AsyncRetrying(
            retry=retry_if_exception(_is_transient),
            stop=stop_after_attempt(self.settings.transient_attempts),
            wait=_wait_as_server_asks,
            before_sleep=lambda _: _count_retry(stats),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                started = time.perf_counter()
                try:
                    try:
                        # The client's generic POST, not chat.completions.create: that re-walks every message
                        # and the JSON schema against its TypedDicts (a quarter of our CPU per call, measured),
                        # and instructor's kwargs are plain JSON already. Errors, parsing: the same code path.
                        response = await self._openai.post("/chat/completions", cast_to=ChatCompletion, body=kwargs)
                    except json.JSONDecodeError as exc:
                        raise MalformedResponse(f"the model server's answer is not valid JSON ({exc})") from None
                    completion = _as_completion(response)
                except Exception as exc:
                    metrics.model_calls.labels(_outcome(exc)).inc()
                    raise
                finally:
                    metrics.model_call_seconds.observe(time.perf_counter() - started)
                metrics.model_calls.labels("answered").inc()
                stats.count(completion)
                return completion
        raise AssertionError("unreachable: tenacity reraises the last error")  # pragma: no cover


@functools.cache
def _prepared(response_model: type[T]) -> type[T]:
    """The response model as instructor wraps it, with its JSON schema, built once per model: instructor
    rebuilds both on every call otherwise (measured: about half of our CPU time per model call)."""
    prepared = cast(type[T], prepare_response_model(response_model))
    schema = prepared.model_json_schema()

    build_schema = prepared.model_json_schema

    def cached_schema(cls: type[BaseModel], *args: Any, **kwargs: Any) -> dict[str, Any]:
        # Shared, not copied: instructor's handlers only embed it in the request (a deep copy per call
        # was 5 % of our CPU); test_the_schema_sent_stays_the_same_across_calls guards that.
        return schema if not (args or kwargs) else build_schema(*args, **kwargs)

    prepared.model_json_schema = classmethod(cached_schema)  # type: ignore[method-assign, assignment]
    return prepared


def _count_retry(stats: CallStats) -> None:
    stats.retries += 1
    metrics.model_retries.inc()


def _outcome(exc: Exception) -> str:
    """A small, fixed set of labels for the model-calls counter."""
    if isinstance(exc, MalformedResponse):
        return "malformed"
    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "too_large" if isinstance(exc.__cause__, ResponseTooLarge) else "connection_error"
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code == 429:
            return "rate_limited"
        return "server_error" if exc.status_code >= 500 else "rejected"
    return "error"


def _as_completion(response: object) -> ChatCompletion:
    """openai hands back whatever a 200 carried (an HTML page as a str, `{}` as an empty completion)."""
    if not isinstance(response, ChatCompletion):
        raise MalformedResponse(f"the model server answered with a non-JSON body: {_short(str(response), 120)!r}")
    if not response.choices or response.choices[0].message is None:
        raise MalformedResponse("the model server's answer has no choices")
    return response


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, MalformedResponse):  # a proxy's error page or a glitch: worth another try
        return True
    if isinstance(exc, openai.APIConnectionError):  # includes timeouts
        return not isinstance(exc.__cause__, ResponseTooLarge)
    return isinstance(exc, openai.APIStatusError) and (exc.status_code in (408, 409, 429) or exc.status_code >= 500)


_backoff = wait_random_exponential(multiplier=0.5, max=8)


def _wait_as_server_asks(state: RetryCallState) -> float:
    """Retry-After when the server gives one (seconds or HTTP date), else jittered exponential backoff."""
    stats = _stats.get()
    exc = state.outcome.exception() if state.outcome else None
    asked = _retry_after(exc) if isinstance(exc, openai.APIStatusError) else None
    wait = asked if asked is not None else _backoff(state)
    if wait >= stats.remaining():
        if asked is not None:
            raise RetryAfterBeyondBudget(asked, stats.remaining())
        wait = max(stats.remaining() - 0.1, 0.0)
    return wait


def _retry_after(exc: openai.APIStatusError) -> float | None:
    value = exc.response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None


_SERVER_FAULTS = (openai.APIError, RetryAfterBeyondBudget, MalformedResponse)


def _server_fault(exc: Exception, base_url: str) -> SummariseError:
    if isinstance(exc, RetryAfterBeyondBudget):
        return ModelUnavailable(
            f"model server is rate-limiting: {exc}", headers={"Retry-After": str(round(exc.wait_s))}
        )
    if isinstance(exc, MalformedResponse):
        return ModelServerError(str(exc))
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__
        if isinstance(cause, ResponseTooLarge):
            return ModelServerError(str(cause))
        if isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout)):
            return ModelUnavailable(f"cannot connect to the model server at {base_url} ({type(cause).__name__})")
        if isinstance(exc, openai.APITimeoutError):
            return ModelTimeout(f"model server at {base_url} did not answer in time")
        return ModelServerError(f"the connection to the model server at {base_url} broke off: {_short(str(cause))}")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if status in (429, 503):
            retry_after = exc.response.headers.get("retry-after")
            return ModelUnavailable(
                f"model server still answered {status} after retries",
                headers={"Retry-After": retry_after} if retry_after else None,
            )
        what = "failed" if status >= 500 else "rejected our request"
        return ModelServerError(f"model server {what}: HTTP {status}: {_short(exc.message)}")
    return ModelServerError(f"model server error: {_short(str(exc))}")


def salvage_partial(content: str, response_model: type[T]) -> T | None:
    """Parse a cut-off JSON answer, dropping incomplete list items; None if nothing valid is left."""
    try:
        data = jiter.from_json(content.encode(), partial_mode="on")
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    for _ in range(100):  # each round removes at least one bad item
        try:
            return response_model.model_validate(data)
        except ValidationError as error:
            if not _drop_bad_items(data, error, response_model):
                return None
    return None


def _drop_bad_items(data: dict[str, Any], error: ValidationError, response_model: type[BaseModel]) -> bool:
    bad: set[tuple[str, int]] = set()
    changed = False
    for problem in error.errors():
        location = problem["loc"]
        if len(location) >= 2 and isinstance(location[0], str) and isinstance(location[1], int):
            bad.add((location[0], location[1]))
        elif len(location) == 1 and problem["type"] == "missing" and isinstance(location[0], str):
            annotation = response_model.model_fields[location[0]].annotation
            if getattr(annotation, "__origin__", None) is list or "list[" in str(annotation):
                data[location[0]] = []  # a list the answer never reached is empty
                changed = True
    for key, index in sorted(bad, reverse=True):
        if isinstance(data.get(key), list) and index < len(data[key]):
            del data[key][index]
            changed = True
    return changed


def _salvaged(exc: IncompleteOutputException, response_model: type[T], stats: CallStats) -> Answer[T] | None:
    """The complete items of an answer cut off at max_tokens (a small model looping on a list)."""
    content = _content_of(exc.last_completion)
    value = salvage_partial(content, response_model) if content else None
    return Answer(value, stats, truncated=True) if value is not None else None


def _with_stats(error: SummariseError, stats: CallStats) -> SummariseError:
    """Problem details say how hard we tried: answers received and transient failures retried."""
    error.extra.setdefault("attempts", stats.answers)
    error.extra.setdefault("retries", stats.retries)
    return error


def _lenient_parse(exc: InstructorRetryException, response_model: type[T]) -> T:
    """The last answer, validated without the evidence check; the pipeline then drops ungrounded items."""
    last_error = _short(str(exc.__cause__ or exc), 1000)
    content = _content_of(exc.last_completion)
    if content is None:
        raise ModelOutputInvalid(f"no valid summary after {exc.n_attempts} attempts; last error: {last_error}")
    try:
        return response_model.model_validate_json(content)
    except ValidationError:
        raise ModelOutputInvalid(
            f"no valid summary after {exc.n_attempts} attempts; last error: {last_error}"
        ) from None


def _content_of(completion: object) -> str | None:
    if not isinstance(completion, ChatCompletion) or not completion.choices:
        return None
    message = completion.choices[0].message
    if message.tool_calls:
        function = getattr(message.tool_calls[0], "function", None)
        return getattr(function, "arguments", None)
    content = (message.content or "").strip()
    if content.startswith("```"):  # MD_JSON answers come fenced
        content = content.strip("`").removeprefix("json").strip()
    return content or None


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["Answer", "CallStats", "ModelClient"]
