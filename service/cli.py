"""`summarise`: the API server, one file, and the evaluation — faces of the same pipeline."""

import asyncio
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click
import pydantic

from schemas import ArticleRequest
from service.api.stores import opened_store
from service.errors import SummariseError, WeightsError, validation_problem
from service.model.embedded import EMBEDDED_MODELS, amx_weights, assemble_weights, check_installed
from service.runtime import open_summariser
from service.settings import LogSettings, ServerSettings, Settings

MAX_HEADER_BYTES = 16 * 1024  # the request line and headers; h11's default, chosen here


class _Commands(click.Group):
    """A model that cannot be loaded (the embedded extra missing, weights not the published file) is said
    in one line, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WeightsError as error:
            raise click.ClickException(str(error)) from None


@click.group(cls=_Commands)
def main() -> None:
    """Structured, grounded summaries of news articles."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1),
    help="Worker processes. More than one only with SUMMARISE_BASE_URL: each would load its own embedded model.",
)
def serve(host: str, port: int, workers: int) -> None:
    """Run the HTTP API (the embedded model unless SUMMARISE_BASE_URL is set)."""
    import uvicorn

    from service.api.app import create_app

    settings = Settings()
    if workers > 1 and settings.uses_embedded:
        raise click.UsageError("--workers > 1 needs SUMMARISE_BASE_URL: each worker would load the embedded model")
    if settings.uses_embedded:  # before uvicorn, whose failed start-up is a traceback
        check_installed(settings.embedded_model, settings.embedded_weights_dir)
    # On SIGTERM/SIGINT uvicorn stops accepting, lets in-flight requests finish for SUMMARISE_DRAIN_S
    # (under the orchestrator's stop grace), cancels the rest, then runs the lifespan's shutdown, which
    # hands running jobs back and stops the embedded model server.
    graceful = settings.drain_s
    if workers == 1:
        app: Any = create_app(settings)
    else:
        app = "service.api.app:create_app"  # each worker process builds its own app from the environment
    uvicorn.run(
        app,
        factory=workers > 1,
        host=host,
        port=port,
        workers=workers,
        log_config=None,  # our structlog setup, not uvicorn's
        timeout_graceful_shutdown=graceful,
        **server_options(settings),
    )


def server_options(settings: ServerSettings) -> dict[str, Any]:
    """What uvicorn is told about clients: whose X-Forwarded-For to believe (only SUMMARISE_FORWARDED_ALLOW_IPS;
    uvicorn alone believes 127.0.0.1, so anyone coming through loopback could pick their address), how long
    an idle connection stays open and how large headers may be."""
    return {
        "proxy_headers": bool(settings.forwarded_allow_ips),
        "forwarded_allow_ips": settings.forwarded_allow_ips or None,
        "timeout_keep_alive": settings.keep_alive_timeout_s,
        # Larger headers are refused. Headers that trickle in are not timed out by uvicorn: a proxy in front
        # does that (docs/operations.md, "Access and limits").
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
    }


@main.command("assemble-weights")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), required=False)
@click.option(
    "--model",
    "models",
    multiple=True,
    type=click.Choice(sorted(EMBEDDED_MODELS)),
    help="Embedded model (repeatable); default: SUMMARISE_EMBEDDED_MODEL.",
)
def assemble_weights_command(directory: Path, models: tuple[str, ...]) -> None:
    """Assemble and check the embedded weights into DIRECTORY once (an image does it at build time), for a
    server started with SUMMARISE_EMBEDDED_WEIGHTS_DIR=DIRECTORY, which then only reads them; by default into
    SUMMARISE_EMBEDDED_WEIGHTS_DIR or the model cache, where a server would assemble them at its first start
    (`make install` does it). Where llama.cpp runs AMX kernels, also the weights rewritten for them (a rewrite
    that fails is said in the log, and the published weights serve)."""
    settings = Settings()
    directory = directory or settings.embedded_weights_dir or settings.model_cache_dir
    for key in models or (settings.embedded_model,):
        model = EMBEDDED_MODELS[key]
        click.echo(assemble_weights(model, directory))
        if settings.embedded_amx_weights and (rewritten := amx_weights(model, directory)):
            click.echo(rewritten)


