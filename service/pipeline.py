"""Article in, grounded summary out: ask the model, then check and complete its answer by code.

The model proposes items with quotes; code decides what is returned:
- every quote is located in the article (offsets computed here); an item with no located quote is dropped;
- every date expression is resolved against the publication date by `dates.py`;
- aliases must occur in the article; participants named twice are merged; issue parties use canonical names.
Whatever is dropped or left unresolved is said in `meta.warnings`.
"""

import time
from datetime import date
from functools import lru_cache

from schemas import (
    ArticleRequest,
    DateItem,
    Evidence,
    Meta,
    OpenIssue,
    Participant,
    SummaryResponse,
    Usage,
)
from service.dates import DateResolver
from service.errors import ArticleTooLong
from service.extraction import ExtractedParticipant, Extraction
from service.grounding import ArticleText, Span
from service.llm import ModelClient
from service.prompts import PromptTemplate
from service.settings import Settings


class Summariser:
    def __init__(self, llm: ModelClient, prompt: PromptTemplate, settings: Settings) -> None:
        self.llm = llm
        self.prompt = prompt
        self.settings = settings

    async def summarise(self, article: ArticleRequest) -> SummaryResponse:
        started = time.monotonic()
        if len(article.text) > self.settings.max_text_chars:
            raise ArticleTooLong(
                f"text has {len(article.text)} characters; the limit is {self.settings.max_text_chars}"
            )
        published = article.published_date
        messages = self.prompt.render(
            published=published.isoformat() if published else "unknown",
            title=article.title or "(none)",
            text=article.text,
        )
        text = ArticleText(article.text)
        answer = await self.llm.extract(messages, Extraction, context={"article": text})

        warnings: list[str] = []
        if answer.rejected_because:
            warnings.append(
                f"none of the model's {answer.stats.answers} answers passed the grounding check; "
                "the items the article does not support were dropped (listed below)"
            )
        if published is None:
            warnings.append("no publication date given: relative dates are left unresolved (start/end null)")
        grounder = _Grounder(text, warnings)
        participants = grounder.participants(answer.value.participants)
        stats = answer.stats
        return SummaryResponse(
            id=article.id,
            summary=answer.value.summary.strip(),
            participants=participants,
            dates=grounder.dates(answer.value, published, _resolver(_primary_language(article.language))),
            open_issues=grounder.open_issues(answer.value, participants),
            meta=Meta(
                model=self.llm.model,
                prompt_version=self.prompt.version,
                mode=self.llm.mode,
                attempts=stats.answers,
                retries=stats.retries,
                usage=Usage(
                    prompt_tokens=stats.prompt_tokens,
                    completion_tokens=stats.completion_tokens,
                    total_tokens=stats.prompt_tokens + stats.completion_tokens,
                ),
                latency_ms=round((time.monotonic() - started) * 1000),
                warnings=warnings,
            ),
        )


class _Grounder:
    """Turns the model's items into contract items, keeping only what the article supports."""

    def __init__(self, text: ArticleText, warnings: list[str]) -> None:
        self.text = text
        self.warnings = warnings

    def _evidence(self, span: Span) -> Evidence:
        return Evidence(quote=self.text.text[span.start : span.end], start=span.start, end=span.end, match=span.match)

    def _sentences_naming(self, names: list[str]) -> list[Evidence]:
        """The sentence where each name first appears, at most two, in article order."""
        spans = [self.text.sentence_around(span) for name in names if (span := self.text.locate(name))]
        unique = sorted({(s.start, s.end): s for s in spans}.values(), key=lambda s: s.start)
        return [self._evidence(span) for span in unique[:2]]

    def participants(self, extracted: list[ExtractedParticipant]) -> list[Participant]:
        merged: dict[str, Participant] = {}
        for item in extracted:
            # Names as the article writes them (the model may have changed spacing, quotes or case).
            found = list(dict.fromkeys(self.text.as_written(name) for name in item.names() if self.text.contains(name)))
            if not found:
                self.warnings.append(f"dropped participant {item.name!r}: not named in the article")
                continue
            # The name is the fullest form the article uses; the other forms it uses are aliases.
            name = self.text.as_written(item.name) if self.text.contains(item.name) else max(found, key=len)
            key = name.casefold()
            evidence = self._sentences_naming(found)
            if key in merged:  # the same participant twice: one entry, evidence and aliases united
                known = merged[key]
                known.evidence = sorted(
                    {(e.start, e.end): e for e in [*known.evidence, *evidence]}.values(),
                    key=lambda e: e.start,
                )
                known.aliases = list(dict.fromkeys([*known.aliases, *(a for a in found if a.casefold() != key)]))
                continue
            merged[key] = Participant(
                name=name,
                kind=item.kind,
                role=item.role.strip() or None,
                affiliation=(item.affiliation or "").strip() or None,
                aliases=[alias for alias in found if alias.casefold() != key],
                evidence=evidence,
            )
        return list(merged.values())

    def dates(self, extraction: Extraction, published: date | None, resolver: DateResolver) -> list[DateItem]:
        items: dict[str, DateItem] = {}
        for item in extraction.dates:
            span = self.text.locate(item.text)
            if span is None:
                self.warnings.append(f"dropped date {item.text!r}: not written so in the article")
                continue
            resolved = resolver.resolve(item.text, published)
            if resolved is None:
                self.warnings.append(f"dropped date {item.text!r}: not a calendar date")
                continue
            if not resolved.resolved and published is not None:
                self.warnings.append(f"date {item.text!r} could not be resolved")
            text = self.text.as_written(item.text)
            if text.casefold() in items:  # a repeated expression is listed once
                continue
            items[text.casefold()] = DateItem(
                text=text,
                start=resolved.start,
                end=resolved.end,
                precision=resolved.precision,
                approximate=resolved.approximate,
                event=item.event.strip(),
                evidence=[self._evidence(self.text.sentence_around(span))],
            )
        return list(items.values())

    def open_issues(self, extraction: Extraction, participants: list[Participant]) -> list[OpenIssue]:
        canonical = {p.name.casefold(): p.name for p in participants}
        canonical.update({alias.casefold(): p.name for p in participants for alias in p.aliases})
        issues: list[OpenIssue] = []
        for item in extraction.open_issues:
            span = self.text.locate(item.quote)
            if span is None:
                self.warnings.append(f"dropped open issue {item.issue!r}: its quote is not in the article")
                continue
            parties = [canonical.get(party.casefold().strip(), party.strip()) for party in item.parties]
            issues.append(
                OpenIssue(
                    issue=item.issue.strip(),
                    parties=list(dict.fromkeys(parties)),
                    evidence=[self._evidence(span)],
                )
            )
        return issues


def _primary_language(tag: str | None) -> str | None:
    return tag.split("-")[0].lower() if tag else None


@lru_cache(maxsize=32)
def _resolver(language: str | None) -> DateResolver:
    return DateResolver((language,) if language else None)
