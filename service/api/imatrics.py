"""An iMatrics-compatible analysis, so that a stock Superdesk tags articles with us (see schemas/imatrics.py).

Superdesk waits 30 s for the answer (its `TIMEOUT = (5, 30)`). The summary is awaited for at most
`imatrics_wait_s`: from the cache it is at once, and a quick model makes it in time. Otherwise the answer is
what code alone reads (NER candidates and dates, `source: "code"`), and the summary goes on in the
background, so that it is cached when the editor asks again; the same article asked for again meanwhile
waits on that one summary rather than starting another.
"""

import asyncio
import uuid
from typing import Literal

import structlog

from schemas import ArticleRequest, SummaryResponse
from schemas.imatrics import AnalysisRequest, AnalysisResponse, Concept, HowAnswered
from service.core.by_code import read_by_code
from service.errors import SummariseError
from service.summaries import SummaryService, fingerprint

log = structlog.get_logger("summarise.imatrics")

# Our participant kinds as iMatrics concept types (Superdesk's CONCEPT_MAPPING keeps these names).
_TYPES: dict[str, Literal["person", "organisation", "place"]] = {
    "person": "person",
    "organization": "organisation",
    "country": "place",
}
_QCODES = uuid.UUID("6f0c4f5e-5d2b-4d8e-9a57-3b1f2f0e8c11")  # our namespace: the same name gives the same qcode

# Summaries still running after their analysis was answered by code, by article.
_running: dict[str, asyncio.Task[SummaryResponse]] = {}


def nothing_to_tag(request: AnalysisRequest) -> AnalysisResponse | None:
    """No headline and no body: no tags (Superdesk itself sends no such request; it returns no tags)."""
    if request.headline.strip() or any(line.strip() for line in request.body):
        return None
    return AnalysisResponse(concepts=[], summarise=HowAnswered(source="code", warnings=["no headline nor body"]))


def to_article(request: AnalysisRequest) -> ArticleRequest:
    paragraphs = [line.strip() for line in request.body if line.strip()]
    return ArticleRequest(
        text="\n".join(paragraphs) or request.headline,
        title=request.headline[:1000] or None,
        language=request.language,
        id=request.uuid[:200] if request.uuid else None,
    )


async def analyse(article: ArticleRequest, summariser: SummaryService, caller: str, wait_s: float) -> AnalysisResponse:
    key = fingerprint(caller, article.text, article.title, article.language)
    task = _running.get(key)
    if task is None:
        task = asyncio.ensure_future(summariser.summarise(article, caller=caller))
    try:
        summary = await asyncio.wait_for(asyncio.shield(task), wait_s)
    except TimeoutError:
        _keep_running(key, task)
        return await _by_code(article, summariser, "the model would take longer than the wait for this answer")
    except SummariseError as error:
        if error.status < 500:  # the article's own fault: say so
            raise
        return await _by_code(article, summariser, f"the model could not answer ({error.slug})")
    source: Literal["cache", "model"] = "cache" if summary.meta.cached else "model"
    return _from_summary(summary, source)


def _keep_running(key: str, task: asyncio.Task[SummaryResponse]) -> None:
    if _running.setdefault(key, task) is not task:
        return

    def finished(done: asyncio.Task[SummaryResponse]) -> None:
        _running.pop(key, None)
        if not done.cancelled() and (error := done.exception()) is not None:
            log.info("background summary failed", error=type(error).__name__)

    task.add_done_callback(finished)


def _from_summary(summary: SummaryResponse, source: Literal["cache", "model"]) -> AnalysisResponse:
    concepts = [
        _concept(participant.name, kind, participant.role, participant.aliases)
        for participant in summary.participants
        if (kind := _TYPES.get(participant.kind.value))
    ]
    return AnalysisResponse(
        concepts=_weighted(concepts),
        summarise=HowAnswered(
            source=source,
            summary=summary.summary,
            dates=[date.model_dump(mode="json", exclude={"evidence"}) for date in summary.dates],
            warnings=summary.meta.warnings,
        ),
    )


async def _by_code(article: ArticleRequest, summariser: SummaryService, why: str) -> AnalysisResponse:
    reading = await read_by_code(article, summariser.core.ner)
    warnings = [f"answered by code alone (NER and dates): {why}"]
    if reading.participants is None:
        warnings.append(f"no named-entity pipeline for language {article.language or 'unknown'}: no tags")
    if article.published is None:
        warnings.append("no publication date given: relative dates are left unresolved (start/end null)")
    concepts = [
        _concept(candidate.name, kind, candidate.role, candidate.aliases)
        for candidate in reading.participants or []
        if (kind := _TYPES.get(candidate.kind.value))
    ]
    dates = [
        {
            "text": found.text,
            "start": found.resolved.start.isoformat() if found.resolved and found.resolved.start else None,
            "end": found.resolved.end.isoformat() if found.resolved and found.resolved.end else None,
        }
        for found in reading.dates
        if found.resolved is not None
    ]
    return AnalysisResponse(
        concepts=_weighted(concepts), summarise=HowAnswered(source="code", dates=dates, warnings=warnings)
    )


def _concept(
    name: str, kind: Literal["person", "organisation", "place"], role: str | None, aliases: list[str]
) -> Concept:
    qcode = str(uuid.uuid5(_QCODES, f"{kind}:{' '.join(name.split()).casefold()}"))
    return Concept(uuid=qcode, title=name, type=kind, weight=0.0, shortDescription=role or None, aliases=aliases)


def _weighted(concepts: list[Concept]) -> list[Concept]:
    """Superdesk sorts each tag list by weight, highest first: keep the order they were found in."""
    first: dict[str, Concept] = {}
    for concept in concepts:
        first.setdefault(concept.uuid, concept)
    unique = list(first.values())
    count = len(unique)
    return [concept.model_copy(update={"weight": round(1 - i / count, 3)}) for i, concept in enumerate(unique)]
