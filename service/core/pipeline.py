"""Article in, grounded summary out: ask the model focused questions, then check and complete by code.

For each part of the article (one part unless it is longer than the model's context):
- the questions of `questions.QUESTIONS` share one prefix (system prompt + article): who takes part, what
  happens on each date, what is unresolved, and a summary. The server reuses the processed prefix for
  all but the first;
- dates are found in the text and resolved against the publication date by `dates.py`; the model only
  says what happens then (and may add an expression the patterns missed); sentences of doubt are found by
  `unresolved.py` and listed in the open-issues question;
- names, date expressions and quotes are located in the article (`grounding.Grounder`), an item with
  nothing located is dropped, participants named several ways are merged, issue parties are canonical.
Whatever is dropped, cut off or left unresolved is a `SummaryWarning`, shown as text in `meta.warnings`.

No cache, no admission, no metrics: the service layer (`service.summaries`) adds those around this.
"""

import asyncio
import json
import time
from collections.abc import Coroutine, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar, cast

from pydantic import BaseModel

from schemas import ArticleRequest, Meta, SummaryResponse, Usage
from service.core import chunking
from service.core.alignment import ArticleText
from service.core.checking import language_name, unsupported, without, wrong_language
from service.core.dates import find_date_expressions, resolver_for
from service.core.grounding import Grounder, checked_against
from service.core.injection import addressed_lines, masked, neutralise_delimiters
from service.core.names import Candidate, candidates
from service.core.participants import merge_participants
from service.core.questions import (
    COMBINE,
    DATES,
    ISSUES,
    JUDGE,
    PARTICIPANTS,
    QUESTIONS,
    QUESTIONS_WITHOUT_NAMES,
    SUMMARY,
    Part,
    Question,
)
from service.core.warnings import SummaryWarning, WarningKind
from service.errors import ArticleTooLong, SummariseError
from service.model.client import Answer, ModelClient
from service.model.ner import Ner
from service.model.prompts import PromptTemplate
from service.settings import Settings

A = TypeVar("A", bound=BaseModel)
Result = TypeVar("Result")
_PROMPT_MARGIN_TOKENS = 64


@dataclass(frozen=True)
class Summary:
    """The response, and its warnings as data (the response shows them as text)."""

    response: SummaryResponse
    warnings: list[SummaryWarning]
    completion_tokens: dict[str, int]  # by question: where the writing (the time) goes


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
        return warnings


