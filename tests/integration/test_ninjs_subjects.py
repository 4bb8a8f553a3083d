"""Subjects (IPTC Media Topics) and who the story is about, in a ninjs enrichment of every version: the
entries IPTC's examples show, valid by the official schemas and ours, merged with the subjects an item
already has (AAP's Media Topics, NTB's and TT's old Subject Codes) without duplicates.

The summary is the pipeline's for the seed article (the model mocked at the HTTP boundary), filed under
subjects built from the shipped vocabulary (tests/subjects.py)."""

import json
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from schemas import SummaryResponse
from schemas.ninjs import EXTENSION_ID, extension_schema
from service.adapters.ninjs import MEDTOP_SCHEME, enrichment
from service.adapters.ninjs_versions import Version
from tests import iptc
from tests.factories import ModelServer
from tests.integration.test_ninjs import SEED_ITEMS, ninjs_16, schema_errors, without_extension
from tests.subjects import DIPLOMACY, PEACE_TALKS, REGIONAL_ELECTIONS, filed, subject

Client = AsyncTestClient[Any]
VERSIONS = pytest.mark.parametrize("version", ["1.6", "2", "3"])
SUBJECTS = {"1.6": "subject", "2": "subjects", "3": "subjects"}
PEOPLE = {"1.6": "person", "2": "people", "3": "people"}

# The subjects of agencies' items among IPTC's examples (iptc/newsinjson 3ace397, examples/3.0/).
AAP = [  # 20231008-anti-doping-measures-...-addb-ninjs-nitf.json
    {"rel": "classifies", "uri": "http://cv.iptc.org/newscodes/mediatopic/15000000", "name": "Sport"},
    {"rel": "classifies", "uri": "http://cv.iptc.org/newscodes/mediatopic/20001105", "name": "drug abuse in sport"},
    {"rel": "classifies", "uri": "http://cv.iptc.org/newscodes/mediatopic/20000892", "name": "Cycling"},
]
NTB = [  # ntb_text.json: old IPTC Subject Codes, and a category of NTB's own
    {"name": "Innenriks", "literal": "Innenriks"},
    {"name": "Teknologi", "literal": "13010000"},
    {"name": "Industri", "literal": "04011000"},
    {"name": "Olje og energi", "literal": "04005000"},
]
TT = [  # tt_text_image_3.json: a Subject Code in TT's own URI
    {
        "literal": "16000000",
        "name": "Krig, konflikter och oroligheter",
        "uri": "http://tt.se/spec/subref/1.0/16000000",
        "rel": "classifies",
        "creator": "system",
        "relevance": 98,
        "confidence": 58,
    }
]


@pytest.fixture
async def seed_summary(api: Client, answering: ModelServer, seed_article: dict[str, Any]) -> SummaryResponse:
    response = await api.post("/v1/summaries", json=seed_article)
    assert response.status_code == 200, response.text
    return SummaryResponse.model_validate(response.json())


def enrich(item: dict[str, Any], summary: SummaryResponse, target: Version | None = None) -> dict[str, Any]:
    return enrichment(item, summary, "the text", EXTENSION_ID, target)


def problems(enriched: dict[str, Any], version: str) -> list[str]:
    """By the official schema of its version (our extension left out) and by ours, which it declares."""
    errors = iptc.official_errors(version, without_extension(enriched))
    declared = enriched["$standard" if version == "1.6" else "standard"]["schema"]
    known = iptc.registry(extension_schema())
    errors += iptc.errors({"$ref": declared}, enriched, known)
    if version == "1.6":
        ours = json.loads(enriched["description_summarise_json"])
        errors += iptc.errors({"$ref": EXTENSION_ID + "#/$defs/summarise"}, ours, known)
    return errors


@VERSIONS
def test_subjects_and_who_it_is_about_in_each_version_as_iptc_writes_them(
    seed_summary: SummaryResponse, seed_article: dict[str, Any], version: str
) -> None:
    summary = filed(
        seed_summary,
        subject(PEACE_TALKS, relevance=0.9, confidence=0.75),
        subject(DIPLOMACY, relevance=0.5),
        about=("Steve Witkoff",),
    )

    enriched = enrich(SEED_ITEMS[version](seed_article), summary)

    assert not problems(enriched, version)
    code = {"scheme": MEDTOP_SCHEME, "code": "20000076"} if version == "1.6" else {"uri": subject(PEACE_TALKS).uri}
    assert enriched[SUBJECTS[version]][0] == {
        "name": "peace talks",
        "rel": "about",
        **code,
        "relevance": 90,
        "confidence": 75,
    }
    assert [s["name"] for s in enriched[SUBJECTS[version]]] == ["peace talks", "international relations"]
    rels = {p["name"]: p["rel"] for p in enriched[PEOPLE[version]]}
    assert rels["Steve Witkoff"] == "about"
    assert set(rels.values()) == {"about", "mentions"}  # the others are only mentioned
    extension = enriched["summarise"] if version != "1.6" else json.loads(enriched["description_summarise_json"])
    assert extension["subjects"][0]["broader"][0]["name"] == "peace process"


def test_a_1_6_subject_is_the_concepts_uri_in_2_x_and_3_x(
    seed_summary: SummaryResponse, seed_article: dict[str, Any]
) -> None:
    """scheme + code join into the Media Topic's URI, as the version table converts them."""
    sixteen = enrich(SEED_ITEMS["1.6"](seed_article), filed(seed_summary, subject(PEACE_TALKS)))

    three = enrich(sixteen, filed(seed_summary, subject(PEACE_TALKS)), target="3")

    assert [s["uri"] for s in three["subjects"]] == ["http://cv.iptc.org/newscodes/mediatopic/20000076"]
    assert not problems(three, "3")


