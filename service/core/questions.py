"""The questions the model is asked, one table: what each is called, what it answers, what code found
for it first, and whether its answers are checked against the article.

Answer models are model-facing, kept small for small models (every output token costs time on the
embedded model: bench/README.md): capped lists, so a runaway list ends at the cap instead of eating the token
budget; no offsets; quotes only where code cannot find the evidence itself. A participant's evidence is the sentence
where code finds its name; an open issue needs the model's quote. Dates are not asked: code finds,
resolves and describes them (`grounding.Grounder.dates`); nor are participants where a NER pipeline
reads the article's language (`grounding.Grounder.named`): only what each name code is unsure of is
(`KIND`). The public contract in `schemas/` is built from these by the grounder.

A grounded question's answer is rejected while it is asked (`grounding.checked_against`) when a name or a
quote is not in the article, with a message that lists each one, and the model is re-asked. Under
`salvage.LENIENT` (the last answer, or a cut-off one) the check is skipped and the grounder drops what it
cannot locate. The response's summary is checked as it is asked too, and said back once (`_Said`).

Each row says which field of the response its answers fill and how they are grounded (a `Grounder`
method); what code finds alone (dates; participants where a NER pipeline reads the article's language) is a
`ByCode` row. The pipeline asks the questions of a `Table` and grounds its rows in turn.

Adding a question: a `[questions]` entry in the prompt file, an answer model, a row here (its field and
its grounding) in the table's tuples, and the field in `schemas.SummaryResponse`.
"""

import copy
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Literal, Self, TypeVar, cast, get_origin

from pydantic import BaseModel, Field, ValidationInfo, create_model, model_validator

from schemas import ParticipantKind
from service.core.alignment import ArticleText
from service.core.checking import is_headline, starts_midway, unfinished
from service.core.grounding import Grounder, check_in_progress, summary_feedback
from service.core.mediatopics import Concept
from service.core.names import Candidate, as_person, does_nothing
from service.core.unresolved import unresolved_sentences
from service.model.client import SayBack
from service.model.salvage import is_lenient

Name = Annotated[str, Field(min_length=1, max_length=80)]
Short = Annotated[str, Field(max_length=160)]


class ExtractedParticipant(BaseModel):
    name: Name
    kind: ParticipantKind
    role: Short
    affiliation: Short | None = None
    aliases: Annotated[list[Name], Field(max_length=4)] = []

    def names(self) -> list[str]:
        return [self.name, *self.aliases]


class ExtractedIssue(BaseModel):
    # The quote comes first: the model copies the passage, then says what it leaves open.
    quote: Annotated[str, Field(min_length=1, max_length=300)]
    issue: Annotated[str, Field(min_length=1, max_length=240)]


class _Grounded(BaseModel):
    @model_validator(mode="after")
    def grounded_in_the_article(self, info: ValidationInfo) -> Self:
        check = None if is_lenient(info.context) else check_in_progress()
        if check is not None and (problems := self.ungrounded(check.article)):
            raise ValueError("; ".join(problems) + ". Use names and quotes exactly as the article writes them.")
        return self

    def ungrounded(self, article: ArticleText) -> list[str]:
        return []


class ParticipantsAnswer(_Grounded):
    """Asked again only where most of its names are not the article's: a list of eight with one garbled
    name is taken and the name dropped (the grounder says so). Asked again, the embedded model wrote the
    whole list anew, ~700 tokens, and garbled the same name (gold set 023: 89 s)."""

    participants: Annotated[list[ExtractedParticipant], Field(max_length=15)]

    def ungrounded(self, article: ArticleText) -> list[str]:
        problems = [
            f"participant {p.name!r} is not named in the article"
            for p in self.participants
            if not any(article.contains(name) for name in p.names())
        ]
        return problems if 2 * len(problems) > len(self.participants) else []


