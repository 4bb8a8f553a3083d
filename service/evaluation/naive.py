"""The naive baseline for the eval harness: one plain instructor call, a flat schema, no evidence,
no code-side normalisation. It goes through the same ModelClient, so transport and retries are equal."""

from pydantic import BaseModel, Field

from schemas import ArticleRequest
from service.model.client import Answer, ModelClient
from service.model.prompts import PromptTemplate


class NaiveSummary(BaseModel):
    summary: str = Field(description="A short summary of the article.")
    participants: list[str] = Field(description="Names of the people and organisations taking part.")
    dates: list[str] = Field(description="Dates mentioned in the article, as ISO dates YYYY-MM-DD.")
    open_issues: list[str] = Field(description="Unresolved issues, one sentence each.")


class NaiveSummariser:
    def __init__(self, llm: ModelClient, prompt: PromptTemplate) -> None:
        self.llm = llm
        self.prompt = prompt

    async def summarise(self, article: ArticleRequest) -> Answer[NaiveSummary]:
        published = article.published_date
        messages = self.prompt.render(published=published.isoformat() if published else "unknown", text=article.text)
        return await self.llm.extract(messages, NaiveSummary, name="naive")
