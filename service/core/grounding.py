"""Grounding: what the article supports, checked in two places that share one rule.

- While a grounded question is asked, its answers are validated against the article (`checked_against`):
  an answer naming something the article does not contain is rejected with a message that lists each
  one, and the model is re-asked (the validators of `questions.py`).
- When every answer failed, or one was cut off, the model layer keeps what is valid leniently, and the
  grounder (`Grounder`, below) turns the model's items into contract items, dropping what it cannot locate.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from schemas import DateItem, Evidence, MatchKind, OpenIssue, Participant, ParticipantKind
from service.core.alignment import ArticleText, Span
from service.core.dates import DateResolver, dedupe_key
from service.core.participants import canonical_party, is_a_form_of
from service.core.warnings import SummaryWarning, WarningKind

if TYPE_CHECKING:  # the answer models validate against this module's article: a cycle at run time
    from service.core.names import Candidate
    from service.core.questions import (
        ExtractedIssue,
        ExtractedParticipant,
    )


@dataclass(frozen=True)
class Check:
    """What the answers of the question being asked are checked against."""

    article: ArticleText


# Not instructor's `context=`: given one, instructor renders every message as a Jinja template, and an
# article containing "{{ 7*7 }}" would reach the model as "49" (or "{% if %}" fail the request).
_check: ContextVar[Check | None] = ContextVar("grounding_check", default=None)


@contextmanager
def checked_against(article: ArticleText) -> Iterator[None]:
    token = _check.set(Check(article))
    try:
        yield
    finally:
        _check.reset(token)


def check_in_progress() -> Check | None:
    return _check.get()


class Grounder:
    """Turns the model's items into contract items, keeping only what the article supports; what it
    drops is in `warnings`."""

    def __init__(self, text: ArticleText, original: str) -> None:
        self.text = text  # what may be evidence: the article with lines addressed to the summariser blanked
        self.original = original
        self.warnings: list[SummaryWarning] = []

    def _drop(self, kind: WarningKind, item: str, reason: str) -> None:
        self.warnings.append(SummaryWarning(kind, item, reason))

    def _evidence(self, span: Span) -> Evidence:
        quote = self.original[span.start : span.end]
        return Evidence(quote=quote, start=span.start, end=span.end, match=span.match)

    def _sentences_naming(self, names: list[str]) -> list[Evidence]:
        """The sentence where each name first appears, at most two, in article order."""
        spans = [self.text.sentence_around(span) for name in names if (span := self.text.locate(name))]
        unique = sorted({(s.start, s.end): s for s in spans}.values(), key=lambda s: s.start)
        return [self._evidence(span) for span in unique[:2]]

    def participants(self, extracted: Sequence[ExtractedParticipant]) -> list[Participant]:
        grounded = []
        for item in extracted:
            # Names as the article writes them (the model may have changed spacing, quotes or case).
            found = list(dict.fromkeys(self.text.as_written(name) for name in item.names() if self.text.contains(name)))
            if not found:
                self._drop(WarningKind.dropped_participant, item.name, "not named in the article")
                continue
            name = self.text.as_written(item.name) if self.text.contains(item.name) else max(found, key=len)
            forms = [n for n in found if n == name or is_a_form_of(n, name)]  # not a title given as an alias
            grounded.append(
                Participant(
                    name=name,
                    kind=item.kind or ParticipantKind.other,
                    role=item.role.strip() or None,
                    affiliation=(item.affiliation or "").strip() or None,
                    aliases=[alias for alias in forms if alias != name],
                    evidence=self._sentences_naming(forms),
                )
            )
        return grounded

    def named(self, found: list[Candidate]) -> list[Participant]:
        """Code's candidates, every one, with their role and affiliation in the article's own words. The
        model neither judges nor adds to them: over the gold set, of the 23 candidates it judged out 18
        were gold participants (prompts v12, v13), and of the participants it said the list missed none
        survived grounding as someone new in 15 English articles (v14), at 127 written tokens an article."""
        return [
            Participant(
                name=candidate.name,
                kind=candidate.kind,
                role=candidate.role,
                affiliation=candidate.affiliation(found),
                aliases=candidate.aliases,
                evidence=self._sentences_of(candidate.mentions),
            )
            for candidate in found
        ]

    def _sentences_of(self, mentions: list[tuple[int, int]]) -> list[Evidence]:
        """The sentences of the first two mentions that stand in different sentences."""
        spans = [self.text.sentence_around(Span(start, end, MatchKind.exact)) for start, end in mentions]
        unique = list({(s.start, s.end): s for s in spans}.values())
        return [self._evidence(span) for span in unique[:2]]

    def dates(self, found: list[tuple[int, int]], published: date | None, resolver: DateResolver) -> list[DateItem]:
        """Every date expression code found that resolves, each once, with the clause of the article that
        holds it as its event. Not the model's: asked, the embedded model copied the sentence or worse, and
        the article's clause scored better on the gold set (events right 50/64 against the model's 28/53)."""
        items: dict[str, DateItem] = {}
        for start, end in sorted(found):
            expression = self.text.text[start:end]
            resolved = resolver.resolve(expression, published)
            key = dedupe_key(expression)
            if resolved is None or key in items:  # a repeated expression is listed once
                continue
            items[key] = DateItem(
                text=expression,
                start=resolved.start,
                end=resolved.end,
                precision=resolved.precision,
                approximate=resolved.approximate,
                event=self._clause_around(start, end),
                evidence=[self._evidence(self.text.sentence_around(Span(start, end, MatchKind.exact)))],
            )
        return list(items.values())

    def _clause_around(self, start: int, end: int) -> str:
        clause_start, clause_end = self.text.clause_around(start, end)
        return _shortened(" ".join(self.original[clause_start:clause_end].split()).strip(' ,;:."“”'), 160)

    def open_issues(
        self, extracted: list[tuple[ExtractedIssue, int]], participants: list[Participant]
    ) -> list[OpenIssue]:
        issues: dict[str, OpenIssue] = {}
        for item, near in extracted:
            span = self.text.locate(item.quote, near=near)
            if span is None:
                self._drop(WarningKind.dropped_open_issue, item.issue, "its quote is not in the article")
                continue
            key = " ".join(item.issue.casefold().split())
            if key in issues:
                continue
            parties = [canonical_party(party, participants) for party in item.parties if party.strip()]
            issues[key] = OpenIssue(
                issue=item.issue.strip(), parties=list(dict.fromkeys(parties)), evidence=[self._evidence(span)]
            )
        return list(issues.values())


def _shortened(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word."""
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
