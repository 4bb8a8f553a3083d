"""The IPTC Media Topics vocabulary as shipped, and subjects completed from it by code."""

import numpy as np
import pytest

from schemas import MatchKind, Participant, ParticipantKind
from service.core.alignment import ArticleText
from service.core.mediatopics import ENGLISH, MeaningIndex, checked, media_topics, vocabulary_language
from service.core.subjects import narrowable, subjects
from service.errors import WeightsError


@pytest.fixture(scope="module")
def meanings() -> MeaningIndex:
    return media_topics().meanings()


def test_a_vocabulary_file_that_is_not_the_shipped_one_stops_with_one_line() -> None:
    with pytest.raises(WeightsError) as raised:
        checked(b'{"conceptSet": []}')
    assert "not the shipped file" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_concepts_are_found_by_qcode_uri_and_the_old_subject_code_they_match() -> None:
    topics = media_topics()
    talks = topics.get("medtop:20000076")
    assert talks is not None
    assert talks.label() == ("peace talks", "en-GB")
    assert topics.get("http://cv.iptc.org/newscodes/mediatopic/20000076") == talks
    assert talks.label("de-CH") == ("Friedensgespräche", "de")
    assert [c.qcode for c in topics.chain(talks)] == ["medtop:20000073", "medtop:16000000"]
    # NTB and TT send old Subject Codes; the vocabulary's exactMatch maps them.
    for code in ("subj:11003000", "11003000", "http://cv.iptc.org/newscodes/subjectcode/11003000"):
        concept = topics.get(code)
        assert concept is not None
        assert concept.label() == ("election", "en-GB")
    assert topics.get("medtop:99999999") is None
    assert len(topics.active) == 1133
    assert not any(c.retired for c in topics.active)


def test_languages_map_to_the_vocabularys_own_keys() -> None:
    assert [vocabulary_language(t) for t in ("en-US", "de", "sv-SE", "da", "pt-BR", "nb", None)] == [
        "en-GB", "de", "se", "dk", "pt-BR", "en-GB", "en-GB",
    ]  # fmt: skip


TEXT = (
    "In Dresden ist entschieden. Bei der Oberbürgermeisterwahl erhielt kein Bewerber die Mehrheit. "
    "Die Stichwahl folgt am 5. Juli."
)


def test_a_german_label_is_found_inside_a_compound_and_named_in_german(meanings: MeaningIndex) -> None:
    topics = media_topics()
    [subject], warnings = subjects(["election"], topics, meanings, ArticleText(TEXT), TEXT, "Wahl in Dresden", "de")
    assert (subject.qcode, subject.name, subject.language) == ("medtop:20000574", "Wahl", "de")
    assert [e.quote for e in subject.evidence] == [
        "Bei der Oberbürgermeisterwahl erhielt kein Bewerber die Mehrheit.",
        "Die Stichwahl folgt am 5. Juli.",
    ]
    assert all(TEXT[e.start : e.end] == e.quote for e in subject.evidence)
    assert subject.relevance >= 0.4  # in the headline
    assert warnings == []


def test_a_term_that_names_a_participant_is_not_a_subject_unless_the_vocabulary_names_it(
    meanings: MeaningIndex,
) -> None:
    text = "The Scientology defector was arrested in Hong Kong on Thursday."
    church = Participant(name="Scientology", kind=ParticipantKind.organization, evidence=[])
    city = Participant(name="Hong Kong", kind=ParticipantKind.organization, evidence=[])
    topics = media_topics()
    terms = ["Hong Kong", "arrest", "Scientology"]
    found, _ = subjects(terms, topics, meanings, ArticleText(text), text, None, "en", [city, church])
    # "Hong Kong" goes; "Scientology" is a Media Topic of its own (a religion), whoever bears the name
    assert [s.name for s in found] == ["arrest", "Scientology"]
    assert found[0].evidence[0].match is MatchKind.exact


def test_a_term_finds_the_concept_it_means_where_no_word_of_them_is_shared(meanings: MeaningIndex) -> None:
    text = "More than 700 asylum seekers were rescued off the coast on Friday."
    [subject], warnings = subjects(["asylum seekers"], media_topics(), meanings, ArticleText(text), text, None, "en")
    assert subject.name == "refugees and internally displaced people"
    assert subject.evidence[0].quote == text  # the term's own words are found where the label's are not
    assert warnings == []


