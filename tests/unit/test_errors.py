"""Every exception becomes a problem+json response with the right status, in one place."""

from typing import Any

import pytest
from litestar import Litestar, get
from litestar.exceptions import HTTPException, NotFoundException
from litestar.testing import TestClient

from service.api.problems import to_problem_response
from service.errors import (
    ArticleTooLong,
    ModelOutputInvalid,
    ModelServerError,
    ModelTimeout,
    ModelUnavailable,
)


@pytest.mark.parametrize(
    ("exc", "status", "slug"),
    [
        (ArticleTooLong("too long"), 413, "article-too-long"),
        (ModelUnavailable("down"), 503, "model-unavailable"),
        (ModelTimeout("slow"), 504, "model-timeout"),
        (ModelServerError("500"), 502, "model-server-error"),
        (ModelOutputInvalid("never valid"), 502, "model-output-invalid"),
        (NotFoundException("nope"), 404, "not-found"),
        (HTTPException(status_code=415, detail="json please"), 415, "unsupported-media-type"),
        (RuntimeError("secret internals"), 500, "internal"),
    ],
)
def test_exceptions_map_to_problems(exc: Exception, status: int, slug: str) -> None:
    @get("/boom", sync_to_thread=False)
    def boom() -> None:
        raise exc

    app = Litestar([boom], exception_handlers={Exception: to_problem_response})
    with TestClient(app) as client:
        response = client.get("/boom")

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"].endswith("/" + slug)
    assert body["status"] == status
    assert body["title"]
    assert "secret internals" not in response.text


def test_headers_travel_with_the_problem() -> None:
    @get("/busy", sync_to_thread=False)
    def busy() -> None:
        raise ModelUnavailable("rate-limited", headers={"Retry-After": "30"})

    app = Litestar([busy], exception_handlers={Exception: to_problem_response})
    with TestClient(app) as client:
        response = client.get("/busy")

    assert response.headers["retry-after"] == "30"
