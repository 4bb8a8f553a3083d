import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, Schema
from litestar.params import HeaderParameter, JSONBody
from litestar.response import ServerSentEvent
from litestar.response.sse import ServerSentEventMessage

from schemas import ArticleRequest, FoundEvent, GroundedEvent, SummaryResponse
from service.api.access import caller_identity, job_owner
from service.api.idempotency import Idempotency
from service.api.openapi import BODY, GUARDED, IN_PROGRESS, KEY_REUSED, MODEL, STORE_UNAVAILABLE, problems
from service.api.problems import to_problem_response
from service.summaries import SummaryService

EVENT_STREAM = "text/event-stream"
_EXAMPLE_STREAM = (
    'event: found\ndata: {"names": null, "dates": [{"text": "Feb. 26", "start": 88, "end": 95}]}\n\n'
    'event: grounded\ndata: {"question": "participants", "partial": {"summary": "", "participants": [...]}}\n\n'
    'event: summary\ndata: {"summary": "...", "participants": [...], "dates": [...], "open_issues": [...]}\n\n'
)


class _Streamed(Operation):
    """The operation with its 200 answer to `Accept: text/event-stream` as `x-event-stream`, a media type
    object beside the JSON `content` rather than in it: generators type an operation's answer as the union of
    its content types (openapi-typescript: `SummaryResponse | string`), and a JSON client's is the summary."""

    def to_schema(self) -> dict[str, Any]:
        schema = super().to_schema()
        answer = schema.get("responses", {}).get("200")
        if answer is not None:
            stream = OpenAPIMediaType(
                schema=Schema(
                    type=OpenAPIType.STRING, description="Server-Sent Events: found, grounded…, then summary or problem"
                ),
                example=_EXAMPLE_STREAM,
            )
            answer["x-event-stream"] = {EVENT_STREAM: stream.to_schema()}
        return schema


@post(
    "/v1/summaries",
    status_code=200,
    summary="Summarise one article",
    description="Returns a neutral summary plus participants, dates and open issues, each with verbatim "
    "evidence whose offsets the service located in `text`.\n\n"
    "With `Accept: text/event-stream` the answer is a stream of Server-Sent Events instead: `found` (the "
    "names and date expressions code found, with offsets, before the model is asked), one `grounded` per "
    "question (participants, dates, open_issues: the response so far), then `summary` (the complete "
    "response, the same as the JSON answer) or `problem` (an RFC 9457 body). Closing the connection stops "
    "the work. A cached or replayed answer is its `summary` event alone. The stream is documented in the 200 "
    "answer's `x-event-stream`, beside its `content`: a client generated from this document types the answer "
    "as the summary.",
    responses=problems(*BODY, *GUARDED, IN_PROGRESS, KEY_REUSED, *MODEL, STORE_UNAVAILABLE),
    operation_class=_Streamed,
)
async def create_summary(
    request: Request[Any, Any, Any],
    data: JSONBody[ArticleRequest],
    summariser: NamedDependency[SummaryService],
    idempotency: NamedDependency[Idempotency],
    idempotency_key: Annotated[str | None, HeaderParameter(name="Idempotency-Key", max_length=255)] = None,
    cache_control: Annotated[str | None, HeaderParameter(name="Cache-Control")] = None,
    accept: Annotated[str | None, HeaderParameter(name="Accept")] = None,
) -> Response[SummaryResponse]:
    fresh = "no-cache" in (cache_control or "").lower()
    caller, owner = caller_identity(request), job_owner(request)
    body = data.model_dump(mode="json")
    if EVENT_STREAM in (accept or "").lower():
        events = _events(request, summariser, idempotency, data, body, caller, owner, idempotency_key, fresh)
        return ServerSentEvent(events, headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})  # type: ignore[return-value]
    summary, headers = await idempotency.respond(
        caller,
        request.url.path,
        idempotency_key,
        body,
        lambda: summariser.summarise(data, caller=owner, fresh=fresh),  # cached per key, like jobs
        SummaryResponse,
    )
    return Response(summary, headers=headers)


async def _events(
    request: Request[Any, Any, Any],
    summariser: SummaryService,
    idempotency: Idempotency,
    data: ArticleRequest,
    body: dict[str, Any],
    caller: str,
    owner: str,
    key: str | None,
    fresh: bool,
) -> AsyncIterator[ServerSentEventMessage]:
    """The summary's progress as it is made (the same call as the JSON branch, told what happens), then
    the summary or the problem. Cancelled when the client goes: the summary is cancelled with it."""
    told: asyncio.Queue[ServerSentEventMessage | None] = asyncio.Queue()

    async def tell(event: FoundEvent | GroundedEvent) -> None:
        kind = "found" if isinstance(event, FoundEvent) else "grounded"
        told.put_nowait(ServerSentEventMessage(event=kind, data=event.model_dump_json()))

    async def produce() -> SummaryResponse:
        try:
            summary, _ = await idempotency.respond(
                caller,
                request.url.path,
                key,
                body,
                lambda: summariser.summarise(data, caller=owner, fresh=fresh, progress=tell),
                SummaryResponse,
            )
            return summary
        finally:
            told.put_nowait(None)

    work = asyncio.create_task(produce())
    try:
        while (message := await told.get()) is not None:
            yield message
        try:
            summary = await work
        except Exception as error:  # any error: the problem the JSON route would answer with
            problem = to_problem_response(request, error).content
            yield ServerSentEventMessage(event="problem", data=json.dumps(problem, ensure_ascii=False))
        else:
            yield ServerSentEventMessage(event="summary", data=summary.model_dump_json())
    finally:
        work.cancel()  # a no-op once done; else the client went, and the model is asked no more
