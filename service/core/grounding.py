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
from service.core.checking import (
    about_itself,
    as_written,
    finished,
    not_the_articles,
    sentences,
    unfinished,
    unsupported,
    without,
    wrong_language,
)
from service.core.dates import DateResolver, dedupe_key, resolver_for, same_event
from service.core.mediatopics import Concept, MeaningIndex, MediaTopics
from service.core.participants import is_a_form_of, merge_participants, named_in
from service.core.salience import ranked
from service.core.subjects import subjects
from service.core.unresolved import signals_unresolved, speaks_of
from service.core.warnings import SummaryWarning, WarningKind
from service.languages import english, tag
from service.model.ner import Clauses

if TYPE_CHECKING:  # the answer models validate against this module's article: a cycle at run time
    from service.core.names import Candidate
    from service.core.questions import (
        ComposedSummary,
        ExtractedIssue,
        ExtractedParticipant,
        IssuesAnswer,
        Part,
        ParticipantsAnswer,
        SubjectsAnswer,
        SummaryAnswer,
    )


@dataclass(frozen=True)
class SummaryFacts:
    """What the response's summary is checked against: the article (the whole, even when what was asked is
    the parts' summaries), the language it is to be written in, the headline (which may be copied without
    its full stop), and the dates code resolved (a number may be one of their parts)."""

    article: ArticleText
    language: str | None
    title: str | None
    dates: list[date]


@dataclass
class Check:
    """What the answers of the question being asked are checked against."""

    article: ArticleText
    summary: SummaryFacts | None = None  # set while the response's summary is asked
    said_back: bool = False  # a summary is said back to the model once; the answer to that is taken as it is


# Not instructor's `context=`: given one, instructor renders every message as a Jinja template, and an
# article containing "{{ 7*7 }}" would reach the model as "49" (or "{% if %}" fail the request).
_check: ContextVar[Check | None] = ContextVar("grounding_check", default=None)


@contextmanager
def checked_against(article: ArticleText, summary: SummaryFacts | None = None) -> Iterator[None]:
    token = _check.set(Check(article, summary))
    try:
        yield
    finally:
        _check.reset(token)


def check_in_progress() -> Check | None:
    return _check.get()


