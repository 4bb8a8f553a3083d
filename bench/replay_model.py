"""A model server that records answers and plays them back: it shows that a change of code left every question
and every answer as it was (issue 27: "the gold-set eval identical before and after").

Record once against a real server, then run the same eval through the replay after the change: a question
asked in other words (another prompt, another request) is not in the recording and is answered 404, which
the eval reports as that article's error; the same questions get the same answers byte for byte, so any
difference left in the eval's output was made by our code. With `--replay DIR --upstream URL` what the recording
lacks is asked of the real server (and recorded): a change to one question costs the model time of that
question alone.

    python -m bench.replay_model --port 9200 --record /tmp/rec --upstream http://127.0.0.1:8081 &
    summarise eval --cases ../shared/eval/cases --base-url http://127.0.0.1:9200 --model M --json before.json
    python -m bench.replay_model --port 9200 --replay /tmp/rec &
    summarise eval --cases ../shared/eval/cases --base-url http://127.0.0.1:9200 --model M --json after.json
    python -m bench.replay_model --compare before.json after.json
"""

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import click
import httpx
import uvicorn

# What differs between two runs of the same answers: time. And the prompts' version: a prompt changed in
# what it sends is seen by the replay itself (its request was not recorded), one added for another language is not.
_VOLATILE = {
    "latency_s",
    "latency_ms",
    "created_at",
    "processed_at",
    "elapsed_ms",
    "id_time",
    "timings",
    "prompt_version",
}


def _key(method: str, path: str, body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True).encode() if body else b""
    except ValueError:
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


def make_app(store: Path, upstream: str | None, fresh: bool = True) -> Any:
    store.mkdir(parents=True, exist_ok=True)
    client = httpx.AsyncClient(base_url=upstream, timeout=600) if upstream else None

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        path = scope["path"] + ("?" + scope["query_string"].decode() if scope["query_string"] else "")
        file = store / f"{_key(scope['method'], path, body)}.json"
        if file.exists() and (client is None or not fresh):
            record = json.loads(file.read_text())
        elif client is not None:
            headers = {"content-type": "application/json"}
            answer = await client.request(scope["method"], path, content=body, headers=headers)
            record = {"status": answer.status_code, "type": answer.headers.get("content-type", ""), "body": answer.text}
            if answer.is_success:  # a fault of the moment is not the answer to replay
                file.write_text(json.dumps(record))
        else:
            record = {"status": 404, "type": "application/json", "body": '{"error": "not recorded"}'}
        start = {
            "type": "http.response.start",
            "status": record["status"],
            "headers": [(b"content-type", record["type"].encode())],
        }
        await send(start)
        await send({"type": "http.response.body", "body": record["body"].encode()})

    return app


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in _VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def compare(before: Path, after: Path) -> int:
    """The articles whose output differs between two eval reports (time left out); 0 when none does."""
    old, new = (json.loads(p.read_text())["cases"] for p in (before, after))
    differ = 0
    for pipeline in old.keys() | new.keys():
        theirs, mine = old.get(pipeline, {}), new.get(pipeline, {})
        for case in sorted(theirs.keys() | mine.keys()):
            for part in ("output", "scores", "summary_score", "subjects", "error"):
                if _stable(theirs.get(case, {}).get(part)) != _stable(mine.get(case, {}).get(part)):
                    differ += 1
                    print(f"{pipeline} {case}: {part} differs")
    print(f"{differ} differences in {sum(len(c) for c in old.values())} articles")
    return 1 if differ else 0


@click.command()
@click.option("--port", default=9200)
@click.option(
    "--record", "record_dir", type=click.Path(path_type=Path), help="Forward to --upstream and keep each answer here."
)
@click.option("--upstream", help="The real server's base URL (with --record; with --replay, asked what it lacks).")
@click.option(
    "--replay",
    "replay_dir",
    type=click.Path(path_type=Path),
    help="Answer from a recording; 404 for what it lacks, or with --upstream ask it (and record the answer).",
)
@click.option("--compare", "reports", nargs=2, type=click.Path(exists=True, path_type=Path), help="Two eval reports.")
def main(
    port: int, record_dir: Path | None, upstream: str | None, replay_dir: Path | None, reports: tuple[Path, Path] | None
) -> None:
    if reports:
        sys.exit(compare(*reports))
    if (record_dir is None) == (replay_dir is None) or (record_dir is not None and not upstream):
        raise click.UsageError("give --record DIR --upstream URL, or --replay DIR [--upstream URL], or --compare A B")
    store = record_dir or replay_dir
    assert store is not None
    uvicorn.run(make_app(store, upstream, fresh=record_dir is not None), port=port, log_level="warning")


if __name__ == "__main__":
    main()
