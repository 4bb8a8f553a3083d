"""Response body of `POST /v1/summaries`: the contract newsroom tools build on.

Every item carries evidence: verbatim quotes whose offsets the service located in the submitted text
itself. Offsets are Unicode code-point indices, `text[start:end]` (Python slicing, end exclusive).
"""

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field


class ParticipantKind(StrEnum):
    person = "person"
    organization = "organization"
    country = "country"
    group = "group"
    other = "other"


class Precision(StrEnum):
    day = "day"
    week = "week"
    month = "month"
    year = "year"


class MatchKind(StrEnum):
    exact = "exact"
    normalised = "normalised"  # equal after folding quotes, dashes, whitespace and case
    fuzzy = "fuzzy"  # a close match (a word dropped or changed); the quote shows the article's own words


class Evidence(BaseModel):
    quote: str = Field(description="The passage exactly as it stands in the article: text[start:end].")
    start: int = Field(ge=0, description="Code-point offset of the first character in the submitted text.")
    end: int = Field(ge=0, description="Code-point offset one past the last character.")
    match: MatchKind = Field(description="How the model's quote was aligned to the article.")


class Participant(BaseModel):
    name: str = Field(description="The fullest form of the name used in the article.")
    kind: ParticipantKind
    role: str | None = Field(default=None, description="What the participant is or does in this story.")
    affiliation: str | None = None
    aliases: list[str] = Field(default_factory=list, description="Other forms of the name in the article.")
    salience: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="How much the story is about them, by code: named in the headline and the lead, mentioned "
        "often, quoted. Participants are listed by it, most salient first.",
    )
    about: bool = Field(
        default=False, description="The story is about them (salience 0.5 or more), not only mentioning them."
    )
    confidence: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="How sure the service is that this is a participant: how often one of its class (a person named "
        "in full, a one-word person, another kind) was real on the gold set, times how its evidence matched; null "
        "when it was not measured.",
    )
    evidence: list[Evidence]


class DateItem(BaseModel):
    text: str = Field(description="The date expression exactly as written in the article.")
    start: date | None = Field(description="First day, resolved by the service; null if it cannot be resolved.")
    end: date | None = Field(description="Last day (equal to start for a single day).")
    precision: Precision | None
    approximate: bool = Field(description="Hedged in the article: 'around', 'give or take', 'early next week'.")
    event: str | None = Field(
        description="What happens then: the clause of the article that holds the date, found by code."
    )
    evidence: list[Evidence]


class OpenIssue(BaseModel):
    issue: str = Field(description="One sentence: what the article says is still unresolved.")
    parties: list[str] = Field(default_factory=list, description="Participants' names.")
    evidence: list[Evidence]


class Concept(BaseModel):
    """A concept of IPTC's Media Topics (https://iptc.org/standards/media-topics/, CC BY 4.0)."""

    qcode: str = Field(
        description="The concept's QCode: 'medtop:' and its eight-digit code.", examples=["medtop:20000076"]
    )
    uri: str = Field(examples=["http://cv.iptc.org/newscodes/mediatopic/20000076"])
    name: str = Field(description="Its label in the article's language where the vocabulary has one, else in English.")


class Subject(Concept):
    """What the article is about, as a newsroom files it: a Media Topic, the most specific that fits."""

    language: str = Field(description="The language of `name` (BCP 47).")
    broader: list[Concept] = Field(
        default_factory=list, description="Its broader concepts, the parent first, up to one of the 17 top concepts."
    )
    wikidata: str | None = Field(default=None, description="The Wikidata entity the vocabulary matches it to (Q-id).")
    relevance: float = Field(
        ge=0,
        le=1,
        description="How much of the article is about it, by code: its terms in the headline, the lead and the text.",
    )
    confidence: float = Field(
        ge=0,
        le=1,
        description="How sure the service is of it: how near the model's subject term is in meaning to the concept's "
        "label and definition, and whether code's own retrieval over the article agreed.",
    )
    evidence: list[Evidence] = Field(description="The article's sentences that speak of it.")


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class Meta(BaseModel):
    model: str
    prompt_version: str
    mode: str = Field(description="Structured-output mode used with the model server.")
    attempts: int = Field(description="Answers requested from the model, re-asks included.")
    retries: int = Field(description="Transient model-server failures that were retried.")
    usage: Usage = Field(description="Tokens summed over all attempts.")
    latency_ms: int
    chunks: int = Field(default=1, description="Parts a long article was split into to fit the model's context.")
    cached: bool = Field(
        default=False,
        description="Served from the cache: the same article, model and prompt version was summarised before.",
    )
    warnings: list[str] = Field(default_factory=list)


class SummaryResponse(BaseModel):
    id: str | None = Field(default=None, description="The client's reference, echoed back.")
    summary: str
    participants: list[Participant]
    dates: list[DateItem]
    open_issues: list[OpenIssue]
    subjects: list[Subject] = Field(
        default_factory=list,
        description="IPTC Media Topics the article is filed under, the main one first (at most 4).",
    )
    meta: Meta
