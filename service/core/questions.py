"""What we ask the model to fill, one focused question at a time, and the check that it is in the article.

These are model-facing schemas, kept small for small models (every output token costs ~40 ms on the
embedded model): capped lists, so a runaway list ends at the cap instead of eating the token budget; no
offsets; quotes only where code cannot find the evidence itself. A participant's evidence is the sentence
where code finds its name, a date's the sentence where code finds the expression; an open issue needs the
model's quote. The public contract in `schemas/` is built from these by the pipeline.

Validated with `context={"article": ArticleText}` (`ModelClient.extract(context=...)`), an answer is rejected when a
name, a date expression or a quote is not in the article, with a message that lists each one, and the
model is re-asked. Without that context (the lenient pass over a last answer) the check is skipped and
the pipeline drops what it cannot ground.
"""

from typing import Annotated, Self

from pydantic import BaseModel, Field, ValidationInfo, model_validator

from schemas import ParticipantKind
from service.core.alignment import ArticleText
from service.core.grounding import article_to_check
from service.model.salvage import is_lenient

Name = Annotated[str, Field(min_length=1, max_length=80)]
Short = Annotated[str, Field(max_length=160)]


class ExtractedParticipant(BaseModel):
    name: Name
    kind: ParticipantKind
    role: Short
    affiliation: Short | None = None
    aliases: Annotated[list[Name], Field(max_length=4)] = []

    def names(self) -> list[str]:
        return [self.name, *self.aliases]


class ExtractedDate(BaseModel):
    text: Annotated[str, Field(min_length=1, max_length=80)]
    event: Short


class ExtractedIssue(BaseModel):
    # The quote comes first: the model copies the passage, then says what it leaves open.
    quote: Annotated[str, Field(min_length=1, max_length=300)]
    issue: Annotated[str, Field(min_length=1, max_length=240)]
    parties: Annotated[list[Name], Field(max_length=6)] = []


class _Grounded(BaseModel):
    @model_validator(mode="after")
    def grounded_in_the_article(self, info: ValidationInfo) -> Self:
        article = None if is_lenient(info.context) else article_to_check()
        if article is not None and (problems := self.ungrounded(article)):
            raise ValueError(
                "; ".join(problems) + ". Use names, date expressions and quotes exactly as the article writes them."
            )
        return self

    def ungrounded(self, article: ArticleText) -> list[str]:
        return []


class ParticipantsAnswer(_Grounded):
    participants: Annotated[list[ExtractedParticipant], Field(max_length=15)]

    def ungrounded(self, article: ArticleText) -> list[str]:
        return [
            f"participant {p.name!r} is not named in the article"
            for p in self.participants
            if not any(article.contains(name) for name in p.names())
        ]


class DatesAnswer(_Grounded):
    dates: Annotated[list[ExtractedDate], Field(max_length=15)]

    def ungrounded(self, article: ArticleText) -> list[str]:
        return [f"date {d.text!r} is not written so in the article" for d in self.dates if not article.contains(d.text)]


class IssuesAnswer(_Grounded):
    open_issues: Annotated[list[ExtractedIssue], Field(max_length=5)]

    def ungrounded(self, article: ArticleText) -> list[str]:
        return [f"quote {i.quote!r} is not in the article" for i in self.open_issues if not article.contains(i.quote)]


class SummaryAnswer(BaseModel):
    summary: Annotated[str, Field(min_length=1, max_length=600)]


class CombinedSummaryAnswer(SummaryAnswer):
    """One summary of the partial summaries of a long article."""
