"""Article in, grounded summary out: ask the model focused questions, then check and complete by code.

For each part of the article (one part unless it is longer than the model's context):
- with NER for the language, each named candidate code is unsure of is first asked what it is, one at a
  time (`questions.KIND`): one the model calls a thing is no participant. Each organisation named once that
  acts is asked too: never dropped, it becomes a person where the model says so;
- the questions of the table (`questions.WITH_NAMES`, or `WITHOUT_NAMES` with no NER for the language)
  share one prefix (system prompt + article): a summary, what is unresolved, the subjects, and, with no NER,
  who takes part (with NER, code's candidates are the participants). The server reuses the processed
  prefix for all but the first. Answers are checked as they are asked, and re-asked by the model client;
- dates are code's alone: found in the text and resolved against the publication date by `dates.py`, each
  with the clause of the article that holds it as its event; sentences of doubt are found by
  `unresolved.py` and listed in the open-issues question;
- the table's rows are grounded in turn, each filling its field of the response (`grounding.Grounder`):
  names, date expressions and quotes are located in the article, an item with nothing located is dropped,
  participants named several ways are merged, issue parties are the participants their sentence names; at the end the summary (of the
  parts' summaries combined, where there are several) and the subjects, each with a few narrower Media Topics
  first asked which of them the article is about (`questions.NARROWER`; an article of one part).
Whatever is dropped, cut off or left unresolved is a `SummaryWarning`, shown as text in `meta.warnings`.

Progress: `summarise(article, progress=...)` awaits the callback with what code found (`Found`, before the
model is asked), then with the response so far as each question's answers are grounded (`Grounded`:
participants, dates, open issues, always in that order, so the result does not depend on which answer
came first). Without a callback the same work is done in the same order.

No cache, no admission, no metrics: the service layer (`service.summaries`) adds those around this.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from pydantic import BaseModel

from schemas import ArticleRequest, Meta, Participant, SummaryResponse, Usage
from service.core import chunking
from service.core.alignment import ArticleText
from service.core.by_code import ner_reading
from service.core.captions import story_text
from service.core.checking import language_name
from service.core.dates import find_date_expressions
from service.core.grounding import Grounder, Source, SummaryFacts, Vocabulary, checked_against
from service.core.injection import addressed_lines, neutralise_delimiters
from service.core.mediatopics import ENGLISH, Concept, media_topics
from service.core.names import Candidate, maybe_people, unsure
from service.core.questions import (
    COMBINE,
    KIND,
    NARROWER,
    SUBJECTS,
    SUMMARY,
    WITH_NAMES,
    WITHOUT_NAMES,
    ByCode,
    Part,
    Question,
    Row,
    as_answered,
    as_narrowed,
    kind_variables,
    narrower_answer,
    narrower_variables,
)
from service.core.subjects import narrowable
from service.core.warnings import SummaryWarning, WarningKind
from service.errors import ArticleTooLong
from service.model.client import Answer, ModelClient
from service.model.ner import Ner
from service.model.prompts import PromptTemplate
from service.settings import CoreSettings

A = TypeVar("A", bound=BaseModel)
Result = TypeVar("Result")
_PROMPT_MARGIN_TOKENS = 64
_MAIN_PARTICIPANTS = 6  # listed for the summary: enough for its 2-3 sentences, few tokens to read
# Candidates asked what they are, at most: ~1.5-2 s each on the embedded model (~90 tokens read after the
# cached article, 7 written). The gold set's 15 English articles have 3 such a median; 12, 21 and 26 the
# three longest lists of names (an election's candidates, an exhibition's photographers). At most ten put
# the gold set's p50 latency at 40.3 s, five at 35.7 s (26.2 s without): bench/JOURNAL.md, 2026-12-06 (night).
KINDS_ASKED = 3
# Organisations that act, asked whether they are people (`names.maybe_people`): the gold set's 15 English
# articles have 15, at most one an article but for 007's four (its study's funders); each ~1.5-2 s.
PEOPLE_ASKED = 2
# Subjects asked which of their narrower concepts the article is about, at most (`NARROWER`): the gold set's
# 17 articles have 8 such subjects, at most 2 an article; each ~1-2 s on the embedded model.
NARROWED_ASKED = 2
_NO_PARTICIPANT = "asked what it is in the article, the model says a {}: not a person, organisation or country"


@dataclass(frozen=True)
class Summary:
    """The response, and its warnings as data (the response shows them as text)."""

    response: SummaryResponse
    warnings: list[SummaryWarning]
    completion_tokens: dict[str, int]  # by question: where the writing (the time) goes


@dataclass(frozen=True)
class Found:
    """What code found in the article before the model is asked: the named candidates (None without an
    NER pipeline for its language) and the date expressions, as (start, end) offsets in `text`."""

    candidates: list[Candidate] | None
    dates: list[tuple[int, int]]


@dataclass(frozen=True)
class Grounded:
    """The response so far, once the answers to one question (`participants`, `dates` or `open_issues`)
    are grounded: the summary is empty until the end, and the meta counts nothing yet."""

    question: str
    partial: SummaryResponse


Progress = Found | Grounded
OnProgress = Callable[[Progress], Awaitable[None]]


class _Answers:
    """Every answer of one summary, in the order asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[Question[Any], Answer[Any]]] = []

    def add(self, question: Question[Any], answer: Answer[Any]) -> None:
        self.asked.append((question, answer))

    def of(self, question: Question[A]) -> list[A]:
        return [cast(A, answer.value) for asked, answer in self.asked if asked is question]

    def usage(self) -> Usage:
        prompt = sum(answer.stats.prompt_tokens for _, answer in self.asked)
        completion = sum(answer.stats.completion_tokens for _, answer in self.asked)
        return Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)

    def completion_tokens(self) -> dict[str, int]:
        tokens: dict[str, int] = {}
        for question, answer in self.asked:
            tokens[question.name] = tokens.get(question.name, 0) + answer.stats.completion_tokens
        return tokens

    def warnings(self) -> list[SummaryWarning]:
        warnings = []
        for question, answer in self.asked:
            if answer.rejected_because:
                reason = (
                    f"no answer passed the grounding check ({answer.stats.answers} answers); "
                    "the items the article does not support were dropped (listed below)"
                )
                warnings.append(SummaryWarning(WarningKind.rejected_answer, question.name, reason))
            if answer.truncated:
                reason = "the answer was cut off at max_tokens; only its complete items were kept"
                warnings.append(SummaryWarning(WarningKind.cut_off_answer, question.name, reason))
        for refused in dict.fromkeys(answer.refused_mode for _, answer in self.asked if answer.refused_mode):
            reason = (
                "the model server refused this request shape and was asked in the next mode its family takes; "
                "set SUMMARISE_MODE to that mode (meta.mode) to skip the refused request after each start"
            )
            warnings.append(SummaryWarning(WarningKind.mode_switched, refused, reason))
        return warnings


