"""The service layer: what a process adds around the core for its callers (the API, jobs, `summarise
file` and `batch`): the summary cache, the admission gate in front of the model, metrics and the
summary log line. The eval calls the core bare.

- Cache: the same text, title, publication date (as sent: absent, a real date and a placeholder such as
  9999-12-31 are different entries) and language, summarised for the same caller by the same model, mode
  and prompt version, returns the stored summary without calling the model (`meta.cached: true`); `fresh`
  makes a new one (and stores it). Scoped per caller (the API key's id; `anonymous` without keys): a
  cached answer would tell one tenant that another summarised the same text, and when. The warnings about
  the request itself (ignored fields, the publication date) are not stored but made for every request.
  The store is a Litestar store (files, or Redis for replicas) given by the caller; anything with the same
  `get`/`set` will do.
- Admission: at most `running` summaries at the model at once; up to `queued` more wait (at most
  `max_wait_s`) for a slot; beyond that a request is refused at once with 503, before any work is done.
"""

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any, Protocol

import pydantic
import structlog

from schemas import ArticleRequest, FoundEvent, FoundName, GroundedEvent, Span, SummaryResponse
from service import metrics
from service.core.pipeline import Found, Progress, Summariser, request_warnings
from service.errors import Overloaded, SummariseError, as_problem, store_fault, validation_problem
from service.model.client import ModelClient
from service.settings import LimitsSettings

log = structlog.get_logger("summarise.pipeline")
Listener = Callable[[FoundEvent | GroundedEvent], Awaitable[None]]  # a summary's progress, as the API shows it


class KeyValueStore(Protocol):
    """What the cache needs of a store (Litestar's stores have it)."""

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None: ...

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None: ...


def fingerprint(*parts: object) -> str:
    canonical = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class SummaryCache:
    """A summary is made without the cache while the cache's store (Redis) cannot be reached: the cache
    saves work, it is never why a summary fails (logged once per outage, `summary_cache_unavailable`)."""

    def __init__(self, store: KeyValueStore, ttl_s: int) -> None:
        self._store = store
        self._ttl_s = ttl_s
        self._away = False

    def key(
        self, caller: str, article: ArticleRequest, model: str, mode: str, prompt_version: str, ner: list[str]
    ) -> str:
        # The date as sent, not `published_date`: that is None for an absent date and a placeholder alike.
        published = article.published.isoformat() if article.published else None
        what = (article.text, article.title, published, article.language)
        return fingerprint(caller, what, model, mode, prompt_version, ner)

    async def get(self, key: str) -> SummaryResponse | None:
        if not self._ttl_s:
            return None
        try:
            stored = await self._store.get(key)
        except Exception as exc:
            self._unavailable(exc)
            return None
        self._away = False
        return SummaryResponse.model_validate_json(stored) if stored else None

    async def put(self, key: str, response: SummaryResponse) -> None:
        if self._ttl_s:
            try:
                await self._store.set(key, response.model_dump_json(), expires_in=self._ttl_s)
            except Exception as exc:
                self._unavailable(exc)

    def _unavailable(self, exc: Exception) -> None:
        """Note a store fault (re-raise anything else: a bug of ours)."""
        unavailable = store_fault(exc, "the summary cache")
        if unavailable is None:
            raise exc
        if not self._away:
            self._away = True
            log.warning("summary_cache_unavailable", error=unavailable.detail)


class AdmissionGate:
    def __init__(self, running: int, queued: int, max_wait_s: float, on_change: Callable[[int, int], None]) -> None:
        self._slots = asyncio.Semaphore(running)
        self._running = 0
        self._waiting = 0
        self._max_waiting = queued
        self._max_wait_s = max_wait_s
        self._on_change = on_change  # (running, waiting): for the metrics gauges

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        if self._slots.locked() and self._waiting >= self._max_waiting:
            raise Overloaded(
                f"{self._running} summaries are running and {self._waiting} are queued; try again shortly",
                headers={"Retry-After": "5"},
            )
        self._update(waiting=+1)
        try:
            async with asyncio.timeout(self._max_wait_s):
                await self._slots.acquire()
        except TimeoutError:
            raise Overloaded(
                f"waited {self._max_wait_s:g} s in the queue without a free slot", headers={"Retry-After": "30"}
            ) from None
        finally:
            self._update(waiting=-1)
        self._update(running=+1)
        try:
            yield
        finally:
            self._update(running=-1)
            self._slots.release()

    def _update(self, running: int = 0, waiting: int = 0) -> None:
        self._running += running
        self._waiting += waiting
        self._on_change(self._running, self._waiting)


