"""Article in, grounded summary out: ask the model focused questions, then check and complete by code.

For each part of the article (one part unless it is longer than the model's context):
- four questions share one prefix (system prompt + article): who takes part, what happens on each date,
  what is unresolved, and a summary. The server reuses the processed prefix for all but the first;
- dates are found in the text and resolved against the publication date by `dates.py`; the model only
  says what happens then (and may add an expression the patterns missed); sentences of doubt are found by
  `unresolved.py` and listed in the open-issues question;
- names, date expressions and quotes are located in the article (offsets computed here), an item with
  nothing located is dropped, participants named several ways are merged, issue parties are canonical.
Whatever is dropped, cut off or left unresolved is said in `meta.warnings`.
"""

import asyncio
import re
import time
from collections.abc import Coroutine
from contextlib import nullcontext
from datetime import date
from typing import Any, TypeVar

import structlog
from pydantic import BaseModel

from schemas import (
    ArticleRequest,
    DateItem,
    Evidence,
    MatchKind,
    Meta,
    OpenIssue,
    Participant,
    SummaryResponse,
    Usage,
)
from service import metrics
from service.api.access import AdmissionGate
from service.api.replay import SummaryCache
from service.core.alignment import ArticleText, Span
from service.core.dates import DateResolver, dedupe_key, find_date_expressions, resolver_for
from service.core.grounding import checked_against
from service.core.injection import addressed_lines, masked, neutralise_delimiters
from service.core.participants import canonical_party, merge_participants
from service.core.questions import (
    CombinedSummaryAnswer,
    DatesAnswer,
    ExtractedDate,
    ExtractedIssue,
    ExtractedParticipant,
    IssuesAnswer,
    ParticipantsAnswer,
    SummaryAnswer,
)
from service.core.unresolved import unresolved_sentences
from service.errors import ArticleTooLong, SummariseError
from service.model.client import Answer, ModelClient
from service.model.prompts import PromptTemplate
from service.settings import Settings

T = TypeVar("T", bound=BaseModel)
Result = TypeVar("Result")
log = structlog.get_logger("summarise.pipeline")
_DROPPED = re.compile(r"dropped (participant|date|open issue) ")
_PROMPT_MARGIN_TOKENS = 64


