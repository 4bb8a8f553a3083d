"""Issue 15, row 8: one tenant cannot stall or crowd out another. Callbacks are delivered apart from the
summaries, so key B's receiver that never answers delays neither key A's summaries nor A's callbacks;
each key's backlog is bounded (429 with Retry-After beyond it); finished jobs and their article text
expire on both stores. Run on both stores."""

import asyncio
import sqlite3
import threading
import time
from typing import Any

import respx
from redis.asyncio import Redis

from service.api.access import hash_key
from service.settings import Settings
from tests.callbacks import backend, client_for, finished, job_settings, receiver_factory
from tests.live_servers import Receiver, read_body

__all__ = ["backend", "job_settings", "receiver_factory"]  # fixtures, used by name

A = {"X-API-Key": "key-a"}
B = {"X-API-Key": "key-b"}


class HeldReceiver(Receiver):
    """A receiver that answers nothing until released (a black hole, or a receiver slower than any
    timeout), then 200; records every request as it arrives."""

    def __init__(self) -> None:
        super().__init__([200])
        self.release = threading.Event()
        self.arrived = threading.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = await read_body(receive)
        self.received.append(({k.decode(): v.decode() for k, v in scope["headers"]}, body))
        self.arrived.set()
        await asyncio.to_thread(self.release.wait)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def two_keys(settings: Settings, **update: Any) -> Settings:
    return settings.model_copy(
        update={"api_key_hashes": [hash_key("key-a"), hash_key("key-b")], "webhook_attempts": 1, **update}
    )


async def wait_for(event: threading.Event) -> None:
    for _ in range(200):
        if event.is_set():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the receiver got no request")


async def test_row8_a_receiver_that_never_answers_delays_no_other_keys_jobs(
    job_settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any], receiver_factory: Any
) -> None:
    """One job worker (the default). Key B's three jobs call back a receiver that holds every request;
    while it holds them, key A's job is summarised and A's callback delivered."""
    held, held_url = receiver_factory(receiver=HeldReceiver())
    fast, fast_url = receiver_factory([200])
    settings = two_keys(job_settings, webhook_timeout_s=60.0)
    async with client_for(settings, model_server) as client:
        b_jobs = await client.post(
            "/v1/jobs", json={"articles": [seed_article] * 3, "callback_url": held_url}, headers=B
        )
        await wait_for(held.arrived)  # B's first callback is out, and held
        a_job = await client.post("/v1/jobs", json={"articles": [seed_article], "callback_url": fast_url}, headers=A)
        a_view = await finished(client, a_job.json()["jobs"][0]["id"], A)
        b_while_held = [(await client.get(f"/v1/jobs/{ref['id']}", headers=B)).json() for ref in b_jobs.json()["jobs"]]
        held_then = len(held.received)
        held.release.set()
        b_views = [await finished(client, ref["id"], B) for ref in b_jobs.json()["jobs"]]

    assert a_view["status"] == "succeeded"
    assert a_view["callback"]["status"] == "delivered"
    assert len(fast.received) == 1
    assert held_then >= 1  # B's receiver was still holding when A's callback was delivered
    assert all(view["callback"]["status"] == "pending" for view in b_while_held)
    # Nothing lost: every one of B's callbacks was delivered once released.
    assert [view["callback"]["status"] for view in b_views] == ["delivered"] * 3
    assert len(held.received) == 3


