"""Subjects as the pipeline files them, built from the shipped vocabulary: for the integrations' tests, a
`SummaryResponse` with the subjects and salience a test names."""

from schemas import SummaryResponse
from schemas.summary import Concept, Evidence, MatchKind, Subject
from service.core.mediatopics import media_topics

PEACE_TALKS = "medtop:20000076"  # conflict, war and peace › peace process › peace talks
REGIONAL_ELECTIONS = "medtop:20000585"  # politics › election › regional elections
DIPLOMACY = "medtop:20000638"  # international relations (politics › ...), Subject Code 11002002


def subject(qcode: str, language: str = "en", relevance: float = 0.9, confidence: float = 0.8) -> Subject:
    topics = media_topics()
    concept = topics.get(qcode)
    assert concept is not None, qcode
    name, written_in = concept.label(language)
    return Subject(
        qcode=concept.qcode,
        uri=concept.uri,
        name=name,
        language=written_in,
        broader=[Concept(qcode=c.qcode, uri=c.uri, name=c.label(language)[0]) for c in topics.chain(concept)],
        wikidata=concept.wikidata,
        relevance=relevance,
        confidence=confidence,
        evidence=[Evidence(quote="talks", start=0, end=5, match=MatchKind.exact)],
    )


def filed(summary: SummaryResponse, *subjects: Subject, about: tuple[str, ...] = ()) -> SummaryResponse:
    """`summary` filed under `subjects`, the participants named in `about` marked as what it is about."""
    participants = [
        p.model_copy(update={"about": p.name in about, "salience": 0.8 if p.name in about else 0.2})
        for p in summary.participants
    ]
    return summary.model_copy(update={"subjects": list(subjects), "participants": participants})
