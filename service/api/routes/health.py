from litestar import get
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException

from service.api.openapi import NOT_READY, problems
from service.summaries import SummaryService


@get("/health", summary="The process is up", description="A liveness probe: asks nothing.", sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


@get(
    "/ready",
    summary="The model server answers",
    description="A readiness probe: the model server lists its models within 3 s.",
    responses=problems(NOT_READY),
)
async def ready(summariser: NamedDependency[SummaryService]) -> dict[str, str]:
    if not await summariser.llm.ready():
        raise HTTPException(status_code=503, detail=f"model server at {summariser.llm.shown_url} is not answering")
    return {"status": "ready", "model": summariser.llm.model}
