"""IPTC ninjs in and out, and the Superdesk AI-service envelope.

Accepted: ninjs 1.6 (`body_text` / `body_html`, `headline`, `versioncreated`, `language`, `uri`) and
ninjs 3.x (`bodies[]`, `headlines[]`, `versionCreated`, `language`, `uri`). Other ninjs fields are
allowed and ignored. Only what the summary needs is modelled.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from schemas.summary import SummaryResponse


class NinjsBody(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    value: str
    content_type: str = Field(default="text/plain", alias="contentType")
    role: str | None = None


class NinjsHeadline(BaseModel):
    model_config = ConfigDict(extra="allow")

    value: str
    role: str | None = None


class NinjsItem(BaseModel):
    """A ninjs news item, 1.6 or 3.x (told apart by `bodies` / `headlines`)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    uri: str | None = Field(default=None, max_length=2000)
    guid: str | None = Field(default=None, max_length=2000, description="Superdesk's item id.")
    language: str | None = Field(default=None, max_length=35)
    # 1.6
    headline: str | None = None
    body_text: str | None = None
    body_html: str | None = None
    versioncreated: str | None = None
    # 3.x
    headlines: list[NinjsHeadline] = Field(default_factory=list)
    bodies: list[NinjsBody] = Field(default_factory=list)
    version_created: str | None = Field(default=None, alias="versionCreated")

    @property
    def is_ninjs3(self) -> bool:
        return bool(self.bodies or self.headlines or self.version_created)


class NinjsSummaryResponse(SummaryResponse):
    text: str = Field(
        description="The article text the summary was made from (HTML converted to text): every evidence "
        "offset refers to this string."
    )


class SuperdeskRequest(BaseModel):
    """What Superdesk's AI-service integration POSTs."""

    model_config = ConfigDict(extra="allow")

    service: str | None = Field(default=None, description="The service name Superdesk was configured with.")
    item: NinjsItem


class SuperdeskResponse(BaseModel):
    analysis: dict[str, Any]
