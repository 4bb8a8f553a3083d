"""ninjs 1.6, 2.x and 3.x in, our summary or a ninjs enrichment out, checked with IPTC's own schemas and
example items."""

import html
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from litestar.testing import AsyncTestClient

from tests import iptc
from tests.factories import ModelServer

EXTENSION_FILE = Path(__file__).parents[2] / "schemas" / "ninjs-summarise-extension.json"

Client = AsyncTestClient[Any]
EVERY_EXAMPLE = pytest.mark.parametrize("example", iptc.examples(), ids=lambda path: path.stem)


def paragraphs(seed_article: dict[str, Any]) -> list[str]:
    return [line for line in seed_article["text"].splitlines() if line.strip()]


def as_html(seed_article: dict[str, Any]) -> str:
    body = "".join(f"<p>{html.escape(line)}</p>\n" for line in paragraphs(seed_article))
    return f"<div class='story'>{body}<script>track()</script></div>"


def ninjs_16(seed_article: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "uri": "urn:newsml:example.com:20260224:geneva",
        "type": "text",
        "headline": seed_article["title"],
        "body_html": as_html(seed_article),
        "versioncreated": "2026-02-24T09:30:00Z",
        "language": "en",
        **fields,
    }


def ninjs_3(
    seed_article: dict[str, Any], content_type: str = "contentType", created: str = "versionCreated"
) -> dict[str, Any]:
    """A 3.x item; with 2.x's lowercase names, a 2.x one."""
    return {
        "uri": "urn:newsml:example.com:20260224:geneva",
        "type": "text",
        "headlines": [{"role": "main", "value": seed_article["title"]}],
        "bodies": [{"role": "main", content_type: "text/html", "value": as_html(seed_article)}],
        created: "2026-02-24T09:30:00Z",
        "language": "en",
    }


def assert_offsets_refer_to(body: dict[str, Any], text: str) -> None:
    quotes = [
        e for section in ("participants", "dates", "open_issues") for item in body[section] for e in item["evidence"]
    ]
    assert quotes
    for evidence in quotes:
        assert text[evidence["start"] : evidence["end"]] == evidence["quote"]


@pytest.mark.parametrize("version", ["1.6", "3.x"])
async def test_a_ninjs_item_with_an_html_body_is_summarised_from_its_text(
    api: Client, answering: ModelServer, seed_article: dict[str, Any], version: str
) -> None:
    item = ninjs_16(seed_article) if version == "1.6" else ninjs_3(seed_article)

    response = await api.post("/v1/ninjs/summaries", json=item)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["text"] == "\n".join(paragraphs(seed_article))  # tags, script and entities gone
    assert body["id"] == item["uri"]
    assert_offsets_refer_to(body, body["text"])
    feb_26 = next(d for d in body["dates"] if d["text"] == "Feb. 26")
    assert feb_26["start"] == "2026-02-26"  # resolved against versioncreated
    assert "Title: " + seed_article["title"] in answering.requests["summary"][0]["messages"][1]["content"]


async def test_body_text_is_preferred_to_body_html(
    api: Client, answering: ModelServer, seed_article: dict[str, Any]
) -> None:
    item = ninjs_16(seed_article, body_text=seed_article["text"], body_html="<p>Something else entirely.</p>")

    body = (await api.post("/v1/ninjs/summaries", json=item)).json()

    assert body["text"] == seed_article["text"]


def ninjs_2(seed_article: dict[str, Any]) -> dict[str, Any]:
    return ninjs_3(seed_article, content_type="contenttype", created="versioncreated")


SEED_ITEMS = {"1.6": ninjs_16, "2": ninjs_2, "3": ninjs_3}


async def enrich(api: Client, item: dict[str, Any]) -> dict[str, Any]:
    response = await api.post("/v1/ninjs/enrichments", json=item)
    assert response.status_code == 200, response.text
    enriched: dict[str, Any] = response.json()
    return enriched


def extension_of(enriched: dict[str, Any], version: str) -> dict[str, Any]:
    if version == "1.6":
        data: dict[str, Any] = json.loads(enriched["description_summarise_json"])
        return data
    extension: dict[str, Any] = enriched["summarise"]
    return extension