class Summariser:
    def __init__(
        self, llm: ModelClient, prompt: PromptTemplate, settings: CoreSettings, ner: Mapping[str, Ner] | None = None
    ) -> None:
        self.llm = llm
        self.prompt = prompt
        self.settings = settings
        self.ner = dict(ner or {})  # by language (ISO 639-1)
        self.topics = media_topics()  # read (and its digest checked) at start, not at the first article
        for described in (False, True):  # the indexes an English article's subjects use (~50 ms): at start too
            self.topics.index(ENGLISH, described)
        self.meanings = self.topics.meanings()  # the embedding model read and checked: at start, not at an article

    async def summarise(self, article: ArticleRequest, progress: OnProgress | None = None) -> Summary:
        started = time.monotonic()
        deadline = started + self.settings.request_budget_s
        check_limits(article, self.settings.max_text_chars)
        warnings = request_warnings(article)
        # Lines that speak to the summariser are blanked for grounding: nothing taken from them is evidence;
        # nor from a picture's caption and credit (no story text, and its photographer is no participant).
        addressed = addressed_lines(article.text)
        text = ArticleText(story_text(article.text, addressed))
        warnings += [_addressed_warning(article.text, start, end) for start, end in addressed]

        reading = await ner_reading(text.text, article.language, self.ner, article.title)
        named = reading.candidates if reading else None
        if named is None:
            language = article.language or "unknown"
            reason = "no named-entity pipeline for this language: participants are the model's own list"
            warnings.append(SummaryWarning(WarningKind.no_named_entities, language, reason))
        table = WITH_NAMES if named is not None else WITHOUT_NAMES
        date_spans = find_date_expressions(text.text)
        if progress is not None:
            await progress(Found(named, date_spans))
        spans = await chunking.parts(article.text, self._part_budget(), self.llm.count_tokens)
        if len(spans) > 1 and self.llm.tokenizer == "estimate":  # one part: it fits even by the estimate
            reason = "the model server counts no tokens for us: the article was split by an estimate of them"
            warnings.append(SummaryWarning(WarningKind.estimated_tokens, f"{len(spans)} parts", reason))
        answers = _Answers()
        parts = [Part(text, start, end) for start, end in spans]
        if named is not None:
            named, things = await self._as_answered(named, article, parts, answers, deadline)
            for thing, kind in things:
                warnings.append(
                    SummaryWarning(WarningKind.dropped_participant, thing.name, _NO_PARTICIPANT.format(kind))
                )
        clauses = reading.clauses if reading else None
        source = Source(article, named, date_spans, Vocabulary(self.topics, self.meanings), clauses)
        grounder = Grounder(text, article.text, source)
        grounding = _Grounding(self, article, parts, grounder, table.in_turn, warnings, progress)
        for n, part in enumerate(parts):
            variables = self._variables(article, article.text[part.start : part.end])
            asks = [grounding.noted(question, n, variables, deadline) for question in table.asked]
            for question, answer in zip(table.asked, await _in_turn(self.settings.parallel_calls, asks), strict=True):
                answers.add(question, answer)
        await grounding.done()
        warnings += grounder.warnings  # said while grounding in turn
        if len(parts) > 1:
            await self._combined(article, grounder, answers, deadline)
        grounder.narrowed.update(await self._narrowed(article, parts, grounder, answers, deadline))
        grounding.ground_at_the_end(table.at_the_end)
        warnings += answers.warnings() + [said for row in table.at_the_end for said in grounder.said[row.fills]]
        stats = [answer.stats for _, answer in answers.asked]
        response = SummaryResponse(
            id=article.id,
            **grounder.filled,
            meta=self.meta(
                chunks=len(spans),
                warnings=warnings,
                attempts=sum(s.answers for s in stats),
                retries=sum(s.retries for s in stats),
                usage=answers.usage(),
                latency_ms=round((time.monotonic() - started) * 1000),
            ),
        )
        return Summary(response, warnings, answers.completion_tokens())

    async def _as_answered(
        self, named: list[Candidate], article: ArticleRequest, parts: list[Part], answers: _Answers, deadline: float
    ) -> tuple[list[Candidate], list[tuple[Candidate, str]]]:
        """The candidates as the model, asked what those code is unsure of and those that may be people are,
        says they are (`questions.as_answered`); and those it says are no participant, with its word."""
        asked = [*unsure(named, KINDS_ASKED), *maybe_people(named, PEOPLE_ASKED)]
        asks = [self._kind_of(candidate, article, parts, deadline) for candidate in asked]
        answered: dict[int, Candidate | None] = {}
        things = []
        for candidate, answer in zip(asked, await _in_turn(self.settings.parallel_calls, asks), strict=True):
            answers.add(KIND, answer)
            answered[id(candidate)] = as_answered(candidate, answer.value)
            if answered[id(candidate)] is None:
                things.append((candidate, answer.value.kind))
        kept = [answered.get(id(candidate), candidate) for candidate in named]
        return [candidate for candidate in kept if candidate is not None], things

    async def _kind_of(
        self, candidate: Candidate, article: ArticleRequest, parts: list[Part], deadline: float
    ) -> Answer[Any]:
        start = candidate.mentions[0][0]
        part = next((part for part in parts if part.start <= start < part.end), parts[0])
        variables = self._variables(article, article.text[part.start : part.end]) | kind_variables(
            candidate, part.article
        )
        return await self.ask(KIND, part, variables, article.language, deadline)

    async def _narrowed(
        self, article: ArticleRequest, parts: list[Part], grounder: Grounder, answers: _Answers, deadline: float
    ) -> dict[str, Concept]:
        """The subjects the model's terms map to that have a few narrower concepts, each asked which of them the
        article is about: those it narrowed, by the subject's QCode. Not in an article of several parts: each
        question would read a part anew."""
        if len(parts) > 1:
            return {}
        terms = [term for answer in answers.of(SUBJECTS) for term in answer.subjects]
        participants = grounder.filled.get("participants", [])
        asked = narrowable(terms, self.topics, self.meanings, participants)[:NARROWED_ASKED]
        variables = self._variables(article, article.text[parts[0].start : parts[0].end])
        asks = [
            self.ask(
                NARROWER,
                parts[0],
                variables | narrower_variables(concept, narrower),
                article.language,
                deadline,
                answer_model=narrower_answer(concept, narrower),
            )
            for concept, narrower in asked
        ]
        narrowed = {}
        for (concept, narrower), answer in zip(asked, await _in_turn(self.settings.parallel_calls, asks), strict=True):
            answers.add(NARROWER, answer)
            if (chosen := as_narrowed(concept, narrower, answer.value)) is not concept:
                narrowed[concept.qcode] = chosen
        return narrowed

    async def _combined(self, article: ArticleRequest, grounder: Grounder, answers: _Answers, deadline: float) -> None:
        """The parts' summaries combined in one, the response's (asked and checked as the one part's is)."""
        summaries = "\n\n".join(answer.summary.strip() for answer in answers.of(SUMMARY))
        part = Part(ArticleText(summaries), 0, 0)
        variables = self._variables(article, summaries)
        combined = await self.ask(COMBINE, part, variables, article.language, deadline, grounder.summary_facts())
        answers.add(COMBINE, combined)
        grounder.fill(COMBINE.fills, COMBINE.ground(grounder, [(part, combined.value)]))

    def meta(
        self,
        chunks: int,
        warnings: list[SummaryWarning],
        attempts: int = 0,
        retries: int = 0,
        usage: Usage | None = None,
        latency_ms: int = 0,
    ) -> Meta:
        """The response's meta: of the whole summary, or (counting nothing yet) of a partial one."""
        return Meta(
            model=self.llm.model,
            prompt_version=self.prompt.version,
            mode=self.llm.mode,
            attempts=attempts,
            retries=retries,
            usage=usage or Usage(),
            latency_ms=latency_ms,
            chunks=chunks,
            warnings=[warning.text() for warning in warnings],
        )

    def _part_budget(self) -> int:
        """Tokens of article one request may carry: the context less the answer and our prompt."""
        overhead = self.prompt.overhead_chars() // 2  # our English prompt: well under 2 characters a token
        overhead += _MAIN_PARTICIPANTS * 30  # the summary's listed participants: a name and its title each
        return self.settings.context_tokens - self.settings.max_output_tokens - overhead - _PROMPT_MARGIN_TOKENS

    def _variables(self, article: ArticleRequest, text: str) -> dict[str, str]:
        published = article.published_date
        return {
            "published": published.isoformat() if published else "unknown",
            "language": language_name(article.language) or "the article's own",
            "title": article.title or "(none)",
            "text": neutralise_delimiters(text),
        }

    async def ask(
        self,
        question: Question[A],
        part: Part,
        variables: dict[str, str],
        language: str | None,
        deadline: float,
        summary: SummaryFacts | None = None,  # what the response's summary is checked against, when it is asked
        answer_model: type[A] | None = None,  # where not the question's own (`NARROWER`'s enum of labels)
    ) -> Answer[A]:
        listed = question.candidates(part) if question.candidates is not None else []
        if question.candidates is not None:
            variables = {**variables, "candidates": _numbered(listed)}
        messages = self.prompt.render(self.prompt.question_in(question.name, language), **variables)
        checked: AbstractContextManager[None] = nullcontext()
        if summary is not None:
            checked = checked_against(summary.article, summary)
        elif question.grounded:
            checked = checked_against(part.article)
        with checked:
            model = answer_model or question.answer_for(listed)
            return await self.llm.extract(messages, model, name=question.name, deadline=deadline)