class IssuesAnswer(_Grounded):
    """Open issues, each with the article's passage that shows it (quoted: asked by number, the embedded
    model gave no usable issue on the gold set, so this question keeps the quote it was measured with)."""

    open_issues: Annotated[list[ExtractedIssue], Field(max_length=5)]

    def ungrounded(self, article: ArticleText) -> list[str]:
        return [f"quote {i.quote!r} is not in the article" for i in self.open_issues if not article.contains(i.quote)]


class SubjectsAnswer(BaseModel):
    """Subject terms, in English whatever the article's language (the vocabulary's English labels are the
    ones every concept has); code maps them to Media Topics (`subjects.subjects`)."""

    subjects: Annotated[list[Annotated[str, Field(min_length=1, max_length=40)]], Field(max_length=4)]


class NarrowerAnswer(BaseModel):
    """Which of a subject's narrower concepts the article is about, by its English label, or the subject's own
    label (`NARROWER`)."""

    subject: Annotated[str, Field(max_length=120)]


class KindAnswer(BaseModel):
    """What one named candidate is, in a word: "thing" is no participant (`KIND`)."""

    kind: Literal["person", "organization", "country", "place", "thing"]


class _Said(BaseModel):
    """A summary, checked as it is asked where it is the response's (`grounding.summary_feedback`): what the
    article does not support, another language or a sentence cut off is said back to the model once (in the
    question's words, `SayBack`), and the answer to that is taken as it is; the grounder drops what is left."""

    @model_validator(mode="after")
    def said_back_once(self, info: ValidationInfo) -> Self:
        check = None if is_lenient(info.context) else check_in_progress()
        if check is None or check.summary is None or check.said_back:
            return self
        if (feedback := summary_feedback(self.text(), self.cut(check.summary.title), check)) is not None:
            check.said_back = True
            raise SayBack(feedback, self)
        return self

    def text(self) -> str:
        raise NotImplementedError

    def cut(self, headline: str | None) -> str | None:
        return None

    def midway(self) -> list[str]:
        return []


class SummaryAnswer(_Said):
    summary: Annotated[str, Field(min_length=1, max_length=600)]

    def text(self) -> str:
        return self.summary


_PART_LIMIT = 300  # characters in a part of the composed summary: what a long sentence needs


class ComposedSummary(_Said):
    """The summary in the parts an editor writes it in: the news, the detail that matters most or what
    happens next, and what is still open (empty when the article does not make it central)."""

    # Room for a long sentence: the grammar cuts a string at its limit mid-sentence (the seed's detail at 200
    # characters), and code keeps only each part's first sentence anyway.
    news: Annotated[str, Field(min_length=1, max_length=_PART_LIMIT)]
    # Required, empty or not: a property the schema leaves optional, a small model leaves out.
    detail: Annotated[str, Field(max_length=_PART_LIMIT)]
    open: Annotated[str, Field(max_length=_PART_LIMIT)]

    @property
    def summary(self) -> str:
        """The parts as one text, each its first sentence (a small model writes on past the words it was
        given: 4 sentences and 90 words on the seed); a part without an end (a headline copied) is ended, but
        the last is kept as written, so that a sentence cut off there is still seen as cut (one cut before
        it is found by `cut`)."""
        parts = self.parts()
        return " ".join(
            part if index == len(parts) - 1 or unfinished(part) is None else part + "."
            for index, part in enumerate(parts)
        )

    def text(self) -> str:
        return self.summary

    def parts(self) -> list[str]:
        """The parts `summary` joins: each part's first sentence, but those after the first that start
        mid-sentence (`midway`)."""
        firsts = self._firsts()
        return [sentence for index, (sentence, midway) in enumerate(firsts) if index == 0 or not midway]

    def _firsts(self) -> list[tuple[str, bool]]:
        """Each part's first sentence (a part that repeats an earlier one left out: NTB's one-sentence item
        had the same sentence as news, detail and open), with whether it starts mid-sentence, the rest of the
        one before it: its first word in lower case (`starts_midway`: "and also a minority larger than a third
        to veto"), or the part before it cut by the grammar at its limit, mid-sentence. A German noun is
        capitalised: a German article's news, cut at "… waren als", went on in the detail with "Kandidaten für
        die Wahlinitiative Gemeinsam für Dresden.", and its detail, cut at "Staatsministerin" after "St", in
        the open part. A cut just after a full stop ("U.S.") is not seen as one: the next part is kept."""
        firsts: list[tuple[str, bool]] = []
        after_a_cut = False
        for part in (self.news, self.detail, self.open):
            first = _first_sentence(" ".join(part.split()))
            if first.strip() and first.casefold().rstrip(".") not in {f.casefold().rstrip(".") for f, _ in firsts}:
                firsts.append((first, after_a_cut or starts_midway(first)))
            after_a_cut = len(part) >= _PART_LIMIT and unfinished(part) is not None
        return firsts

    def midway(self) -> list[str]:
        """The first words of each part after the first that starts mid-sentence (`_firsts`), which `parts`
        leaves out. Not said back: asked again, the embedded model wrote the same part (001)."""
        return [" ".join(first.split()[:6]) for first, midway in self._firsts()[1:] if midway]

    def cut(self, headline: str | None) -> str | None:
        """The last words of a part before the last one that stops mid-sentence (a double quote ends a JSON
        string: "… preparing for a"), which `summary` ends with a full stop; the headline copied without
        one is not cut."""
        for part in self.parts()[:-1]:
            if (words := unfinished(part)) is not None and not is_headline(part, headline):
                return words
        return None