def without_extension(enriched: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in enriched.items() if key not in ("summarise", "description_summarise_json")}


async def schema_errors(api: Client, enriched: dict[str, Any], version: str) -> list[str]:
    """What is wrong with an enriched item, by the official schema of its version (our extension property
    left out: the official 2.x/3.x schemas close the root) and by the schema the item declares, fetched
    from the URL it names (ours: it references the official one); in 1.6 our JSON text by its definition."""
    declared = enriched["$standard" if version == "1.6" else "standard"]["schema"]
    url, _, pointer = declared.partition("#")
    extension = (await api.get(urlsplit(url).path)).json()
    known = iptc.registry(extension)
    problems = iptc.official_errors(version, without_extension(enriched))
    problems += iptc.errors({"$ref": declared.replace(url, extension["$id"])}, enriched, known)
    if version == "1.6":
        ours = {"$ref": extension["$id"] + "#/$defs/summarise"}
        problems += iptc.errors(ours, extension_of(enriched, version), known)
    assert pointer == f"/$defs/ninjs-{version}"
    return problems


@pytest.mark.parametrize("version", ["1.6", "2", "3"])
async def test_an_enrichment_of_each_version_is_valid_by_the_official_schema_and_ours(
    api: Client, answering: ModelServer, seed_article: dict[str, Any], version: str
) -> None:
    item = SEED_ITEMS[version](seed_article)
    assert not iptc.official_errors(version, item)

    enriched = await enrich(api, item)

    assert not await schema_errors(api, enriched, version)
    people, organisations = ("person", "organisation") if version == "1.6" else ("people", "organisations")
    extension = extension_of(enriched, version)
    about = {p["name"]: p["about"] for p in extension["participants"]}
    # The role is not an identifier; "about" the people the story is about, "mentions" the rest.
    assert enriched[people][0] == {"name": "Steve Witkoff", "rel": "about" if about["Steve Witkoff"] else "mentions"}
    assert [p["rel"] for p in enriched[people]] == [
        "about" if about[p["name"]] else "mentions" for p in enriched[people]
    ]
    assert [o["name"] for o in enriched[organisations]] == ["Yalta European Strategy", "Interfax Ukraine", "Kremlin"]
    witkoff = next(p for p in extension["participants"] if p["name"] == "Steve Witkoff")
    assert witkoff["role"] == "Special Envoy; said in an online address"  # the article's words (NER)
    assert extension["text"] == "\n".join(paragraphs(seed_article))
    assert {d["text"] for d in extension["dates"]} >= {"Feb. 26", "Feb. 24"}
    assert extension["open_issues"][0]["parties"] == ["Kremlin"]


@EVERY_EXAMPLE
async def test_every_valid_iptc_example_is_enriched_into_a_valid_item(
    api: Client, answering: ModelServer, example: Path
) -> None:
    item, version = iptc.read(example), iptc.version_of_example(example)
    if iptc.official_errors(version, item):  # IPTC's example of an extension carries a property of its own
        pytest.skip("not valid by the official schema as IPTC ships it")

    enriched = await enrich(api, item)

    assert not await schema_errors(api, enriched, version)
    assert enriched["$standard" if version == "1.6" else "standard"]["version"].startswith(version)


@EVERY_EXAMPLE
async def test_every_iptc_example_text_item_is_read_from_the_body_of_its_version(
    api: Client, answering: ModelServer, example: Path
) -> None:
    item = iptc.read(example)
    version = iptc.version_of_example(example)
    # The plain-text body, as each version names it (no content type: up to the provider, and this one is
    # text); the dpa item has only HTML; NTB's has no body, its text is a description with role "text".
    if version == "1.6":
        plain = item.get("body_text") or item.get("body_main")
    elif "bodies" not in item:
        plain = next(d["value"] for d in item["descriptions"] if d["role"] == "text")
    else:
        key = "contentType" if version == "3" else "contenttype"
        plain = next((b["value"] for b in item["bodies"] if b.get(key, "text/plain") == "text/plain"), None)

    response = await api.post("/v1/ninjs/summaries", json=item)

    assert response.status_code == 200, response.text
    text = response.json()["text"]
    said = [w for w in response.json()["meta"]["warnings"] if "no body text" in w]
    assert said == (
        ['the item has no body text: its description with role "text" was summarised']
        if "bodies" not in item and version != "1.6"
        else []
    )
    if plain is not None:
        assert text == plain
    else:
        assert text.startswith("Für Lucien Favre war es «der größte Skandal im Fußball seit Jahren».")
        assert "<" not in text


