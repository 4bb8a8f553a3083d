"""Request body of `POST /v1/summaries`."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ArticleRequest(BaseModel):
    """One article to summarise. Only `text` is required."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "seed-geneva",
                    "title": "U.S., Ukraine to hold talks in Geneva",
                    "published": "2026-02-24",
                    "language": "en",
                    "text": "U.S. and Ukrainian officials will hold another round of talks in Geneva, "
                    "Switzerland on Feb. 26, Special Envoy Steve Witkoff said.",
                }
            ]
        },
    )

    text: str = Field(description="The article as plain text. Evidence offsets refer to this string.")
    title: str | None = Field(default=None, max_length=1000)
    published: datetime | date | None = Field(
        default=None,
        description="Publication date or datetime (ISO 8601): the reference for relative dates. "
        "Without it, relative dates stay unresolved.",
    )
    language: str | None = Field(
        default=None,
        max_length=35,
        pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$",
        description="BCP 47 tag of the article's language, e.g. `en`, `de-CH`.",
    )
    id: str | None = Field(default=None, max_length=200, description="Client reference, echoed back.")

    @field_validator("text")
    @classmethod
    def text_has_content(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("text is empty: send the article body as plain text")
        if "\x00" in text:
            raise ValueError("text contains NUL characters")
        return text

    @property
    def published_date(self) -> date | None:
        if isinstance(self.published, datetime):
            return self.published.date()
        return self.published
