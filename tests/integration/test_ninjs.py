"""ninjs 1.6 and 3.x in, our summary or a ninjs enrichment out, and the Superdesk adapter."""

import html
from typing import Any

import pytest
import respx
from litestar.testing import AsyncTestClient

from tests.factories import ModelServer

Client = AsyncTestClient[Any]


@pytest.fixture
def answering(model_server: respx.MockRouter) -> ModelServer:
    server = ModelServer()
    model_server.post("/chat/completions").mock(side_effect=server)
    return server


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


def ninjs_3(seed_article: dict[str, Any]) -> dict[str, Any]:
    return {
        "uri": "urn:newsml:example.com:20260224:geneva",
        "type": "text",
        "headlines": [{"role": "main", "value": seed_article["title"]}],
        "bodies": [{"role": "main", "contentType": "text/html", "value": as_html(seed_article)}],
        "versionCreated": "2026-02-24T09:30:00Z",
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
    assert "Title: " + seed_article["title"] in answering.requests["participants"][0]["messages"][1]["content"]


async def test_body_text_is_preferred_to_body_html(
    api: Client, answering: ModelServer, seed_article: dict[str, Any]
) -> None:
    item = ninjs_16(seed_article, body_text=seed_article["text"], body_html="<p>Something else entirely.</p>")

    body = (await api.post("/v1/ninjs/summaries", json=item)).json()

    assert body["text"] == seed_article["text"]


async def test_a_16_enrichment_adds_people_organisations_places_and_the_extension(
    api: Client, answering: ModelServer, seed_article: dict[str, Any]
) -> None:
    item = ninjs_16(seed_article)

    response = await api.post("/v1/ninjs/enrichments", json=item)

    assert response.status_code == 200, response.text
    enriched = response.json()
    assert enriched["headline"] == item["headline"]  # the item as sent is kept
    assert enriched["body_html"] == item["body_html"]
    assert {"name": "Steve Witkoff", "rel": "summarise:participant"}.items() <= enriched["person"][0].items()
    assert [o["name"] for o in enriched["organisation"]] == ["Kremlin"]
    assert enriched["description_text"].startswith("U.S. and Ukrainian officials plan more talks")
    extension = enriched["x-summarise"]
    assert extension["text"] == "\n".join(paragraphs(seed_article))
    assert {d["text"] for d in extension["dates"]} >= {"Feb. 26", "Feb. 24"}
    assert extension["open_issues"][0]["parties"] == ["Kremlin"]
    assert "people" not in enriched


async def test_a_3x_enrichment_uses_the_3x_names(
    api: Client, answering: ModelServer, seed_article: dict[str, Any]
) -> None:
    enriched = (await api.post("/v1/ninjs/enrichments", json=ninjs_3(seed_article))).json()

    assert [p["name"] for p in enriched["people"]][:2] == ["Steve Witkoff", "Jared Kushner"]
    assert [o["name"] for o in enriched["organisations"]] == ["Kremlin"]
    assert enriched["descriptions"] == [
        {"role": "summary", "contentType": "text/plain", "value": enriched["x-summarise"]["summary"]}
    ]
    assert "person" not in enriched


async def test_superdesk_posts_an_item_and_gets_an_analysis(
    api: Client, answering: ModelServer, seed_article: dict[str, Any]
) -> None:
    request = {
        "service": "summarise",
        "item": {
            "guid": "urn:newsml:localhost:5000:2026-02-24T09:30:00.000000:1a2b",
            "headline": seed_article["title"],
            "body_html": as_html(seed_article),
            "language": "en",
            "versioncreated": "2026-02-24T09:30:00+0000",
            "slugline": "GENEVA-TALKS",
        },
    }

    response = await api.post("/v1/superdesk", json=request)

    assert response.status_code == 200, response.text
    analysis = response.json()["analysis"]
    assert analysis["person"][0] == {
        "name": "Steve Witkoff",
        "description": "U.S. Special Envoy; announced the talks",
        "scheme": "summarise",
    }
    assert analysis["organisation"][0]["name"] == "Kremlin"
    assert analysis["summary"]
    assert analysis["meta"]["model"] == "test-model"
    assert_offsets_refer_to(analysis | {"participants": []}, analysis["text"])


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