async def test_a_2x_item_is_not_read_as_3x(api: Client, answering: ModelServer, seed_article: dict[str, Any]) -> None:
    """2.x writes `contenttype`: its HTML body is converted, and `versioncreated` resolves the dates."""
    body = (await api.post("/v1/ninjs/summaries", json=ninjs_2(seed_article))).json()

    assert body["text"] == "\n".join(paragraphs(seed_article))
    assert next(d for d in body["dates"] if d["text"] == "Feb. 26")["start"] == "2026-02-26"


@pytest.mark.parametrize("version", ["1.6", "2", "3"])
async def test_re_enriching_an_enriched_item_changes_nothing_already_there(
    api: Client, answering: ModelServer, seed_article: dict[str, Any], version: str
) -> None:
    once = await enrich(api, SEED_ITEMS[version](seed_article))

    twice = await enrich(api, once)

    assert without_extension(twice) == without_extension(once)
    people = "person" if version == "1.6" else "people"
    names = [entry["name"] for entry in twice[people]]
    assert len(names) == len(set(names))
    assert not await schema_errors(api, twice, version)


async def test_an_existing_entry_with_a_uri_is_kept_and_matched_by_name(
    api: Client, answering: ModelServer, seed_article: dict[str, Any]
) -> None:
    editor_s = {"name": "steve witkoff", "rel": "about", "uri": "http://www.wikidata.org/entity/Q115536578"}
    item = ninjs_3(seed_article) | {"people": [editor_s]}

    enriched = await enrich(api, item)

    assert enriched["people"][0] == editor_s
    assert [p["name"].casefold() for p in enriched["people"]].count("steve witkoff") == 1
    assert "Jared Kushner" in [p["name"] for p in enriched["people"]]


@pytest.mark.parametrize("version", ["1.6", "2", "3"])
async def test_an_existing_abstract_is_kept_and_the_warnings_say_where_the_summary_went(
    api: Client, answering: ModelServer, seed_article: dict[str, Any], version: str
) -> None:
    item = SEED_ITEMS[version](seed_article)
    if version == "1.6":
        item["description_text"] = "The editor's abstract."
    else:
        item["descriptions"] = [{"role": "summary", "value": "The editor's abstract."}]

    enriched = await enrich(api, item)

    if version == "1.6":
        assert enriched["description_text"] == "The editor's abstract."
    else:
        assert enriched["descriptions"] == [{"role": "summary", "value": "The editor's abstract."}]
    extension = extension_of(enriched, version)
    assert extension["summary"].startswith("U.S. and Ukrainian officials plan more talks")
    assert any("was kept; the summary is in" in warning for warning in extension["meta"]["warnings"])


async def test_without_an_abstract_the_summary_is_the_description(
    api: Client, answering: ModelServer, seed_article: dict[str, Any]
) -> None:
    sixteen = await enrich(api, ninjs_16(seed_article))
    three = await enrich(api, ninjs_3(seed_article))

    assert sixteen["description_text"].startswith("U.S. and Ukrainian officials plan more talks")
    assert three["descriptions"] == [
        {"role": "summary", "contentType": "text/plain", "value": three["summarise"]["summary"]}
    ]


