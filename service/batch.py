"""Summarise an archive: JSON lines in, JSON lines out, resumable, failures recorded rather than fatal.

Each input line is an article (the body of POST /v1/summaries). Each output line is
`{"id", "status": "ok", "summary": {...}}` or `{"id", "status": "error", "error": {problem}}`, written as
soon as that article is done, so a run that stops keeps everything finished. Run again with the same
OUTPUT and the ids already in it are skipped. An article without `id` is known by its line number.
"""

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from service.errors import BadInputLine, as_problem
from service.summaries import SummaryService


@dataclass
class Counts:
    done: int = 0
    failed: int = 0
    skipped: int = 0


def finished_ids(output: Path) -> set[str]:
    """Ids already in OUTPUT; a half-written last line (a run that was killed) is not counted."""
    if not output.exists():
        return set()
    ids = set()
    with output.open(encoding="utf-8") as lines:
        for line in lines:
            try:
                ids.add(str(json.loads(line)["id"]))
            except (ValueError, KeyError, TypeError):
                continue
    return ids


def read_articles(source: Path) -> Iterator[tuple[str, dict[str, Any] | None, str | None]]:
    """(id, body, problem with the line) for each non-blank line."""
    with source.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                body = json.loads(line)
            except ValueError as exc:
                yield f"line-{number}", None, f"line {number} is not JSON: {exc}"
                continue
            if not isinstance(body, dict):
                yield f"line-{number}", None, f"line {number} is not a JSON object"
                continue
            yield str(body.get("id") or f"line-{number}"), body, None


Pending = list[tuple[str, dict[str, Any] | None, str | None]]


def pending_articles(source: Path, output: Path) -> tuple[Pending, int]:
    """What is left to do, and how many lines OUTPUT already has an answer for."""
    done = finished_ids(output)
    pending: Pending = []
    skipped = 0
    for article_id, body, error in read_articles(source):
        if article_id in done:
            skipped += 1
        else:
            pending.append((article_id, body, error))
    return pending, skipped


async def summarise_file(
    summariser: SummaryService, pending: Pending, skipped: int, output: Path, concurrency: int, progress: Any
) -> Counts:
    counts = Counts(skipped=skipped)
    progress.reset(total=len(pending))
    slots = asyncio.Semaphore(concurrency)
    with _appending(output) as sink:

        async def one(article_id: str, body: dict[str, Any] | None, error: str | None) -> None:
            async with slots:
                record = await _record(summariser, article_id, body, error)
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
            sink.flush()
            if record["status"] == "ok":
                counts.done += 1
            else:
                counts.failed += 1
            progress.update()

        await asyncio.gather(*(one(*item) for item in pending))
    return counts


async def _record(
    summariser: SummaryService, article_id: str, body: dict[str, Any] | None, error: str | None
) -> dict[str, Any]:
    if body is None:
        return {"id": article_id, "status": "error", "error": as_problem(BadInputLine(str(error)))}
    summary, failure = await summariser.summary_or_problem({**body, "id": article_id}, caller="anonymous")
    if failure is not None:
        return {"id": article_id, "status": "error", "error": failure}
    return {"id": article_id, "status": "ok", "summary": summary}


@contextmanager
def _appending(path: Path) -> Iterator[IO[str]]:
    """OUTPUT opened for appending, starting on a fresh line if a killed run left half of one."""
    torn = False
    if path.exists() and path.stat().st_size:
        with path.open("rb") as existing:
            existing.seek(-1, 2)
            torn = existing.read(1) != b"\n"
    with path.open("a", encoding="utf-8") as sink:
        if torn:
            sink.write("\n")
        yield sink
