"""What code alone reads in an article, without the model: participant candidates by NER and date
expressions resolved by the date vocabulary.

It answers in the time NER takes (bench/README.md), for a caller that cannot wait for the
model (Superdesk's tagging widget, which gives up after 30 s). A candidate is what NER tagged, merged,
with its role in the article's own words: the candidates the full summary starts from, before the model is
asked what the ones code is unsure of are (`questions.KIND`).
"""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

from schemas import ArticleRequest
from service.core.alignment import ArticleText
from service.core.captions import story_text
from service.core.dates import ResolvedDate, find_date_expressions, resolver_for
from service.core.injection import addressed_lines
from service.core.names import Candidate, candidates
from service.languages import tag
from service.model.ner import Clauses, Ner


@dataclass(frozen=True)
class FoundDate:
    text: str
    start: int
    end: int
    resolved: ResolvedDate | None  # None: not a date after all


@dataclass(frozen=True)
class CodeReading:
    participants: list[Candidate] | None  # None: no NER pipeline for the article's language
    dates: list[FoundDate]


async def read_by_code(article: ArticleRequest, ner: Mapping[str, Ner]) -> CodeReading:
    """Candidates (when a pipeline serves the article's language, English when none is given) and dates."""
    # As the summary reads it: lines to the summariser and a picture's caption are no story text.
    text = story_text(article.text, addressed_lines(article.text))
    found = await ner_reading(text, article.language, ner, article.title, clauses=False)
    resolver = resolver_for(article.language)
    story = ArticleText(text)
    dates = [
        FoundDate(
            article.text[start:end],
            start,
            end,
            resolver.resolve(article.text[start:end], article.published_date, story.before_in_clause(start, end)),
        )
        for start, end in find_date_expressions(text)
    ]
    return CodeReading(found.candidates if found else None, dates)


@dataclass(frozen=True)
class NerReading:
    candidates: list[Candidate]
    clauses: Clauses  # each verb's clause, as the parse reads it: what happens on a date it governs


async def ner_reading(
    text: str, language: str | None, ner: Mapping[str, Ner], title: str | None = None, clauses: bool = True
) -> NerReading | None:
    """Participant candidates by NER, for a language with a pipeline (English when none is given), and the
    parse's clauses (unless not asked for: none then); None when no pipeline serves it."""
    pipeline = ner.get(tag(language).code or "en")
    if pipeline is None:
        return None
    reading = await asyncio.to_thread(pipeline.read, text, clauses)  # CPU work: off the event loop
    return NerReading(candidates(text, reading.entities, pipeline.language, title), reading.clauses)
