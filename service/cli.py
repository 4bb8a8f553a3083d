"""`summarise`: the API server, one file, and (later) the evaluation — faces of the same pipeline."""

import asyncio
import json
import sys
from datetime import date
from pathlib import Path

import click

from schemas import ArticleRequest
from service.errors import SummariseError
from service.runtime import open_summariser
from service.settings import Settings


@click.group()
def main() -> None:
    """Structured, grounded summaries of news articles."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Run the HTTP API (the embedded model unless SUMMARISE_BASE_URL is set)."""
    import uvicorn

    from service.app import create_app

    # uvicorn's own graceful shutdown lets in-flight requests finish before the lifespan stops the model.
    uvicorn.run(create_app(Settings()), host=host, port=port, log_level="info")


@main.command()
@click.argument("article", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--published", type=click.DateTime(["%Y-%m-%d"]), help="Publication date, YYYY-MM-DD.")
@click.option("--title")
@click.option("--language", help="BCP 47 tag, e.g. en or de.")
def file(article: Path, published: "date | None", title: str | None, language: str | None) -> None:
    """Print the JSON summary of one plain-text ARTICLE file."""
    request = ArticleRequest(
        text=article.read_text(encoding="utf-8"),
        published=published.date() if published else None,  # type: ignore[attr-defined]
        title=title,
        language=language,
        id=article.name,
    )

    async def run() -> str:
        async with open_summariser(Settings()) as summariser:
            response = await summariser.summarise(request)
        return response.model_dump_json(indent=2)

    try:
        click.echo(asyncio.run(run()))
    except SummariseError as exc:
        click.echo(json.dumps({"status": exc.status, "title": exc.title, "detail": exc.detail}), err=True)
        sys.exit(1)
