"""Our subjects against the agencies' own, on IPTC's example ninjs items that carry subjects: agreement at
the level of the 17 top Media Topics (roots).

    python -m bench.iptc_items [--base-url URL --model NAME] [PATH ...]

PATH: ninjs items, or directories of them (default ../shared/iptc-ninjs/examples, which holds TT's item;
NTB's and the Anti-Doping Database's are in IPTC's repository, iptc/newsinjson, examples/3.0/). Only text
items whose subjects name a Media Topic or a Subject Code are read; an item met twice (one story in two
ninjs versions: the same `uri`) counts once. The agencies' subjects are read by
service.evaluation.topics.filed_under: the Anti-Doping Database's (issue 26 calls it AAP's) are Media Topic
URIs; NTB's and TT's are old IPTC Subject Codes, a Media Topic where one matches them exactly (exactMatch),
else only their root, by the top-level number the two vocabularies share ("no exactMatch, root by number").
An entry without a code (NTB's "Innenriks", home news) is left out.

The article is the item as our ninjs endpoint reads it (service.adapters.ninjs.to_article); an item without a
body (NTB's example has a headline and a one-sentence description) is read from its headline and its
descriptions, and said so. Our pipeline is the bare core on the model `summarise eval` uses: the embedded
one, or --base-url/--model.

Agreement, over the items: our roots that are the agency's (precision), the agency's roots we give
(recall), their F1, and the items whose first subject's root is one of the agency's.
"""

import asyncio
import json
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import click

from schemas import ArticleRequest
from service.adapters.ninjs import to_article
from service.core.mediatopics import media_topics
from service.errors import InvalidNinjs, SummariseError
from service.evaluation.topics import Filed, filed_under
from service.logs import configure_logging
from service.runtime import open_core
from service.settings import LogSettings, Settings

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "iptc-ninjs" / "examples"


@dataclass
class Item:
    path: Path
    item: dict[str, Any]
    agency: list[tuple[str, Filed]]  # (the entry's name, what it files under)

    @property
    def provider(self) -> str:
        holder = self.item.get("copyrightHolder") or self.item.get("copyrightholder") or self.item.get("by")
        return str(holder or self.path.stem)

    @property
    def agency_roots(self) -> list[str]:
        return list(dict.fromkeys(filed.root for _, filed in self.agency if filed.root))


def _subjects(item: dict[str, Any]) -> list[dict[str, Any]]:
    entries = item.get("subjects", item.get("subject"))
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def read_items(paths: list[Path]) -> list[Item]:
    files = [f for p in paths for f in (sorted(p.glob("*.json")) if p.is_dir() else [p])]
    found: dict[str, Item] = {}
    topics = media_topics()
    for path in files:
        item = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(item, dict) or item.get("type") != "text" or not _subjects(item):
            continue
        agency = [(str(e.get("name", "")), f) for e in _subjects(item) if (f := filed_under(e, topics)) is not None]
        if agency:
            found.setdefault(str(item.get("uri") or item.get("guid") or path), Item(path, item, agency))
    return list(found.values())


async def article_of(item: dict[str, Any]) -> tuple[ArticleRequest, str]:
    """The article our ninjs endpoint reads from the item, and how it was read."""
    try:
        article, read = await to_article(item)
        return article, "no body: the text description" if read else "body"
    except InvalidNinjs:
        headline = next((h["value"] for h in item.get("headlines", []) if isinstance(h, dict)), None)
        texts = [d["value"] for d in item.get("descriptions", []) if isinstance(d, dict) and d.get("value")]
        language = item.get("language") if isinstance(item.get("language"), str) else None
        return ArticleRequest(text=" ".join(texts), title=headline, language=language), "no body: descriptions"


def _label(code: str) -> str:
    concept = media_topics().get(code)
    return f"{code} {concept.label()[0]}" if concept else code


