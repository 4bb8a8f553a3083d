"""What the article is about, as a newsroom files it: IPTC Media Topics, proposed by the model, completed by code.

The model names the kind of event and the issues in a few subject terms (the `subjects` question: a dozen
tokens); code maps each term to the Media Topic nearest to it in meaning (its label and definition as a
sentence vector: "asylum seekers" finds "refugees and internally displaced people", which no word of it
names), and completes the rest: QCode, URI, the label in the article's language, the broader chain, the
Wikidata id, evidence, relevance and confidence.

Why so, measured in bench/JOURNAL.md (issue 26, 2026-12-05 afternoon and night): the embedded 1.5B model
chose worse among a numbered list of concepts than it named them; retrieval from the article alone found a
third of the gold subjects; the terms matched by their labels' words missed where the article's words and
the vocabulary's differ, and matched by meaning they are right more often on both splits.
"""

from collections.abc import Sequence
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


@dataclass(frozen=True)
class _Scored:
    concept: Concept
    term: str
    match: float  # the term's and the concept's cosine similarity
    agreed: bool  # among the concepts the article itself matches best

    @property
    def confidence(self) -> float:
        return round((self.match + float(self.agreed)) / 2, 2)


def subjects(
    terms: Sequence[str],
    topics: MediaTopics,
    meanings: MeaningIndex,
    text: ArticleText,
    original: str,
    title: str | None,
    language: str | None,
    participants: Sequence[Participant] = (),
) -> tuple[list[Subject], list[SummaryWarning]]:
    """The article's subjects for the model's terms, most specific, in the model's order, each with its
    evidence in the article; a term no concept matches, or whose concept no sentence speaks of, is dropped
    and said."""
    agreed = _matching_the_article(topics, text.text, title, language)
    warnings = []
    scored = []
    asked = _subject_terms(terms, participants, topics)
    for term, (concept, similarity) in zip(asked, meanings.nearest(asked), strict=True):
        if similarity < NEAR:
            reason = f"no IPTC Media Topic is near it in meaning (nearest: {concept.labels.get(ENGLISH)!r})"
            warnings.append(SummaryWarning(WarningKind.dropped_subject, term, reason))
        else:
            scored.append(_Scored(concept, term, round(similarity, 2), concept.qcode in agreed))
    first_term = {s.concept.qcode: s for s in reversed(scored)}  # a concept twice: its first term's
    index = topics.index(language)
    title_stems, lead_stems, *stemmed = index.stems(
        [title or "", text.lead, *(text.text[slice(*s)] for s in text.sentences)]
    )
    sentences = list(zip(text.sentences, stemmed, strict=True))  # stemmed once
    result = []
    for concept in topics.most_specific([s.concept for s in scored])[:MAX_SUBJECTS]:
        found = first_term[concept.qcode]
        name, name_language = concept.label(language)
        wanted, speaking = _speaking(index, sentences, _labels(concept, language), found.term)
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
                confidence=found.confidence,
                evidence=_evidence(speaking, original),
            )
        )
    return result, warnings


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
    index: LabelIndex, sentences: list[tuple[tuple[int, int], set[str]]], labels: list[str], term: str
) -> tuple[set[str], list[tuple[tuple[int, int], int]]]:
    """The words that say a subject, and the sentences that hold one, each with how many: its labels' words,
    else the model's term's (which may carry a name: "Ukraine-Russia negotiations")."""
    for words in (" ".join(labels), term):
        (wanted,) = index.stems([words])
        counted = [(span, index.shared(wanted, stems)) for span, stems in sentences]
        if speaking := [(span, shared) for span, shared in counted if shared]:
            return wanted, speaking
    return set(), []


def _evidence(speaking: list[tuple[tuple[int, int], int]], original: str) -> list[Evidence]:
    """Of the sentences that speak of a subject, those sharing most words with it, in article order."""
    best = sorted(speaking, key=lambda spoken: -spoken[1])[:_EVIDENCE]
    return [Evidence(quote=original[s:e], start=s, end=e, match=MatchKind.exact) for (s, e), _ in sorted(best)]


def _labels(concept: Concept, language: str | None) -> list[str]:
    return list(dict.fromkeys([concept.labels.get(ENGLISH, ""), concept.label(language)[0]]))


def _item(concept: Concept, language: str | None) -> ConceptItem:
    return ConceptItem(qcode=concept.qcode, uri=concept.uri, name=concept.label(language)[0])