async def test_the_echo_is_lossless(api: Client, answering: ModelServer, seed_article: dict[str, Any]) -> None:
    """Fields at their defaults, empty, or unknown to us come back exactly as sent."""
    item = ninjs_3(seed_article) | {
        "headlines": [{"role": "main", "value": seed_article["title"], "contentType": "text/plain"}],
        "urgency": 5,
        "slugline": "",
        "genres": [],
        "subjects": [{"name": "diplomacy", "uri": "http://cv.iptc.org/newscodes/mediatopic/20000638"}],
        "bodies": [{"role": "main", "contentType": "text/html", "value": as_html(seed_article), "charCount": 9}],
    }

    enriched = await enrich(api, item)

    added = {"people", "organisations", "places", "subjects", "descriptions", "standard", "summarise"}
    assert {key: value for key, value in enriched.items() if key not in added} == {
        key: value for key, value in item.items() if key != "subjects"
    }
    assert enriched["subjects"][: len(item["subjects"])] == item["subjects"]  # ours after the item's own


async def test_an_item_without_a_uri_is_not_enriched(
    api: Client, answering: ModelServer, seed_article: dict[str, Any]
) -> None:
    item = ninjs_3(seed_article)
    del item["uri"]

    response = await api.post("/v1/ninjs/enrichments", json=item)

    assert response.status_code == 422
    assert "uri" in response.json()["detail"]
    assert not answering.asked


async def test_the_extension_schema_served_is_the_one_in_the_repository(api: Client) -> None:
    response = await api.get("/schemas/ninjs-summarise-extension.json")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/schema+json")
    assert response.json() == iptc.read(EXTENSION_FILE)


@pytest.mark.parametrize(
    ("item", "detail"),
    [
        ({"uri": "urn:x", "headline": "No body"}, "no body text"),
        ({"uri": "urn:x", "body_html": "<p> </p><script>only()</script>"}, "no body text"),
        ({"bodies": [{"contentType": "image/png", "value": "iVBOR"}]}, "no body text"),
    ],
)
async def test_an_item_without_body_text_is_a_422(
    api: Client, answering: ModelServer, item: dict[str, Any], detail: str
) -> None:
    response = await api.post("/v1/ninjs/summaries", json=item)

    assert response.status_code == 422
    assert response.json()["type"].endswith("/invalid-ninjs")
    assert detail in response.json()["detail"]
    assert not answering.asked


async def test_an_unreadable_versioncreated_leaves_dates_unresolved_with_a_warning(
    api: Client, answering: ModelServer, seed_article: dict[str, Any]
) -> None:
    body = (await api.post("/v1/ninjs/summaries", json=ninjs_16(seed_article, versioncreated="yesterday"))).json()

    assert any("no publication date" in warning for warning in body["meta"]["warnings"])


async def test_agency_items_in_norwegian_and_swedish_come_back_with_their_dates_resolved(
    api: Client, answering: ModelServer
) -> None:
    """NTB's item (its text a description, Norwegian) and TT's (Swedish), as IPTC ships them: read in their
    languages, TT's dates resolved against its versionCreated (2021-05-26)."""
    examples = iptc.IPTC / "examples"
    ntb = (await api.post("/v1/ninjs/summaries", json=iptc.read(examples / "3.0_ntb_text.json"))).json()
    tt = (await api.post("/v1/ninjs/summaries", json=iptc.read(examples / "3.0_tt_text_image_3.json"))).json()

    assert ntb["text"].startswith("IT-giganten Google har kjøpt en tomt")
    assert ntb["dates"] == []  # its text names no date
    resolved = {d["text"]: (d["start"], d["end"]) for d in tt["dates"]}
    assert resolved["förra våren"] == ("2020-03-01", "2020-05-31")  # the spring before the article's
    assert resolved["april-maj"] == ("2021-04-01", "2021-05-31")
    assert_offsets_refer_to(tt, tt["text"])


async def test_a_text_description_is_read_as_a_body_is(api: Client, answering: ModelServer) -> None:
    """Markup with no content type is HTML for a description with role text as for a body ("up to the provider")."""
    item = {
        "uri": "urn:x",
        "language": "en",
        "descriptions": [{"role": "text", "value": "<p>The council met on <b>Monday</b>.</p><p>It voted.</p>"}],
    }

    body = (await api.post("/v1/ninjs/summaries", json=item)).json()

    assert body["text"].split() == ["The", "council", "met", "on", "Monday.", "It", "voted."]
