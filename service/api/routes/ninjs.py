"""ninjs in and out (1.6, 2.x, 3.x), and our extension schema: the same pipeline behind IPTC's format."""

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from schemas.ninjs import EXTENSION_PATH, NinjsItem, NinjsSummaryResponse, extension_schema
from service.api.access import job_owner
from service.api.ninjs import enrichment, require_uri, to_article
from service.api.openapi import BODY, GUARDED, MODEL, NO_NINJS_BODY, problems
from service.summaries import SummaryService


@post(
    "/v1/ninjs/summaries",
    status_code=200,
    summary="Summarise a ninjs item (1.6, 2.x or 3.x)",
    description="HTML bodies are converted to text; `text` in the answer is that text, which every evidence "
    "offset refers to.",
    responses=problems(*BODY, *GUARDED, NO_NINJS_BODY, *MODEL),
)
async def summarise_ninjs(
    request: Request[Any, Any, Any], data: JSONBody[NinjsItem], summariser: NamedDependency[SummaryService]
) -> NinjsSummaryResponse:
    article = await to_article(await request.json())  # the item as sent: its field names tell the version
    summary = await summariser.summarise(article, caller=job_owner(request))
    return NinjsSummaryResponse(**summary.model_dump(), text=article.text)


@post(
    "/v1/ninjs/enrichments",
    status_code=200,
    summary="Enrich a ninjs item with its summary",
    description="The item exactly as sent, in its version, plus what it lacks: participants in people / "
    "organisations / places (person / organisation / place in 1.6; matched by name, so existing entries stay), "
    "the summary as a description when it has none, and our data (dates, open issues, evidence, meta) in "
    f"`summarise` (1.6: `description_summarise_json`, JSON text), declared in `standard` (`$standard`) by our "
    f"extension schema, {EXTENSION_PATH}.",
    responses=problems(*BODY, *GUARDED, NO_NINJS_BODY, *MODEL),
)
async def enrich_ninjs(
    request: Request[Any, Any, Any], data: JSONBody[NinjsItem], summariser: NamedDependency[SummaryService]
) -> dict[str, Any]:
    item: dict[str, Any] = await request.json()  # echoed as sent, not as the model reads it
    require_uri(item)
    article = await to_article(item)
    summary = await summariser.summarise(article, caller=job_owner(request))
    return enrichment(item, summary, article.text, str(request.base_url).rstrip("/") + EXTENSION_PATH)


@get(
    EXTENSION_PATH,
    summary="Our extension schema of ninjs",
    description="JSON Schema 2020-12: IPTC ninjs of each version plus our data; enriched items name it.",
    media_type="application/schema+json",
    sync_to_thread=False,
)
def ninjs_extension_schema() -> dict[str, Any]:
    return extension_schema()
