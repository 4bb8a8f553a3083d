"""ninjs items to articles, summaries to ninjs enrichment and Superdesk analysis.

HTML bodies become text with inscriptis (a real HTML-to-text converter: block elements become line
breaks, entities are decoded, scripts dropped); the text is returned with the summary, since every
evidence offset refers to it.
"""

from datetime import datetime
from typing import Any

from inscriptis import get_text

from schemas import ArticleRequest, SummaryResponse
from schemas.ninjs import NinjsItem
from service.errors import InvalidNinjs

# Our participant kinds in ninjs: 1.6 property, 3.x property. Groups and "other" have no ninjs list;
# they stay in the extension.
_NINJS_LISTS = {
    "person": ("person", "people"),
    "organization": ("organisation", "organisations"),
    "country": ("place", "places"),
}
EXTENSION = "x-summarise"


def to_article(item: NinjsItem) -> ArticleRequest:
    text = _body_text(item)
    if not text.strip():
        raise InvalidNinjs("the item has no body text: send body_text or body_html (1.6) or bodies[] (3.x)")
    headline = item.headlines[0].value if item.headlines else item.headline
    created = item.version_created or item.versioncreated
    return ArticleRequest(
        text=text,
        title=(headline or "")[:1000] or None,
        published=_iso_date(created),
        language=item.language,
        id=item.uri or item.guid,
    )


def _body_text(item: NinjsItem) -> str:
    if item.bodies:
        plain = [body.value for body in item.bodies if body.content_type.startswith("text/plain")]
        if plain:
            return plain[0]
        html = [body.value for body in item.bodies if "html" in body.content_type]
        return _html_to_text(html[0]) if html else ""
    if item.body_text:
        return item.body_text
    return _html_to_text(item.body_html) if item.body_html else ""


def _html_to_text(html: str) -> str:
    lines = [line.strip() for line in get_text(html).splitlines()]
    return "\n".join(line for line in lines if line)  # one line per paragraph: what grounding expects


def _iso_date(value: str | None) -> str | None:
    """ninjs dates are ISO 8601 datetimes; anything else is left out rather than refused."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        return None


def enrichment(item: NinjsItem, summary: SummaryResponse, text: str) -> dict[str, Any]:
    """The item as sent, plus participants as ninjs people/organisations/places, the summary as a
    description, and our dates, open issues and evidence under the `x-summarise` extension."""
    enriched = item.model_dump(by_alias=True, exclude_none=True, exclude_defaults=True)
    version = 1 if item.is_ninjs3 else 0
    for participant in summary.participants:
        if names := _NINJS_LISTS.get(participant.kind.value):
            entry = {"name": participant.name, "rel": "summarise:participant"}
            if participant.role:
                entry["literal"] = participant.role
            enriched.setdefault(names[version], []).append(entry)
    if item.is_ninjs3:
        enriched.setdefault("descriptions", []).append(
            {"role": "summary", "contentType": "text/plain", "value": summary.summary}
        )
    else:
        enriched["description_text"] = summary.summary
    enriched[EXTENSION] = {"text": text, **summary.model_dump(mode="json")}
    return enriched


def superdesk_analysis(summary: SummaryResponse, text: str) -> dict[str, Any]:
    """Superdesk's AI-service shape: tag lists by type, each tag with a name and a description."""
    tags: dict[str, list[dict[str, Any]]] = {"person": [], "organisation": [], "place": []}
    for participant in summary.participants:
        if names := _NINJS_LISTS.get(participant.kind.value):
            tags[names[0]].append(
                {"name": participant.name, "description": participant.role or "", "scheme": "summarise"}
            )
    return {
        "summary": summary.summary,
        **tags,
        "dates": [date.model_dump(mode="json") for date in summary.dates],
        "open_issues": [issue.model_dump(mode="json") for issue in summary.open_issues],
        "text": text,
        "meta": summary.meta.model_dump(mode="json"),
    }