class Summariser:
    def __init__(
        self, llm: ModelClient, prompt: PromptTemplate, settings: Settings, ner: Mapping[str, Ner] | None = None
    ) -> None:
        self.llm = llm
        self.prompt = prompt
        self.settings = settings
        self.ner = dict(ner or {})  # by language (ISO 639-1)

    async def summarise(self, article: ArticleRequest) -> Summary:
        started = time.monotonic()
        deadline = started + self.settings.request_budget_s
        check_limits(article, self.settings)
        warnings = request_warnings(article)
        # Lines that speak to the summariser are blanked for grounding: nothing taken from them is evidence.
        addressed = addressed_lines(article.text)
        text = ArticleText(masked(article.text, addressed))
        warnings += [_addressed_warning(article.text, start, end) for start, end in addressed]

        named = await self._named(article.language, text)
        if named is None:
            language = article.language or "unknown"
            reason = "no named-entity pipeline for this language: participants are the model's own list"
            warnings.append(SummaryWarning(WarningKind.no_named_entities, language, reason))
        questions = QUESTIONS if named is not None else QUESTIONS_WITHOUT_NAMES
        spans = await chunking.parts(article.text, self._part_budget(), self.llm.count_tokens)
        date_spans = find_date_expressions(text.text)
        answers = _Answers()
        parts = [Part(text, start, end, date_spans, named) for start, end in spans]
        for part in parts:
            variables = self._variables(article, article.text[part.start : part.end])
            asks = [self._ask(question, part, variables, article.language, deadline) for question in questions]
            for question, answer in zip(questions, await _in_turn(self.settings.parallel_calls, asks), strict=True):
                answers.add(question, answer)
        summaries = [answer.summary.strip() for answer in answers.of(SUMMARY)]
        summary_question: Question[Any] = SUMMARY
        summary_part = parts[0]
        summary = summaries[0]
        if len(summaries) > 1:
            summary_question = COMBINE  # its answer is a SummaryAnswer too
            summary_part = Part(ArticleText("\n\n".join(summaries)), 0, 0, [])
            variables = self._variables(article, summary_part.article.text)
            combined = await self._ask(COMBINE, summary_part, variables, article.language, deadline)
            answers.add(COMBINE, combined)
            summary = combined.value.summary.strip()

        grounder = Grounder(text, article.text)
        judged = [(part.candidates(), answer) for part, answer in zip(parts, answers.of(JUDGE), strict=False)]
        participants = merge_participants(
            grounder.judged(judged)
            + grounder.participants([p for answer in answers.of(PARTICIPANTS) for p in answer.participants])
        )
        dates = grounder.dates(
            date_spans,
            [d for part, answer in zip(parts, answers.of(DATES), strict=True) for d in answer.told(part.dated())],
            article.published_date,
            resolver_for(article.language),
        )
        issues = [  # an issue's quote is looked for near its part
            (issue, part.start)
            for part, answer in zip(parts, answers.of(ISSUES), strict=True)
            for issue in answer.found(part.doubts())
        ]
        open_issues = grounder.open_issues(issues, participants)
        warnings += grounder.warnings
        resolved = [day for item in dates for day in (item.start, item.end) if day is not None]
        text_asked = article.text[parts[0].start : parts[0].end] if len(parts) == 1 else summary_part.article.text
        summary, summary_warnings = await self._checked(
            summary,
            article,
            text,
            resolved,
            (summary_question, self._variables(article, text_asked)),
            answers,
            deadline,
        )
        warnings += answers.warnings() + summary_warnings
        stats = [answer.stats for _, answer in answers.asked]
        response = SummaryResponse(
            id=article.id,
            summary=summary,
            participants=participants,
            dates=dates,
            open_issues=open_issues,
            meta=Meta(
                model=self.llm.model,
                prompt_version=self.prompt.version,
                mode=self.llm.mode,
                attempts=sum(s.answers for s in stats),
                retries=sum(s.retries for s in stats),
                usage=answers.usage(),
                latency_ms=round((time.monotonic() - started) * 1000),
                chunks=len(spans),
                warnings=[warning.text() for warning in warnings],
            ),
        )
        return Summary(response, warnings, answers.completion_tokens())

    async def _checked(
        self,
        summary: str,
        article: ArticleRequest,
        text: ArticleText,
        dates: list[date],
        asked: tuple[Question[Any], dict[str, str]],  # the summary question (or combine) and its variables
        answers: _Answers,
        deadline: float,
    ) -> tuple[str, list[SummaryWarning]]:
        """The summary with nothing the article does not support, in its language: what is wrong is said
        back to the model once; a sentence that still holds an unsupported name or number is dropped."""
        problems = unsupported(summary, text, article.language, dates)
        language = wrong_language(summary, article.language)
        if not problems and language is None:
            return summary, []
        feedback = []
        if problems:
            listed = ", ".join(repr(item) for item in problems)
            feedback.append(f"Your summary gives {listed}, which the article does not. Use only its names and numbers.")
        if language is not None:
            feedback.append(f"Write the summary in {language}, the article's language.")
        question, variables = asked
        messages = [
            *self.prompt.render(self.prompt.question_in(question.name, article.language), **variables),
            {"role": "assistant", "content": json.dumps({"summary": summary}, ensure_ascii=False)},
            {"role": "user", "content": " ".join(feedback) + " Answer the question again."},
        ]
        try:
            again = await self.llm.extract(messages, question.answer, name=f"{question.name}-again", deadline=deadline)
        except SummariseError:  # out of budget, or no valid answer: keep what can be kept of the first
            pass
        else:
            answers.add(question, again)
            summary = again.value.summary.strip()
        warnings = []
        if still := unsupported(summary, text, article.language, dates):
            kept, dropped = without(summary, still)
            reason = f"it gives {', '.join(repr(item) for item in still)}, which the article does not"
            if kept:
                summary = kept
                warnings += [SummaryWarning(WarningKind.unsupported_summary, sentence, reason) for sentence in dropped]
            else:  # every sentence: keep it, said
                warnings.append(SummaryWarning(WarningKind.unsupported_summary_kept, summary, reason))
        if (language := wrong_language(summary, article.language)) is not None:
            reason = "the model wrote it in another language"
            warnings.append(SummaryWarning(WarningKind.summary_language, language, reason))
        return summary, warnings

    async def _named(self, language: str | None, text: ArticleText) -> list[Candidate] | None:
        """Participant candidates by NER, for a language with a pipeline (English when none is given)."""
        ner = self.ner.get((language or "en").split("-")[0].lower())
        if ner is None:
            return None
        entities = await asyncio.to_thread(ner.entities, text.text)  # CPU work: off the event loop
        return candidates(text.text, entities)

    def _part_budget(self) -> int:
        """Tokens of article one request may carry: the context less the answer and our prompt."""
        overhead = self.prompt.overhead_chars() // 2  # our English prompt: well under 2 characters a token
        return self.settings.context_tokens - self.settings.max_output_tokens - overhead - _PROMPT_MARGIN_TOKENS

    def _variables(self, article: ArticleRequest, text: str) -> dict[str, str]:
        published = article.published_date
        return {
            "published": published.isoformat() if published else "unknown",
            "language": language_name(article.language) or "the article's own",
            "title": article.title or "(none)",
            "text": neutralise_delimiters(text),
        }

    async def _ask(
        self, question: Question[A], part: Part, variables: dict[str, str], language: str | None, deadline: float
    ) -> Answer[A]:
        listed = question.candidates(part) if question.candidates is not None else []
        if question.candidates is not None:
            variables = {**variables, "candidates": _numbered(listed)}
        messages = self.prompt.render(self.prompt.question_in(question.name, language), **variables)
        with checked_against(part.article, listed) if question.grounded else nullcontext():
            return await self.llm.extract(messages, question.answer, name=question.name, deadline=deadline)


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


def check_limits(article: ArticleRequest, settings: Settings) -> None:
    """Raises ArticleTooLong for a text over SUMMARISE_MAX_TEXT_CHARS: before a summary, and when a job is
    submitted (so that it is refused at once, not accepted and then failed)."""
    if len(article.text) > settings.max_text_chars:
        raise ArticleTooLong(f"text has {len(article.text)} characters; the limit is {settings.max_text_chars}")


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
