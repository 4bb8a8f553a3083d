"""The iMatrics-compatible endpoints a stock Superdesk calls (IMATRICS_BASE_URL = <this API>/v1/imatrics/)."""

from typing import Annotated, Any, Literal

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import JSONBody, QueryParameter

from schemas.imatrics import AnalysisRequest, AnalysisResponse, ConceptQuery, ConceptResult, StoreResponse
from service.adapters.imatrics import SEARCHED_TYPES, analyse, by_id, nothing_to_tag, search, to_article
from service.api.access import basic_auth_key, key_id
from service.api.openapi import BODY, GUARDED, NO_SUCH_CONCEPT, problems
from service.settings import Settings
from service.summaries import SummaryService

IMATRICS_PATH = "/v1/imatrics"
Operation = Annotated[
    Literal["title_type", "id"],
    QueryParameter(name="operation", description="title_type: a tag search by `title`; id: the concept `uuid`."),
]


@post(
    "/article/analysis",
    status_code=200,
    summary="Tag an article, as iMatrics does, for Superdesk",
    description="What Superdesk's IMatrics client sends (`{uuid, pubStatus, headline, body: [paragraphs], "
    "language}`, basic auth with an API key as the password) and the concepts it reads: people, organisations "
    "and places, each with a stable `uuid` (the tag's qcode) and the role as `shortDescription`; the subjects "
    "as `category` concepts (IPTC Media Topics: `uuid` the QCode, links to IPTC and Wikidata, `weight` the "
    "relevance, `broader` the parent, which is in the answer's `broader` unless it is a subject). `summarise."
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


@post(
    "/concept/get",
    status_code=200,
    summary="Search the IPTC Media Topics, as iMatrics' concept search does, for Superdesk's tag search",
    description="`operation=title_type` (what Superdesk sends when an editor types a tag: `{title, type, draft, "
    "size}`): the active Media Topics whose label in any language reads as `title` (the label itself, then "
    "labels starting with it, then labels with a word starting with each word typed), then the best matches "
    "by stem in English; `type` other than all, category or topic finds none. `operation=id` (`{uuid}`, a "
    "parent Superdesk asks for): that concept, or a 404. Each as a `category` concept, its `broader` the parent.",
    responses=problems(*BODY, *GUARDED, NO_SUCH_CONCEPT),
    sync_to_thread=False,
)
def imatrics_concepts(data: JSONBody[ConceptQuery], operation: Operation) -> ConceptResult:
    if operation == "id":
        found = by_id(data.uuid or "", data.language)
        if found is None:
            raise NotFoundException(f"no IPTC Media Topic {str(data.uuid)[:200]!r}")
        return ConceptResult(result=[found])
    if data.type not in SEARCHED_TYPES:
        return ConceptResult(result=[])
    return ConceptResult(result=search(data.title, data.size, data.language))
