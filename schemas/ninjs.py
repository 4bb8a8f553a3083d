"""IPTC ninjs in and out.

Accepted: ninjs 1.6 (`body_*` properties such as `body_text`, `body_html`, `body_main`, `body_richtext`;
`headline`; `versioncreated`), ninjs 2.x (`bodies[]` and `headlines[]` with `contenttype`,
`versioncreated`) and ninjs 3.x (the same with `contentType`, `versionCreated`). 2.x and 3.x are told apart
by their own field names (lowercase or camelCase), or by the version the item's `standard` declares.
Every other field is allowed, kept in an enrichment as sent, and otherwise ignored. Only what the summary
needs is modelled here.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from schemas.summary import SummaryResponse


class NinjsBody(BaseModel):
    """A body, headline or description of 2.x (`contenttype`) or 3.x (`contentType`)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    value: str
    content_type: str | None = Field(default=None, alias="contentType", description="3.x")
    content_type_2: str | None = Field(default=None, alias="contenttype", description="2.x")
    role: str | None = None


class NinjsItem(BaseModel):
    """A ninjs news item, 1.6, 2.x or 3.x."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    uri: str | None = Field(default=None, max_length=2000, description="Required by every ninjs version.")
    language: str | None = Field(default=None, max_length=35)
    # 1.6 (other body_* and headline_* properties are read too)
    headline: str | None = None
    body_text: str | None = None
    body_html: str | None = None
    # 1.6 and 2.x
    versioncreated: str | None = None
    # 2.x and 3.x
    headlines: list[NinjsBody] = Field(default_factory=list)
    bodies: list[NinjsBody] = Field(default_factory=list)
    descriptions: list[NinjsBody] = Field(default_factory=list)
    standard: dict[str, Any] | None = Field(default=None, description="2.x and 3.x: name, version, schema.")
    # 3.x
    version_created: str | None = Field(default=None, alias="versionCreated")
    # 1.6
    standard_16: dict[str, Any] | None = Field(default=None, alias="$standard")


class NinjsSummaryResponse(SummaryResponse):
    text: str = Field(
        description="The article text the summary was made from (HTML converted to text): every evidence "
        "offset refers to this string."
    )


class NinjsConvertedSummaryResponse(NinjsSummaryResponse):
    """The answer when the client asked for a `version`: the item as sent, in that version, too."""

    item: dict[str, Any] = Field(
        description="The item as sent, converted to the version asked for (what that version has no place "
        "for is named in meta.warnings)."
    )


class NinjsExtension(SummaryResponse):
    """Our data in an enriched item: the summary response and the text its offsets refer to. Published as
    the `summarise` definition of the extension schema (GET /schemas/ninjs-summarise-extension.json)."""

    text: str = Field(description="The article text every evidence offset refers to.")
    converted_from: str | None = Field(
        default=None,
        description="The ninjs version of the item as sent, when it was converted to the version asked for.",
    )
    unconverted: dict[str, Any] | None = Field(
        default=None,
        description="The fields of the item as sent that the version asked for has no place for: each value "
        "by its JSON pointer in the item as sent (e.g. `/mimetype` from 1.6, `/eventDetails` from 3.x).",
    )


EXTENSION_ID = "https://summarise.dev/schemas/ninjs-summarise-extension.json"
EXTENSION_PATH = "/schemas/ninjs-summarise-extension.json"  # where the API serves it
# IPTC's official schemas, by the major version we write; 2.x and 3.x extend their `ninjsType`.
IPTC_SCHEMAS = {
    "1.6": "http://www.iptc.org/std/ninjs/ninjs-schema_1.6.json",
    "2": "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json",
    "3": "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json",
}
# 1.6 closes its root to every property but `body_*`, `headline_*` and `description_*` strings: our data
# goes in one of those, as JSON text.
EXTENSION_PROPERTY = {"1.6": "description_summarise_json", "2": "summarise", "3": "summarise"}


def extension_schema() -> dict[str, Any]:
    """Our extension of ninjs the IPTC way (a schema of our own that references the ninjs type, declared in
    the item's `standard` / `$standard`): one definition per ninjs version, and `summarise`, our data.
    schemas/ninjs-summarise-extension.json is this document (a test keeps them equal)."""
    data = NinjsExtension.model_json_schema(mode="serialization", ref_template="#/$defs/{model}")
    models = data.pop("$defs", {})
    summarise = {"$ref": "#/$defs/summarise"}
    versions: dict[str, Any] = {
        f"ninjs-{major}": {
            "title": f"ninjs {major}.x with summarise's data",
            "allOf": [{"$ref": f"{IPTC_SCHEMAS[major]}#/$defs/ninjsType"}],
            "required": ["uri"],
            "properties": {EXTENSION_PROPERTY[major]: summarise},
            "unevaluatedProperties": False,
        }
        for major in ("2", "3")
    }
    versions["ninjs-1.6"] = {
        "title": "ninjs 1.6 with summarise's data",
        "description": "1.6 allows no property of another schema: our data is JSON text in a description_ "
        "property, which 1.6 defines as free text named for its format and purpose.",
        "allOf": [{"$ref": f"{IPTC_SCHEMAS['1.6']}#"}],
        "properties": {
            EXTENSION_PROPERTY["1.6"]: {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": summarise,
            }
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": EXTENSION_ID,
        "title": "summarise's extension of IPTC ninjs",
        "description": "All of IPTC ninjs (1.6, 2.x, 3.x), plus our summary, participants, dates, open issues, "
        "evidence and meta. An enriched item declares the definition of its version in `standard.schema` "
        "(`$standard.schema` in 1.6), e.g. this document's URL + '#/$defs/ninjs-3'.",
        "$defs": {**versions, "summarise": data, **models},
    }