async def test_row8_each_keys_backlog_is_bounded_with_a_429_and_retry_after(
    job_settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    settings = two_keys(job_settings, job_workers=0, job_backlog_per_key=3)
    async with client_for(settings, model_server) as client:
        first = await client.post("/v1/jobs", json={"articles": [seed_article] * 2}, headers=A)
        beyond = await client.post("/v1/jobs", json={"articles": [seed_article] * 2}, headers=A)
        last = await client.post("/v1/jobs", json={"articles": [seed_article]}, headers=A)
        full = await client.post("/v1/jobs", json={"articles": [seed_article]}, headers=A)
        other_key = await client.post("/v1/jobs", json={"articles": [seed_article] * 3}, headers=B)

    assert [first.status_code, last.status_code, other_key.status_code] == [202, 202, 202]
    for refused in (beyond, full):
        assert refused.status_code == 429, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["type"].endswith("/backlog-full")
        assert int(refused.headers["retry-after"]) >= 1
    assert "2 jobs queued or running, and may have 3" in beyond.json()["detail"]


async def test_row8_finished_jobs_and_their_article_expire(
    job_settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    """SQLite kept every job and its article text forever; both stores now keep a finished job
    SUMMARISE_JOB_TTL_S after it finished."""
    settings = job_settings.model_copy(update={"job_ttl_s": 3600})
    async with client_for(settings, model_server) as client:
        old = (await client.post("/v1/jobs", json={"articles": [seed_article]})).json()["jobs"][0]["id"]
        await finished(client, old)
        if settings.redis_url:
            redis = Redis.from_url(settings.redis_url)
            ttl = await redis.ttl(f"summarise:job:{old}")
            await redis.aclose()
            assert 3500 < ttl <= 3600  # counted from the end of the job
            return
        with sqlite3.connect(settings.jobs_path) as db:  # as if it had finished more than an hour ago
            db.execute("UPDATE jobs SET updated = ? WHERE id = ?", (time.time() - 3601, old))
        await client.post("/v1/jobs", json={"articles": [seed_article]})
        gone = await client.get(f"/v1/jobs/{old}")

    assert gone.status_code == 404
    with sqlite3.connect(settings.jobs_path) as db:
        assert db.execute("SELECT count(*) FROM jobs WHERE id = ?", (old,)).fetchone() == (0,)


async def test_row8_keys_take_turns_so_one_keys_batch_does_not_hold_up_anothers_job(
    job_settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    """SQLite: key B's three jobs were queued first, then key A's one; a single worker runs B's first,
    then A's, then B's others (first come, first served made A wait for B's whole batch)."""
    if job_settings.redis_url:
        return  # arq's queue is first come, first served: the backlog per key is the bound there
    settings = two_keys(job_settings, job_workers=0)
    async with client_for(settings, model_server) as client:
        b_refs = (await client.post("/v1/jobs", json={"articles": [seed_article] * 3}, headers=B)).json()["jobs"]
        a_ref = (await client.post("/v1/jobs", json={"articles": [seed_article]}, headers=A)).json()["jobs"][0]
    async with client_for(two_keys(job_settings, job_workers=1), model_server) as client:
        b_views = [await finished(client, ref["id"], B) for ref in b_refs]
        a_view = await finished(client, a_ref["id"], A)

    order = sorted([("A", a_view["updated"])] + [("B", view["updated"]) for view in b_views], key=lambda x: x[1])
    assert [key for key, _ in order] == ["B", "A", "B", "B"]


class HoldsTheFirst(HeldReceiver):
    """Holds the first request until released (the delivery in flight when its process stops), answers
    the others at once."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.arrived.is_set():
            self.release.set()  # the first is held no more: the process that sent it has stopped
        await super().__call__(scope, receive, send)


async def test_row8_a_delivery_cut_off_by_a_restart_is_resumed_and_delivered(
    job_settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any], receiver_factory: Any
) -> None:
    """The delivery side persists what it has to deliver: a process stopped mid-delivery (a deploy) hands
    the callback back, and the next process delivers it."""
    receiver, url = receiver_factory(receiver=HoldsTheFirst())
    settings = job_settings.model_copy(update={"webhook_timeout_s": 60.0, "webhook_attempts": 1})
    async with client_for(settings, model_server) as first:
        job_id = (await first.post("/v1/jobs", json={"articles": [seed_article], "callback_url": url})).json()["jobs"][
            0
        ]["id"]
        await wait_for(receiver.arrived)  # the callback is out, and held: now the process stops
    async with client_for(settings, model_server) as second:
        view = await finished(second, job_id)

    assert view["callback"]["status"] == "delivered"
    assert len(receiver.received) == 2  # the one cut off, then the one delivered
