"""The Server-Sent Events of `POST /v1/summaries` with `Accept: text/event-stream`, in this order:

- `found`: what code found before the model is asked: the named candidates (null without an NER
  pipeline for the article's language) and the date expressions, with their offsets in `text`;
- `grounded`, once per question (participants, dates, open_issues): the response so far, its answers
  grounded in the article; the summary is empty until the end;
- then `summary`, the complete response (the same as the JSON answer), or `problem`, an RFC 9457 body.
"""

from pydantic import BaseModel, Field

from schemas.summary import ParticipantKind, SummaryResponse


class Span(BaseModel):
    text: str = Field(description="The words exactly as in the article: text[start:end].")
    start: int = Field(ge=0, description="Code-point offset of the first character in the submitted text.")
    end: int = Field(ge=0, description="Code-point offset one past the last character.")


class FoundName(BaseModel):
    name: str = Field(description="The fullest form of the name in the article.")
    kind: ParticipantKind
    aliases: list[str] = Field(default_factory=list)
    mentions: list[Span] = Field(description="Every place the article names it, in any of its forms.")


class FoundEvent(BaseModel):
    """Event `found`."""

    names: list[FoundName] | None = Field(description="Named candidates; null: no NER for the language.")
    dates: list[Span] = Field(description="Date expressions, before the model says what happens then.")


class GroundedEvent(BaseModel):
    """Event `grounded`."""

    question: str = Field(description="participants, dates or open_issues: what this event adds.")
    partial: SummaryResponse = Field(description="The response so far (summary empty, meta not yet counted).")
