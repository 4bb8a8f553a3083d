"""The one exception -> HTTP translation: RFC 9457 problem+json for anything a handler raises."""

import logging
from http import HTTPStatus
from typing import Any

import pydantic
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from service.errors import SummariseError, as_problem, problem, store_fault, validation_problem

PROBLEM_MEDIA_TYPE = "application/problem+json"

log = logging.getLogger(__name__)


def to_problem_response(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """Registered for every exception type."""
    headers: dict[str, str] = {}
    if (unavailable := store_fault(exc, "Redis")) is not None:
        # Raised by a Litestar store (idempotency keys, rate limits on Redis); the job stores raise it named.
        exc = unavailable
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
        body = problem(status, slug_for(status), _title_for(exc), str(exc.detail))
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


def slug_for(status: int) -> str:
    return {
        400: "bad-request",
        401: "unauthorized",
        404: "not-found",
        405: "method-not-allowed",
        408: "request-timeout",
        413: "body-too-large",
        415: "unsupported-media-type",
        429: "rate-limited",
    }.get(status, f"http-{status}")


def _title_for(exc: HTTPException) -> str:
    try:
        return HTTPStatus(exc.status_code).phrase
    except ValueError:
        return "Error"
