"""What the article is about, as a newsroom files it: IPTC Media Topics, proposed by the model, completed by code.

The model names the kind of event and the issues in a few subject terms (the `subjects` question: a dozen
tokens); code maps each term to the Media Topic nearest to it in meaning (its label and definition as a
sentence vector: "asylum seekers" finds "refugees and internally displaced people", which no word of it
names). A concept with a few narrower ones is then asked which of them the article is about (`narrowable`
gives the pipeline those to ask, `questions.NARROWER` asks: "election" -> "local elections"). Code completes
the rest: QCode, URI, the label in the article's language, the broader chain, the Wikidata id, evidence,
relevance and confidence.

Why so, measured in bench/JOURNAL.md (issue 26, 2026-12-05 afternoon and night): the embedded 1.5B model
chose worse among a numbered list of concepts than it named them; retrieval from the article alone found a
third of the gold subjects; the terms matched by their labels' words missed where the article's words and
the vocabulary's differ, and matched by meaning they are right more often on both splits.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from schemas import Concept as ConceptItem
from schemas import Evidence, MatchKind, Participant, Subject
from service.core.alignment import ArticleText
from service.core.mediatopics import ENGLISH, Concept, LabelIndex, MeaningIndex, MediaTopics
from service.core.warnings import SummaryWarning, WarningKind

MAX_SUBJECTS = 4  # one a term the model gives
NEAR = 0.4  # cosine under which a term's nearest concept is not its subject (chosen on dev: bench/JOURNAL.md)
_ARTICLE_WORDS = 200  # the article's opening read for agreement, the headline three times before it
_AGREED_WITHIN = 20  # a concept among the article's 20 best matches counts as code agreeing with the model
_EVIDENCE = 2  # sentences an item cites
# A concept with more narrower ones than this is not narrowed: "election" lists 13, "government" 19 (on dev,
# narrowed to "parliament" for a parliament's election); the vocabulary's longest 99 ("competition discipline":
# every sport), too many to read for each article and to choose among.
NARROWER_LISTED = 20


@dataclass(frozen=True)
class _Scored:
    concept: Concept
    term: str
    match: float  # the term's and the concept's cosine similarity


def narrowable(
    terms: Sequence[str], topics: MediaTopics, meanings: MeaningIndex, participants: Sequence[Participant] = ()
) -> list[tuple[Concept, tuple[Concept, ...]]]:
    """The concepts the model's terms map to, as `subjects` takes them, that have a few narrower concepts
    (`NARROWER_LISTED` at most), each with them: the model may be asked which of them the article is about."""
    scored, _ = _mapped(terms, topics, meanings, participants)
    chosen = _chosen(scored, topics)
    return [(c, narrower) for c in chosen if 0 < len(narrower := topics.narrower(c)) <= NARROWER_LISTED]


def subjects(
    terms: Sequence[str],
    topics: MediaTopics,
    meanings: MeaningIndex,
    text: ArticleText,
    original: str,
    title: str | None,
    language: str | None,
    participants: Sequence[Participant] = (),
    narrowed: Mapping[str, Concept] | None = None,
) -> tuple[list[Subject], list[SummaryWarning]]:
    """The article's subjects for the model's terms, most specific, in the model's order, each with its
    evidence in the article; a term no concept matches, or whose concept no sentence speaks of, is dropped
    and said. A concept in `narrowed` (by its QCode) is filed under the narrower one the model chose: its
    evidence the sentences that say the narrower one, else the concept itself, else the term; its confidence
    the concept's (the model's choice among its narrower ones adds no signal code can check)."""
    agreed = _matching_the_article(topics, text.text, title, language)
    scored, warnings = _mapped(terms, topics, meanings, participants)
    narrowed = narrowed or {}
    first_term = {s.concept.qcode: s for s in reversed(scored)}  # a concept twice: its first term's
    index = topics.index(language)
    title_stems, lead_stems, *stemmed = index.stems(
        [title or "", text.lead, *(text.text[slice(*s)] for s in text.sentences)]
    )
    sentences = list(zip(text.sentences, stemmed, strict=True))  # stemmed once
    result = []
    for mapped in _chosen(scored, topics):
        concept = narrowed.get(mapped.qcode, mapped)  # narrowed, still none another's ancestor
        found = first_term[mapped.qcode]
        name, name_language = concept.label(language)
        narrowed_from = [_labels(mapped, language)] if concept is not mapped else []
        said = [_labels(concept, language), *narrowed_from, [found.term]]
        wanted, speaking = _speaking(index, sentences, said)
        if not speaking:
            reason = f"no sentence of the article speaks of {name!r}"
            warnings.append(SummaryWarning(WarningKind.dropped_subject, found.term, reason))
            continue
        relevance = (
            0.4 * bool(index.shared(wanted, title_stems))
            + 0.3 * bool(index.shared(wanted, lead_stems))
            + 0.3 * min(1.0, 3 * len(speaking) / len(text.sentences))
        )
        result.append(
            Subject(
                qcode=concept.qcode,
                uri=concept.uri,
                name=name,
                language=name_language,
                broader=[_item(parent, language) for parent in topics.chain(concept)],
                wikidata=concept.wikidata,
                relevance=round(relevance, 2),
                confidence=_confidence(found.match, mapped.qcode in agreed),
                evidence=_evidence(speaking, original),
            )
        )
    return result, warnings


def _mapped(
    terms: Sequence[str], topics: MediaTopics, meanings: MeaningIndex, participants: Sequence[Participant]
) -> tuple[list[_Scored], list[SummaryWarning]]:
    """Each term (but names) with its nearest concept by meaning; a term none is near is dropped and said."""
    warnings = []
    scored = []
    asked = _subject_terms(terms, participants, topics)
    for term, (concept, similarity) in zip(asked, meanings.nearest(asked), strict=True):
        if similarity < NEAR:
            reason = f"no IPTC Media Topic is near it in meaning (nearest: {concept.labels.get(ENGLISH)!r})"
            warnings.append(SummaryWarning(WarningKind.dropped_subject, term, reason))
        else:
            scored.append(_Scored(concept, term, round(similarity, 2)))
    return scored, warnings


def _chosen(scored: list[_Scored], topics: MediaTopics) -> list[Concept]:
    """The terms' concepts, most specific, in the model's order, as many as an article is filed under."""
    return topics.most_specific([s.concept for s in scored])[:MAX_SUBJECTS]


def _subject_terms(terms: Sequence[str], participants: Sequence[Participant], topics: MediaTopics) -> list[str]:
    """The terms that are not a participant's name (asked for kinds of events and issues, a small model
    still gives "Hong Kong" or "Mecca"), but a name the vocabulary has as a concept's label ("Scientology")."""
    names = {" ".join(n.casefold().split()) for p in participants for n in (p.name, *p.aliases)}
    unique = dict.fromkeys(" ".join(t.split()) for t in terms if t.strip())
    return [t for t in unique if t.casefold() not in names or topics.has_label(t)]


