"""ninjs in and out, and the Superdesk AI-service adapter: the same pipeline behind CMS conventions."""

from typing import Any

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from schemas.ninjs import NinjsItem, NinjsSummaryResponse, SuperdeskRequest, SuperdeskResponse
from service.api.access import job_owner
from service.api.ninjs import enrichment, superdesk_analysis, to_article
from service.api.openapi import BODY, GUARDED, MODEL, NO_NINJS_BODY, problems
from service.summaries import SummaryService


@post(
    "/v1/ninjs/summaries",
    status_code=200,
    summary="Summarise a ninjs item (1.6 or 3.x)",
    description="HTML bodies are converted to text; `text` in the answer is that text, which every evidence "
    "offset refers to.",
    responses=problems(*BODY, *GUARDED, NO_NINJS_BODY, *MODEL),
)
async def summarise_ninjs(
    request: Request[Any, Any, Any], data: JSONBody[NinjsItem], summariser: NamedDependency[SummaryService]
) -> NinjsSummaryResponse:
    article = to_article(data)
    summary = await summariser.summarise(article, caller=job_owner(request))
    return NinjsSummaryResponse(**summary.model_dump(), text=article.text)


@post(
    "/v1/ninjs/enrichments",
    status_code=200,
    summary="Enrich a ninjs item with its summary",
    description="The item as sent, plus people/organisations/places (person/organisation/place in 1.6), the "
    "summary as a description, and dates, open issues and evidence under `x-summarise`.",
    responses=problems(*BODY, *GUARDED, NO_NINJS_BODY, *MODEL),
)
async def enrich_ninjs(
    request: Request[Any, Any, Any], data: JSONBody[NinjsItem], summariser: NamedDependency[SummaryService]
) -> dict[str, Any]:
    article = to_article(data)
    return enrichment(data, await summariser.summarise(article, caller=job_owner(request)), article.text)


@post(
    "/v1/superdesk",
    status_code=200,
    summary="Superdesk AI service: analyse an item",
    description='Point Superdesk\'s AI service setting here: it POSTs `{"service", "item"}` and gets '
    '`{"analysis": …}` back.',
    responses=problems(*BODY, *GUARDED, NO_NINJS_BODY, *MODEL),
)
async def superdesk(
    request: Request[Any, Any, Any], data: JSONBody[SuperdeskRequest], summariser: NamedDependency[SummaryService]
) -> SuperdeskResponse:
    article = to_article(data.item)
    summary = await summariser.summarise(article, caller=job_owner(request))
    return SuperdeskResponse(analysis=superdesk_analysis(summary, article.text))