def _first_sentence(text: str) -> str:
    first = ArticleText(text).sentences[:1]  # the article's rule: "Feb. 26" and "U.S." end no sentence
    return text[first[0][0] : first[0][1]].strip() if first else text


class CombinedSummaryAnswer(SummaryAnswer):
    """One summary of the partial summaries of a long article."""


A = TypeVar("A", bound=BaseModel)


@functools.cache
def _at_least(answer: type[A], items: int) -> type[A]:
    """`answer` whose one list the model is told to fill with at least `items` items (`_told`)."""
    if items == 0:
        return answer
    (name, _), *others = [(n, f) for n, f in answer.model_fields.items() if get_origin(f.annotation) is list]
    if others:
        raise TypeError(f"{answer.__name__} has more than one list")
    return _told(answer, name, {"minItems": items})


def _told(answer: type[A], name: str, told: dict[str, Any]) -> type[A]:
    """`answer` with `told` added to its field `name` in the JSON schema it is sent (a server with grammars holds
    the model to it), not in validation, so a cut-off or lenient answer is still read."""
    field = copy.copy(answer.model_fields[name])
    field.json_schema_extra = told
    fields: dict[str, Any] = {name: (field.annotation, field)}
    return create_model(answer.__name__, __base__=answer, __doc__=answer.__doc__, **fields)


@dataclass(frozen=True)
class Part:
    """One part of the article as a question sees it (the whole article unless it is too long)."""

    article: ArticleText  # the whole article, lines that address the summariser blanked
    start: int
    end: int

    def doubts(self) -> list[str]:
        return _unique(unresolved_sentences(self.article, self.start, self.end))


def _unique(texts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(texts))


@dataclass(frozen=True)
class Question(Generic[A]):
    name: str  # its key under [questions] in the prompt file; names it in logs and meta.warnings
    answer: type[A]
    fills: str  # the field of the response (`schemas.SummaryResponse`) its grounded answers fill
    ground: Callable[[Grounder, list[tuple[Part, A]]], Any]  # its answers of every part, with their parts: the value
    grounded: bool = True  # its items are checked against the article while asked, and re-asked if not found
    candidates: Callable[[Part], list[str]] | None = None  # what code found, listed in the prompt as $candidates
    participants: bool = False  # the main participants code found are listed in the prompt as $participants
    # The answer lists at least this many items, or as many as code's candidates when they are fewer.
    at_least: int = 0

    def answer_for(self, listed: list[str]) -> type[A]:
        floor = self.at_least if self.candidates is None else min(self.at_least, len(listed))
        return _at_least(self.answer, floor)


@dataclass(frozen=True)
class ByCode:
    """A field of the response code fills alone, no question asked."""

    fills: str
    ground: Callable[[Grounder], Any]