@VERSIONS
@pytest.mark.parametrize("target", [None, "1.6", "2", "3"])
def test_enriching_an_enriched_item_again_adds_nothing(
    seed_summary: SummaryResponse, seed_article: dict[str, Any], version: str, target: Version | None
) -> None:
    summary = filed(seed_summary, subject(PEACE_TALKS), subject(REGIONAL_ELECTIONS), about=("Steve Witkoff",))
    once = enrich(SEED_ITEMS[version](seed_article), summary, target)

    twice = enrich(once, summary)

    assert without_extension(twice) == without_extension(once)
    assert len(twice[SUBJECTS[target or version]]) == 2


def test_an_agencys_media_topic_is_kept_and_not_duplicated(
    seed_summary: SummaryResponse, seed_article: dict[str, Any]
) -> None:
    item = SEED_ITEMS["3"](seed_article) | {"subjects": AAP}
    summary = filed(seed_summary, subject("medtop:20000892"), subject("medtop:15000000"), subject(PEACE_TALKS))

    enriched = enrich(item, summary)

    # Cycling and sport are there already (sport is broader than cycling, too): only peace talks is added.
    assert enriched["subjects"][:3] == AAP
    assert [s["name"] for s in enriched["subjects"][3:]] == ["peace talks"]
    assert not problems(enriched, "3")


def test_old_subject_codes_are_read_through_the_vocabularys_exact_matches(
    seed_summary: SummaryResponse, seed_article: dict[str, Any]
) -> None:
    """NTB's 04011000 is manufacturing and engineering, its 04005000 energy and resource; its own
    'Innenriks' and TT's 16000000 (no exact Media Topic) are kept as sent."""
    item = SEED_ITEMS["2"](seed_article) | {"subjects": NTB + TT}
    summary = filed(
        seed_summary,
        subject("medtop:20000294"),  # manufacturing and engineering: NTB's 04011000
        subject("medtop:20000209"),  # industry: broader than both of NTB's
        subject(PEACE_TALKS),
    )

    enriched = enrich(item, summary)

    assert enriched["subjects"][:5] == NTB + TT
    assert [s["name"] for s in enriched["subjects"][5:]] == ["peace talks"]
    assert not problems(enriched, "2")


@pytest.mark.parametrize(
    "unknown",
    [
        {"name": "unknown", "uri": "http://cv.iptc.org/newscodes/mediatopic/99999999"},
        {"name": "unknown", "literal": "medtop:99999999"},
        {"name": "ours", "uri": "https://example.com/topics/peace"},
    ],
)
def test_a_subject_the_vocabulary_does_not_know_is_kept_as_sent(
    seed_summary: SummaryResponse, seed_article: dict[str, Any], unknown: dict[str, Any]
) -> None:
    summary = filed(seed_summary, subject(PEACE_TALKS))
    ours = enrich(SEED_ITEMS["3"](seed_article), summary)["subjects"]

    enriched = enrich(SEED_ITEMS["3"](seed_article) | {"subjects": [unknown]}, summary)

    assert enriched["subjects"] == [unknown, *ours]


def test_a_1_6_subject_code_with_its_scheme_is_read(
    seed_summary: SummaryResponse, seed_article: dict[str, Any]
) -> None:
    editor_s = {"name": "Diplomatie", "scheme": "http://cv.iptc.org/newscodes/subjectcode/", "code": "11002002"}
    item = ninjs_16(seed_article, subject=[editor_s])

    enriched = enrich(item, filed(seed_summary, subject(DIPLOMACY)))

    assert enriched["subject"] == [editor_s]
    assert not problems(enriched, "1.6")


def test_without_subjects_no_subject_list_is_added(seed_summary: SummaryResponse, seed_article: dict[str, Any]) -> None:
    enriched = enrich(SEED_ITEMS["3"](seed_article), filed(seed_summary))

    assert "subjects" not in enriched


@VERSIONS
async def test_the_pipelines_subjects_and_salience_reach_the_enrichment(
    api: Client, answering: ModelServer, seed_article: dict[str, Any], version: str
) -> None:
    """End to end: the seed filed by the pipeline (the model mocked at the HTTP boundary), through the route."""
    response = await api.post("/v1/ninjs/enrichments", json=SEED_ITEMS[version](seed_article))

    assert response.status_code == 200, response.text
    enriched = response.json()
    extension = enriched["summarise"] if version != "1.6" else json.loads(enriched["description_summarise_json"])
    assert extension["subjects"], "the seed is filed under no subject"
    assert extension["subjects"][0]["qcode"] in (PEACE_TALKS, "medtop:20000073", "medtop:20000639")  # or diplomacy
    entries = enriched[SUBJECTS[version]]
    if version == "1.6":
        assert [MEDTOP_SCHEME + e["code"] for e in entries] == [s["uri"] for s in extension["subjects"]]
    else:
        assert [e["uri"] for e in entries] == [s["uri"] for s in extension["subjects"]]
    assert [e["relevance"] for e in entries] == [round(s["relevance"] * 100) for s in extension["subjects"]]
    about = {p["name"] for p in extension["participants"] if p["about"]}
    assert about, "the story is about no one"
    assert {p["name"] for p in enriched[PEOPLE[version]] if p["rel"] == "about"} <= about
    assert "Steve Witkoff" in about
    assert not await schema_errors(api, enriched, version)
