"""ninjs in and out (1.6, 2.x, 3.x), and our extension schema: the same pipeline behind IPTC's format."""

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from schemas.ninjs import (
    EXTENSION_PATH,
    NinjsConvertedSummaryResponse,
    NinjsItem,
    NinjsSummaryResponse,
    extension_schema,
)
from service.adapters.ninjs import enrichment, in_version, require_uri, to_article, with_warnings
from service.adapters.ninjs_versions import REQUESTABLE, target_version
from service.api.access import job_owner
from service.api.openapi import BODY, GUARDED, MODEL, NO_NINJS_BODY, problems
from service.summaries import SummaryService

# The output version as a query parameter: ninjs has no media type of its own to hang a `profile` on
# (application/json defines no parameters), and a query is visible in links, logs and the OpenAPI document.
Version = Annotated[
    str | None,
    QueryParameter(
        name="version",
        description="The ninjs version to answer in: 1.6, 2.2 or 3.1 (default: the version of the item sent). "
        "Another value is a 422 problem.",
        schema_extra={"enum": list(REQUESTABLE)},
    ),
]


@post(
    "/v1/ninjs/summaries",
    status_code=200,
    summary="Summarise a ninjs item (1.6, 2.x or 3.x)",
    description="HTML bodies are converted to text; `text` in the answer is that text, which every evidence "
    "offset refers to. With `version`, the answer also carries `item`: the item as sent, in that version.",
    responses=problems(*BODY, *GUARDED, NO_NINJS_BODY, *MODEL),
)
async def summarise_ninjs(
    request: Request[Any, Any, Any],
    data: JSONBody[NinjsItem],
    summariser: NamedDependency[SummaryService],
    version: Version = None,
) -> NinjsSummaryResponse | NinjsConvertedSummaryResponse:
    target = target_version(version)  # before the model: an unknown version costs nothing
    item: dict[str, Any] = await request.json()  # the item as sent: its field names tell the version
    article, read = await to_article(item)
    summary = await summariser.summarise(article, caller=job_owner(request))
    summary = with_warnings(summary, read)
    if target is None:
        return NinjsSummaryResponse(**summary.model_dump(), text=article.text)
    converted, _, conversion = in_version(item, target)
    answer = NinjsConvertedSummaryResponse(**summary.model_dump(), text=article.text, item=converted)
    answer.meta.warnings = [*answer.meta.warnings, *conversion.get("warnings", [])]
    return answer


@post(
    "/v1/ninjs/enrichments",
    status_code=200,
    summary="Enrich a ninjs item with its summary",
    description="The item exactly as sent, in its version (or the `version` asked for, converted), plus what it lacks: participants in people / "
    "organisations / places (person / organisation / place in 1.6; matched by name, so existing entries stay; "
    '`rel` "about" the ones the story is about, else "mentions"), its IPTC Media Topics in subjects (1.6: subject, '
    "scheme + code; not again when the item has one, or an old Subject Code matching it), "
    "the summary as a description when it has none, and our data (dates, open issues, evidence, meta) in "
    f"`summarise` (1.6: `description_summarise_json`, JSON text), declared in `standard` (`$standard`) by our "
    f"extension schema, {EXTENSION_PATH}.",
    responses=problems(*BODY, *GUARDED, NO_NINJS_BODY, *MODEL),
)
async def enrich_ninjs(
    request: Request[Any, Any, Any],
    data: JSONBody[NinjsItem],
    summariser: NamedDependency[SummaryService],
    version: Version = None,
) -> dict[str, Any]:
    target = target_version(version)
    item: dict[str, Any] = await request.json()  # echoed as sent, not as the model reads it
    require_uri(item)
    article, read = await to_article(item)
    summary = await summariser.summarise(article, caller=job_owner(request))
    summary = with_warnings(summary, read)
    schema_url = str(request.base_url).rstrip("/") + EXTENSION_PATH
    return enrichment(item, summary, article.text, schema_url, target)


@get(
    EXTENSION_PATH,
    summary="Our extension schema of ninjs",
    description="JSON Schema 2020-12: IPTC ninjs of each version plus our data; enriched items name it.",
    media_type="application/schema+json",
    sync_to_thread=False,
)
def ninjs_extension_schema() -> dict[str, Any]:
    return extension_schema()