def test_a_term_near_no_concept_is_dropped_and_said(meanings: MeaningIndex) -> None:
    text = "The flag was raised on Tuesday."
    found, [warning] = subjects(["flag"], media_topics(), meanings, ArticleText(text), text, None, "en")
    assert found == []
    assert "near it in meaning" in warning.reason


def test_a_term_kept_from_an_earlier_article_finds_what_it_finds_when_new(meanings: MeaningIndex) -> None:
    fresh = MeaningIndex(media_topics(), meanings._embedder, meanings._vectors)
    together = fresh.nearest(["asylum seekers", "wildfire", "tennis match"])
    again = fresh.nearest(["tennis match", "bank merger", "asylum seekers"])  # two kept, one new among them
    alone = MeaningIndex(media_topics(), meanings._embedder, meanings._vectors).nearest(["tennis match"])
    assert [c.labels[ENGLISH] for c, _ in together] == [
        "refugees and internally displaced people",
        "wildfire",
        "tennis",
    ]
    assert [c.labels[ENGLISH] for c, _ in again] == ["tennis", "merger or acquisition", together[0][0].labels[ENGLISH]]
    assert abs(again[0][1] - alone[0][1]) < 1e-5  # kept from a batch of three: as encoded alone


def test_the_shipped_vectors_are_the_concepts_as_the_model_reads_them() -> None:
    from service.core.mediatopics import described
    from service.model.embeddings import load_embedder

    topics = media_topics()
    texts = described(topics)
    rows = list(range(0, len(texts), 97))  # a sample: all of them take seconds
    shipped = topics.meanings()._vectors[rows]
    assert np.abs(load_embedder().encode([texts[i] for i in rows]) - shipped).max() < 1e-4


def test_narrower_concepts_are_those_one_level_under_and_never_retired() -> None:
    topics = media_topics()
    election = topics.get("medtop:20000574")
    assert election is not None
    narrower = topics.narrower(election)
    assert {"local elections", "national elections", "regional elections"} <= {c.label()[0] for c in narrower}
    assert all(c.broader == election.qcode and not c.retired for c in narrower)
    talks = topics.get("medtop:20000076")
    assert talks is not None
    assert topics.narrower(talks) == ()
    # Boxing's 18 weight classes are all retired: none is offered.
    boxing, bantamweight = topics.get("medtop:20000856"), topics.get("medtop:20000857")
    assert boxing is not None
    assert bantamweight is not None
    assert (bantamweight.broader, bantamweight.retired) == (boxing.qcode, True)
    assert topics.narrower(boxing) == ()


def test_only_a_concept_with_a_few_narrower_ones_is_offered_for_narrowing(meanings: MeaningIndex) -> None:
    topics = media_topics()
    offered = narrowable(["election", "peace talks", "macroeconomics"], topics, meanings)
    # "peace talks" has none; "macro economics" 28, more than `NARROWER_LISTED`.
    assert [(c.label()[0], len(narrower)) for c, narrower in offered] == [("election", 13)]


def test_a_narrowed_subject_is_filed_under_the_narrower_concept_with_the_broad_ones_evidence(
    meanings: MeaningIndex,
) -> None:
    topics = media_topics()
    [(broad, _)] = narrowable(["election"], topics, meanings)
    assert broad.qcode == "medtop:20000574"
    local = topics.get("medtop:20000578")
    assert local is not None
    text = "Bei der Oberbürgermeisterwahl erhielt kein Bewerber die Mehrheit. Die Stichwahl folgt am 5. Juli."
    narrowed = {broad.qcode: local}
    [subject], warnings = subjects(["election"], topics, meanings, ArticleText(text), text, None, "de", [], narrowed)
    assert (subject.qcode, subject.name) == ("medtop:20000578", "Kommunalwahl")
    assert [c.qcode for c in subject.broader] == ["medtop:20000574", "medtop:11000000"]
    # "Kommunalwahl" is in no sentence: the evidence is where the article speaks of the election ("…wahl").
    assert [e.quote for e in subject.evidence] == [text[: text.index(" Die")], text[text.index("Die") :]]
    assert warnings == []
