from typing import Annotated, Any

from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import HeaderParameter, JSONBody

from schemas import ArticleRequest, Problem, SummaryResponse
from service.api.access import caller_identity
from service.api.idempotency import Idempotency
from service.summaries import SummaryService


def problem_response(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=Problem, description=description, media_type="application/problem+json")


PROBLEM_RESPONSES: dict[int, ResponseSpec] = {
    400: problem_response("Body is not valid JSON or not UTF-8, or nested too deeply"),
    413: problem_response("Body larger than the request limit, or text longer than the text limit"),
    401: problem_response("API keys are configured and the request has none, or a wrong one"),
    415: problem_response("Body is not application/json"),
    409: problem_response("A request with the same Idempotency-Key is still running"),
    422: problem_response(
        "Invalid request: missing, empty or HTML text, a bad `published` or `language`; "
        "or an Idempotency-Key reused with a different body"
    ),
    429: problem_response("Rate limit for this key reached; see Retry-After"),
    502: problem_response("The model server failed, or the model never produced a valid summary"),
    503: problem_response(
        "Too many summaries queued, or the model server unreachable or rate-limiting beyond the budget"
    ),
    504: problem_response("The model server or the request budget ran out of time"),
}


@post(
    "/v1/summaries",
    status_code=200,
    summary="Summarise one article",
    description="Returns a neutral summary plus participants, dates and open issues, each with verbatim "
    "evidence whose offsets the service located in `text`.",
    responses=PROBLEM_RESPONSES,
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
        idempotency_key,
        data.model_dump(mode="json"),
        lambda: summariser.summarise(data, fresh=fresh),
        SummaryResponse,
    )
    return Response(summary, headers=headers)