class Summariser:
    def __init__(
        self, llm: ModelClient, prompt: PromptTemplate, settings: Settings, cache: SummaryCache | None = None
    ) -> None:
        self.llm = llm
        self.prompt = prompt
        self.settings = settings
        self.cache = cache
        self.gate = AdmissionGate(
            settings.max_concurrent_summaries,
            settings.max_queued_summaries,
            max_wait_s=settings.request_budget_s,
            on_change=metrics.set_admission,
        )

    async def summarise(self, article: ArticleRequest, *, fresh: bool = False) -> SummaryResponse:
        """A grounded summary: from the cache unless `fresh`, else made after waiting for a slot at the
        model (503 when too many are waiting), then cached."""
        cache_key = self.cache.key(article, self.llm.model, self.llm.mode, self.prompt.version) if self.cache else ""
        if self.cache and not fresh and (hit := await self.cache.get(cache_key)):
            metrics.summaries.labels("cached").inc()
            return hit.model_copy(update={"id": article.id, "meta": hit.meta.model_copy(update={"cached": True})})
        try:
            async with self.gate.admit():
                started = time.monotonic()
                response = await self._summarise(article)
        except SummariseError as error:
            metrics.summaries.labels(error.slug).inc()
            raise
        metrics.summary_seconds.observe(time.monotonic() - started)
        metrics.summaries.labels("ok").inc()
        if self.cache:
            await self.cache.put(cache_key, response)
        for warning in response.meta.warnings:
            if kind := _DROPPED.match(warning):
                metrics.dropped_items.labels(kind[1].replace(" ", "_")).inc()
        log.info(
            "summary",
            article_id=article.id,
            characters=len(article.text),
            chunks=response.meta.chunks,
            attempts=response.meta.attempts,
            retries=response.meta.retries,
            total_tokens=response.meta.usage.total_tokens,
            latency_ms=response.meta.latency_ms,
            warnings=len(response.meta.warnings),
        )
        return response

    async def _summarise(self, article: ArticleRequest) -> SummaryResponse:
        started = time.monotonic()
        deadline = started + self.settings.request_budget_s
        if len(article.text) > self.settings.max_text_chars:
            raise ArticleTooLong(
                f"text has {len(article.text)} characters; the limit is {self.settings.max_text_chars}"
            )
        published = article.published_date
        warnings = article.input_warnings()
        # Lines that speak to the summariser are blanked for grounding: nothing taken from them is evidence.
        addressed = addressed_lines(article.text)
        text = ArticleText(masked(article.text, addressed))
        warnings += [_addressed_warning(article.text, start, end) for start, end in addressed]
        if article.published is None:
            warnings.append("no publication date given: relative dates are left unresolved (start/end null)")

        chunks = await self._chunks(article)
        answers: list[Answer[Any]] = []
        extracted_participants: list[ExtractedParticipant] = []
        extracted_dates: list[ExtractedDate] = []
        extracted_issues: list[tuple[ExtractedIssue, int]] = []
        summaries: list[str] = []
        date_spans = find_date_expressions(text.text)
        for start, end in chunks:
            variables = self._variables(article, article.text[start:end])
            candidates = [article.text[a:b] for a, b in date_spans if start <= a < end]
            doubts = unresolved_sentences(text, start, end)
            people, dates, issues, summary_answer = await _all(
                self.settings.parallel_calls,
                self._ask("participants", variables, ParticipantsAnswer, text, deadline),
                self._ask("dates", {**variables, "candidates": _numbered(candidates)}, DatesAnswer, text, deadline),
                self._ask("issues", {**variables, "candidates": _numbered(doubts)}, IssuesAnswer, text, deadline),
                self._ask("summary", variables, SummaryAnswer, None, deadline),
            )
            answers += [people, dates, issues, summary_answer]
            extracted_participants += people.value.participants
            extracted_dates += dates.value.dates
            extracted_issues += [(issue, start) for issue in issues.value.open_issues]
            summaries.append(summary_answer.value.summary.strip())
        summary = summaries[0]
        if len(summaries) > 1:
            combined = await self._ask(
                "combine", self._variables(article, "\n\n".join(summaries)), CombinedSummaryAnswer, None, deadline
            )
            answers.append(combined)
            summary = combined.value.summary.strip()

        warnings += _answer_warnings(answers)
        grounder = _Grounder(text, article.text, warnings)
        participants = merge_participants(grounder.participants(extracted_participants))
        resolver = resolver_for(article.language)
        return SummaryResponse(
            id=article.id,
            summary=summary,
            participants=participants,
            dates=grounder.dates(date_spans, extracted_dates, published, resolver),
            open_issues=grounder.open_issues(extracted_issues, participants),
            meta=Meta(
                model=self.llm.model,
                prompt_version=self.prompt.version,
                mode=self.llm.mode,
                attempts=sum(a.stats.answers for a in answers),
                retries=sum(a.stats.retries for a in answers),
                usage=Usage(
                    prompt_tokens=sum(a.stats.prompt_tokens for a in answers),
                    completion_tokens=sum(a.stats.completion_tokens for a in answers),
                    total_tokens=sum(a.stats.prompt_tokens + a.stats.completion_tokens for a in answers),
                ),
                latency_ms=round((time.monotonic() - started) * 1000),
                chunks=len(chunks),
                warnings=warnings,
            ),
        )

    def _variables(self, article: ArticleRequest, text: str) -> dict[str, str]:
        published = article.published_date
        return {
            "published": published.isoformat() if published else "unknown",
            "title": article.title or "(none)",
            "text": neutralise_delimiters(text),
        }

    async def _ask(
        self,
        question: str,
        variables: dict[str, str],
        response_model: type[T],
        article: ArticleText | None,
        deadline: float,
    ) -> Answer[T]:
        messages = self.prompt.render(question, **variables)
        with checked_against(article) if article else nullcontext():
            return await self.llm.extract(messages, response_model, name=question, deadline=deadline)

    async def _chunks(self, article: ArticleRequest) -> list[tuple[int, int]]:
        """Spans of the text that each fit the model's context, split at paragraphs, overlapping by one."""
        overhead = self.prompt.overhead_chars() // 2  # our English prompt: well under 2 characters a token
        budget = self.settings.context_tokens - self.settings.max_output_tokens - overhead - _PROMPT_MARGIN_TOKENS
        text = article.text
        if len(text) <= budget:  # a token is at least one character: it fits, no need to count
            return [(0, len(text))]
        tokens = await self.llm.count_tokens(text)
        if tokens <= budget:
            return [(0, len(text))]
        chars_per_part = max(int(budget * len(text) / tokens * 0.9), 200)
        return split_paragraphs(text, chars_per_part)


