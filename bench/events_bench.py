"""Time to each Server-Sent Event of `POST /v1/summaries` (Accept: text/event-stream) on the seed article:
the API under uvicorn on loopback with NER on, against bench.mock_openai answering each question after
`--delay` seconds (the embedded model is minutes per article on this shared machine: the mock isolates
what the API adds, and the first event, which never waits for the model).

    .venv/bin/python -m bench.events_bench --runs 5 --delay 0 --delay 0.5
"""

import json
import statistics
import tempfile
import time
from pathlib import Path

import click
import httpx

from bench.mock_openai import make_app
from service.api.app import create_app
from service.settings import Settings
from tests.live_servers import serving

SEED = Path(__file__).parents[1] / "tests" / "fixtures" / "seed_geneva.json"


def one_run(api: str, article: dict[str, object]) -> list[tuple[str, float]]:
    """(event, seconds since the request was sent) for each event of one fresh summary."""
    seen: list[tuple[str, float]] = []
    headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
    started = time.perf_counter()
    with httpx.stream("POST", f"{api}/v1/summaries", json=article, headers=headers, timeout=120) as response:
        for line in response.iter_lines():
            if line.startswith("event:"):
                seen.append((line.split(":", 1)[1].strip(), time.perf_counter() - started))
    return seen


@click.command()
@click.option("--runs", default=5, show_default=True)
@click.option("--delay", "delays", type=float, multiple=True, default=[0.0, 0.5], show_default=True)
def main(runs: int, delays: tuple[float, ...]) -> None:
    article = json.loads(SEED.read_text(encoding="utf-8"))
    print("| model delay per answer | event | median s | min s | max s |")
    print("|---|---|---|---|---|")
    for delay in delays:
        with tempfile.TemporaryDirectory() as cache, serving(make_app(delay)) as model:
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                base_url=f"{model}/v1",
                model="mock",
                model_cache_dir=Path(cache),
                job_workers=0,
                log_level="WARNING",
            )
            with serving(create_app(settings)) as api:
                one_run(api, article)  # warm-up: NER loaded, connections open
                timings = [one_run(api, article) for _ in range(runs)]
        grounded = iter(["participants", "dates", "open_issues"])  # the order the core grounds them in
        names = [f"grounded {next(grounded)}" if event == "grounded" else event for event, _ in timings[0]]
        for i, name in enumerate(names):
            values = [run[i][1] for run in timings]
            print(f"| {delay:g} s | {name} | {statistics.median(values):.3f} | {min(values):.3f} | {max(values):.3f} |")


if __name__ == "__main__":
    main()
