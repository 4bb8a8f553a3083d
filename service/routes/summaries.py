from litestar import post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from schemas import ArticleRequest, Problem, SummaryResponse
from service.pipeline import Summariser


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=Problem, description=description, media_type="application/problem+json")


@post(
    "/v1/summaries",
    status_code=200,
    summary="Summarise one article",
    description="Returns a neutral summary plus participants, dates and open issues, each with verbatim "
    "evidence whose offsets the service located in `text`.",
    responses={
        400: _problem("Body is not valid JSON or not UTF-8, or nested too deeply"),
        413: _problem("Body larger than the request limit, or text longer than the text limit"),
        415: _problem("Body is not application/json"),
        422: _problem("Invalid request: missing, empty or HTML text, a bad `published` or `language`"),
        502: _problem("The model server failed, or the model never produced a valid summary"),
        503: _problem("The model server is unreachable or rate-limiting beyond the budget"),
        504: _problem("The model server or the request budget ran out of time"),
    },
)
async def create_summary(data: JSONBody[ArticleRequest], summariser: NamedDependency[Summariser]) -> SummaryResponse:
    return await summariser.summarise(data)
