"""What a process runs on: the model server (embedded or external, one pooled HTTP client), the core on
it, the service layer around that, and the job workers."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import anyio
import httpx

from service.core.pipeline import Summariser
from service.errors import NerPipelineMissing
from service.jobs.model import Job, Jobs, Outcome, Runner
from service.jobs.redis import broker_workers, open_broker
from service.jobs.sqlite import Deliveries, JobStore, Worker
from service.jobs.watch import Watch
from service.jobs.webhooks import Deliverer, callback_client
from service.languages import tag
from service.model.client import ModelClient
from service.model.embedded import EmbeddedServer, start_embedded
from service.model.http import model_http_client
from service.model.ner import Ner, load_ner
from service.model.prompts import load_prompt
from service.settings import CoreSettings, LimitsSettings, ModelSettings, Settings, WebhookSettings
from service.summaries import KeyValueStore, SummaryCache, SummaryService

log = logging.getLogger(__name__)

STORE_PATIENCE_S = 60.0  # how long a worker waits for its job store to come back before it gives the run up
WATCH_EVERY_S = 5.0  # how often the jobs' gauges are brought up to date


@asynccontextmanager
async def open_core(settings: Settings) -> AsyncIterator[Summariser]:
    """Start the model server the settings ask for (the embedded one unless SUMMARISE_BASE_URL is set),
    yield the bare core on it, and stop it all on the way out. The model client and the core each get
    their slice of the settings."""
    embedded: EmbeddedServer | None = None
    if settings.base_url is None:
        server, embedded_name = await anyio.to_thread.run_sync(
            lambda: start_embedded(
                settings.embedded_model,
                settings.model_cache_dir,
                n_ctx=settings.context_tokens,
                threads=settings.embedded_threads,
                slots=settings.embedded_slots,
                speculative=settings.embedded_speculative,
                weights_dir=settings.embedded_weights_dir,
                rewrite_for_amx=settings.embedded_amx_weights,
            )
        )
        embedded = server
        base_url, model = server.base_url, settings.model or embedded_name
    else:
        base_url, model = str(settings.base_url), settings.model or ""
    ner = await anyio.to_thread.run_sync(lambda: _installed_ner(settings.ner_pipelines))
    asking = settings.slice(ModelSettings)
    http_client = model_http_client(asking)
    try:
        llm = ModelClient(asking, http_client, base_url, model)
        core = settings.core()
        if embedded is None:  # another server may hold less context than SUMMARISE_CONTEXT_TOKENS
            core = await _sized_to_the_server(core, llm)
        yield Summariser(llm, load_prompt("summarise"), core, {pipeline.language: pipeline for pipeline in ner})
    finally:
        await http_client.aclose()
        if embedded is not None:
            embedded.stop()


async def _sized_to_the_server(core: CoreSettings, llm: ModelClient) -> CoreSettings:
    """Articles are split to the context the server holds when that is less than SUMMARISE_CONTEXT_TOKENS:
    Ollama, for one, truncates a longer prompt without a word (4096 tokens unless told otherwise)."""
    try:
        held = await llm.context_window()
    except Exception as exc:  # a probe that fails for any reason leaves the configured context
        log.debug("could not ask the model server for its context (%s); SUMMARISE_CONTEXT_TOKENS applies", exc)
        return core
    if held is None or held >= core.context_tokens:
        return core
    log.warning(
        "the model server holds %d tokens of context for %s, less than SUMMARISE_CONTEXT_TOKENS=%d: "
        "articles are split to fit %d",
        held,
        llm.model,
        core.context_tokens,
        held,
    )
    return replace(core, context_tokens=held)


@asynccontextmanager
async def open_summariser(settings: Settings, cache_store: KeyValueStore | None) -> AsyncIterator[SummaryService]:
    """The core with the service layer around it: cached in `cache_store` (none: no cache), admitted, counted."""
    async with open_core(settings) as core:
        cache = SummaryCache(cache_store, settings.cache_ttl_s) if cache_store is not None else None
        yield SummaryService(core, settings.slice(LimitsSettings), cache)


def _installed_ner(names: list[str]) -> list[Ner]:
    """The configured pipelines that are installed; one that is not is said once here, and each summary
    without candidates says so in its warnings (one whose files are not the published ones stops the start)."""
    pipelines = []
    for name in names:
        try:
            pipelines.append(load_ner(name))
        except NerPipelineMissing as missing:
            log.warning("%s; participants are found model-first", missing)
    return usable_pipelines(pipelines)


def usable_pipelines(pipelines: list[Ner]) -> list[Ner]:
    """The pipelines for languages whose rules read names and roles from their parse (`Language.ner_rules`);
    another (a German one: its parse has other labels) is said once and not used."""
    usable = []
    for pipeline in pipelines:
        if (language := tag(pipeline.language).known) is None or not language.ner_rules:
            log.warning(
                "%s reads %s, for which no rules read names and roles from its parse (service/languages); not used: "
                "participants are found model-first",
                pipeline.name,
                pipeline.language or "no language",
            )
            continue
        usable.append(pipeline)
    return usable


def job_runner(summariser: SummaryService) -> Runner:
    async def run(job: Job) -> Outcome:
        return await summariser.summary_or_problem(job.article, caller=job.caller)

    return run


@asynccontextmanager
async def run_job_workers(settings: Settings, summariser: SummaryService, count: int) -> AsyncIterator[Watch]:
    """`count` jobs at a time until the context ends, on the Redis queue when SUMMARISE_REDIS_URL is set,
    else on the SQLite file, and their callbacks apart (SUMMARISE_WEBHOOK_CONCURRENCY at a time), so that
    a receiver never holds up a summary. A job or callback still running at the end is handed back to the
    queue for another worker (or this one, restarted). Yields the Watch over them: its `jobs` are the
    store the API uses (a fault of it is StoreUnavailable at once); the workers use a patient copy, which
    waits out an outage of up to STORE_PATIENCE_S."""
    # A slot frees once a job finishes: about one summary's budget for a full backlog's first job.
    retry_after_s = max(1, round(settings.request_budget_s))
    # Within a callback's time limit (and so a job's): arq's timeout of the run must not end the wait.
    patience_s = min(STORE_PATIENCE_S, settings.callback_time_limit_s / 2)
    async with callback_client(settings.webhook_timeout_s, settings.webhook_allow_private) as http:
        if settings.redis_url:
            async with open_broker(
                settings.redis_url,
                time_limit_s=settings.job_time_limit_s,
                takeovers=settings.job_takeovers,
                ttl_s=settings.job_ttl_s,
                backlog=settings.job_backlog_per_key,
                retry_after_s=retry_after_s,
            ) as broker:
                patient = broker.patient(patience_s)
                async with (
                    broker_workers(
                        patient,
                        job_runner(summariser),
                        _deliverer(settings, patient, http),
                        count,
                        settings.webhook_concurrency,
                        settings.callback_time_limit_s,
                    ) as tasks,
                    _watching(Watch(broker, broker.outages.store, tasks, settings.job_stalled_after_s)) as watch,
                ):
                    yield watch
            return
        store = JobStore(
            settings.jobs_path,
            settings.job_takeovers,
            backlog=settings.job_backlog_per_key,
            ttl_s=settings.job_ttl_s,
            retry_after_s=retry_after_s,
        )
        patient_store = store.patient(patience_s)
        deliveries = Deliveries(
            patient_store,
            _deliverer(settings, patient_store, http),
            settings.webhook_concurrency,
            lease_s=settings.callback_time_limit_s + 10,
            poll_s=0.5,
        )
        stop = asyncio.Event()
        workers = [
            Worker(patient_store, job_runner(summariser), deliveries.hand_over, settings.job_lease_s, poll_s=0.5)
            for _ in range(count)
        ]
        tasks = [asyncio.create_task(worker.serve(stop)) for worker in workers]
        if count:
            tasks.append(asyncio.create_task(deliveries.serve(stop)))
        try:
            async with _watching(Watch(store, store.outages.store, tasks, settings.job_stalled_after_s)) as watch:
                yield watch
        finally:
            stop.set()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


@asynccontextmanager
async def _watching(watch: Watch) -> AsyncIterator[Watch]:
    """`watch` checking every WATCH_EVERY_S until the context ends."""
    task = asyncio.create_task(watch.serve(WATCH_EVERY_S))
    try:
        yield watch
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _deliverer(webhooks: WebhookSettings, jobs: Jobs, http: httpx.AsyncClient) -> Deliverer:
    secret = webhooks.webhook_secret.get_secret_value() if webhooks.webhook_secret else ""
    return Deliverer(jobs, http, secret, webhooks.webhook_attempts, webhooks.webhook_backoff_s)
