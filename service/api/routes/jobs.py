"""Asynchronous jobs: submit articles (202), poll each job, or get the result POSTed to a callback."""

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, HeaderParameter, JSONBody

from schemas.jobs import MAX_ARTICLES_PER_REQUEST, JobRef, JobsAccepted, JobsRequest, JobView
from service.api.access import job_owner
from service.api.idempotency import Idempotency
from service.api.openapi import (
    BACKLOG_FULL,
    BODY,
    CALLBACK_REFUSED,
    GUARDED,
    IN_PROGRESS,
    KEY_REUSED,
    NOT_FOUND,
    STORE_UNAVAILABLE,
    problems,
)
from service.core.pipeline import check_limits
from service.errors import ArticleTooLong, CallbackRefused
from service.jobs.model import Jobs, JobStatus
from service.jobs.webhooks import check_callback_url
from service.settings import Settings


@post(
    "/v1/jobs",
    status_code=202,
    summary="Submit articles to summarise in the background",
    description=f"Up to {MAX_ARTICLES_PER_REQUEST} articles; one job each. With "
    "`callback_url`, each finished job is POSTed there, signed.",
    responses=problems(*BODY, *GUARDED, IN_PROGRESS, KEY_REUSED, CALLBACK_REFUSED, BACKLOG_FULL, STORE_UNAVAILABLE),
)
async def submit_jobs(
    request: Request[Any, Any, Any],
    data: JSONBody[JobsRequest],
    jobs: NamedDependency[Jobs],
    settings: NamedDependency[Settings],
    idempotency: NamedDependency[Idempotency],
    idempotency_key: Annotated[str | None, HeaderParameter(name="Idempotency-Key", max_length=255)] = None,
) -> Response[JobsAccepted]:
    for n, article in enumerate(data.articles):  # refused now, as /v1/summaries would; not accepted, then failed
        try:
            check_limits(article, settings.max_text_chars)
        except ArticleTooLong as too_long:
            raise ArticleTooLong(f"articles[{n}]: {too_long.detail}") from None
    if data.callback_url is not None:
        if settings.webhook_secret is None:
            raise CallbackRefused("callbacks are signed: set SUMMARISE_WEBHOOK_SECRET on the server first")
        await check_callback_url(data.callback_url, settings.webhook_allow_private)
    owner = job_owner(request)
    articles = [article.model_dump(mode="json", exclude_none=True) for article in data.articles]

    async def create() -> JobsAccepted:
        ids = await jobs.create(owner, articles, data.callback_url)
        return JobsAccepted(
            jobs=[JobRef(id=job_id, status=JobStatus.queued.value, url=f"/v1/jobs/{job_id}") for job_id in ids]
        )

    body = data.model_dump(mode="json")
    accepted, headers = await idempotency.respond(owner, request.url.path, idempotency_key, body, create, JobsAccepted)
    if len(accepted.jobs) == 1:  # RFC 9110: a 202 points at where to follow the work; a batch has no one place
        headers = {**headers, "Location": accepted.jobs[0].url}
    return Response(accepted, status_code=202, headers=headers)


@get(
    "/v1/jobs/{job_id:str}",
    summary="A job's status, and its result or problem once finished",
    description="Only the caller who submitted a job (the same API key) sees it; to anyone else it is a 404.",
    responses=problems(*GUARDED, NOT_FOUND, STORE_UNAVAILABLE),
)
async def job_status(request: Request[Any, Any, Any], job_id: FromPath[str], jobs: NamedDependency[Jobs]) -> JobView:
    job = await jobs.get(job_id, caller=job_owner(request))
    if job is None:  # another caller's job is as absent as a job that never existed
        raise NotFoundException(detail=f"no job {job_id!r}")
    return JobView.model_validate(job.public())
