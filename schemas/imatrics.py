"""The iMatrics `article/analysis` contract, as Superdesk's own client uses it.

Superdesk (superdesk-core `superdesk/text_checkers/ai/imatrics.py`, class `IMatrics`) POSTs
`{uuid, pubStatus, headline, body: [paragraphs], language}` (and, since 2.6, `concepts`: the tags the
article already has) to `{IMATRICS_BASE_URL}article/analysis` with basic auth, and reads `concepts` and
`broader`. Its `concept2tag_data` makes each concept a tag: `title` the name, `uuid` the qcode and
`altids.imatrics`, `type` the tag list (person, organisation, place), `shortDescription` the description,
`author` the tag's `original_source`, `weight` the order.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


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


class Concept(BaseModel):
    uuid: str = Field(description="Stable for the same name and type: Superdesk's qcode.")
    title: str
    type: Literal["person", "organisation", "place"]
    weight: float = Field(description="Higher first: the order participants were found in.")
    shortDescription: str | None = Field(
        default=None, description="The participant's role in this story: the tag's description."
    )
    aliases: list[str] = Field(default_factory=list)
    author: str = "summarise"
    source: str = "summarise"
    broader: str | None = None
    links: list[dict[str, str]] = Field(default_factory=list)


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
    broader: list[Concept] = Field(default_factory=list, description="Always empty: no concept hierarchy.")
    summarise: HowAnswered


class StoreResponse(BaseModel):
    """`article/store` (`article/concept` before Superdesk 2.6): Superdesk sends the saved tags as feedback."""

    error: bool = False