class SummaryService:
    """The core's summaries, cached, admitted and counted. Built once per process."""

    def __init__(self, core: Summariser, limits: LimitsSettings, cache: SummaryCache | None = None) -> None:
        self.core = core
        self.cache = cache
        self.gate = AdmissionGate(
            limits.max_concurrent_summaries,
            limits.max_queued_summaries,
            max_wait_s=core.settings.request_budget_s,  # a summary's budget
            on_change=metrics.set_admission,
        )

    @property
    def llm(self) -> ModelClient:
        return self.core.llm

    async def summarise(
        self, article: ArticleRequest, *, caller: str, fresh: bool = False, progress: Listener | None = None
    ) -> SummaryResponse:
        """A grounded summary for `caller` (whose cache entries these are): from the cache unless `fresh`,
        else made after waiting for a slot at the model (503 when too many are waiting), then cached.
        `progress` hears what code found and each question grounded while it is made (nothing on a hit)."""
        llm, prompt = self.core.llm, self.core.prompt
        pipelines = sorted(ner.name for ner in self.core.ner.values())  # candidates or not: another summary
        cache_key = (
            self.cache.key(caller, article, llm.model, llm.mode, prompt.version, pipelines) if self.cache else ""
        )
        if self.cache and not fresh and (hit := await self.cache.get(cache_key)):
            metrics.summaries.labels("cached").inc()
            warnings = [warning.text() for warning in request_warnings(article)] + hit.meta.warnings
            meta = hit.meta.model_copy(update={"cached": True, "warnings": warnings})
            return hit.model_copy(update={"id": article.id, "meta": meta})
        try:
            async with self.gate.admit():
                started = time.monotonic()
                summary = await self.core.summarise(article, _told(article.text, progress) if progress else None)
        except SummariseError as error:
            metrics.summaries.labels(error.slug).inc()
            raise
        metrics.summary_seconds.observe(time.monotonic() - started)
        metrics.summaries.labels("ok").inc()
        response = summary.response
        if self.cache:
            kept = [warning.text() for warning in summary.warnings if not warning.kind.of_the_request]
            stored = response.model_copy(update={"meta": response.meta.model_copy(update={"warnings": kept})})
            await self.cache.put(cache_key, stored)
        for warning in summary.warnings:
            if dropped := warning.kind.dropped:
                metrics.dropped_items.labels(dropped).inc()
        meta = response.meta
        log.info(
            "summary",
            article_id=article.id,
            characters=len(article.text),
            chunks=meta.chunks,
            attempts=meta.attempts,
            retries=meta.retries,
            total_tokens=meta.usage.total_tokens,
            latency_ms=meta.latency_ms,
            warnings=len(meta.warnings),
        )
        return response

    async def summary_or_problem(
        self, body: dict[str, Any], *, caller: str
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """One article body to (summary, None) or (None, problem): what a batch line and a job record."""
        try:
            summary = await self.summarise(ArticleRequest.model_validate(body), caller=caller)
        except SummariseError as exc:
            return None, as_problem(exc)
        except pydantic.ValidationError as exc:
            return None, validation_problem(exc)
        return summary.model_dump(mode="json"), None


def _told(text: str, listener: Listener) -> Callable[[Progress], Awaitable[None]]:
    """The core's progress as the public events (schemas.events)."""

    async def tell(event: Progress) -> None:
        if isinstance(event, Found):
            names = None
            if event.candidates is not None:
                names = [
                    FoundName(
                        name=candidate.name,
                        kind=candidate.kind,
                        aliases=candidate.aliases,
                        mentions=[Span(text=text[a:b], start=a, end=b) for a, b in candidate.mentions],
                    )
                    for candidate in event.candidates
                ]
            await listener(
                FoundEvent(names=names, dates=[Span(text=text[a:b], start=a, end=b) for a, b in event.dates])
            )
        else:
            await listener(GroundedEvent(question=event.question, partial=event.partial))

    return tell
