"""The shape we ask the model to fill, and the check that what it names is really in the article.

This is the model-facing schema, kept small for small models (every output token costs ~40 ms on the
embedded model): capped lists, so a runaway list ends at the cap instead of eating the token budget; no
offsets; quotes only where code cannot find the evidence itself. A participant's evidence is the sentence
where code finds its name, a date's the sentence where code finds the expression; an open issue needs
the model's quote. The public contract in `schemas/` is built from this by the pipeline.

With `context={"article": ArticleText}` (instructor's `context=`), an answer is rejected when a name, a
date expression or a quote is not in the article, with a message that lists each one, and the model is
re-asked. Without that context (the lenient pass over a last answer) the check is skipped and the
pipeline drops what it cannot ground.
"""

from typing import Annotated

from pydantic import BaseModel, Field, ValidationInfo, model_validator

from schemas import ParticipantKind
from service.grounding import ArticleText

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
    text: Annotated[str, Field(min_length=1, max_length=60)]
    event: Short


class ExtractedIssue(BaseModel):
    issue: Annotated[str, Field(min_length=1, max_length=240)]
    parties: Annotated[list[Name], Field(max_length=6)] = []
    quote: Annotated[str, Field(min_length=1, max_length=300)]


class Extraction(BaseModel):
    summary: Annotated[str, Field(min_length=1, max_length=600)]
    participants: Annotated[list[ExtractedParticipant], Field(max_length=15)]
    dates: Annotated[list[ExtractedDate], Field(max_length=10)]
    open_issues: Annotated[list[ExtractedIssue], Field(max_length=5)]

    @model_validator(mode="after")
    def grounded_in_the_article(self, info: ValidationInfo) -> "Extraction":
        article = (info.context or {}).get("article")
        if not isinstance(article, ArticleText):
            return self
        problems = [
            f"participant {p.name!r} is not named in the article"
            for p in self.participants
            if not any(article.contains(name) for name in p.names())
        ]
        problems += [
            f"date {d.text!r} is not written so in the article" for d in self.dates if not article.contains(d.text)
        ]
        problems += [
            f"quote {i.quote!r} is not in the article" for i in self.open_issues if not article.contains(i.quote)
        ]
        if problems:
            raise ValueError(
                "; ".join(problems) + ". Use names, date expressions and quotes exactly as the article writes them."
            )
        return self