Row = Question[Any] | ByCode

# Model-first: no NER pipeline reads the article's language. Held to five names: left to itself the embedded
# model stopped after two in a German article that names 13 (gold set 021, on some runs); held, it listed
# 10-13 of them. Held to eight, an article that names seven (023) was filled with common nouns
# ("Wahlkampf") and once a garbled name asked again (89 s); at five it lists what the article names, and
# with NER off the English dev split scores the same with a floor or without (bench/JOURNAL.md, 2026-12-06).
PARTICIPANTS = Question("participants", ParticipantsAnswer, "participants", Grounder.model_participants, at_least=5)
NAMED = ByCode("participants", Grounder.named_participants)  # code's candidates, where NER reads the language
DATES = ByCode("dates", Grounder.found_dates)  # found, resolved and described by code (`dates.py`)
# Issues: at least two where code found two sentences of doubt or more (one where it found one). Left
# to itself the embedded model listed one issue an article whatever it was shown (the seed: 1 of its 4);
# held to two, it found more on the dev split and as many on test (bench/JOURNAL.md, 2026-12-05 evening).
ISSUES = Question("issues", IssuesAnswer, "open_issues", Grounder.issues, candidates=Part.doubts, at_least=2)
# The summary of the one part is the response's; of several, their summaries are combined (`COMBINE`). The
# response's is checked as it is asked (its validator, given the pipeline's `grounding.SummaryFacts`).
SUMMARY = Question("summary", ComposedSummary, "summary", Grounder.summary, grounded=False, participants=True)
SUBJECTS = Question("subjects", SubjectsAnswer, "subjects", Grounder.media_topics, grounded=False)
# Asked of each candidate code is unsure of (`names.unsure`) and of each organisation that may be a person
# (`names.maybe_people`), one at a time, before the table's questions: what it is, in a word (`as_answered`).
# spaCy tags products, spacecraft, festivals and books as persons or organisations; asked of every name in
# one answer, the embedded model said "person" of Iran and the Kremlin (2026-12-05); asked of one, with the
# sentence it is in, it named 59 of 62 people right and called products and works a "thing"
# (bench/JOURNAL.md, 2026-12-06 (night)). Not a row: its answers decide which of code's candidates the
# `NAMED` row grounds (its field and grounding are that row's).
KIND = Question("kind", KindAnswer, "participants", Grounder.named_participants, grounded=False)
_AROUND_A_NAME = 100  # characters of its sentence shown either side of a name asked about


def kind_variables(candidate: Candidate, article: ArticleText) -> dict[str, str]:
    """`KIND`'s own placeholders: the name, and the words around its first mention, in their sentence."""
    start, end = candidate.mentions[0]
    around = next(((s, e) for s, e in article.sentences if s <= start < e), (start, end))
    shown = article.text[max(around[0], start - _AROUND_A_NAME) : min(around[1], end + _AROUND_A_NAME)]
    return {"name": candidate.name.replace('"', "'"), "context": " ".join(shown.replace('"', "'").split())}


def as_answered(candidate: Candidate, answer: KindAnswer) -> Candidate | None:
    """An asked candidate as the model says it is. One that does nothing: none where it is no participant
    (`no_participant`), else as code found it. One that acts is a participant, whatever it is called, and a
    person where the model says so of an organisation named once (`names.maybe_people`, whose measurement
    says how often it was right). The unsure ones stay as NER said them: of those it called the other, people
    or organisations, 19 of 21 on GUM were what it said, but on the gold set it called a party a person (test's
    "Demosisto"), and a given name alone made a person (dev's "Dries") joined the player named in full and
    gave him a worse role."""
    if does_nothing(candidate):
        return None if no_participant(candidate, answer) else candidate
    return as_person(candidate) if answer.kind == "person" else candidate


