from litestar import get
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException

from service.api.openapi import NOT_READY, STORE_UNAVAILABLE, problems
from service.jobs.watch import Watch
from service.summaries import SummaryService


@get("/health", summary="The process is up", description="A liveness probe: asks nothing.", sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


@get(
    "/ready",
    summary="The model server and the job store answer, and jobs are moving",
    description="A readiness probe: the model server lists its models within 3 s; the job store (Redis or the "
    "SQLite file) answers within 3 s; this process's job workers run; and no job waits while no worker anywhere "
    "has started one for SUMMARISE_JOB_STALL_S.",
    responses=problems(NOT_READY, STORE_UNAVAILABLE),
)
async def ready(summariser: NamedDependency[SummaryService], watch: NamedDependency[Watch]) -> dict[str, str]:
    reasons = await watch.check()  # StoreUnavailable: 503 store-unavailable, with Retry-After
    if not await summariser.llm.ready():
        reasons.insert(0, f"model server at {summariser.llm.shown_url} is not answering")
    if reasons:
        raise HTTPException(status_code=503, detail="; ".join(reasons))
    return {"status": "ready", "model": summariser.llm.model}