def summary_feedback(summary: str, cut: str | None, check: Check) -> str | None:
    """What to say back to the model about a summary (`cut`: the last words of a part before the last that
    stops mid-sentence): the names and numbers the article does not give, another language, a sentence not
    finished (an unfinished last one after a finished one is not said: it is dropped); None when nothing is."""
    facts = check.summary
    if facts is None:
        return None
    summary, _ = finished(as_written(summary.strip(), check.article))
    problems = unsupported(summary, check.article, facts.language, facts.dates)
    language = wrong_language(summary, facts.language)
    cut = unfinished(summary) or cut  # the one sentence, or a part before the last
    feedback = []
    if problems:
        listed = ", ".join(repr(item) for item in problems)
        feedback.append(f"Your summary gives {listed}, which the article does not. Use only its names and numbers.")
    if itself := about_itself(summary, check.article, facts.language):
        feedback.append(
            f"Your summary tells of the article ({itself[0]!r}), not of the news. Write the news itself: who did"
            " or said what, and when, with the article's names and numbers."
        )
    if language is not None:
        feedback.append(f"Write the summary in {language}, the article's language.")
    if cut is not None:  # the usual cause: a double quote, which ends the JSON string
        feedback.append(
            f"Your summary stops mid-sentence, at {cut!r}. Finish every sentence, and use no double quotes in it."
        )
    return " ".join(feedback) or None


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
    clauses: Clauses | None = None  # each verb's clause, where a parse read the article


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
        self.narrowed: dict[str, Concept] = {}  # subjects the model narrowed, by the broad one's QCode (`NARROWER`)

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
        """The model's lists of every part, grounded, merged and ranked (no NER for the article's language).
        A name that is a date, or part of one, is none (held to a number of names, the model listed "7. Juni")."""
        dates = [self.text.text[start:end].casefold() for start, end in self.source.date_spans]
        listed = []
        for item in (p for _, answer in answers for p in answer.participants):
            if (name := item.name.strip().casefold()) and any(name in date for date in dates):
                self._drop(WarningKind.dropped_participant, item.name, "a date, not a participant", "participants")
            else:
                listed.append(item)
        return self._ranked(self.participants(listed))

    def named_participants(self, answers: Sequence[tuple[Part, Any]] = ()) -> list[Participant]:
        """Code's named candidates, merged and ranked."""
        return self._ranked(self.named(self.source.named or []))

    def _ranked(self, found: list[Participant]) -> list[Participant]:
        return ranked(merge_participants(found), self.text, self.source.article.title)

    def found_dates(self, answers: Sequence[tuple[Part, Any]] = ()) -> list[DateItem]:
        """Code's date expressions, resolved against the publication date in the article's language."""
        article = self.source.article
        return self.dates(
            list(self.source.date_spans),
            article.published_date,
            resolver_for(article.language),
            article.language,
            self.source.clauses,
        )

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
            self.narrowed,
        )
        self.said.setdefault("subjects", []).extend(said)
        return found

    def summary(self, answers: Sequence[tuple[Part, SummaryAnswer | ComposedSummary]]) -> str:
        """The summary, checked as it was asked (`summary_feedback`, said back once): an unfinished last
        sentence after a finished one is dropped (a part that starts midway is left out by
        `ComposedSummary.summary`), a sentence that still holds an unsupported name or number is dropped
        (every one: kept), so is one that tells of the article ("The article describes ..."), and what is
        still wrong is said."""
        ((_, answer),) = answers  # one summary: of the one part, or the parts' summaries combined
        article = self.source.article
        summary, dropped = finished(as_written(answer.summary.strip(), self.text))
        said = self.said.setdefault("summary", [])
        if dropped is not None:
            said.append(SummaryWarning(WarningKind.unfinished_summary, dropped, "dropped"))
        if unfinished(summary) is not None:
            reason = "kept, as no finished sentence stands before it"
            said.append(SummaryWarning(WarningKind.unfinished_summary, summary, reason))
        elif (words := answer.cut(article.title)) is not None:
            reason = "kept, ended with a full stop, as a sentence follows it"
            said.append(SummaryWarning(WarningKind.unfinished_summary, words, reason))
        said += [SummaryWarning(WarningKind.headless_summary, words, "dropped") for words in answer.midway()]
        if still := unsupported(summary, self.text, article.language, self.resolved_dates()):
            kept, unsupported_sentences = without(summary, still)
            reason = f"it gives {', '.join(repr(item) for item in still)}, which the article does not"
            if kept:
                summary = kept
                said += [SummaryWarning(WarningKind.unsupported_summary, s, reason) for s in unsupported_sentences]
            else:  # every sentence: keep it, said
                said.append(SummaryWarning(WarningKind.unsupported_summary_kept, summary, reason))
        itself = about_itself(summary, self.text, article.language)
        summary = _without_sentences(
            summary, itself, WarningKind.summary_of_itself, "it tells of the article, not of the news", said
        )
        if (language := wrong_language(summary, article.language)) is not None:
            reason = "the model wrote it in another language"
            said.append(SummaryWarning(WarningKind.summary_language, language, reason))
        else:  # written in another language, its words are not the article's whatever it says
            foreign = not_the_articles(summary, self.text)
            summary = _without_sentences(
                summary, foreign, WarningKind.unsupported_summary, "most of its words are not the article's", said
            )
        return summary

    def summary_facts(self) -> SummaryFacts:
        article = self.source.article
        return SummaryFacts(self.text, article.language, article.title, self.resolved_dates())

    def resolved_dates(self) -> list[date]:
        """The days code resolved the article's dates to: a summary's numbers may be their parts."""
        if "dates" not in self.filled:  # asked before they were told (the first question is the summary)
            return [day for item in self.found_dates() for day in (item.start, item.end) if day is not None]
        return [day for item in self.filled["dates"] for day in (item.start, item.end) if day is not None]

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
        model adds none and judges only those code is unsure of, one at a time (`questions.KIND`): judging
        the whole list, of the 23 candidates it judged out 18 were gold participants (prompts v12, v13), and
        of the participants it said the list missed none survived grounding as someone new in 15 English
        articles (v14), at 127 written tokens an article."""
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

    def dates(
        self,
        found: list[tuple[int, int]],
        published: date | None,
        resolver: DateResolver,
        language: str | None = None,
        clauses: Clauses | None = None,
    ) -> list[DateItem]:
        """Every date expression code found that resolves, once per event, with the clause of the article
        that holds it as its event. Not the model's: asked, the embedded model copied the sentence or worse,
        and the article's clause scored better on the gold set (events right 50/64 against the model's 28/53)."""
        items: list[DateItem] = []
        events: dict[str, list[str]] = {}  # by expression: the events it is listed with
        dateline = (tag(language).known or english()).dateline  # a date in the dateline tells when it was written
        for start, end in sorted(found):
            expression = self.text.text[start:end]
            if (resolved := resolver.resolve(expression, published, self.text.before_in_clause(start, end))) is None:
                continue
            event = dateline if self._in_dateline(start, end) else self._clause_around(start, end, clauses)
            told = events.setdefault(dedupe_key(expression), [])
            if any(same_event(event, other) for other in told):
                continue  # a repeated expression of one event is listed once
            told.append(event)
            items.append(
                DateItem(
                    text=expression,
                    start=resolved.start,
                    end=resolved.end,
                    precision=resolved.precision,
                    approximate=resolved.approximate,
                    event=event,
                    evidence=[self._evidence(self.text.sentence_around(Span(start, end, MatchKind.exact)))],
                )
            )
        return items

    def _in_dateline(self, start: int, end: int) -> bool:
        dateline = self.text.dateline
        return dateline is not None and dateline[0] <= start and end <= dateline[1]

    def _clause_around(self, start: int, end: int, clauses: Clauses | None) -> str:
        """The clause that holds the expression (`ArticleText.clause_around`), or, where the verb that governs
        it stands outside that clause, the verb's clause as the parse reads it: "in 2007 and a second
        recently" tells of nothing, "The Andy Warhol Foundation … made two donations to USI Art Collections, in
        2007" does (gold set: events right dev 35 -> 36 of 45, test 22 -> 24 of 26, none lost; bench/JOURNAL.md,
        2026-12-07 (3)). Not across a line: the parse reads a heading, or a line to the summariser blanked, into
        the sentence after it."""
        clause_start, clause_end = self.text.clause_around(start, end)
        verb = clauses.governing(start) if clauses is not None else None
        if verb is not None and not clause_start <= verb.verb[0] < clause_end:
            first, last = verb.around(start, end)
            if first <= start and end <= last and "\n" not in self.original[first:last]:
                clause_start, clause_end = first, last
        return _event(self.original, clause_start, clause_end, end)

    def open_issues(
        self, extracted: list[tuple[ExtractedIssue, int]], participants: list[Participant]
    ) -> list[OpenIssue]:
        issues: dict[str, OpenIssue] = {}
        for item, near in extracted:
            span = self.text.locate(item.quote, near=near)
            if span is None:
                self._drop(WarningKind.dropped_open_issue, item.issue, "its quote is not in the article", "open_issues")
                continue
            sentence = self.text.sentence_around(span)
            passage = self.text.text[sentence.start : sentence.end]
            if not signals_unresolved(passage):
                reason = "its passage reports what happened: no word in it says anything is open"
                self._drop(WarningKind.dropped_open_issue, item.issue, reason, "open_issues")
                continue
            if not speaks_of(item.issue, passage):
                reason = "it shares no word with the passage it quotes"
                self._drop(WarningKind.dropped_open_issue, item.issue, reason, "open_issues")
                continue
            key = " ".join(item.issue.casefold().split())
            if key in issues:
                continue
            parties = named_in(f"{passage} {item.issue}", participants)
            issues[key] = OpenIssue(issue=item.issue.strip(), parties=parties, evidence=[self._evidence(span)])
        return list(issues.values())


_EVENT_CHARS = 160  # an event is read beside its date, in a line of a table
_EDGES = ' ,;:."“”'  # what an event does not start or end with


def _event(text: str, start: int, end: int, date_end: int) -> str:
    """`text[start:end]` as one line, without punctuation at its edges, at most _EVENT_CHARS long: cut at a word
    after the date that ends at `date_end`, or, where the date ends later, in the middle: its start says who,
    the words before the date what. "A research team from the Massachusetts Institute of Technology … has
    analysed…" told of no 2000 - 2050 (gold set: events right 60 -> 61 of 71, dev 36 -> 37, test the same;
    bench/JOURNAL.md, 2026-12-07 (3))."""
    whole = " ".join(text[start:end].split()).strip(_EDGES)
    if len(whole) <= _EVENT_CHARS:
        return whole
    kept = len(" ".join(text[start:date_end].split()).lstrip(_EDGES))  # where the date ends in `whole`
    cut = whole[: _EVENT_CHARS - 1]
    if kept <= len(cut):
        return (cut.rsplit(" ", 1)[0] if " " in cut[kept:] else cut[:kept]) + "…"
    head = whole[: _EVENT_CHARS // 2].rsplit(" ", 1)[0]
    room = _EVENT_CHARS - len(head) - len(" … …")
    before = whole[kept - room : kept].split(" ", 1)[-1]  # from a word's start
    after = whole[kept : kept + room - len(before)]
    if len(after) < len(whole) - kept:
        after = after.rsplit(" ", 1)[0] + "…" if " " in after else "…"
    return f"{head} … {before}{after}"


def _without_sentences(
    summary: str, dropped: list[str], kind: WarningKind, reason: str, said: list[SummaryWarning]
) -> str:
    """The summary without the `dropped` sentences, each said, where a sentence is left; else as it was."""
    if not dropped or not (kept := " ".join(s for s in sentences(summary) if s not in dropped)):
        return summary
    said += [SummaryWarning(kind, sentence, reason) for sentence in dropped]
    return kept
