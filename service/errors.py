"""Every exception of the service, in one module with no framework import.

    SummariseError                    base of what a client may see: status, a problem `type` slug, a clear detail
    ├── ArticleTooLong                413
    ├── Overloaded                    503
    ├── ModelUnavailable              503
    ├── ModelTimeout                  504
    ├── ModelServerError              502
    ├── ModelOutputInvalid            502
    ├── InvalidNinjs                  422
    ├── CallbackRefused               422
    ├── BacklogFull                   429
    ├── IdempotencyKeyReused          422
    ├── IdempotencyKeyInProgress      409
    ├── BadInputLine                  400
    ├── StoreUnavailable              503
    └── JobAbandoned                  500

    When each is answered is written once, in `service.api.openapi`'s `KINDS`: the OpenAPI document and
    docs/contract.md's table of errors are made from it.

    Faults inside the model layer, turned into one of the above by `service.model.faults.classify`:
    MalformedResponse                 a 200 that is not a chat completion
    RetryAfterBeyondBudget            the server asked us to wait longer than the budget left
    ResponseTooLarge                  the answer is larger than SUMMARISE_MAX_MODEL_RESPONSE_BYTES
    WeightsError (RuntimeError)       the embedded model's weights are missing or not the published file
    ├── EmbeddedNotInstalled          the embedded default without its extra (llama.cpp or the weight packages)
    └── NerPipelineMissing            a configured spaCy pipeline is not installed (the service runs model-first)

    Faults of a store (Redis' connection errors, SQLite's unopenable or unwritable file), told apart from
    bugs of ours by `store_fault`, the one classifier: the job stores raise StoreUnavailable with it, the API
    answers with it what a Litestar store (idempotency keys, rate limits) raised, and the workers wait.

`service.api.problems` turns any exception into RFC 9457 problem+json; batch lines and jobs record
`as_problem(error)`, the same body.
"""

import sqlite3
from typing import Any

import pydantic
import redis.exceptions

PROBLEM_BASE = "https://summarise.dev/problems/"


class SummariseError(Exception):
    status = 500
    slug = "internal"
    title = "Internal error"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


class ArticleTooLong(SummariseError):
    status, slug, title = 413, "article-too-long", "Article too long"


class Overloaded(SummariseError):
    status, slug, title = 503, "overloaded", "Too many summaries in progress"


class ModelUnavailable(SummariseError):
    status, slug, title = 503, "model-unavailable", "Model server unavailable"


class ModelTimeout(SummariseError):
    status, slug, title = 504, "model-timeout", "Model server timed out"


class ModelServerError(SummariseError):
    status, slug, title = 502, "model-server-error", "Model server error"


class ModelOutputInvalid(SummariseError):
    status, slug, title = 502, "model-output-invalid", "Model gave no valid summary"


class InvalidNinjs(SummariseError):
    status, slug, title = 422, "invalid-ninjs", "Not a ninjs item this service can summarise"


class CallbackRefused(SummariseError):
    status, slug, title = 422, "callback-refused", "Callback URL refused"


class BacklogFull(SummariseError):
    status, slug, title = 429, "backlog-full", "Too many jobs waiting for this API key"

    def __init__(self, waiting: int, limit: int, submitted: int, retry_after_s: int) -> None:
        super().__init__(
            f"this API key has {waiting} jobs queued or running, and may have {limit}: {submitted} more do not "
            f"fit; submit them once some have finished",
            headers={"Retry-After": str(retry_after_s)},
        )


class IdempotencyKeyReused(SummariseError):
    status, slug, title = 422, "idempotency-key-reused", "Idempotency-Key used for another request"


class IdempotencyKeyInProgress(SummariseError):
    status, slug, title = 409, "idempotency-key-in-progress", "A request with this Idempotency-Key is running"


class BadInputLine(SummariseError):
    status, slug, title = 400, "bad-request", "Bad request"


class StoreUnavailable(SummariseError):
    status, slug, title = 503, "store-unavailable", "Store unavailable"
    retry_after_s = 5  # workers retry the store every few seconds, too

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"Retry-After": str(self.retry_after_s)})


class JobAbandoned(SummariseError):
    status, slug, title = 500, "job-abandoned", "Job abandoned"

    def __init__(self, runs: int) -> None:
        # Each run ended without a result, so the next would likely end the same way (an article that
        # brings workers down).
        super().__init__(
            f"{runs} runs of this job ended without a result (their workers stopped); it is not tried again"
        )


class MalformedResponse(Exception):
    """The model server answered 200 with something that is not a chat completion."""


class RetryAfterBeyondBudget(Exception):
    def __init__(self, wait_s: float, remaining_s: float) -> None:
        super().__init__(f"the model server asked us to wait {wait_s:g} s; {max(remaining_s, 0):.0f} s of budget left")
        self.wait_s = wait_s


class ResponseTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the model server's answer is larger than {limit:,} bytes")
        self.limit = limit


class WeightsError(RuntimeError):
    """The weights are missing or are not the published file."""


class EmbeddedNotInstalled(WeightsError):
    """The embedded model was asked for (no SUMMARISE_BASE_URL) but its extra is not installed: the message is
    the one line that says what to install."""


class NerPipelineMissing(WeightsError):
    """A configured NER pipeline is not installed: participants stay model-first, with a warning."""


# Redis refusing writes for a while (a snapshot failing, a replica, a failover) rather than for our request.
_REDIS_NOT_NOW = ("MISCONF", "MASTERDOWN", "NOREPLICAS", "TRYAGAIN", "CLUSTERDOWN")
_REDIS_REFUSING = (redis.exceptions.ReadOnlyError, redis.exceptions.OutOfMemoryError)
# SQLite: the file cannot be opened, read, written or locked; or it is not our store any more.
_SQLITE_NOT_NOW = ("SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_READONLY", "SQLITE_FULL")


def store_fault(exc: BaseException, store: str) -> StoreUnavailable | None:
    """The StoreUnavailable `exc` stands for (`store` names it, as it may be shown: no credentials), or None
    when it is no fault of the store's (a bug of ours: let it rise). Redis: the connection (refused, reset,
    timed out, still loading its files after a restart) or writes refused for now; SQLite: the file cannot be
    opened, read, written or locked in time, or has lost its tables (removed and opened anew)."""
    if isinstance(exc, StoreUnavailable):
        return exc
    away = isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError)  # LOADING included
    refusing = isinstance(exc, _REDIS_REFUSING) or (
        isinstance(exc, redis.exceptions.ResponseError) and str(exc).startswith(_REDIS_NOT_NOW)
    )
    unopenable = isinstance(exc, sqlite3.OperationalError) and (
        str(getattr(exc, "sqlite_errorname", "")).startswith(_SQLITE_NOT_NOW) or str(exc).startswith("no such table")
    )
    if not (away or refusing or unopenable):
        return None
    return StoreUnavailable(f"{store} cannot be reached ({type(exc).__name__}: {exc})"[:300])


def problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail, **extra}


def as_problem(error: SummariseError) -> dict[str, Any]:
    return problem(error.status, error.slug, error.title, error.detail, **error.extra)


def validation_problem(exc: pydantic.ValidationError) -> dict[str, Any]:
    errors = [{"key": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in exc.errors()]
    detail = "; ".join(f"{e['key']}: {str(e['message']).removeprefix('Value error, ')}" for e in errors)
    return problem(422, "invalid-request", "Invalid request", detail, errors=errors)
