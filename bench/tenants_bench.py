"""Two API keys on one server (issue 15, row 8): does key B's bad receivers' behaviour delay key A's jobs?

A load-and-fault run, bounded and on loopback: the mock model (every call answered after a delay), our
API as a process with its job workers, and callback receivers in this process: A's answers at once; B's
are slow (answer after a while), failing (500) or a black hole (never answer: each attempt times out).
Summaries go on in parallel for A the whole time. Each phase: B submits its jobs, then A submits its own
one at a time; A's job latency is from its submission to its callback's arrival. The phase with B's
receivers well-behaved is the baseline; the ratio of A's p50 between the phases is the figure (target
<= 1.2). Nothing may be lost: every job succeeds, each of A's callbacks arrives exactly once, B's end
delivered (slow) or failed (500, black hole) with their error recorded, none left pending.
"""

import asyncio
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn

KEY_A, KEY_B = "bench-key-a", "bench-key-b"
SLOW_S = 3.0  # B's slow receiver answers after this (under the timeout: it is delivered)
ATTEMPT_TIMEOUT_S = 4.0  # SUMMARISE_WEBHOOK_TIMEOUT_S for the run: a black hole costs this per attempt


@dataclass
class Receivers:
    """Every callback received, by path, with the time it arrived and its job id."""

    arrivals: list[tuple[str, str, float]] = field(default_factory=list)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        headers = dict(scope["headers"])
        self.arrivals.append((scope["path"], headers.get(b"x-job-id", b"").decode(), time.monotonic()))
        if scope["path"] == "/hole":
            await asyncio.sleep(3600)  # never answers: the sender's timeout ends each attempt
        if scope["path"] == "/slow":
            await asyncio.sleep(SLOW_S)
        status = 500 if scope["path"] == "/fail" else 200
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@contextmanager
def receiving(receivers: Receivers, port: int) -> Iterator[str]:
    server = uvicorn.Server(uvicorn.Config(receivers, host="127.0.0.1", port=port, log_config=None, lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        server.force_exit = True  # the black hole's requests never end on their own
        thread.join(timeout=10)


@dataclass
class Phase:
    a_latencies_s: list[float]
    summaries: int  # /v1/summaries answered 200 meanwhile
    lost: list[str]  # what did not end as it should


async def run_phase(
    api: str, hooks: str, receivers: Receivers, article: dict[str, Any], bad_b: bool, jobs: int
) -> Phase:
    """B submits `jobs` jobs per receiver (slow, failing, black hole; or all well-behaved), then A submits
    `jobs` jobs one at a time, while A's summaries run in parallel."""
    a, b = {"X-API-Key": KEY_A}, {"X-API-Key": KEY_B}
    receivers.arrivals.clear()
    stop = asyncio.Event()
    async with httpx.AsyncClient(base_url=api, timeout=60) as client:

        async def summaries() -> int:
            answered = 0
            while not stop.is_set():
                response = await client.post("/v1/summaries", json=article, headers=a)
                answered += response.status_code == 200
            return answered

        background = [asyncio.create_task(summaries()) for _ in range(2)]
        b_paths = ["/slow", "/fail", "/hole"] if bad_b else ["/fast-b"] * 3
        b_ids: dict[str, str] = {}
        for path in b_paths:
            accepted = await client.post(
                "/v1/jobs", json={"articles": [article] * jobs, "callback_url": hooks + path}, headers=b
            )
            accepted.raise_for_status()
            b_ids |= {ref["id"]: path for ref in accepted.json()["jobs"]}
        submitted: dict[str, float] = {}
        for _ in range(jobs):
            accepted = await client.post(
                "/v1/jobs", json={"articles": [article], "callback_url": hooks + "/a"}, headers=a
            )
            accepted.raise_for_status()
            submitted[accepted.json()["jobs"][0]["id"]] = time.monotonic()
            await asyncio.sleep(0.5)
        deadline = time.monotonic() + 180
        while {job for path, job, _ in receivers.arrivals if path == "/a"} < submitted.keys():
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        stop.set()
        answered = sum(await asyncio.gather(*background))
        arrived = {job: at for path, job, at in receivers.arrivals if path == "/a"}
        latencies = [arrived[job] - at for job, at in submitted.items() if job in arrived]
        lost = [f"A's job {job} never called back" for job in submitted if job not in arrived]
        a_receipts = [job for path, job, _ in receivers.arrivals if path == "/a"]
        lost += [
            f"A's job {job} called back {a_receipts.count(job)} times"
            for job in set(a_receipts)
            if a_receipts.count(job) > 1
        ]
        lost += await _check_b(client, b, b_ids)
    return Phase(latencies, answered, lost)


async def _check_b(client: httpx.AsyncClient, headers: dict[str, str], b_ids: dict[str, str]) -> list[str]:
    """B's jobs all succeed, and each callback ends as its receiver makes it end (bounded wait)."""
    expected = {"/slow": "delivered", "/fast-b": "delivered", "/fail": "failed", "/hole": "failed"}
    deadline = time.monotonic() + 120
    lost: list[str] = []
    for job, path in b_ids.items():
        while True:
            view = (await client.get(f"/v1/jobs/{job}", headers=headers)).json()
            done = view["status"] in ("succeeded", "failed") and view["callback"]["status"] != "pending"
            if done or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
        if view["status"] != "succeeded" or view["callback"]["status"] != expected[path]:
            lost.append(f"B's job to {path}: {view['status']}, callback {view['callback']['status']}")
    return lost


def p50(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