def split_paragraphs(text: str, max_chars: int) -> list[tuple[int, int]]:
    """Greedy parts of at most max_chars, cut at line breaks (at spaces for an overlong paragraph); each
    part after the first starts with the last paragraph of the one before, so no sentence loses its context."""
    paragraphs = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    pieces: list[tuple[int, int]] = []
    for start, end in paragraphs:
        while end - start > max_chars:
            cut = text.rfind(" ", start, start + max_chars)
            cut = cut if cut > start else start + max_chars
            pieces.append((start, cut))
            start = cut
        pieces.append((start, end))
    parts: list[tuple[int, int]] = []
    first = 0
    while first < len(pieces):
        last = first
        while last + 1 < len(pieces) and pieces[last + 1][1] - pieces[first][0] <= max_chars:
            last += 1
        parts.append((pieces[first][0], pieces[last][1]))
        if last + 1 >= len(pieces):
            break
        first = last if last > first else last + 1  # overlap: the next part repeats this one's last piece
    return parts


async def _all(
    parallel: int,
    people: Coroutine[Any, Any, Answer[ParticipantsAnswer]],
    dates: Coroutine[Any, Any, Answer[DatesAnswer]],
    issues: Coroutine[Any, Any, Answer[IssuesAnswer]],
    summary: Coroutine[Any, Any, Answer[SummaryAnswer]],
) -> tuple[Answer[ParticipantsAnswer], Answer[DatesAnswer], Answer[IssuesAnswer], Answer[SummaryAnswer]]:
    """Ask `parallel` at a time, in this order; if one fails, cancel the others and raise its error (not an
    ExceptionGroup)."""
    turns = asyncio.Semaphore(parallel)  # first come, first served: the order above is kept

    async def in_turn(question: Coroutine[Any, Any, Result]) -> Result:
        async with turns:
            return await question

    try:
        async with asyncio.TaskGroup() as group:
            tasks = (
                group.create_task(in_turn(people)),
                group.create_task(in_turn(dates)),
                group.create_task(in_turn(issues)),
                group.create_task(in_turn(summary)),
            )
    except ExceptionGroup as errors:
        raise errors.exceptions[0] from None
    return tasks[0].result(), tasks[1].result(), tasks[2].result(), tasks[3].result()


def _addressed_warning(text: str, start: int, end: int) -> str:
    line = " ".join(text[start:end].split())
    shown = line if len(line) <= 80 else line[:79] + "…"
    return (
        f"characters {start}-{end} address the summariser, not the reader ({shown!r}): "
        "treated as article text, never as instructions or evidence"
    )


def _numbered(expressions: list[str]) -> str:
    unique = list(dict.fromkeys(expressions))
    return "\n".join(f"- {expression}" for expression in unique) if unique else "(none found)"


def _answer_warnings(answers: list[Answer[Any]]) -> list[str]:
    warnings = []
    for answer in answers:
        name = type(answer.value).__name__.removesuffix("Answer").lower()
        if answer.rejected_because:
            warnings.append(
                f"{name}: no answer passed the grounding check ({answer.stats.answers} answers); "
                "the items the article does not support were dropped (listed below)"
            )
        if answer.truncated:
            warnings.append(f"{name}: the answer was cut off at max_tokens; only its complete items were kept")
    return warnings


