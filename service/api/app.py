"""The one app factory: routes, lifespan (model client, embedded server), dependencies, error handling."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Request, Router
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException, SerializationException
from litestar.middleware.base import DefineMiddleware

from service.api.access import KeyGuard, basic_auth_key, rate_limit_config
from service.api.idempotency import Idempotency
from service.api.metrics import MetricsController, http_metrics_config
from service.api.openapi import api_security, openapi_config
from service.api.problems import to_problem_response
from service.api.requests import RefusedBodyDrain, RequestContextMiddleware, finish_request
from service.api.routes.editor import editor_asset, editor_page
from service.api.routes.health import health, ready
from service.api.routes.imatrics import IMATRICS_PATH, imatrics_analysis, imatrics_concepts, imatrics_store
from service.api.routes.jobs import job_status, submit_jobs
from service.api.routes.ninjs import enrich_ninjs, ninjs_extension_schema, summarise_ninjs
from service.api.routes.summaries import create_summary
from service.api.stores import make_store
from service.jobs.model import Jobs
from service.jobs.watch import Watch
from service.logs import configure_logging
from service.runtime import open_summariser, run_job_workers
from service.settings import Settings
from service.summaries import SummaryService


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()

    rate_limit_store = make_store(settings, "rate_limit")
    idempotency_store = make_store(settings, "idempotency")
    summaries_store = make_store(settings, "summaries")

    @asynccontextmanager
    async def model_lifespan(app: Litestar) -> AsyncIterator[None]:
        # Loads the embedded model (if any) once, at start-up, not per request; closes stores on the way out.
        async with (
            rate_limit_store,
            idempotency_store,
            summaries_store,
            open_summariser(settings, summaries_store) as summariser,
            run_job_workers(settings, summariser, settings.job_workers) as watch,
        ):
            app.state.summariser = summariser
            app.state.jobs = watch.jobs
            app.state.watch = watch
            yield

    def provide_summariser(state: State) -> SummaryService:
        summariser: SummaryService = state.summariser
        return summariser

    def provide_jobs(state: State) -> Jobs:
        jobs: Jobs = state.jobs
        return jobs

    def provide_watch(state: State) -> Watch:
        watch: Watch = state.watch
        return watch

    idempotency = Idempotency(
        idempotency_store,
        settings.idempotency_ttl_s,
        running_ttl_s=int(settings.request_budget_s) + 60,
    )

    async def read_json_body(request: Request[object, object, State]) -> None:
        """Decode a POST body once, here, so that what msgspec cannot decode is a 400, not a 500."""
        if request.method != "POST":
            return
        if request.content_type[0] != "application/json":
            raise HTTPException(status_code=415, detail="send the article as application/json")
        try:
            # A body that trickles in would hold a connection (and its memory) for as long as the client likes.
            async with asyncio.timeout(settings.body_timeout_s):
                body = await request.body()
            if not body.strip():
                raise HTTPException(status_code=400, detail="the body is empty: send the article as a JSON object")
            await request.json()  # cached on the request: the handler's body parameter reuses it
        except TimeoutError:
            timeout = settings.body_timeout_s
            raise HTTPException(status_code=408, detail=f"the body did not arrive within {timeout:g} s") from None
        except HTTPException as exc:
            if exc.status_code == 413:  # from reading: Content-Length or the bytes received so far
                limit = settings.max_body_bytes
                raise HTTPException(
                    status_code=413, detail=f"the body is larger than the limit of {limit:,} bytes"
                ) from None
            raise
        except SerializationException as exc:
            raise HTTPException(status_code=400, detail=f"the body is not valid JSON: {exc.detail}") from None
        except UnicodeDecodeError as exc:
            raise HTTPException(status_code=400, detail=f"the body is not valid UTF-8 (byte {exc.start})") from None
        except RecursionError:
            raise HTTPException(status_code=400, detail="the JSON body is nested too deeply") from None

    configure_logging(settings)
    key_guard = KeyGuard(settings.api_key_hashes)
    # Superdesk's iMatrics client sends basic auth (IMATRICS_USER, IMATRICS_KEY): the key is the password.
    basic_key_guard = KeyGuard(settings.api_key_hashes, read=basic_auth_key, challenge='Basic realm="summarise"')
    rate_limit = rate_limit_config(settings, key_guard)
    return Litestar(
        route_handlers=[
            Router(
                "/",
                route_handlers=[create_summary, summarise_ninjs, enrich_ninjs, submit_jobs, job_status],
                guards=[key_guard],
                security=api_security(key_guard.enabled),
            ),
            Router(
                IMATRICS_PATH,
                route_handlers=[imatrics_analysis, imatrics_store, imatrics_concepts],
                guards=[basic_key_guard],
                security=[{"basic": []}, *([] if basic_key_guard.enabled else [{}])],
            ),
            ninjs_extension_schema,
            editor_page,
            editor_asset,
            health,
            ready,
            MetricsController,
        ],
        middleware=[
            DefineMiddleware(
                RefusedBodyDrain, max_bytes=settings.max_discarded_body_bytes, timeout_s=settings.body_timeout_s
            ),
            RequestContextMiddleware,
            http_metrics_config().middleware,
            *([rate_limit.middleware] if rate_limit else []),
        ],
        before_send=[finish_request],
        # Off unless origins are set: a browser integration (Superdesk's AI widget) calling us directly.
        cors_config=CORSConfig(
            allow_origins=settings.cors_allowed_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key", "Idempotency-Key", "Cache-Control"],
        )
        if settings.cors_allowed_origins
        else None,
        logging_config=None,  # ours (service/logs.py), not Litestar's default
        stores={"rate_limit": rate_limit_store},
        lifespan=[model_lifespan],
        dependencies={
            "summariser": Provide(provide_summariser, sync_to_thread=False),
            "idempotency": Provide(lambda: idempotency, sync_to_thread=False),
            "jobs": Provide(provide_jobs, sync_to_thread=False),
            "watch": Provide(provide_watch, sync_to_thread=False),
            "settings": Provide(lambda: settings, sync_to_thread=False),
        },
        before_request=read_json_body,
        exception_handlers={Exception: to_problem_response},
        request_max_body_size=settings.max_body_bytes,
        openapi_config=openapi_config(),
        debug=False,
    )
