"""Every exception becomes a problem+json response with the right status, in one place."""

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import redis.exceptions
from litestar import Litestar, get
from litestar.exceptions import HTTPException, NotFoundException
from litestar.testing import TestClient

from service.api.openapi import KINDS, with_problems_table
from service.api.problems import to_problem_response
from service.errors import (
    ArticleTooLong,
    ModelOutputInvalid,
    ModelServerError,
    ModelTimeout,
    ModelUnavailable,
    SummariseError,
    store_fault,
)

CONTRACT = Path(__file__).parents[2] / "docs" / "contract.md"


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


@pytest.mark.parametrize(
    ("exc", "unavailable"),
    [
        (redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused."), True),
        (redis.exceptions.TimeoutError("Timeout reading from socket"), True),
        (redis.exceptions.BusyLoadingError("Redis is loading the dataset in memory"), True),
        (redis.exceptions.ReadOnlyError("You can't write against a read only replica."), True),
        (redis.exceptions.ResponseError("MISCONF Redis is configured to save RDB snapshots, but ..."), True),
        (redis.exceptions.ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value"), False),
        (sqlite3.OperationalError('near "SELEC": syntax error'), False),  # a bug in our SQL, not the file
        (RuntimeError("a bug of ours"), False),
    ],
)
def test_store_faults_are_told_apart_from_bugs(exc: Exception, unavailable: bool) -> None:
    fault = store_fault(exc, "Redis at redis://127.0.0.1:6379/0")

    assert (fault is not None) == unavailable
    if fault is not None:
        assert (fault.status, fault.slug, fault.headers["Retry-After"]) == (503, "store-unavailable", "5")
        assert fault.detail.startswith("Redis at redis://127.0.0.1:6379/0 cannot be reached")


def test_a_sqlite_file_that_cannot_be_opened_is_a_store_fault(tmp_path: Path) -> None:
    with pytest.raises(sqlite3.OperationalError) as gone:
        sqlite3.connect(f"{(tmp_path / 'gone' / 'jobs.sqlite3').as_uri()}?mode=rw", uri=True)

    fault = store_fault(gone.value, "the job database")

    assert fault is not None
    assert "unable to open database file" in fault.detail


def test_a_store_fault_raised_by_a_litestar_store_is_a_503_with_retry_after() -> None:
    @get("/jobs", sync_to_thread=False)
    def jobs() -> None:
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    app = Litestar([jobs], exception_handlers={Exception: to_problem_response})
    with TestClient(app) as client:
        response = client.get("/jobs")

    assert response.status_code == 503
    assert response.json()["type"].endswith("/store-unavailable")
    assert response.headers["retry-after"] == "5"


def test_every_error_a_client_may_see_says_when_in_the_one_table() -> None:
    kinds = {(kind.status, kind.slug, kind.title) for kind in KINDS}

    for error in SummariseError.__subclasses__():
        assert (error.status, error.slug, error.title) in kinds, f"{error.__name__} has no row in openapi.KINDS"
    assert not [kind.when for kind in KINDS if "|" in kind.when]  # a table cell each


def test_the_contract_s_table_of_errors_is_the_one_table() -> None:
    markdown = CONTRACT.read_text(encoding="utf-8")

    assert markdown == with_problems_table(markdown), (
        "docs/contract.md's table of errors differs from service/api/openapi.py's KINDS: "
        "run `python -m service.api.openapi --problems docs/contract.md`"
    )


def test_a_file_without_the_table_markers_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no table of errors to make"):
        with_problems_table("# Contract\n\nNo table here.\n")


def test_every_problem_kind_the_module_defines_is_in_the_table() -> None:
    # KINDS lists the kinds defined above it: one left out would be missing from docs/contract.md.
    from service.api import openapi

    defined = {value for value in vars(openapi).values() if isinstance(value, openapi.ProblemKind)}
    assert defined == set(KINDS)
