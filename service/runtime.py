"""Build the summariser for a process: embedded or external model server, one pooled HTTP client."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import httpx

from service.api.replay import SummaryCache
from service.api.stores import make_store
from service.batch import summary_or_problem
from service.core.pipeline import Summariser
from service.jobs.model import Job, Jobs, Outcome, Runner
from service.jobs.redis import broker_workers, open_broker
from service.jobs.sqlite import JobStore, Worker
from service.jobs.webhooks import Deliverer
from service.model.client import ModelClient
from service.model.embedded import EmbeddedServer, start_embedded
from service.model.http import model_http_client
from service.model.prompts import load_prompt
from service.settings import Settings


@asynccontextmanager
async def open_summariser(settings: Settings) -> AsyncIterator[Summariser]:
    """Start what the settings ask for, yield a ready Summariser, and stop it all on the way out."""
    embedded: EmbeddedServer | None = None
    if settings.base_url is None:
        server, embedded_name = await anyio.to_thread.run_sync(
            lambda: start_embedded(
                settings.embedded_model,
                settings.model_cache_dir,
                n_ctx=settings.context_tokens,
                threads=settings.embedded_threads,
            )
        )
        embedded = server
        base_url, model = server.base_url, settings.model or embedded_name
    else:
        base_url, model = str(settings.base_url), settings.model or ""
    http_client = model_http_client(settings)
    try:
        llm = ModelClient(settings, http_client, base_url, model)
        cache_store = make_store(settings, "summaries")
        async with cache_store:
            yield Summariser(llm, load_prompt("summarise"), settings, SummaryCache(cache_store, settings.cache_ttl_s))
    finally:
        await http_client.aclose()
        if embedded is not None:
            embedded.stop()


def job_runner(summariser: Summariser) -> Runner:
    async def run(job: Job) -> Outcome:
        return await summary_or_problem(summariser, job.article)

    return run


@asynccontextmanager
async def run_job_workers(settings: Settings, summariser: Summariser, count: int) -> AsyncIterator[Jobs]:
    """`count` jobs at a time until the context ends, on the Redis queue when SUMMARISE_REDIS_URL is set,
    else on the SQLite file. A job still running at the end is handed back to the queue for another worker
    (or this one, restarted)."""
    async with httpx.AsyncClient(follow_redirects=False, timeout=settings.webhook_timeout_s) as http:
        if settings.redis_url:
            async with (
                open_broker(
                    settings.redis_url,
                    time_limit_s=settings.job_time_limit_s,
                    takeovers=settings.job_takeovers,
                    ttl_s=settings.job_ttl_s,
                ) as broker,
                broker_workers(broker, job_runner(summariser), _deliverer(settings, broker, http), count),
            ):
                yield broker
            return
        store = JobStore(settings.jobs_path, settings.job_takeovers)
        deliver = _deliverer(settings, store, http)
        stop = asyncio.Event()
        workers = [
            Worker(store, job_runner(summariser), deliver, settings.job_lease_s, poll_s=0.5) for _ in range(count)
        ]
        tasks = [asyncio.create_task(worker.serve(stop)) for worker in workers]
        try:
            yield store
        finally:
            stop.set()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


def _deliverer(settings: Settings, jobs: Jobs, http: httpx.AsyncClient) -> Deliverer:
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    return Deliverer(
        jobs, http, secret, settings.webhook_attempts, settings.webhook_backoff_s, settings.webhook_allow_private
    )