def _matching_the_article(topics: MediaTopics, text: str, title: str | None, language: str | None) -> set[str]:
    """The concepts whose labels and definitions best match the article's headline and opening (BM25)."""
    query = " ".join([title or ""] * 3 + text.split()[:_ARTICLE_WORDS])
    found = topics.index(language, described=True).search(query, _AGREED_WITHIN)
    return {concept.qcode for concept, _ in found}


def _speaking(
    index: LabelIndex, sentences: list[tuple[tuple[int, int], set[str]]], said: list[list[str]]
) -> tuple[set[str], list[tuple[tuple[int, int], int]]]:
    """The words that say a subject, and the sentences that hold one, each with how many: the first of the
    ways `said` (its labels; a narrowed one's broader labels; the model's term, which may carry a name:
    "Ukraine-Russia negotiations") that some sentence holds."""
    for words in said:
        (wanted,) = index.stems([" ".join(words)])
        counted = [(span, index.shared(wanted, stems)) for span, stems in sentences]
        if speaking := [(span, shared) for span, shared in counted if shared]:
            return wanted, speaking
    return set(), []


def _confidence(match: float, agreed: bool) -> float:
    """How sure: the term's cosine with the concept it maps to, and whether that concept is among those the
    article itself matches best."""
    return round((match + float(agreed)) / 2, 2)


def _evidence(speaking: list[tuple[tuple[int, int], int]], original: str) -> list[Evidence]:
    """Of the sentences that speak of a subject, those sharing most words with it, in article order."""
    best = sorted(speaking, key=lambda spoken: -spoken[1])[:_EVIDENCE]
    return [Evidence(quote=original[s:e], start=s, end=e, match=MatchKind.exact) for (s, e), _ in sorted(best)]


def _labels(concept: Concept, language: str | None) -> list[str]:
    return list(dict.fromkeys([concept.labels.get(ENGLISH, ""), concept.label(language)[0]]))


def _item(concept: Concept, language: str | None) -> ConceptItem:
    return ConceptItem(qcode=concept.qcode, uri=concept.uri, name=concept.label(language)[0])