class _Grounder:
    """Turns the model's items into contract items, keeping only what the article supports."""

    def __init__(self, text: ArticleText, original: str, warnings: list[str]) -> None:
        self.text = text  # what may be evidence: the article with lines addressed to the summariser blanked
        self.original = original
        self.warnings = warnings

    def _evidence(self, span: Span) -> Evidence:
        quote = self.original[span.start : span.end]
        return Evidence(quote=quote, start=span.start, end=span.end, match=span.match)

    def _sentences_naming(self, names: list[str]) -> list[Evidence]:
        """The sentence where each name first appears, at most two, in article order."""
        spans = [self.text.sentence_around(span) for name in names if (span := self.text.locate(name))]
        unique = sorted({(s.start, s.end): s for s in spans}.values(), key=lambda s: s.start)
        return [self._evidence(span) for span in unique[:2]]

    def participants(self, extracted: list[ExtractedParticipant]) -> list[Participant]:
        grounded = []
        for item in extracted:
            # Names as the article writes them (the model may have changed spacing, quotes or case).
            found = list(dict.fromkeys(self.text.as_written(name) for name in item.names() if self.text.contains(name)))
            if not found:
                self.warnings.append(f"dropped participant {item.name!r}: not named in the article")
                continue
            name = self.text.as_written(item.name) if self.text.contains(item.name) else max(found, key=len)
            grounded.append(
                Participant(
                    name=name,
                    kind=item.kind,
                    role=item.role.strip() or None,
                    affiliation=(item.affiliation or "").strip() or None,
                    aliases=[alias for alias in found if alias != name],
                    evidence=self._sentences_naming(found),
                )
            )
        return grounded

    def dates(
        self,
        found: list[tuple[int, int]],
        extracted: list[ExtractedDate],
        published: date | None,
        resolver: DateResolver,
    ) -> list[DateItem]:
        """Every date expression code found, plus those only the model found, each once, with its event."""
        told: list[tuple[Span, str]] = []  # where the model's expressions are, and what it says happens
        for item in extracted:
            span = self.text.locate(item.text)
            if span is None:
                self.warnings.append(f"dropped date {item.text!r}: not written so in the article")
            else:
                told.append((span, item.event.strip()))
        spans = list(found)
        spans += [(s.start, s.end) for s, _ in told if not any(a < s.end and s.start < b for a, b in spans)]
        items: dict[str, DateItem] = {}
        for start, end in sorted(spans):
            expression = self.text.text[start:end]
            resolved = resolver.resolve(expression, published)
            if resolved is None:
                if (start, end) not in found:
                    self.warnings.append(f"dropped date {expression!r}: not a calendar date")
                continue
            key = dedupe_key(expression)
            if key in items:  # a repeated expression is listed once
                continue
            event = next((event for s, event in told if s.start < end and start < s.end and event), None)
            items[key] = DateItem(
                text=expression,
                start=resolved.start,
                end=resolved.end,
                precision=resolved.precision,
                approximate=resolved.approximate,
                event=event,
                evidence=[self._evidence(self.text.sentence_around(Span(start, end, MatchKind.exact)))],
            )
        return list(items.values())

    def open_issues(
        self, extracted: list[tuple[ExtractedIssue, int]], participants: list[Participant]
    ) -> list[OpenIssue]:
        issues: dict[str, OpenIssue] = {}
        for item, near in extracted:
            span = self.text.locate(item.quote, near=near)
            if span is None:
                self.warnings.append(f"dropped open issue {item.issue!r}: its quote is not in the article")
                continue
            key = " ".join(item.issue.casefold().split())
            if key in issues:
                continue
            parties = [canonical_party(party, participants) for party in item.parties if party.strip()]
            issues[key] = OpenIssue(
                issue=item.issue.strip(), parties=list(dict.fromkeys(parties)), evidence=[self._evidence(span)]
            )
        return list(issues.values())
