"""The iMatrics `article/analysis` contract, as Superdesk's own client uses it.

Superdesk (superdesk-core `superdesk/text_checkers/ai/imatrics.py`, class `IMatrics`) POSTs
`{uuid, pubStatus, headline, body: [paragraphs], language}` (and, since 2.6, `concepts`: the tags the
article already has) to `{IMATRICS_BASE_URL}article/analysis` with basic auth, and reads `concepts` and
`broader`. Its `concept2tag_data` makes each concept a tag: `title` the name, `uuid` the qcode and
`altids.imatrics`, `type` the tag list (person, organisation, place), `shortDescription` the description,
`author` the tag's `original_source`, `weight` the order.

Subjects are IPTC Media Topics, concepts of `type` "category": Superdesk files them in the `mediatopic`
scheme, its IPTC `exactMatch` link sets `altids.medtop` and its Wikidata link `altids.wikidata`, and
`broader` names the parent, itself in the answer. Its tag search asks `concept/get` (`operation=title_type`,
`{title, type, draft, size}`) and each parent by `operation=id` (`{uuid}`), reading `result`.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator


class AnalysisRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    uuid: str | None = Field(default=None, max_length=2000, description="Superdesk's item guid.")
    pubStatus: bool = Field(default=False, description="True when Superdesk sends saved tags.")
    headline: str = ""
    body: list[str] = Field(default_factory=list, description="The body's paragraphs, as text.")
    language: str | None = Field(default=None, max_length=35)
    concepts: list[dict[str, Any]] = Field(default_factory=list, description="Tags the article has (ignored).")

    @field_validator("pubStatus", mode="before")
    @classmethod
    def a_boolean(cls, value: Any) -> Any:
        if not isinstance(value, bool):  # pydantic alone takes 0, 1, "yes"
            raise ValueError("pubStatus must be true or false")
        return value


class Link(BaseModel):
    source: Literal["IPTC", "wikidata"]
    relationType: Literal["exactMatch"] = "exactMatch"
    id: str = Field(description="IPTC: the Media Topic's QCode (medtop:…); wikidata: the entity (Q…).")
    uri: str


class Concept(BaseModel):
    uuid: str = Field(
        description="Superdesk's qcode: a Media Topic's QCode (medtop:…) for a category; for a participant, "
        "stable for the same name and type."
    )
    title: str
    type: Literal["person", "organisation", "place", "category"]
    weight: float = Field(
        description="Higher first, within a type: a subject's relevance; the order participants were found in."
    )
    shortDescription: str | None = Field(
        default=None,
        description="The participant's role in this story, or the Media Topic's definition: the tag's description.",
    )
    aliases: list[str] = Field(default_factory=list)
    author: str = "summarise"
    source: str = "summarise"
    broader: str | None = Field(default=None, description="A category's parent, by its uuid (medtop:…).")
    links: list[Link] = Field(default_factory=list)


class HowAnswered(BaseModel):
    source: Literal["cache", "model", "code"] = Field(
        description="cache: a summary made before; model: made now, in time; code: NER and dates only, because "
        "the model would have taken longer than SUMMARISE_IMATRICS_WAIT_S (it goes on, and its summary is cached "
        "for the next analysis) or could not be reached."
    )
    summary: str | None = Field(default=None, description="The summary, when the model made one (not by code).")
    dates: list[dict[str, Any]] = Field(default_factory=list, description="Dates found, as in a summary.")
    warnings: list[str] = Field(default_factory=list)


class AnalysisResponse(BaseModel):
    concepts: list[Concept]
    broader: list[Concept] = Field(
        default_factory=list,
        description="The broader Media Topics of the subjects in `concepts`, up to their top concepts, not "
        "themselves subjects: every parent a `broader` names is in the answer.",
    )
    summarise: HowAnswered


class ConceptQuery(BaseModel):
    """`concept/get`: a tag search (`operation=title_type`) or a concept by its uuid (`operation=id`)."""

    model_config = ConfigDict(extra="allow")

    title: str = Field(default="", max_length=200, description="What the editor typed (title_type).")
    type: str = Field(default="all", max_length=50, description="all, category or topic: Media Topics; else none.")
    draft: bool = False
    size: int = Field(default=10, ge=1, le=100)

    @field_validator("draft", "size", mode="before")
    @classmethod
    def json_type_as_documented(cls, value: Any, info: ValidationInfo) -> Any:
        """`"draft": 0` or `"size": true` is refused, as the schema says, not read as the other type (Litestar
        validates leniently, whatever the model's own strictness)."""
        wanted = bool if info.field_name == "draft" else int
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            raise ValueError(f"must be a JSON {'boolean' if wanted is bool else 'integer'}")
        return value

    uuid: str | None = Field(default=None, max_length=200, description="The concept asked for (id).")
    language: str | None = Field(
        default=None, max_length=35, description="Not sent by Superdesk: the language of the titles (else English)."
    )


class ConceptResult(BaseModel):
    result: list[Concept]
    response: str = "Request successful."
    error: bool = False


class StoreResponse(BaseModel):
    """`article/store` (`article/concept` before Superdesk 2.6): Superdesk sends the saved tags as feedback."""

    error: bool = False
