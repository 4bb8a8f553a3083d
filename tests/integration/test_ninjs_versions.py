"""ninjs out in the version the client asks for (`?version=1.6|2.2|3.1`), converted by one table and
checked with IPTC's official schema of that version."""

import json
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from service.adapters.ninjs_versions import convert
from tests import iptc
from tests.factories import ModelServer
from tests.integration.test_ninjs import SEED_ITEMS, extension_of, schema_errors, without_extension

Client = AsyncTestClient[Any]
ASKED = {"1.6": "1.6", "2": "2.2", "3": "3.1"}  # the major we read, the version a client asks for
VALID_EXAMPLES = [
    path for path in iptc.examples() if not iptc.official_errors(iptc.version_of_example(path), iptc.read(path))
]

# One item per version with a field of every kind the table converts (lists of people, codes, renditions,
# associations, alternative ids, trust indicators, rights, counts, geometry), each valid by its official
# schema; and the fields the other versions have no place for.
RICH_16: dict[str, Any] = {
    "uri": "urn:newsml:example.com:20260224:rich",
    "type": "text",
    "mimetype": "text/plain",
    "representationtype": "complete",
    "versioncreated": "2026-02-24T09:30:00Z",
    "embargoed": "2026-02-24T10:00:00Z",
    "pubstatus": "usable",
    "urgency": 3,
    "copyrightholder": "TNA",
    "ednote": "Check the spelling of Witkoff.",
    "language": "en",
    "byline": "Ann Reporter",
    "headline": "U.S., Ukraine to hold talks in Geneva",
    "headline_subhead": "Envoys meet on Feb. 26",
    "body_text": "U.S. and Ukrainian officials will hold talks in Geneva on Feb. 26.",
    "body_html": "<p>U.S. and Ukrainian officials will hold talks in Geneva on Feb. 26.</p>",
    "description_caption": "Officials in Geneva.",
    "charcount": 66,
    "wordcount": 12,
    "person": [{"name": "Steve Witkoff", "rel": "about", "code": "http://www.wikidata.org/entity/Q115536578"}],
    "organisation": [
        {"name": "Kremlin", "rel": "mentions", "symbols": [{"ticker": "KRM", "exchange": "MOEX", "symbol": "K"}]}
    ],
    "place": [
        {
            "name": "Geneva",
            "rel": "mentions",
            "scheme": "http://cvx.iptc.org/iso3166-1a2/",
            "code": "ch",
            "geometry_point": {"type": "Point", "coordinates": [6.14, 46.2]},
        }
    ],
    "subject": [{"name": "diplomacy", "code": "medtop:20000638", "relevance": 90}],
    "genre": [{"name": "Current", "scheme": "http://cv.iptc.org/newscodes/genre/", "code": "Current"}],
    "infosource": [{"name": "Reuters", "rel": "source"}],
    "renditions": {"thumbnail": {"href": "https://example.com/t.jpg", "mimetype": "image/jpeg", "width": 100}},
    "associations": {"photo": {"uri": "urn:newsml:example.com:photo:1", "type": "picture", "headline": "Geneva"}},
    "altids": {"internal": "A-123"},
    "trustindicator": [{"scheme": "http://cv.iptc.org/newscodes/trustindicator/", "code": "editorialPolicy"}],
    "rightsinfo": {"linkedrights": "https://example.com/rights"},
    "$standard": {"name": "ninjs", "version": "1.6"},
}
RICH_3: dict[str, Any] = {
    "uri": "urn:newsml:example.com:20260224:rich3",
    "type": "text",
    "representationType": "full",
    "versionCreated": "2026-02-24T09:30:00Z",
    "embargoedUntil": "2026-02-24T10:00:00Z",
    "urgency": 2,
    "copyrightNotice": "(c) TNA",
    "language": "en",
    "by": "Ann Reporter",
    "headlines": [{"role": "main", "value": "U.S., Ukraine to hold talks"}],
    "bodies": [
        {"role": "main", "contentType": "text/plain", "value": "Talks in Geneva on Feb. 26.", "charCount": 27},
        {"role": "main", "contentType": "text/html", "value": "<p>Talks in Geneva on Feb. 26.</p>"},
    ],
    "people": [{"name": "Steve Witkoff", "uri": "http://www.wikidata.org/entity/Q115536578", "literal": "witkoff"}],
    "places": [{"name": "Geneva", "geoJSON": {"type": "Point", "coordinates": [6.14, 46.2]}}],
    "events": [{"id": "e1", "name": "Geneva talks", "literal": "talks"}],
    "eventDetails": {"eventStatus": "http://cv.iptc.org/newscodes/eventstatus/planned"},
    "renditions": [{"name": "stream", "href": "https://example.com/s.m3u8", "transportProtocol": "HLS"}],
    "associations": [{"name": "photo", "rel": "illustration", "uri": "urn:photo:1", "type": "picture"}],
    "altIds": [{"role": "internal", "value": "A-123"}],
    "trustIndicators": [{"role": "http://cv.iptc.org/newscodes/trustindicator/editorialPolicy"}],
    "rightsInfo": {"encodedRights": "<rights/>"},
    "digitalSourceType": {"uri": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation"},
    "standard": {"name": "ninjs", "version": "3.1", "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#"},
}
# What the other versions have no field for, by pointer in the item as sent.
RICH_LOST = {
    ("1.6", "2"): {"/mimetype"},
    ("1.6", "3"): {"/mimetype", "/organisation/0/symbols/0/ticker"},
    ("3", "2"): {"/events/0/id", "/eventDetails", "/renditions/0/transportProtocol", "/associations/0/rel"},
    ("3", "1.6"): {
        "/events/0/id",
        "/eventDetails",
        "/renditions/0/transportProtocol",
        "/associations/0/rel",
        "/people/0/literal",  # 1.6 holds one code: the uri
    },
}
RICH = {"1.6": RICH_16, "3": RICH_3}
OTHERS = [(source, target) for source in ("1.6", "2", "3") for target in ("1.6", "2", "3") if source != target]


def pairs(examples: list[Path]) -> list[tuple[Path, str]]:
    return [(path, target) for path in examples for target in ASKED if target != iptc.version_of_example(path)]


# Every example, IPTC's extension example too: its own property has no place in another version.
EXAMPLE_TO_EACH_OTHER = pytest.mark.parametrize(
    ("example", "target"), pairs(iptc.examples()), ids=lambda p: p.stem if isinstance(p, Path) else ASKED[p]
)


async def enrich_as(api: Client, item: dict[str, Any], version: str) -> dict[str, Any]:
    response = await api.post("/v1/ninjs/enrichments", params={"version": version}, json=item)
    assert response.status_code == 200, response.text
    enriched: dict[str, Any] = response.json()
    return enriched


@pytest.mark.parametrize("source", ["1.6", "3"])
def test_the_rich_items_are_valid_as_sent(source: str) -> None:
    assert not iptc.official_errors(source, RICH[source])


@pytest.mark.parametrize(("source", "target"), [pair for pair in OTHERS if pair[0] in RICH])
def test_a_field_of_every_kind_converts_to_a_valid_item_and_what_has_no_place_is_named(
    source: str, target: str
) -> None:
    converted, lost = convert(RICH[source], source, target)

    assert not iptc.official_errors(target, converted)
    assert set(lost) == RICH_LOST[source, target]
    for pointer, value in lost.items():  # each value is the one at that pointer in the item as sent
        part: Any = RICH[source]
        for key in pointer.strip("/").split("/"):
            part = part[int(key)] if isinstance(part, list) else part[key]
        assert part == value


def test_1_6_codes_renditions_and_patterns_become_2x_fields_as_iptc_converts_them() -> None:
    converted, _ = convert(RICH_16, "1.6", "2")

    assert converted["people"] == [
        {"name": "Steve Witkoff", "rel": "about", "uri": "http://www.wikidata.org/entity/Q115536578"}
    ]
    assert converted["places"][0]["uri"] == "http://cvx.iptc.org/iso3166-1a2/ch"  # scheme and code joined
    assert converted["places"][0]["geojson"] == RICH_16["place"][0]["geometry_point"]
    assert converted["subjects"][0]["literal"] == "medtop:20000638"  # a QCode is not a URI
    assert converted["headlines"] == [
        {"role": "main", "value": RICH_16["headline"]},
        {"role": "subhead", "value": RICH_16["headline_subhead"]},
    ]
    assert converted["bodies"][0] == {
        "role": "text",
        "contenttype": "text/plain",
        "value": RICH_16["body_text"],
        "charcount": 66,
        "wordcount": 12,
    }
    assert converted["bodies"][1]["contenttype"] == "text/html"
    assert converted["descriptions"] == [
        {"role": "caption", "contenttype": "text/plain", "value": "Officials in Geneva."}
    ]
    assert converted["renditions"] == [
        {"name": "thumbnail", "href": "https://example.com/t.jpg", "contenttype": "image/jpeg", "width": 100}
    ]
    assert converted["associations"][0]["name"] == "photo"
    assert converted["associations"][0]["headlines"] == [{"role": "main", "value": "Geneva"}]
    assert converted["altids"] == [{"role": "internal", "value": "A-123"}]
    assert converted["trustindicators"] == [{"role": "http://cv.iptc.org/newscodes/trustindicator/editorialPolicy"}]
    assert converted["by"] == "Ann Reporter"
    assert converted["representationtype"] == "full"
    assert converted["standard"] == {"name": "ninjs", "version": "2.2"}


@pytest.mark.parametrize(
    ("example", "target"), pairs(VALID_EXAMPLES), ids=lambda p: p.stem if isinstance(p, Path) else ASKED[p]
)
def test_a_round_trip_keeps_the_fields_both_versions_have(example: Path, target: str) -> None:
    item, source = iptc.read(example), iptc.version_of_example(example)

    there, lost = convert(item, source, target)
    back, _ = convert(there, target, source)

    if "1.6" not in (source, target):  # 2.x and 3.x differ only in names: exactly as sent
        assert back == item
        return
    # 1.6 has no content types and names its texts, so those come back as the other version writes them (in
    # an association too), and a scheme with a code comes back as one code, the URI 2.x/3.x hold; every other
    # field is the same but what the conversion said it lost (TT's `literal` beside a `uri`: 1.6 holds one
    # code), and so is every headline and body text.
    texts = ("headline", "body_", "description_", "headlines", "bodies", "descriptions", "charcount", "wordcount")
    kept = without_pointers(item, [pointer for pointer in lost if "/bodies/" not in pointer])
    assert with_joined_codes(without(back, texts)) == with_joined_codes(without(kept, texts))
    assert sorted(texts_of(back)) == sorted(texts_of(item))
    assert convert(back, source, target)[0] == there  # and converting again gives the same item


def without_pointers(item: dict[str, Any], pointers: list[str]) -> dict[str, Any]:
    """The item without the values at these JSON pointers ("/genres/0/literal")."""
    copy = json.loads(json.dumps(item))
    for pointer in pointers:
        *parents, last = pointer.strip("/").split("/")
        node: Any = copy
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        del node[int(last) if isinstance(node, list) else last]
    return copy


def without(item: dict[str, Any], prefixes: tuple[str, ...]) -> dict[str, Any]:
    """The item without the fields these prefixes name, in its associations (items too) as well."""
    kept = {key: value for key, value in item.items() if not key.startswith(prefixes)}
    if isinstance(associations := kept.get("associations"), list):
        kept["associations"] = [without(a, prefixes) if isinstance(a, dict) else a for a in associations]
    elif isinstance(associations, dict):  # 1.6 names them
        kept["associations"] = {k: without(a, prefixes) if isinstance(a, dict) else a for k, a in associations.items()}
    return kept


def with_joined_codes(item: dict[str, Any]) -> dict[str, Any]:
    """1.6 entries with `scheme` + `code` as the one code they come back as."""

    def joined(entry: dict[str, Any]) -> dict[str, Any]:
        if "scheme" not in entry:
            return entry
        rest = {k: v for k, v in entry.items() if k not in ("scheme", "code")}
        return {**rest, "code": entry["scheme"] + entry.get("code", "")}

    return {k: [joined(e) for e in v] if isinstance(v, list) and k != "trustindicator" else v for k, v in item.items()}


def texts_of(item: dict[str, Any]) -> list[str]:
    values = [v for k, v in item.items() if k == "headline" or k.startswith(("headline_", "body_", "description_"))]
    lists = [e["value"] for k in ("headlines", "bodies", "descriptions") for e in item.get(k, [])]
    return values + lists


def test_a_round_trip_from_1_6_keeps_codes_as_uris() -> None:
    back, lost = convert(convert(RICH_16, "1.6", "3")[0], "3", "1.6")

    assert back["person"] == RICH_16["person"]
    assert back["place"][0]["code"] == "http://cvx.iptc.org/iso3166-1a2/ch"  # one URI, as 2.x/3.x hold it
    assert back["renditions"] == RICH_16["renditions"]
    assert back["altids"] == RICH_16["altids"]
    assert {key: back[key] for key in ("headline", "headline_subhead", "body_text", "body_html")} == {
        key: RICH_16[key] for key in ("headline", "headline_subhead", "body_text", "body_html")
    }
    assert not lost


@EXAMPLE_TO_EACH_OTHER
async def test_every_iptc_example_enriched_in_every_other_version_is_valid_by_its_schema(
    api: Client, answering: ModelServer, example: Path, target: str
) -> None:
    item = iptc.read(example)

    enriched = await enrich_as(api, item, ASKED[target])

    assert not await schema_errors(api, enriched, target)
    assert enriched["$standard" if target == "1.6" else "standard"]["version"] == ASKED[target]
    extension = extension_of(enriched, target)
    assert extension["converted_from"].startswith(iptc.version_of_example(example).replace("1.6", "1"))
    assert any(w.startswith("converted from ninjs") for w in extension["meta"]["warnings"])
    if "foofoo" in item:
        assert extension["unconverted"]["/foofoo"] == item["foofoo"]


@pytest.mark.parametrize("source", ["1.6", "2", "3"])
async def test_asking_for_the_version_sent_changes_nothing(
    api: Client, answering: ModelServer, seed_article: dict[str, Any], source: str
) -> None:
    item = SEED_ITEMS[source](seed_article)

    asked = await enrich_as(api, item, ASKED[source])
    default = (await api.post("/v1/ninjs/enrichments", json=item)).json()

    assert without_extension(asked) == without_extension(default)
    ours, theirs = extension_of(asked, source), extension_of(default, source)
    assert {k: v for k, v in ours.items() if k != "meta"} == {k: v for k, v in theirs.items() if k != "meta"}
    assert ours["meta"]["warnings"] == theirs["meta"]["warnings"]  # the same answer, from the cache
    assert "converted_from" not in ours


async def test_what_the_version_asked_for_cannot_hold_is_in_the_extension_and_kept_on_re_enrichment(
    api: Client, answering: ModelServer, seed_article: dict[str, Any]
) -> None:
    item = SEED_ITEMS["1.6"](seed_article, mimetype="text/html")

    enriched = await enrich_as(api, item, "3.1")

    extension = enriched["summarise"]
    assert extension["converted_from"] == "1.6"
    assert extension["unconverted"] == {"/mimetype": "text/html"}
    assert any("/mimetype" in warning for warning in extension["meta"]["warnings"])
    again = await api.post("/v1/ninjs/enrichments", json=enriched)  # the CMS saves the 3.1 item
    assert again.json()["summarise"]["unconverted"] == {"/mimetype": "text/html"}
    assert not await schema_errors(api, again.json(), "3")


async def test_a_summary_in_another_version_carries_the_item_converted(
    api: Client, answering: ModelServer, seed_article: dict[str, Any]
) -> None:
    item = SEED_ITEMS["1.6"](seed_article)

    response = await api.post("/v1/ninjs/summaries", params={"version": "2.2"}, json=item)
    plain = (await api.post("/v1/ninjs/summaries", json=item)).json()

    assert response.status_code == 200, response.text
    body = response.json()
    assert not iptc.official_errors("2", body["item"])
    assert body["item"]["headlines"] == [{"role": "main", "value": seed_article["title"]}]
    assert body["text"] == plain["text"]
    assert "item" not in plain
    assert any(w.startswith("converted from ninjs 1.6 to 2.2") for w in body["meta"]["warnings"])


@pytest.mark.parametrize("route", ["/v1/ninjs/enrichments", "/v1/ninjs/summaries"])
@pytest.mark.parametrize("version", ["4.0", "3.0", "2", "", "3.1; DROP"])
async def test_an_unknown_version_is_a_422_problem_before_the_model(
    api: Client, answering: ModelServer, seed_article: dict[str, Any], route: str, version: str
) -> None:
    response = await api.post(route, params={"version": version}, json=SEED_ITEMS["3"](seed_article))

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("/invalid-ninjs")
    assert "1.6, 2.2 or 3.1" in problem["detail"]
    assert not answering.asked


def test_the_extension_schema_describes_the_conversion_fields() -> None:
    schema = json.loads((Path(__file__).parents[2] / "schemas" / "ninjs-summarise-extension.json").read_text())

    assert {"converted_from", "unconverted"} <= set(schema["$defs"]["summarise"]["properties"])


@pytest.mark.parametrize(("source", "target"), OTHERS)
async def test_an_enriched_item_enriched_again_in_another_version_has_its_summary_once(
    api: Client, answering: ModelServer, seed_article: dict[str, Any], source: str, target: str
) -> None:
    """Its summary description comes over as a description of the other version's naming
    (`description_summary` in 1.6, role `text` from 1.6's `description_text`): not added a second time."""
    once = await enrich_as(api, SEED_ITEMS[source](seed_article), ASKED[source])

    twice = await enrich_as(api, once, ASKED[target])

    summary = extension_of(twice, target)["summary"]
    if target == "1.6":
        descriptions = [value for key, value in twice.items() if key.startswith("description_")]
    else:
        descriptions = [entry["value"] for entry in twice["descriptions"]]
    assert descriptions.count(summary) == 1
    assert not await schema_errors(api, twice, target)


def test_two_1_6_shapes_of_a_place_are_one_geometry_collection_in_2x_and_3x() -> None:
    point = {"type": "Point", "coordinates": [6.14, 46.2]}
    area = {"type": "Polygon", "coordinates": [[[6.1, 46.1], [6.2, 46.1], [6.2, 46.3], [6.1, 46.1]]]}
    item = {**RICH_16, "place": [{"name": "Geneva", "geometry_point": point, "geometry_polygon": area}]}

    for target, key in (("2", "geojson"), ("3", "geoJSON")):
        converted, lost = convert(item, "1.6", target)

        assert converted["places"][0][key] == {"type": "GeometryCollection", "geometries": [point, area]}
        assert not [pointer for pointer in lost if pointer.startswith("/place")]
        assert not iptc.official_errors(target, converted)
