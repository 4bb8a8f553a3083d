"""What the job and callback tests share: both job stores, an app whose callbacks go to real receivers on
loopback, polling a job to its end, and how a receiver verifies a callback (docs/integrations.md's snippet: the
Standard Webhooks library's own verifier)."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import respx
from litestar.testing import AsyncTestClient
from pydantic import SecretStr
from standardwebhooks import Webhook

from service.api.app import create_app
from service.settings import Settings
from tests.factories import ModelServer
from tests.live_servers import Receiver, redis_server, serving

Client = AsyncTestClient[Any]
SECRET = "test-master-secret"


def verified(whsec: str, headers: dict[str, str], body: bytes) -> Any:
    """The callback's JSON if its signature verifies with `whsec` (what `summarise webhook-secret` prints);
    raises standardwebhooks.WebhookVerificationError if not."""
    return Webhook(whsec).verify(body, headers)


@pytest.fixture(params=["sqlite", "redis"])
def backend(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """The Redis URL jobs run on, or None for the SQLite file."""
    if request.param == "sqlite":
        yield None
        return
    with redis_server() as redis_url:
        yield redis_url


@pytest.fixture
def job_settings(settings: Settings, backend: str | None) -> Settings:
    return settings.model_copy(
        update={
            "redis_url": backend,
            "webhook_secret": SecretStr(SECRET),
            "webhook_allow_private": True,  # the receiver is on loopback
            "webhook_backoff_s": 0.05,
            "webhook_attempts": 3,
        }
    )


@asynccontextmanager
async def client_for(settings: Settings, model_server: respx.MockRouter) -> AsyncIterator[Client]:
    model_server.post("/chat/completions").mock(side_effect=ModelServer())
    model_server.route(host="127.0.0.1").pass_through()  # callbacks go to a real receiver on loopback
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client


async def finished(client: Client, job_id: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """The job once it and its callback are done (asserts that they are within 10 s)."""
    for _ in range(200):
        view: dict[str, Any] = (await client.get(f"/v1/jobs/{job_id}", headers=headers or {})).json()
        callback_done = view["callback"] is None or view["callback"]["status"] != "pending"
        if view["status"] in ("succeeded", "failed") and callback_done:
            return view
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {view}")


@pytest.fixture
def receiver_factory() -> Iterator[Any]:
    """make(statuses) -> (a Receiver answering those statuses, its URL on loopback), stopped at the end."""
    opened = []

    def make(statuses: list[int] | None = None, receiver: Any = None) -> tuple[Any, str]:
        receiver = receiver or Receiver(statuses)
        context = serving(receiver)
        url = context.__enter__()
        opened.append(context)
        return receiver, f"{url}/hooks/summaries"

    yield make
    for context in opened:
        context.__exit__(None, None, None)