class _Grounding:
    """The rows of a table grounded as soon as every part's answers are in, in the table's order (who takes
    part, dates, open issues: the issues' parties are the participants), each step told to `progress`."""

    def __init__(
        self,
        core: Summariser,
        article: ArticleRequest,
        parts: list[Part],
        grounder: Grounder,
        rows: tuple[Row, ...],
        warnings: list[SummaryWarning],
        progress: OnProgress | None,
    ) -> None:
        self._core = core
        self._article = article
        self._parts = parts
        self._grounder = grounder
        self._rows = rows
        self._warnings = warnings  # the request's so far: shown in each partial
        self._progress = progress
        self._got: dict[tuple[str, int], Any] = {}  # (question, part) -> the answer's value
        self._lock = asyncio.Lock()  # one step at a time, told in order

    async def noted(self, question: Question[A], part: int, variables: dict[str, str], deadline: float) -> Answer[A]:
        """The question asked of the part; once answered, whatever can now be grounded is."""
        variables = self.variables(question, variables)
        # A part's summary is the response's where it is the only part; of several, only their combination is.
        response_summary = question.fills == SUMMARY.fills and len(self._parts) == 1
        facts = self._grounder.summary_facts() if response_summary else None
        language = self._article.language
        answer = await self._core.ask(question, self._parts[part], variables, language, deadline, facts)
        self._got[(question.name, part)] = answer.value
        await self._ready()
        return answer

    def variables(self, question: Question[Any], variables: dict[str, str]) -> dict[str, str]:
        """`variables` with the main participants, for a question that lists them: those code found, most
        mentioned first (else those grounded so far), with what the article calls them."""
        if not question.participants:
            return variables
        named = self._grounder.source.named
        if named is not None:
            ranked = sorted(named, key=lambda c: (-len(c.mentions), c.mentions[0][0]))
            listed = [f"- {c.name}" + (f" ({c.described})" if c.described else "") for c in ranked]
        else:
            participants: list[Participant] = self._grounder.filled.get("participants", [])
            listed = [f"- {p.name}" + (f" ({p.role})" if p.role else "") for p in participants]
        return {**variables, "participants": "\n".join(listed[:_MAIN_PARTICIPANTS]) or "(none found)"}

    async def done(self) -> None:
        await self._ready()
        if any(row.fills not in self._grounder.filled for row in self._rows):
            raise AssertionError("every answer is in, yet a question is not grounded")  # a bug, not an input

    def ground(self, row: Row) -> bool:
        """The row's field filled from every part's answers (or by code); False while one is missing."""
        if isinstance(row, ByCode):
            self._grounder.fill(row.fills, row.ground(self._grounder))
            return True
        answers = [self._got.get((row.name, n)) for n in range(len(self._parts))]
        if any(answer is None for answer in answers):
            return False
        self._grounder.fill(row.fills, row.ground(self._grounder, list(zip(self._parts, answers, strict=True))))
        return True

    def ground_at_the_end(self, rows: tuple[Row, ...]) -> None:
        for row in rows:
            if row.fills not in self._grounder.filled and not self.ground(row):
                raise AssertionError(f"every answer is in, yet {row.fills} is not grounded")  # a bug, not an input

    async def _ready(self) -> None:
        async with self._lock:
            for row in self._rows:
                if row.fills in self._grounder.filled:
                    continue
                if not self.ground(row):
                    return  # told in order: the next ones wait for this one
                await self._tell(row.fills)

    async def _tell(self, field: str) -> None:
        if self._progress is None:
            return
        filled = self._grounder.filled
        partial = SummaryResponse(
            id=self._article.id,
            summary="",
            participants=filled.get("participants", []),
            dates=filled.get("dates", []),
            open_issues=filled.get("open_issues", []),
            meta=self._core.meta(chunks=len(self._parts), warnings=self._warnings + self._grounder.warnings),
        )
        await self._progress(Grounded(field, partial))


