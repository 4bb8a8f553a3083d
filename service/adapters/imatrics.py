"""An iMatrics-compatible analysis, so that a stock Superdesk tags articles with us (see schemas/imatrics.py).

Superdesk waits 30 s for the answer (its `TIMEOUT = (5, 30)`). The summary is awaited for at most
`imatrics_wait_s`: from the cache it is at once, and a quick model makes it in time. Otherwise the answer is
what code alone reads (NER candidates and dates, `source: "code"`), and the summary goes on in the
background, so that it is cached when the editor asks again; the same article asked for again meanwhile
waits on that one summary rather than starting another.

Subjects are Media Topics as iMatrics sends its categories: `uuid` the QCode, `broader` the parent's, links
to IPTC and Wikidata, `weight` the relevance; their broader concepts (up to the top concept) follow in the
answer's `broader`, weighted as their most relevant subject, so that no parent a tag names is missing. The
tag search (`concept/get`) looks in the vocabulary itself: see `search`.
"""

import asyncio
import functools
import unicodedata
import uuid
from typing import Literal

import structlog

from schemas import ArticleRequest, SummaryResponse
from schemas.imatrics import AnalysisRequest, AnalysisResponse, Concept, HowAnswered, Link
from service.core import mediatopics
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
    categories, broader = _categories(summary)
    return AnalysisResponse(
        concepts=_weighted(concepts) + categories,
        broader=broader,
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


def _categories(summary: SummaryResponse) -> tuple[list[Concept], list[Concept]]:
    """The subjects as categories, and their broader concepts that are not subjects themselves."""
    topics = mediatopics.media_topics()
    language = summary.subjects[0].language if summary.subjects else None
    categories: list[Concept] = []
    weights: dict[str, float] = {}  # a broader concept's: its most relevant subject's relevance
    chains: list[mediatopics.Concept] = []
    for subject in summary.subjects:
        if (concept := topics.get(subject.qcode)) is None:
            continue
        categories.append(category(concept, language, subject.relevance, title=subject.name))
        for parent in topics.chain(concept):
            chains.append(parent)
            weights[parent.qcode] = max(weights.get(parent.qcode, 0.0), subject.relevance)
    named = {c.uuid for c in categories}
    parents = {c.qcode: c for c in chains if c.qcode not in named}
    return categories, [category(c, language, weights[q]) for q, c in parents.items()]


def category(concept: mediatopics.Concept, language: str | None, weight: float, title: str | None = None) -> Concept:
    """A Media Topic as an iMatrics category: its label and definition in `language` (else English)."""
    key = mediatopics.vocabulary_language(language)
    name, _ = concept.label(language)
    english = concept.labels.get(mediatopics.ENGLISH)
    links = [Link(source="IPTC", id=concept.qcode, uri=concept.uri)]
    if concept.wikidata:
        links.append(
            Link(source="wikidata", id=concept.wikidata, uri=f"http://www.wikidata.org/entity/{concept.wikidata}")
        )
    return Concept(
        uuid=concept.qcode,
        title=title or name,
        type="category",
        weight=round(weight, 3),
        shortDescription=concept.definitions.get(key) or concept.definitions.get(mediatopics.ENGLISH),
        aliases=[english] if english and english != (title or name) else [],
        broader=concept.broader,
        links=links,
    )


# The tag search: the Media Topics whose label reads as what the editor typed, the label itself first, then
# labels starting with it, then labels with a word starting with each typed word (or that word less up to two
# letters: "elections" finds "election"); labels in the language asked for (English when none is) before
# labels in the others, shorter first. Then the index's best matches by stem, when there are not enough.
SEARCHED_TYPES = frozenset(("all", "category", "topic"))


def search(term: str, size: int, language: str | None = None) -> list[Concept]:
    typed = _folded(term)
    if not typed:
        return []
    words = typed.split()
    preferred = mediatopics.vocabulary_language(language)
    found: dict[str, tuple[tuple[int, int, int, str], mediatopics.Concept, str]] = {}
    for concept, key, label in _labels():
        if label == typed:
            rank = 0
        elif label.startswith(typed):
            rank = 1
        elif all(any(_reads_as(w, word) for word in label.split()) for w in words):
            rank = 2
        else:
            continue
        order = (0 if key == preferred else 1, rank, len(label), concept.qcode)
        if concept.qcode not in found or order < found[concept.qcode][0]:
            found[concept.qcode] = (order, concept, key)
    matches = sorted(found.values(), key=lambda match: match[0])[:size]
    results = [category(concept, _BCP47.get(key, key), 1.0) for _, concept, key in matches]
    if len(results) < size:
        named = {c.uuid for c in results}
        stemmed = mediatopics.media_topics().index(language).search(term, size)
        results += [category(c, language, 0.0) for c, _ in stemmed if c.qcode not in named][: size - len(results)]
    count = len(results)
    return [c.model_copy(update={"weight": round(1 - i / count, 3)}) for i, c in enumerate(results)]


def _reads_as(typed: str, word: str) -> bool:
    return word.startswith(typed) or (len(word) >= 4 and typed.startswith(word) and len(typed) - len(word) <= 2)


@functools.cache
def _labels() -> list[tuple[mediatopics.Concept, str, str]]:
    """Every label of every active concept, folded, with its language key."""
    return [
        (concept, key, _folded(label))
        for concept in mediatopics.media_topics().active
        for key, label in concept.labels.items()
    ]


def by_id(code: str, language: str | None = None) -> Concept | None:
    """A Media Topic by its QCode (or URI): a parent Superdesk asks for after a search."""
    concept = mediatopics.media_topics().get(code)
    return category(concept, language, 1.0) if concept is not None else None


_BCP47 = {"se": "sv", "dk": "da"}  # the BCP 47 tags of the vocabulary's own keys for Swedish and Danish


def _folded(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: 'Élection,' reads as 'election'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())
