"""The one place that calls the model: openai's async client, instructor for structure, tenacity for faults.

Retries have one owner each:
- transient model-server faults (what `faults.classify` calls transient) are retried here, with tenacity,
  honouring Retry-After; the openai client's own retries are off (`max_retries=0`);
- an answer that fails validation is re-asked by instructor (`max_retries=reasks`) with the error appended;
  one a validator wants said back in the question's words (`SayBack`) is asked once more as the question,
  the answer as JSON and what is wrong with it (a conversation of its own, with its own re-asks); if that
  fails, the answer said back is kept;
- the whole call runs under one time budget;
- what a failed answer still holds is kept by `salvage.py`;
- a request shape the server refuses (`faults.refused_shape`) is asked again, under SUMMARISE_MODE=auto
  only, in the next mode the server's family takes (`servers.PROFILES`), kept for the rest of the process.

Every HTTP call is counted and its token usage summed, re-asks and retries included, in `CallStats`.
"""

import asyncio
import functools
import json
import logging
import re
import threading
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from typing import Any, Generic, Literal, TypeVar, cast
from urllib.parse import urlsplit

import httpx
import instructor
import openai
import structlog
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from instructor.v2.core.exceptions import RegistryValidationMixin
from instructor.v2.core.messages import isolate_retry_kwargs
from instructor.v2.core.providers import Provider
from instructor.v2.core.registry import mode_registry
from instructor.v2.core.response_model import prepare_response_model
from instructor.v2.core.retry import _RETRYABLE_PARSE_ERRORS, retry_async_v2
from openai.types.chat import ChatCompletion, ChatCompletionChunk
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
    RetryAfterBeyondBudget,
    SummariseError,
)
from service.logs import shown_url
from service.model.faults import SERVER_FAULTS, classify, short
from service.model.salvage import content_of, lenient_parse, salvage_partial
from service.model.servers import ServerProfile, profile_of, sampling, strict_tool
from service.model.streaming import assembled
from service.settings import ModelSettings, StructuredMode

T = TypeVar("T", bound=BaseModel)

log = structlog.get_logger("summarise.model")

# instructor logs every exhausted re-ask as an ERROR; we handle those (salvage or 502) and report them.
logging.getLogger("instructor").setLevel(logging.CRITICAL)

Create = Callable[..., Awaitable[Any]]

