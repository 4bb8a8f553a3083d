"""Bodies of the asynchronous job API: `POST /v1/jobs`, `GET /v1/jobs/{id}`."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.article import ArticleRequest
from schemas.summary import SummaryResponse

MAX_ARTICLES_PER_REQUEST = 100


class JobsRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")  # a tolerant reader: unknown fields are ignored

    articles: list[ArticleRequest] = Field(min_length=1, max_length=MAX_ARTICLES_PER_REQUEST)
    callback_url: str | None = Field(
        default=None,
        max_length=2000,
        description="Where each finished job is POSTed, signed (Standard Webhooks). http(s), public hosts only.",
    )


# The statuses are the values of service.jobs.model's JobStatus and CallbackStatus, spelled out so that the
# OpenAPI document lists them inline (tests/unit/test_job_lifecycle.py keeps the two equal).


class JobRef(BaseModel):
    id: str
    status: Literal["queued"]
    url: str = Field(description="Poll here: GET /v1/jobs/{id}.")


class JobsAccepted(BaseModel):
    jobs: list[JobRef]


class CallbackState(BaseModel):
    url: str
    status: Literal["pending", "delivered", "failed"] | None
    attempts: int
    last_error: str | None


class JobView(BaseModel):
    id: str
    status: Literal["queued", "running", "succeeded", "failed"]
    result: SummaryResponse | None = Field(description="The summary, once succeeded.")
    error: dict[str, Any] | None = Field(description="The problem (RFC 9457), once failed.")
    callback: CallbackState | None
    runs: int = Field(description="Times a worker started the job: more than 1 after a worker crashed.")
    created: float
    updated: float