@main.command("hash-key")
@click.option("--new", "make_new", is_flag=True, help="Make a new random key and print it with its hash.")
def hash_key_command(make_new: bool) -> None:
    """Print the SHA-256 to put in SUMMARISE_API_KEY_HASHES for a key read from stdin (or a new one)."""
    from service.api.access import hash_key, new_key

    if make_new:
        key = new_key()
        click.echo(f"key:  {key}   (give this to the client; it is not stored anywhere)")
        click.echo(f"hash: {hash_key(key)}")
        return
    key = sys.stdin.readline().strip()
    if not key:
        raise click.UsageError('pipe the key on stdin, e.g. `printf %s "$KEY" | summarise hash-key`, or use --new')
    click.echo(hash_key(key))


@main.command()
@click.argument("article", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--published", type=click.DateTime(["%Y-%m-%d"]), help="Publication date, YYYY-MM-DD.")
@click.option("--title")
@click.option("--language", help="BCP 47 tag, e.g. en or de.")
def file(article: Path, published: "date | None", title: str | None, language: str | None) -> None:
    """Print the JSON summary of one ARTICLE file: plain text, or (ending in .json) the API's request body,
    whose fields the options replace."""
    given = {"published": published.date() if published else None, "title": title, "language": language}  # type: ignore[attr-defined]
    try:
        request = _article_request(article, {key: value for key, value in given.items() if value is not None})
    except pydantic.ValidationError as exc:
        click.echo(json.dumps(validation_problem(exc)), err=True)
        sys.exit(1)

    settings = _for_a_terminal(Settings())

    async def run() -> str:
        async with opened_store(settings, "summaries") as store, open_summariser(settings, store) as summariser:
            response = await summariser.summarise(request, caller="anonymous")  # the open API's entries
        return response.model_dump_json(indent=2)

    try:
        click.echo(asyncio.run(run()))
    except SummariseError as exc:
        click.echo(json.dumps({"status": exc.status, "title": exc.title, "detail": exc.detail}), err=True)
        sys.exit(1)


def _article_request(article: Path, options: dict[str, Any]) -> ArticleRequest:
    if article.suffix.lower() == ".json":  # as POSTed to /v1/summaries, e.g. tests/fixtures/seed_geneva.json
        # Not JSON, or not a request: said as a problem. A byte order mark, which some editors write, is none.
        sent = ArticleRequest.model_validate_json(article.read_text(encoding="utf-8-sig"))
        fields = sent.model_dump(exclude_unset=True)
        return ArticleRequest.model_validate({**fields, "id": sent.id or article.name, **options})
    return ArticleRequest.model_validate({"text": article.read_text(encoding="utf-8"), "id": article.name, **options})


@main.command("eval")
@click.option("--cases", "cases_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--base-url", help="OpenAI-compatible server; default: the embedded model.")
@click.option("--model", help="Model name on that server.")
@click.option(
    "--pipeline", "pipelines", type=click.Choice(["ours", "naive", "both"]), default="both", show_default=True
)
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the full report here."
)
@click.option("--limit", type=int, help="Only the first N cases.")
@click.option("--only", multiple=True, help="Case id (or its number prefix); repeatable.")
@click.option("--split", type=click.Choice(["dev", "test"]), help="Only the cases of one split (default: all cases).")
@click.option(
    "--rescore",
    "saved_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Score this saved report's outputs again (no model is called) instead of running the pipelines.",
)
def evaluate(
    cases_dir: Path,
    base_url: str | None,
    model: str | None,
    pipelines: str,
    json_path: Path | None,
    limit: int | None,
    only: tuple[str, ...],
    split: str | None,
    saved_path: Path | None,
) -> None:
    """Score pipelines on gold-annotated cases (the format of shared/eval/cases) and print the table."""
    from tqdm import tqdm

    from service.evaluation.naive import NaiveSummariser
    from service.evaluation.runs import CaseResult, pipeline_runners, rescore, run_case, table, write_report
    from service.evaluation.scoring import load_cases
    from service.model.prompts import load_prompt
    from service.runtime import open_core

    cases = load_cases(cases_dir, only=only, limit=limit, split=split)
    if not cases:
        raise click.UsageError(f"no cases in {cases_dir} match")
    chosen = ["ours", "naive"] if pipelines == "both" else [pipelines]
    if saved_path:
        saved = json.loads(saved_path.read_text(encoding="utf-8"))
        saved["cases"] = {name: by_case for name, by_case in saved["cases"].items() if name in chosen}
        rescored = rescore(saved, cases)
        if json_path:
            write_report(json_path, rescored, {**saved["meta"], "rescored": date.today().isoformat()})
        click.echo(table(rescored))
        return

    overrides: dict[str, Any] = {key: value for key, value in {"base_url": base_url, "model": model}.items() if value}
    settings = _for_a_terminal(Settings(**overrides))

    async def run() -> list[CaseResult]:
        results = []
        # The bare core: no cache (a cached summary would report another run's latency and tokens).
        async with open_core(settings) as summariser:
            runners = pipeline_runners(summariser, NaiveSummariser(summariser.llm, load_prompt("naive")))
            with tqdm(total=len(cases) * len(chosen), file=sys.stderr, unit="run", dynamic_ncols=True) as bar:
                for case in cases:
                    for name in chosen:
                        bar.set_description(f"{name} {case.id[:28]}")
                        results.append(await run_case(name, runners[name], case))
                        bar.update()
            model_name = summariser.llm.model
        if json_path:
            meta = {"model": model_name, "cases": len(cases), "pipelines": chosen, "date": date.today().isoformat()}
            write_report(json_path, results, meta)
        return results

    results = asyncio.run(run())
    click.echo(table(results))


