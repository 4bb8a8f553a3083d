"""Grounding: what the article supports, checked in two places that share one rule.

- While a grounded question is asked, its answers are validated against the article (`checked_against`):
  an answer naming something the article does not contain is rejected with a message that lists each
  one, and the model is re-asked (the validators of `questions.py`).
- When every answer failed, or one was cut off, the model layer keeps what is valid leniently, and the
  grounder (`Grounder`, below) turns the model's items into contract items, dropping what it cannot locate.

Each row of the question table names the grounder's method that fills its field of the response from its
answers (`questions.Question.ground`); what code finds alone (dates; participants where a NER pipeline reads
the article's language) has rows too (`questions.ByCode`). The grounder keeps the fields filled so far.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from schemas import ArticleRequest, DateItem, Evidence, MatchKind, OpenIssue, Participant, ParticipantKind, Subject
from service.core.alignment import ArticleText, Span
from service.core.dates import DateResolver, dedupe_key, resolver_for
from service.core.mediatopics import MeaningIndex, MediaTopics
from service.core.participants import canonical_party, is_a_form_of, merge_participants
from service.core.salience import ranked
from service.core.subjects import subjects
from service.core.warnings import SummaryWarning, WarningKind

if TYPE_CHECKING:  # the answer models validate against this module's article: a cycle at run time
    from service.core.names import Candidate
    from service.core.questions import (
        ExtractedIssue,
        ExtractedParticipant,
        IssuesAnswer,
        Part,
        ParticipantsAnswer,
        SubjectsAnswer,
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


@dataclass(frozen=True)
class Vocabulary:
    """IPTC Media Topics and the index of their meanings, which subject terms are mapped to."""

    topics: MediaTopics
    meanings: MeaningIndex


@dataclass(frozen=True)
class Source:
    """One article as the rows of the question table ground it: the request (title, language, publication
    date), and what code found in it before the model was asked."""

    article: ArticleRequest
    named: list[Candidate] | None = None  # the named candidates; None: no NER pipeline for its language
    date_spans: Sequence[tuple[int, int]] = ()  # the date expressions, as offsets
    vocabulary: Vocabulary | None = None


class Grounder:
    """Turns the model's items into contract items, keeping only what the article supports; what it
    drops is in `warnings`. Row by row of the question table, it fills the response's fields (`filled`);
    `said` holds what grounding a field said, by field."""

    def __init__(self, text: ArticleText, original: str, source: Source | None = None) -> None:
        self.text = text  # what may be evidence: the article with lines addressed to the summariser blanked
        self.original = original
        self._source = source
        self.filled: dict[str, Any] = {}  # the response's fields grounded so far, by name
        self.said: dict[str, list[SummaryWarning]] = {}

    @property
    def source(self) -> Source:
        if self._source is None:
            raise ValueError("this grounder grounds items only: it was given no source to fill fields from")
        return self._source

    @property
    def warnings(self) -> list[SummaryWarning]:
        """What grounding said, field after field in the order they were filled."""
        return [warning for said in self.said.values() for warning in said]

    def fill(self, field: str, value: Any) -> None:
        self.said.setdefault(field, [])
        self.filled[field] = value

    def _drop(self, kind: WarningKind, item: str, reason: str, field: str) -> None:
        self.said.setdefault(field, []).append(SummaryWarning(kind, item, reason))

    # --- the rows' grounding: a field's value from every part's answers -------------------------------

    def model_participants(self, answers: Sequence[tuple[Part, ParticipantsAnswer]]) -> list[Participant]:
        """The model's lists of every part, grounded, merged and ranked (no NER for the article's language)."""
        return self._ranked(self.participants([p for _, answer in answers for p in answer.participants]))

    def named_participants(self, answers: Sequence[tuple[Part, Any]] = ()) -> list[Participant]:
        """Code's named candidates, merged and ranked."""
        return self._ranked(self.named(self.source.named or []))

    def _ranked(self, found: list[Participant]) -> list[Participant]:
        return ranked(merge_participants(found), self.text, self.source.article.title)

    def found_dates(self, answers: Sequence[tuple[Part, Any]] = ()) -> list[DateItem]:
        """Code's date expressions, resolved against the publication date in the article's language."""
        article = self.source.article
        return self.dates(list(self.source.date_spans), article.published_date, resolver_for(article.language))

    def issues(self, answers: Sequence[tuple[Part, IssuesAnswer]]) -> list[OpenIssue]:
        """The open issues of every part, each quote looked for near its part, parties among the participants."""
        asked = [(issue, part.start) for part, answer in answers for issue in answer.open_issues]
        return self.open_issues(asked, self.filled.get("participants", []))

    def media_topics(self, answers: Sequence[tuple[Part, SubjectsAnswer]]) -> list[Subject]:
        """The model's subject terms of every part as IPTC Media Topics (`subjects.subjects`)."""
        vocabulary, article = self.source.vocabulary, self.source.article
        if vocabulary is None:
            raise ValueError("subjects are grounded against a vocabulary, and this grounder has none")
        terms = [term for _, answer in answers for term in answer.subjects]
        found, said = subjects(
            terms,
            vocabulary.topics,
            vocabulary.meanings,
            self.text,
            self.original,
            article.title,
            article.language,
            self.filled.get("participants", []),
        )
        self.said.setdefault("subjects", []).extend(said)
        return found

    # --- items -----------------------------------------------------------------------------------------

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
                self._drop(WarningKind.dropped_participant, item.name, "not named in the article", "participants")
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
                self._drop(WarningKind.dropped_open_issue, item.issue, "its quote is not in the article", "open_issues")
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