def no_participant(candidate: Candidate, answer: KindAnswer) -> bool:
    """A thing, or a place where NER said a person ("McMurdo Station", "Art Gallery") or an organisation of
    one word ("Toulon", "Trier"). A place NER called an organisation of more words stays: the model calls
    universities and museums places (gold set dev: 2 of the 3 so named are participants). On GUM's non-news
    interviews, speeches, letters, court texts and biographies, of the one-word organisations the model called
    places 12 of 15 were no participant, of the longer ones 19 of 31 (bench/JOURNAL.md, 2026-12-06 (night 2))."""
    if answer.kind == "thing":
        return True
    return answer.kind == "place" and (candidate.kind is ParticipantKind.person or len(candidate.name.split()) == 1)


# Asked of each subject the model's terms map to that has a few narrower concepts (`subjects.narrowable`),
# after the table's questions: which of them the article is about, or the subject itself. The model names a
# kind of event in general terms ("election"); the vocabulary files news under the specific one ("local
# elections"). Among one concept's narrower ones, named by their labels, the embedded model chose the gold's
# for two of the gold set's three elections (Hong Kong's council "local", the gold "regional"), "parliament"
# for a parliament's "government" (acceptable), and kept the other four (bench/JOURNAL.md, 2026-12-07 (2));
# among a dozen numbered concepts of several terms it had chosen worse than it named them (2026-12-05).
# Not a row: its answers decide which concepts the `SUBJECTS` row grounds (`Grounder.narrowed`).
NARROWER = Question("narrower", NarrowerAnswer, "subjects", cast(Any, Grounder.media_topics), grounded=False)


def narrower_variables(concept: Concept, narrower: Sequence[Concept]) -> dict[str, str]:
    """`NARROWER`'s own placeholders: the subject's English label and its narrower concepts', quoted."""
    return {"broad": concept.label()[0], "narrower": ", ".join(f'"{c.label()[0]}"' for c in narrower)}


@functools.cache
def narrower_answer(concept: Concept, narrower: tuple[Concept, ...]) -> type[NarrowerAnswer]:
    """`NarrowerAnswer` whose subject is one of the labels listed, the subject's own first (unheld by a grammar,
    the model wrote "elections" for "election"); an answer of another label is still read (`as_narrowed`)."""
    return _told(NarrowerAnswer, "subject", {"enum": [c.label()[0] for c in (concept, *narrower)]})


def as_narrowed(concept: Concept, narrower: Sequence[Concept], answer: NarrowerAnswer) -> Concept:
    """The narrower concept the model named (by a label in any language), or the subject itself where it
    named none of them."""
    said = " ".join(answer.subject.casefold().replace('"', " ").split())
    return next((c for c in narrower if said in {label.casefold() for label in c.labels.values()}), concept)


# Asked once when a long article was summarised in parts: one summary of the parts' summaries.
COMBINE = Question("combine", CombinedSummaryAnswer, "summary", Grounder.summary, grounded=False)


@dataclass(frozen=True)
class Table:
    """The questions asked of every part, in order, and the rows grounded, in order: those of `in_turn` as
    soon as every part's answers are in (each told as progress), then those of `at_the_end`."""

    asked: tuple[Question[Any], ...]
    in_turn: tuple[Row, ...]
    at_the_end: tuple[Row, ...] = (SUMMARY, SUBJECTS)


# Asked of every part, in this order (the first one alone processes the article on a one-slot server):
# with named candidates from code, who take part is code's alone (see `grounding.Grounder.named`), and the
# issues question follows the summary's processed article as it followed the participants' one (with it
# first, two articles' issues changed on the gold set: 20 -> 25 listed, the same 8 right); without them,
# the model lists the participants. Subjects come last: asked after the others, no answer before changes.
# Grounded in turn: who takes part, when (code's), what is open (its parties are the participants).
WITH_NAMES = Table(asked=(SUMMARY, ISSUES, SUBJECTS), in_turn=(NAMED, DATES, ISSUES))
WITHOUT_NAMES = Table(asked=(PARTICIPANTS, ISSUES, SUMMARY, SUBJECTS), in_turn=(PARTICIPANTS, DATES, ISSUES))
QUESTIONS = WITH_NAMES.asked
QUESTIONS_WITHOUT_NAMES = WITHOUT_NAMES.asked