@main.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--concurrency", default=2, show_default=True, type=click.IntRange(1, 256), help="Articles at once.")
def batch(source: Path, output: Path, concurrency: int) -> None:
    """Summarise every article in SOURCE (JSON lines) into OUTPUT (JSON lines); resumable."""
    from tqdm import tqdm

    from service.batch import Counts, pending_articles, summarise_file

    settings = _for_a_terminal(Settings())
    pending, skipped = pending_articles(source, output)

    async def run() -> None:
        counts = Counts(skipped=skipped)
        if pending:  # nothing left: no model to load
            async with opened_store(settings, "summaries") as store, open_summariser(settings, store) as summariser:
                with tqdm(file=sys.stderr, unit="article", dynamic_ncols=True, smoothing=0.1) as progress:
                    counts = await summarise_file(summariser, pending, skipped, output, concurrency, progress)
        click.echo(f"{counts.done} summarised, {counts.failed} failed (error records), {counts.skipped} already done")

    asyncio.run(run())


@main.command()
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Jobs at once.")
def worker(workers: int) -> None:
    """Run job workers without the HTTP API: on the SQLite job file (SUMMARISE_JOBS_DB) the API uses, or on
    the Redis queue the API replicas share (SUMMARISE_REDIS_URL)."""
    import signal

    from service.logs import configure_logging
    from service.runtime import run_job_workers

    settings = Settings()
    configure_logging(settings)

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        async with (
            opened_store(settings, "summaries") as store,
            open_summariser(settings, store) as summariser,
            run_job_workers(settings, summariser, workers) as watch,
        ):
            stopped, died = asyncio.create_task(stop.wait()), asyncio.create_task(watch.died.wait())
            await asyncio.wait([stopped, died], return_when=asyncio.FIRST_COMPLETED)
            stopped.cancel()
            died.cancel()
        if watch.died.is_set():  # a worker loop ended with an error: exit so that the supervisor restarts us
            raise SystemExit(1)

    asyncio.run(run())


@main.command("webhook-secret")
@click.option("--key", help="The client's API key (read from stdin if not given and keys are configured).")
def webhook_secret(key: str | None) -> None:
    """Print the secret that signs callbacks for one API key (or for anonymous use without keys), as
    Standard Webhooks verifiers take it: whsec_<base64>."""
    from service.api.access import key_id
    from service.jobs.webhooks import whsec

    settings = Settings()
    if settings.webhook_secret is None:
        raise click.UsageError("set SUMMARISE_WEBHOOK_SECRET first: callback secrets derive from it")
    if key is None and settings.api_key_hashes:
        key = sys.stdin.readline().strip()
    owner = f"key:{key_id(key)}" if key else "anonymous"
    click.echo(whsec(settings.webhook_secret.get_secret_value(), owner))


def _for_a_terminal(settings: Settings) -> Settings:
    """One-off commands print their result on stdout; only warnings go to stderr, readable, not JSON."""
    from service.logs import configure_logging

    configure_logging(LogSettings(log_level="WARNING", log_json=False))
    return settings


if __name__ == "__main__":
    main()
