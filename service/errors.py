"""Our exceptions and the one place that turns any exception into RFC 9457 problem+json.

    SummariseError                  base; carries status, a problem `type` slug and a clear detail
    ├── ArticleTooLong              413  the text exceeds SUMMARISE_MAX_TEXT_CHARS
    ├── Overloaded                  503  too many summaries running and queued (Retry-After)
    ├── ModelUnavailable            503  cannot connect, 429/503 after retries, Retry-After beyond budget
    ├── ModelTimeout                504  the model server or the request budget ran out of time
    ├── ModelServerError            502  5xx after retries, or a 4xx the server gave our request
    └── ModelOutputInvalid          502  the model never produced a valid summary (last error included)

Anything else that escapes a handler is logged and becomes a 500 problem without internals.
"""

import logging
from typing import Any

import pydantic
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://summarise.dev/problems/"

log = logging.getLogger(__name__)


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


def problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail, **extra}


def as_problem(error: "SummariseError") -> dict[str, Any]:
    return problem(error.status, error.slug, error.title, error.detail, **error.extra)


def validation_problem(exc: pydantic.ValidationError) -> dict[str, Any]:
    errors = [{"key": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in exc.errors()]
    detail = "; ".join(f"{e['key']}: {str(e['message']).removeprefix('Value error, ')}" for e in errors)
    return problem(422, "invalid-request", "Invalid request", detail, errors=errors)


def to_problem_response(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """The single exception -> HTTP translation, registered for every exception type."""
    headers: dict[str, str] = {}
    if isinstance(exc, SummariseError):
        body = as_problem(exc)
        headers = exc.headers
    elif isinstance(exc, pydantic.ValidationError):  # a model built in a handler (a ninjs item's article)
        body = validation_problem(exc)
    elif isinstance(exc, ValidationException):
        # Litestar says 400 for a body that fails validation; it is well-formed but unprocessable.
        body = problem(422, "invalid-request", "Invalid request", _validation_detail(exc), errors=exc.extra)
    elif isinstance(exc, HTTPException):
        status = exc.status_code
        body = problem(status, _slug_for(status), _title_for(exc), str(exc.detail))
        headers = dict(exc.headers or {})
        if status == 429 and "RateLimit-Reset" in headers:  # Litestar's limiter says when, but not as Retry-After
            headers.setdefault("Retry-After", headers["RateLimit-Reset"])
            body["detail"] = (
                f"over the limit of {headers.get('RateLimit-Limit', '?')} requests per minute for this API key "
                f"(or address); try again in {headers['RateLimit-Reset']} s"
            )
    else:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        status = HTTP_500_INTERNAL_SERVER_ERROR
        body = problem(status, "internal", "Internal error", "An unexpected error occurred; it has been logged.")
    return Response(body, status_code=body["status"], media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _validation_detail(exc: ValidationException) -> str:
    messages = []
    for error in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(error, dict):
            where = error.get("key") or error.get("source") or "body"
            message = str(error.get("message", "")).removeprefix("Value error, ")
            messages.append(f"{where}: {message}".strip())
    return "; ".join(messages) or str(exc.detail)


def _slug_for(status: int) -> str:
    return {
        400: "bad-request",
        401: "unauthorized",
        404: "not-found",
        405: "method-not-allowed",
        413: "body-too-large",
        415: "unsupported-media-type",
        429: "rate-limited",
    }.get(status, f"http-{status}")


def _title_for(exc: HTTPException) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(exc.status_code).phrase
    except ValueError:
        return "Error"
