"""Build the summariser for a process: embedded or external model server, one pooled HTTP client."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

from service.embedded import EmbeddedServer, start_embedded
from service.llm import ModelClient
from service.model_http import model_http_client
from service.pipeline import Summariser
from service.prompts import load_prompt
from service.replay import SummaryCache
from service.settings import Settings
from service.stores import make_store


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
