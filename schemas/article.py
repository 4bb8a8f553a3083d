"""Request body of `POST /v1/summaries`."""

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StringConstraints, field_validator

# Blank: Unicode's whitespace (NBSP, em and ideographic spaces, line separators...) and the invisible
# characters a CMS leaves behind (zero-width space and joiners, word joiner, BOM).
_BLANK = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace()) + "\u200b\u200c\u200d\u2060\ufeff"
# Documents the rule the validator below enforces with clearer messages: not blank, no NUL characters.
# The blanks spelled out as \uXXXX: `\s` differs between Python's, Rust's and JavaScript's regex engines.
_BLANK_CLASS = "".join(f"\\u{ord(ch):04x}" for ch in _BLANK)
_PLAIN_TEXT = rf"^[^\u0000]*[^{_BLANK_CLASS}\u0000][^\u0000]*$"
_NUL = "has NUL characters (U+0000); check how the client encodes the article"
_NO_NUL = r"^[^\u0000]*$"  # title and id: documented here (the validator says it better), as for `text`
# Markup tags an article body pasted from a CMS carries; three or more and the text is HTML, not prose.
_HTML_TAG = re.compile(
    r"</?(?:html|body|head|p|div|span|br|a|b|i|em|strong|h[1-6]|ul|ol|li|table|tr|td|script|style)\b[^>]*>", re.I
)
_HTML_TAGS_ALLOWED = 2
_LANGUAGE_TAG = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
_ISO_DATE_START = re.compile(r"^\d{4}-\d{2}-\d{2}(?:$|[T ])")
EARLIEST_PUBLISHED = date(1600, 1, 1)


_EXAMPLE: dict[str, JsonValue] = {
    "id": "seed-geneva",
    "title": "U.S., Ukraine to hold talks in Geneva",
    "published": "2026-02-24",
    "language": "en",
    "text": "U.S. and Ukrainian officials will hold another round of talks in Geneva, "
    "Switzerland on Feb. 26, Special Envoy Steve Witkoff said.",
}


class ArticleRequest(BaseModel):
    """One article to summarise. Only `text` is required."""

    model_config = ConfigDict(
        extra="allow",  # a tolerant reader: unknown fields are ignored and named in meta.warnings
        json_schema_extra={"examples": [_EXAMPLE]},
        example=_EXAMPLE,  # type: ignore[typeddict-unknown-key]  # what Litestar's OpenAPI reads
    )

    text: Annotated[str, StringConstraints(pattern=_PLAIN_TEXT)] = Field(
        description="The article as plain text (not HTML). Evidence offsets refer to this string."
    )
    title: str | None = Field(default=None, max_length=1000, json_schema_extra={"pattern": _NO_NUL})
    published: datetime | date | None = Field(
        default=None,
        description="Publication date or datetime (ISO 8601): the reference for relative dates. "
        "Without it, or before 1600, or more than a year from now, relative dates stay unresolved.",
    )
    language: str | None = Field(
        default=None,
        max_length=35,
        pattern=_LANGUAGE_TAG,
        # Litestar's OpenAPI drops `pattern` on optional strings; at the outer level it still applies to strings.
        json_schema_extra={"pattern": _LANGUAGE_TAG},
        description=(
            "BCP 47 tag of the article's language, e.g. `en`, `de-CH`. A region south of the equator "
            "(`en-AU`, `es-AR`) puts summer in December to February."
        ),
    )
    id: str | None = Field(
        default=None,
        max_length=200,
        json_schema_extra={"pattern": _NO_NUL},
        description="Client reference, echoed back.",
    )

    @field_validator("text", mode="before")
    @classmethod
    def text_is_plain_prose(cls, text: Any) -> Any:
        if not isinstance(text, str):
            return text  # the type check says what is wrong
        if not text.strip(_BLANK):
            raise ValueError("text is empty: send the article body as plain text")
        if "\x00" in text:
            raise ValueError(_NUL)
        tags = _HTML_TAG.findall(text)
        if len(tags) > _HTML_TAGS_ALLOWED:
            # Evidence offsets refer to the text as sent, so we do not strip markup behind the client's back.
            shown = ", ".join(dict.fromkeys(tag.lower() for tag in tags[:5]))
            raise ValueError(
                f"looks like HTML ({len(tags)} tags such as {shown}): send the article as plain text, "
                "or as a ninjs item with body_html to /v1/ninjs/summaries, which converts it"
            )
        return text

    @field_validator("title", "id")
    @classmethod
    def no_nul(cls, value: str | None) -> str | None:
        if value is not None and "\x00" in value:
            raise ValueError(_NUL)
        return value

    @field_validator("published", mode="before")
    @classmethod
    def published_is_iso_text(cls, published: Any) -> Any:
        # pydantic alone would read 0 or "0" as a Unix time
        if isinstance(published, (date, type(None))):
            return published
        if not (isinstance(published, str) and _ISO_DATE_START.match(published)):
            raise ValueError("published must be an ISO 8601 date or datetime string, e.g. 2026-02-24")
        return published

    @property
    def published_date(self) -> date | None:
        """The reference for relative dates; None when not given or implausible (see `input_warnings`)."""
        day = self.published.date() if isinstance(self.published, datetime) else self.published
        return day if day is not None and _plausible(day) else None

    def input_warnings(self) -> list[str]:
        """What the service ignored in this request, for `meta.warnings`."""
        warnings = []
        if self.model_extra:
            warnings.append(f"ignored unknown fields: {', '.join(sorted(self.model_extra))}")
        day = self.published.date() if isinstance(self.published, datetime) else self.published
        if day is not None and not _plausible(day):
            # 0001-01-01 or 9999-12-31 are CMS placeholders, not dates to resolve "next Tuesday" against.
            warnings.append(
                f"published {day.isoformat()} is not a plausible publication date (before {EARLIEST_PUBLISHED} "
                "or more than a year from now): relative dates are left unresolved"
            )
        return warnings


def _plausible(day: date) -> bool:
    return EARLIEST_PUBLISHED <= day <= datetime.now(UTC).date() + timedelta(days=366)
