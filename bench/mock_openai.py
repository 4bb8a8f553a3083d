"""A plain, fast OpenAI-compatible mock server for benchmarks: raw ASGI under uvicorn, no framework.

It answers each of the pipeline's questions (recognised by the schema name in the request) with the seed
article's answers, serialised once at start-up, after `--delay` seconds.

    .venv/bin/python -m bench.mock_openai --port 9100 --delay 0
"""

import asyncio
import json
import re
from typing import Any

import click
import uvicorn

from service.core.questions import SUMMARY, ComposedSummary
from tests.factories import QUESTION_OF_SCHEMA, SEED_ANSWERS, chat_completion

_SCHEMA_NAME = re.compile(rb'"name":\s*"(\w+)"')
_MODELS = json.dumps({"object": "list", "data": [{"id": "mock", "object": "model", "owned_by": "bench"}]}).encode()


def _bodies() -> dict[bytes, bytes]:
    bodies = {}
    for schema, question in QUESTION_OF_SCHEMA.items():
        seed_summary = ComposedSummary.model_validate(SEED_ANSWERS["summary"]).summary
        answer = SEED_ANSWERS.get(question, {"summary": seed_summary})  # combine: one summary of the parts
        bodies[schema.encode()] = json.dumps(chat_completion(answer, model="mock")).encode()
    return bodies


def make_app(delay_s: float) -> Any:
    bodies = _bodies()
    default = bodies[SUMMARY.answer.__name__.encode()]
    headers = [(b"content-type", b"application/json")]

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        request = b""
        more = True
        while more:
            message = await receive()
            request += message.get("body", b"")
            more = message.get("more_body", False)
        if scope["path"].endswith("/models"):
            body = _MODELS
        else:
            if delay_s:
                await asyncio.sleep(delay_s)
            match = _SCHEMA_NAME.search(request)
            body = bodies.get(match[1], default) if match else default
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


@click.command()
@click.option("--port", type=int, default=9100)
@click.option("--delay", type=float, default=0.0, help="Seconds before each answer.")
@click.option("--backlog", type=int, default=4096)
def main(port: int, delay: float, backlog: int) -> None:
    uvicorn.run(
        make_app(delay),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        backlog=backlog,
        lifespan="off",
    )


if __name__ == "__main__":
    main()
