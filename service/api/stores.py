"""Where state that outlives a request is kept: Litestar stores, one namespace per use.

Files under SUMMARISE_MODEL_CACHE_DIR by default (a restart keeps them; one process, or replicas sharing a
disk), Redis when SUMMARISE_REDIS_URL is set (several replicas). Rate-limit counters stay in memory unless
Redis is configured: they are short-lived and hot.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore

from service.settings import StateSettings

StoreName = Literal["rate_limit", "summaries", "idempotency"]


def make_store(settings: StateSettings, name: StoreName) -> Store:
    if settings.redis_url:
        return RedisStore.with_client(url=settings.redis_url, namespace=f"summarise:{name}")
    if name == "rate_limit":
        return MemoryStore()
    path = settings.model_cache_dir / "stores" / name
    path.mkdir(parents=True, exist_ok=True)
    return FileStore(path=path)


@asynccontextmanager
async def opened_store(settings: StateSettings, name: StoreName) -> AsyncIterator[Store]:
    """A store for use outside the app (the CLI), closed on the way out."""
    store = make_store(settings, name)
    async with store:
        yield store
