from typing import Annotated, Any

from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.params import HeaderParameter, JSONBody

from schemas import ArticleRequest, SummaryResponse
from service.api.access import caller_identity, job_owner
from service.api.idempotency import Idempotency
from service.api.openapi import BODY, GUARDED, IN_PROGRESS, KEY_REUSED, MODEL, problems
from service.summaries import SummaryService


@post(
    "/v1/summaries",
    status_code=200,
    summary="Summarise one article",
    description="Returns a neutral summary plus participants, dates and open issues, each with verbatim "
    "evidence whose offsets the service located in `text`.",
    responses=problems(*BODY, *GUARDED, IN_PROGRESS, KEY_REUSED, *MODEL),
)
async def create_summary(
    request: Request[Any, Any, Any],
    data: JSONBody[ArticleRequest],
    summariser: NamedDependency[SummaryService],
    idempotency: NamedDependency[Idempotency],
    idempotency_key: Annotated[str | None, HeaderParameter(name="Idempotency-Key", max_length=255)] = None,
    cache_control: Annotated[str | None, HeaderParameter(name="Cache-Control")] = None,
) -> Response[SummaryResponse]:
    fresh = "no-cache" in (cache_control or "").lower()
    summary, headers = await idempotency.respond(
        caller_identity(request),
        request.url.path,
        idempotency_key,
        data.model_dump(mode="json"),
        lambda: summariser.summarise(data, caller=job_owner(request), fresh=fresh),  # cached per key, like jobs
        SummaryResponse,
    )
    return Response(summary, headers=headers)