async def _in_turn(parallel: int, asks: list[Coroutine[Any, Any, Result]]) -> list[Result]:
    """The first ask alone, then the rest `parallel` at a time, in this order. The first processes the
    article that all of them share: a server caches it per slot, so questions sent at the same moment
    could not reuse it. If one fails, the others are cancelled and its error raised (not an ExceptionGroup)."""
    if not asks:
        return []
    try:
        first = await asks[0]
    except BaseException:
        for ask in asks[1:]:
            ask.close()  # never started
        raise
    return [first, *await _at_most(parallel, asks[1:])]


async def _at_most(parallel: int, asks: list[Coroutine[Any, Any, Result]]) -> list[Result]:
    turns = asyncio.Semaphore(parallel)  # first come, first served: the order is kept

    async def in_turn(ask: Coroutine[Any, Any, Result]) -> Result:
        try:
            async with turns:
                return await ask
        finally:
            ask.close()  # cancelled while waiting its turn: never started (a no-op once it has run)

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(in_turn(ask)) for ask in asks]
    except ExceptionGroup as errors:
        raise errors.exceptions[0] from None
    return [task.result() for task in tasks]


def check_limits(article: ArticleRequest, max_text_chars: int) -> None:
    """Raises ArticleTooLong for a text over SUMMARISE_MAX_TEXT_CHARS: before a summary, and when a job is
    submitted (so that it is refused at once, not accepted and then failed)."""
    if len(article.text) > max_text_chars:
        raise ArticleTooLong(f"text has {len(article.text)} characters; the limit is {max_text_chars}")


def request_warnings(article: ArticleRequest) -> list[SummaryWarning]:
    """The warnings about the request itself (fields ignored, the publication date), first in
    `meta.warnings`: made for every request, a cached summary's included (they are not the article's)."""
    warnings = [SummaryWarning(WarningKind.ignored_input, "request", text) for text in article.input_warnings()]
    if article.published is None:
        reason = "no publication date given: relative dates are left unresolved (start/end null)"
        warnings.append(SummaryWarning(WarningKind.no_publication_date, "published", reason))
    return warnings


def _addressed_warning(text: str, start: int, end: int) -> SummaryWarning:
    line = " ".join(text[start:end].split())
    shown = line if len(line) <= 80 else line[:79] + "…"
    reason = f"address the summariser, not the reader ({shown!r}): treated as article text, never as instructions or evidence"
    return SummaryWarning(WarningKind.addressed_line, f"{start}-{end}", reason)


def _numbered(listed: list[str]) -> str:
    return "\n".join(f"{n}. {item}" for n, item in enumerate(listed, start=1)) or "(none found)"
