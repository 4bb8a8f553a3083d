"""The iMatrics-compatible endpoints a stock Superdesk calls (IMATRICS_BASE_URL = <this API>/v1/imatrics/)."""

from typing import Any

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from schemas.imatrics import AnalysisRequest, AnalysisResponse, StoreResponse
from service.api.access import basic_auth_key, key_id
from service.api.imatrics import analyse, nothing_to_tag, to_article
from service.api.openapi import BODY, GUARDED, problems
from service.settings import Settings
from service.summaries import SummaryService

IMATRICS_PATH = "/v1/imatrics"


@post(
    "/article/analysis",
    status_code=200,
    summary="Tag an article, as iMatrics does, for Superdesk",
    description="What Superdesk's IMatrics client sends (`{uuid, pubStatus, headline, body: [paragraphs], "
    "language}`, basic auth with an API key as the password) and the concepts it reads: people, organisations "
    "and places, each with a stable `uuid` (the tag's qcode) and the role as `shortDescription`. `summarise."
    "source` says how it was answered: `cache`, `model`, or `code` (NER and dates only) when the model would "
    "take longer than SUMMARISE_IMATRICS_WAIT_S.",
    responses=problems(*BODY, *GUARDED),
)
async def imatrics_analysis(
    request: Request[Any, Any, Any],
    data: JSONBody[AnalysisRequest],
    summariser: NamedDependency[SummaryService],
    settings: NamedDependency[Settings],
) -> AnalysisResponse:
    if (empty := nothing_to_tag(data)) is not None:
        return empty
    key = basic_auth_key(request)
    caller = f"key:{key_id(key)}" if key else "anonymous"  # whose cache entries these are, as access.job_owner
    return await analyse(to_article(data), summariser, caller, settings.imatrics_wait_s)


@post(
    ["/article/store", "/article/concept"],
    status_code=200,
    summary="Superdesk's feedback on saved tags (accepted, not used)",
    description="Superdesk sends the tags an editor saved (`article/store`; `article/concept` before 2.6).",
    responses=problems(*BODY, *GUARDED),
    sync_to_thread=False,
)
def imatrics_store(data: JSONBody[AnalysisRequest]) -> StoreResponse:
    return StoreResponse()
