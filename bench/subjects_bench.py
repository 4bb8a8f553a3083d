"""CPU time code adds to an article for subjects and salience (issue 26's target: at most 100 ms).

    .venv/bin/python -m bench.subjects_bench [--cases DIR]

For each gold article: the vocabulary's indexes warm (built once at start, timed apart), then `subjects()`
with four subject terms (the article's title words, as a stand-in for the model's: a few short terms each
turned into a vector, then the retrieval) and `salience.ranked()` over its named candidates, each timed over repeats, p50
and max reported. No model is asked.
"""

import json
import statistics
import time
from pathlib import Path

import click

from schemas import Evidence, MatchKind, Participant, ParticipantKind
from service.core.alignment import ArticleText
from service.core.mediatopics import ENGLISH, media_topics
from service.core.salience import ranked
from service.core.subjects import subjects

CASES = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "cases"
_REPEATS = 5


@click.command()
@click.option("--cases", "cases_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=CASES)
def main(cases_dir: Path) -> None:
    started = time.perf_counter()
    topics = media_topics()
    loaded = time.perf_counter()
    for language in (ENGLISH, "de"):
        topics.index(language)
        topics.index(language, described=True)
    warmed = time.perf_counter()
    meanings = topics.meanings()
    meant = time.perf_counter()
    click.echo(
        f"vocabulary read and checked {1000 * (loaded - started):.0f} ms; 4 indexes built {1000 * (warmed - loaded):.0f} ms; "
        f"meanings read {1000 * (meant - warmed):.0f} ms (once a process)"
    )
    per_article = []
    for path in sorted(cases_dir.glob("*.json")):
        case = json.loads(path.read_text())
        text = ArticleText(case["text"])
        title, language = case.get("title"), case.get("language")
        terms = [w for w in (title or "").split() if len(w) > 3][:4]
        people = [
            Participant(
                name=g["name"], kind=ParticipantKind.other, aliases=g.get("aliases", []),
                evidence=[Evidence(quote="x", start=0, end=1, match=MatchKind.exact)],
            )
            for g in case.get("gold", {}).get("participants", [])
        ]  # fmt: skip
        times = []
        for _ in range(_REPEATS):
            start = time.perf_counter()
            subjects(terms, topics, meanings, text, case["text"], title, language, people)
            ranked(people, text, title)
            times.append(time.perf_counter() - start)
        per_article.append(statistics.median(times))
    ms = sorted(1000 * t for t in per_article)
    click.echo(f"{len(ms)} articles: subjects + salience p50 {statistics.median(ms):.1f} ms, max {ms[-1]:.1f} ms")


if __name__ == "__main__":
    main()