INSTRUCTOR_MODES: dict[StructuredMode, instructor.Mode] = {
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "tools": instructor.Mode.TOOLS,
    # instructor 1.17 maps TOOLS_STRICT to TOOLS and drops the strictness: we make the tool strict (servers.py)
    "tools_strict": instructor.Mode.TOOLS,
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
    # Set when the server refused the request shape of this mode first, and the answer came in the next one.
    refused_mode: str | None = None


class SayBack(ValueError):
    """Raised by a validator for an answer that is to be said back to the model in the question's own words
    (not instructor's): asked again as the question, the answer as JSON, and `feedback`. A validator raises it
    once per question; its answer is kept when asking again fails."""

    def __init__(self, feedback: str, answer: BaseModel) -> None:
        super().__init__(feedback)
        self.feedback = feedback
        self.answer = answer

    def conversation(self, messages: list[dict[str, str]]) -> list[dict[str, str]]:
        return [
            *messages,
            {"role": "assistant", "content": json.dumps(self.answer.model_dump(), ensure_ascii=False)},
            {"role": "user", "content": f"{self.feedback} Answer the question again."},
        ]


class _SaidBack(Exception):
    """An answer a validator said back (never leaves this module)."""

    def __init__(self, back: SayBack, first: "Answer[Any]") -> None:
        super().__init__(str(back))
        self.back = back
        self.first = first  # the answer said back, as it would be kept


_stats: ContextVar[CallStats] = ContextVar("call_stats")

Tokenizer = Literal["llama.cpp", "vllm", "estimate"]
TOKENIZERS: tuple[Tokenizer, ...] = ("llama.cpp", "vllm", "estimate")
OLLAMA_DEFAULT_CONTEXT = 4096


def estimated_tokens(text: str) -> int:
    """Conservative: most tokenizers average 3-4 characters per token."""
    return len(text) // 2 + 1


class ModelClient:
    """Talks to one OpenAI-compatible server. Built once at start-up; safe for concurrent requests."""

    def __init__(self, settings: ModelSettings, http_client: httpx.AsyncClient, base_url: str, model: str) -> None:
        self.settings = settings
        self.base_url = base_url
        self.shown_url = shown_url(base_url)  # what problems and /ready say: no credentials
        self.model = model
        # The mode questions are asked in; under SUMMARISE_MODE=auto it may move on once (see `_extract`).
        self.mode: StructuredMode = settings.resolved_mode()
        api_key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
        self._http = http_client
        self.tokenizer: Tokenizer | None = None  # known after the first count
        self._v1 = base_url.removesuffix("/")
        self._root = self._v1.removesuffix("/v1")
        self._auth = {"Authorization": f"Bearer {api_key}"} if settings.api_key else {}
        self._strict: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
        self._openai = openai.AsyncOpenAI(
            base_url=base_url,
            api_key=api_key,
            http_client=http_client,  # an httpx client: pooled, and visible to respx in tests
            max_retries=0,
            timeout=httpx.Timeout(settings.model_timeout_s, connect=10.0),
        )
        self._creates: dict[StructuredMode, Create] = {}
        self._profile: ServerProfile | None = None
        self._identifying = asyncio.Lock()
        self._switching = threading.Lock()  # the mode moves on once, whichever call sees the refusal first

    async def extract(
        self,
        messages: list[dict[str, str]],
        response_model: type[T],
        *,
        name: str | None = None,
        deadline: float | None = None,
    ) -> Answer[T]:
        """A validated answer, re-asked on invalid ones, within the budget ending at `deadline` (monotonic).

        Validators run as pydantic runs them; under `salvage.LENIENT` (the last answer of a question that
        never passed, or the complete items of a cut-off one) checks against outside facts are skipped."""
        budget = self.settings.request_budget_s
        stats = CallStats(deadline=deadline or time.monotonic() + budget)
        token = _stats.set(stats)
        try:
            try:
                return await self._answer(messages, response_model)
            except _SaidBack as said:  # asked again in the question's words; on failure, what was said back
                first = cast(Answer[T], replace(said.first, stats=replace(stats)))  # counting what it cost
                try:
                    again = await self._answer(said.back.conversation(messages), response_model)
                except (SummariseError, TimeoutError):
                    return first
                except _SaidBack as twice:  # said back once only: taken as it is
                    again = cast(Answer[T], twice.first)
                return replace(
                    again,
                    rejected_because=again.rejected_because or first.rejected_because,
                    truncated=again.truncated or first.truncated,
                    refused_mode=first.refused_mode or again.refused_mode,
                )
        except TimeoutError:
            timeout = ModelTimeout(f"no valid answer within the request budget of {budget:g} s")
            raise _with_stats(timeout, stats) from None
        except SummariseError as error:
            raise _with_stats(error, stats) from error.__cause__
        finally:
            _stats.reset(token)
            metrics.model_reasks.inc(max(stats.answers - 1, 0))
            log.info(
                "model_answer",
                question=name or response_model.__name__,
                latency_ms=round((time.monotonic() - stats.started) * 1000),
                answers=stats.answers,
                retries=stats.retries,
                prompt_tokens=stats.prompt_tokens,
                completion_tokens=stats.completion_tokens,
            )

    async def _answer(self, messages: list[dict[str, str]], response_model: type[T]) -> Answer[T]:
        """An answer within the budget: once more with twice the room if it was cut off with nothing complete."""
        stats = _stats.get()
        max_tokens = self.settings.max_output_tokens
        async with asyncio.timeout(stats.remaining()):
            answer = await self._extract(messages, response_model, max_tokens)
            if answer is None:  # cut off before one item was complete: once more, with twice the room
                max_tokens *= 2
                answer = await self._extract(messages, response_model, max_tokens)
        if answer is None:
            raise ModelOutputInvalid(
                f"the model's answer was cut off at max_tokens={max_tokens} before it was complete"
            )
        if answer.truncated or answer.rejected_because:  # kept leniently: a validator may still say it back
            try:
                response_model.model_validate(answer.value.model_dump())
            except ValidationError as invalid:
                if (back := _said_back(invalid)) is not None:
                    raise _SaidBack(back, answer) from None
        return answer

    async def _extract(
        self, messages: list[dict[str, str]], response_model: type[T], max_tokens: int
    ) -> Answer[T] | None:
        """One instructor call (with its re-asks); None when the answer was cut off with no complete item.

        A server that refuses the request shape of the mode (llama-cpp-python takes no json_schema) is asked
        again in the next mode its family takes, which later calls then use, unless SUMMARISE_MODE was set:
        the user's choice wins, and the 502 names the mode that would suit."""
        refused_mode: StructuredMode | None = None
        while True:
            mode = self.mode
            try:
                answer = await self._extract_in(mode, messages, response_model, max_tokens)
            except _SaidBack as said:
                if refused_mode is not None:
                    said.first = replace(said.first, refused_mode=refused_mode)
                raise
            except _RefusedShape as refused:
                profile = await self.server_profile()
                instead = profile.after(mode)
                if self.settings.mode != "auto" or instead is None:
                    raise self._error(refused.cause, mode, instead) from refused.cause
                self._switch(mode, instead, profile)
                refused_mode = mode
                continue
            return answer if answer is None or refused_mode is None else replace(answer, refused_mode=refused_mode)

    async def _extract_in(
        self, mode: StructuredMode, messages: list[dict[str, str]], response_model: type[T], max_tokens: int
    ) -> Answer[T] | None:
        """One instructor call in `mode`; a refused request shape rises as `_RefusedShape`."""
        stats = _stats.get()
        # instructor's re-asks, as its `max_retries=reasks` makes them, but for an answer said back
        re_asks = AsyncRetrying(
            stop=stop_after_attempt(self.settings.reasks + 1),
            retry=retry_if_exception(lambda exc: isinstance(exc, _RETRYABLE_PARSE_ERRORS) and _said_back(exc) is None),
            reraise=True,
        )
        try:
            value = await self._create_in(mode)(
                model=self.model,
                messages=messages,
                response_model=_prepared(response_model),
                max_retries=re_asks,
                **sampling(self.model, max_tokens, self.settings.temperature),
            )
            return Answer(cast(T, value), stats)
        except InstructorRetryException as exc:
            cause = exc.__cause__
            if isinstance(cause, ValidationError) and (back := _said_back(cause)) is not None:
                raise _SaidBack(back, Answer(back.answer, stats)) from None
            if isinstance(cause, SERVER_FAULTS):
                raise self._fault(cause, mode) from cause
            if isinstance(cause, IncompleteOutputException):
                return _salvaged(cause, response_model, stats)
            return Answer(_last_answer(exc, response_model), stats, rejected_because=str(cause or exc))
        except IncompleteOutputException as exc:
            return _salvaged(exc, response_model, stats)
        except SERVER_FAULTS as exc:
            raise self._fault(exc, mode) from exc

    def _fault(self, exc: Exception, mode: StructuredMode) -> Exception:
        """What a server fault raises: `_RefusedShape` for `_extract` to act on, else the client's error."""
        fault = classify(exc, self.shown_url, mode)
        if fault is not None and fault.refused_shape and isinstance(exc, openai.APIStatusError):
            return _RefusedShape(exc)
        return fault.error if fault else ModelServerError(f"model server error: {short(str(exc))}")

    def _create_in(self, mode: StructuredMode) -> Create:
        """instructor around our retrying `create`, in `mode`: it owns re-asks, we own transient faults."""
        if mode not in self._creates:

            async def create(**kwargs: Any) -> ChatCompletion:
                return await self._create_with_retries(mode, **kwargs)

            self._creates[mode] = _structured(create, INSTRUCTOR_MODES[mode])
        return self._creates[mode]

    def _switch(self, refused: StructuredMode, instead: StructuredMode, profile: ServerProfile) -> None:
        """From `refused` to `instead` for every later call, once: calls refused at the same time find it done."""
        with self._switching:
            if self.mode != refused:
                return
            self.mode = instead
        log.warning(
            "model_mode_switched",
            server=profile.family,
            refused=refused,
            mode=instead,
            hint=f"the model server does not take SUMMARISE_MODE={refused}; set SUMMARISE_MODE={instead} "
            "to skip the refused request after each start",
        )

    async def server_profile(self) -> ServerProfile:
        """The server's family (`servers.PROFILES`), asked once, when it first refuses a request shape."""
        async with self._identifying:
            if self._profile is None:
                self._profile = await self._identified()
            return self._profile

    async def _identified(self) -> ServerProfile:
        """From what the server says about itself: /v1/models' `owned_by` (our model's first), the host, and
        llama.cpp's /props. A probe that fails leaves the family unknown ("other"), never the call failed."""
        host = urlsplit(self.base_url).hostname
        owned_by: list[str] = []
        try:
            response = await self._http.get(f"{self._v1}/models", headers=self._auth, timeout=10.0)
            if response.status_code == 200:
                models = [m for m in response.json().get("data", []) if isinstance(m, dict)]
                models.sort(key=lambda m: m.get("id") != self.model)
                owned_by = [str(m.get("owned_by")) for m in models]
        except (httpx.HTTPError, ValueError, AttributeError):
            pass
        profile = profile_of(host, owned_by)
        if profile.family != "other":
            return profile
        try:
            props = await self._http.get(f"{self._root}/props", headers=self._auth, timeout=10.0)
            has_props = props.status_code == 200 and "default_generation_settings" in props.json()
        except (httpx.HTTPError, ValueError, TypeError):
            has_props = False
        return profile_of(host, owned_by, has_props)

    def _error(
        self, exc: Exception, mode: StructuredMode | None = None, instead: StructuredMode | None = None
    ) -> SummariseError:
        fault = classify(exc, self.shown_url, mode, instead)
        return fault.error if fault else ModelServerError(f"model server error: {short(str(exc))}")

    async def count_tokens(self, text: str) -> int:
        """Tokens in `text` by the server's own tokenizer, else an estimate (then `tokenizer` is "estimate").

        /tokenize takes `{"content"}` on llama.cpp and `{"model", "prompt"}` on vLLM; the first form the
        server accepts is kept. Ollama and OpenAI have none."""
        for kind in [self.tokenizer] if self.tokenizer else TOKENIZERS:
            if kind == "estimate":
                break
            try:
                count = await self._tokenize(kind, text)
            except (httpx.HTTPError, ValueError, KeyError, TypeError):
                return estimated_tokens(text)  # a fault this time: do not give the tokenizer up for it
            if count is not None:
                self.tokenizer = kind
                return count
        self.tokenizer = "estimate"
        return estimated_tokens(text)

    async def _tokenize(self, kind: Tokenizer, text: str) -> int | None:
        """The count, or None when the server does not take this form (a 4xx)."""
        body = {"content": text} if kind == "llama.cpp" else {"model": self.model, "prompt": text}
        response = await self._http.post(f"{self._root}/tokenize", json=body, headers=self._auth, timeout=10.0)
        if 400 <= response.status_code < 500:
            return None
        response.raise_for_status()
        answer = response.json()
        return int(answer["count"]) if kind == "vllm" else len(answer["tokens"])

    async def context_window(self) -> int | None:
        """The context the server holds for our model, where it says; None where it does not (OpenAI).

        llama.cpp: /props (a slot's n_ctx); vLLM: /v1/models (max_model_len); Ollama: /api/ps for the model
        once loaded, else num_ctx from its Modelfile (/api/show), else 4096, the least Ollama allots by
        default (since 0.6.7; since 0.15.5 more with 24 GiB of VRAM or more), and it truncates a longer
        prompt without a word."""
        for ask in (self._llama_cpp_context, self._vllm_context, self._ollama_context):
            try:
                held = await ask()
            except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError):
                held = None
            if held:
                return held
        return None

    async def _llama_cpp_context(self) -> int | None:
        response = await self._http.get(f"{self._root}/props", headers=self._auth, timeout=10.0)
        if response.status_code != 200:
            return None
        props = response.json()
        n_ctx = props.get("default_generation_settings", {}).get("n_ctx") or props.get("n_ctx")
        return int(n_ctx) if n_ctx else None

    async def _vllm_context(self) -> int | None:
        response = await self._http.get(f"{self._v1}/models", headers=self._auth, timeout=10.0)
        if response.status_code != 200:
            return None
        lengths = [m.get("max_model_len") for m in response.json().get("data", []) if m.get("id") == self.model]
        return int(lengths[0]) if lengths and lengths[0] else None

    async def _ollama_context(self) -> int | None:
        show = await self._http.post(f"{self._root}/api/show", json={"model": self.model}, timeout=10.0)
        details = show.json() if show.status_code == 200 else None
        if not (isinstance(details, dict) and {"parameters", "model_info", "details"} & details.keys()):
            return None  # not Ollama
        running = await self._http.get(f"{self._root}/api/ps", timeout=10.0)
        if running.status_code == 200:
            for loaded in running.json().get("models", []):
                if self.model in (loaded.get("name"), loaded.get("model")) and loaded.get("context_length"):
                    return int(loaded["context_length"])
        if num_ctx := re.search(r"^num_ctx\s+(\d+)", details.get("parameters") or "", re.MULTILINE):
            return int(num_ctx.group(1))
        trained = [v for k, v in (details.get("model_info") or {}).items() if k.endswith(".context_length")]
        return min([OLLAMA_DEFAULT_CONTEXT, *(int(v) for v in trained if v)])

    def observe(self, on_response: Callable[[httpx.Response], Awaitable[None]]) -> None:
        """Call `on_response` for every HTTP exchange with the model server (benchmarks, debugging)."""
        self._http.event_hooks["response"].append(on_response)

    async def ready(self) -> bool:
        try:
            await self._openai.with_options(timeout=3.0).models.list()
        except openai.APIError:
            return False
        return True

    async def _create_with_retries(self, mode: StructuredMode, **kwargs: Any) -> ChatCompletion:
        stats = _stats.get()
        if mode == "tools_strict":
            kwargs = self._strict_tools(kwargs)
        retrying = AsyncRetrying(
            retry=retry_if_exception(lambda exc: self._is_transient(exc, mode)),
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
                        if self.settings.streams:
                            stream = await self._openai.post(
                                "/chat/completions",
                                cast_to=ChatCompletion,
                                body={**kwargs, "stream": True, "stream_options": {"include_usage": True}},
                                stream=True,
                                stream_cls=openai.AsyncStream[ChatCompletionChunk],
                            )
                            response: object = await assembled(stream)
                        else:
                            response = await self._openai.post("/chat/completions", cast_to=ChatCompletion, body=kwargs)
                    except json.JSONDecodeError as exc:
                        raise MalformedResponse(f"the model server's answer is not valid JSON ({exc})") from None
                    completion = _as_completion(response)
                except Exception as exc:
                    metrics.model_calls.labels(
                        fault.label if (fault := classify(exc, self.shown_url, mode)) else "error"
                    ).inc()
                    raise
                finally:
                    metrics.model_call_seconds.observe(time.perf_counter() - started)
                metrics.model_calls.labels("answered").inc()
                stats.count(completion)
                return completion
        raise AssertionError("unreachable: tenacity reraises the last error")  # pragma: no cover

    def _strict_tools(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """instructor's tool made strict, once per tool (its parameters are one cached dict per model)."""
        tools = []
        for tool in kwargs["tools"]:
            function = tool["function"]
            key = id(function["parameters"])
            if key not in self._strict:
                self._strict[key] = (function["parameters"], strict_tool(function))  # holds what the id names
            tools.append({"type": "function", "function": self._strict[key][1]})
        # Strict schemas do not hold for parallel calls; we ask for exactly one anyway.
        return {**kwargs, "tools": tools, "parallel_tool_calls": False}

    def _is_transient(self, exc: BaseException, mode: StructuredMode) -> bool:
        fault = classify(exc, self.shown_url, mode)
        return fault is not None and fault.transient


class _RefusedShape(Exception):
    """The server refused the request shape of the mode asked in (never leaves this module)."""

    def __init__(self, cause: openai.APIStatusError) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _structured(create: Create, mode: instructor.Mode) -> Create:
    """What `instructor.patch(create=create, mode=mode)` makes, for response models already `_prepared`: the
    request shaped by the mode's handler, re-asked by instructor's retry loop (its v2 core, as `patch` calls
    it), without the per-call walks of the model `patch` repeats (the check for async validators three times
    and its preparation again: 0.27 ms a call, measured), which `_prepared` did once per model."""
    RegistryValidationMixin.validate_mode_registration(Provider.OPENAI, mode)  # as `patch` does, at once
    handlers = mode_registry.get_handlers(Provider.OPENAI, mode)

    async def structured(*, response_model: type[BaseModel], max_retries: AsyncRetrying, **kwargs: Any) -> Any:
        prepared, request = handlers.request_handler(response_model=response_model, kwargs=kwargs)
        if handlers.message_converter and "messages" in request:
            request["messages"] = handlers.message_converter(request["messages"], autodetect_images=False)
        return await retry_async_v2(
            func=create,
            response_model=prepared,
            provider=Provider.OPENAI,
            mode=mode,
            context=None,
            max_retries=max_retries,
            args=(),
            kwargs=isolate_retry_kwargs(request),  # a copy of the list re-asks append to, as `patch` passes
            strict=True,
        )

    return structured


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


def _said_back(error: BaseException) -> SayBack | None:
    """The `SayBack` a validator raised, if it is what made the answer invalid."""
    if isinstance(error, ValidationError):
        for problem in error.errors():
            if isinstance(said := (problem.get("ctx") or {}).get("error"), SayBack):
                return said
    return None


def _count_retry(stats: CallStats) -> None:
    stats.retries += 1
    metrics.model_retries.inc()


def _as_completion(response: object) -> ChatCompletion:
    """openai hands back whatever a 200 carried (an HTML page as a str, `{}` as an empty completion)."""
    if not isinstance(response, ChatCompletion):
        raise MalformedResponse(f"the model server answered with a non-JSON body: {short(str(response), 120)!r}")
    if not response.choices or response.choices[0].message is None:
        raise MalformedResponse("the model server's answer has no choices")
    return response


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


def _salvaged(exc: IncompleteOutputException, response_model: type[T], stats: CallStats) -> Answer[T] | None:
    """The complete items of an answer cut off at max_tokens (a small model looping on a list)."""
    content = content_of(exc.last_completion)
    value = salvage_partial(content, response_model) if content else None
    return Answer(value, stats, truncated=True) if value is not None else None


def _with_stats(error: SummariseError, stats: CallStats) -> SummariseError:
    """Problem details say how hard we tried: answers received and transient failures retried."""
    error.extra.setdefault("attempts", stats.answers)
    error.extra.setdefault("retries", stats.retries)
    return error


def _last_answer(exc: InstructorRetryException, response_model: type[T]) -> T:
    """The last answer, validated without the evidence check; the pipeline then drops ungrounded items."""
    content = content_of(exc.last_completion)
    value = lenient_parse(content, response_model) if content else None
    if value is None:
        last_error = short(str(exc.__cause__ or exc), 1000)
        raise ModelOutputInvalid(f"no valid summary after {exc.n_attempts} attempts; last error: {last_error}")
    return value


__all__ = ["Answer", "CallStats", "ModelClient", "SayBack"]