def _prf(right: int, ours: int, theirs: int) -> str:
    p, r = (right / ours if ours else 0.0), (right / theirs if theirs else 0.0)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return f"P {p:.2f} ({right}/{ours})  R {r:.2f} ({right}/{theirs})  F1 {f1:.2f}"


def _agency_lines(item: Item) -> list[str]:
    return [
        f"  agency: {name!r} {filed.code} -> "
        + (f"{_label(filed.concept.qcode)}, root " if filed.concept else "no exactMatch, root by number ")
        + (_label(filed.root) if filed.root else "none")
        for name, filed in item.agency
    ]


async def run(items: list[Item], settings: Settings) -> list[str]:
    """Each item summarised, its subjects beside the agency's; then agreement over the items. A lost item
    (the model's error) gives no roots: it counts against recall."""
    lines: list[str] = []
    right = ours_total = theirs_total = first_right = exact_right = exact_theirs = lost = 0
    topics = media_topics()
    async with open_core(settings) as summariser:
        lines.append(
            f"model: {summariser.llm.model}; request budget {settings.request_budget_s:.0f} s; items: {len(items)}; "
            f"date: {date.today().isoformat()}"
        )
        for item in items:
            article, read = await article_of(item.item)
            lines += ["", f"{item.provider} ({item.path.name}, {article.language}, {read}): {article.title}"]
            lines += _agency_lines(item)
            theirs = item.agency_roots
            exact = list(dict.fromkeys(f.root for _, f in item.agency if f.root and f.concept))
            theirs_total, exact_theirs = theirs_total + len(theirs), exact_theirs + len(exact)
            started = time.monotonic()
            try:
                summary = await summariser.summarise(article)
            except SummariseError as exc:
                lost += 1
                lines.append(f"  lost after {time.monotonic() - started:.0f} s: {exc.detail}")
                continue
            concepts = [(s, topics.get(s.qcode)) for s in summary.response.subjects]
            our_roots = list(dict.fromkeys(topics.root(c).qcode for _, c in concepts if c))
            agreed = [r for r in our_roots if r in theirs]
            right, ours_total = right + len(agreed), ours_total + len(our_roots)
            first_right += bool(our_roots) and our_roots[0] in theirs
            exact_right += sum(r in exact for r in our_roots)
            lines += [
                f"  ours:   {s.qcode} {s.name} (confidence {s.confidence}, relevance {s.relevance}), root "
                + (_label(topics.root(c).qcode) if c else "?")
                for s, c in concepts
            ]
            lines += [f"  {w.text()}" for w in summary.warnings if "subject" in w.kind.value]  # the terms dropped
            lines.append(
                f"  roots: agency {theirs or '-'}, ours {our_roots or '-'}, agreed {agreed or '-'} "
                f"({time.monotonic() - started:.0f} s)"
            )
    lines += [
        "",
        f"roots, over {len(items)} items ({lost} lost): {_prf(right, ours_total, theirs_total)}; "
        f"first subject's root the agency's: {first_right}/{len(items)}",
        f"roots, the agency's by exactMatch only: {_prf(exact_right, ours_total, exact_theirs)}",
    ]
    return lines


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--base-url", help="OpenAI-compatible server; default: the embedded model.")
@click.option("--model", help="Model name on that server.")
def main(paths: tuple[Path, ...], base_url: str | None, model: str | None) -> None:
    """Run our pipeline on IPTC's example ninjs items that carry subjects; print agreement at the root level."""
    items = read_items(list(paths) or [EXAMPLES])
    if not items:
        raise click.UsageError("no ninjs text item with subjects in the paths given")
    overrides: dict[str, Any] = {key: value for key, value in {"base_url": base_url, "model": model}.items() if value}
    settings = Settings(**overrides)
    configure_logging(LogSettings(log_level="WARNING", log_json=False))
    click.echo(" ".join(["python -m bench.iptc_items", *sys.argv[1:]]))
    click.echo("\n".join(asyncio.run(run(items, settings))))


if __name__ == "__main__":
    main()
