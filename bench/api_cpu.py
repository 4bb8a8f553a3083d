"""Where our CPU per summary goes: the core in this process (no HTTP API in front), on the mock model server,
the seed summarised again and again with NER off (4 model calls), its questions asked one at a time so that
the stages' times add up. Timed by wrapping the stages, not by a profiler (cProfile doubles the cost of
Python-heavy code such as httpx's and shifts the split).

    .venv/bin/python -m bench.api_cpu --summaries 300

Stages (ms per summary, wall): `model calls` is the 4 questions from the prompt to the validated answer
(`Summariser.ask`), of which `openai post` is the openai client's request (httpx, httpcore and the mock's
answer, ~0.1 ms each, included) and `instructor` what one instructor call adds around it (shaping the request,
parsing and validating the answer, where our validators run, and our tenacity loop for transient faults);
`subjects`, `dates found` and `addressed lines` are code's; the rest (`other`) is grounding, the response and
the event loop. Log lines are made as the server makes them (JSON, INFO) and written to /dev/null.
"""

import asyncio
import json
import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from bench.run import ROOT, mock_model

if TYPE_CHECKING:
    from service.settings import Settings

_STAGES: dict[str, float] = {}


def _timed(owner: Any, name: str, stage: str) -> None:
    """Replace `owner.name` (a function or coroutine function) by one that adds its wall time to `stage`."""
    original: Callable[..., Any] = getattr(owner, name)
    if asyncio.iscoroutinefunction(original):

        async def timed_async(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                _STAGES[stage] = _STAGES.get(stage, 0.0) + time.perf_counter() - started

        setattr(owner, name, timed_async)
    else:

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                _STAGES[stage] = _STAGES.get(stage, 0.0) + time.perf_counter() - started

        setattr(owner, name, timed)


async def _measure(summaries: int, settings: "Settings") -> str:
    import openai

    import service.core.grounding as grounding
    import service.core.pipeline as pipeline
    from schemas import ArticleRequest
    from service.model.client import ModelClient
    from service.runtime import open_core

    seed = json.loads((ROOT / "tests" / "fixtures" / "seed_geneva.json").read_text(encoding="utf-8"))
    article = ArticleRequest.model_validate(seed)
    async with open_core(settings) as core:
        for _ in range(20):  # connections, caches, the first-use work
            await core.summarise(article)
        _timed(pipeline.Summariser, "ask", "model calls")
        _timed(ModelClient, "_extract_in", "instructor")
        _timed(openai.AsyncOpenAI, "post", "openai post")
        _timed(grounding, "subjects", "subjects")
        _timed(pipeline, "find_date_expressions", "dates found")
        _timed(pipeline, "addressed_lines", "addressed lines")
        _STAGES.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(summaries):
            await core.summarise(article)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    per = {stage: seconds / summaries * 1000 for stage, seconds in _STAGES.items()}
    per["instructor"] = per["instructor"] - per["openai post"]  # its part around the post
    per["other"] = wall / summaries * 1000 - sum(
        per[s] for s in ("model calls", "subjects", "dates found", "addressed lines")
    )
    lines = [
        f"per summary: wall {wall / summaries * 1000:.2f} ms, CPU {cpu / summaries * 1000:.2f} ms ({summaries} summaries)"
    ]
    lines += [f"  {stage:16} {ms:6.2f} ms" for stage, ms in per.items()]
    return "\n".join(lines)


@click.command()
@click.option("--summaries", default=300, show_default=True)
def main(summaries: int) -> None:
    with mock_model() as model:
        os.environ.update(
            SUMMARISE_BASE_URL=model,
            SUMMARISE_MODEL="mock",
            SUMMARISE_CACHE_TTL_S="0",
            SUMMARISE_NER_PIPELINES="[]",
            SUMMARISE_MODEL_PARALLEL_CALLS="1",
            SUMMARISE_LOG_LEVEL="INFO",
        )
        from service.logs import configure_logging
        from service.settings import LogSettings, Settings

        settings = Settings()
        with open(os.devnull, "w") as devnull:  # the log handler's stream: lines made, not shown
            stderr, sys.stderr = sys.stderr, devnull
            try:
                configure_logging(settings.slice(LogSettings))
            finally:
                sys.stderr = stderr
            print(asyncio.run(_measure(summaries, settings)))


if __name__ == "__main__":
    main()
