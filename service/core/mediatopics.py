"""IPTC Media Topics, the vocabulary newsrooms file news under: loaded as data, looked up, searched.

The vocabulary (IPTC, CC BY 4.0: `vocabulary/NOTICE`) is IPTC's JSON-LD file, shipped unchanged as package
data. It is data, not code: its SHA-256 must be the recorded one before it is read, and a file that is not
stops the start with one line (`WeightsError`, as the model weights do).

Retired concepts stay in the lookup (an item sent to us may carry one) but are never proposed. Search by
words is a lexical index (BM25 with the language's Snowball stemmer, `bm25s`) over each concept's label, in
the article's language and English: an editor's tag search, how well the article matches a concept. A
subject term (English, whatever the article's language) finds its concept by meaning (`MeaningIndex`:
sentence vectors of all-MiniLM-L6-v2, English only, `service.model.embeddings`).
"""

import functools
import hashlib
import io
import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import Stemmer

from service.errors import WeightsError
from service.languages import tag
from service.model.embeddings import Embedder, Vectors, load_embedder

VOCABULARY = "cptall-x-all.json"
RECORDED_SHA256 = "f5f0f2685b7435e459c72f4a92a1036f6e35489feaebe24e1d023d09cbe8cb87"
# The active concepts' `described()` texts as all-MiniLM-L6-v2 vectors (float32, one row each): derived from the
# vocabulary and the model, both pinned, by `python -m service.core.mediatopics`, checked like them.
MEANINGS = "meanings.npy"
MEANINGS_SHA256 = "3a631a6ef680dc3d35d11e7840b73afece2c6423be1bf01880e2b6d22c77a42f"
ENGLISH = "en-GB"
_MEDTOP = "http://cv.iptc.org/newscodes/mediatopic/"
_SUBJECT_CODE = "http://cv.iptc.org/newscodes/subjectcode/"
_WIKIDATA = "https://www.wikidata.org/entity/"
# The vocabulary's own language keys by the article's primary language subtag (BCP 47); "se" and "dk" are
# the file's names for Swedish and Danish.
_VOCABULARY_LANGUAGES = {"en": ENGLISH, "de": "de", "fr": "fr", "es": "es", "pt": "pt-PT", "sv": "se", "da": "dk"}
_BCP47 = {"en-GB": "en-GB", "de": "de", "fr": "fr", "es": "es", "pt-PT": "pt-PT", "se": "sv", "dk": "da"}
# Snowball stemmers and bm25s' stop-word lists by the vocabulary's language keys.
_STEMMERS = {"en-GB": "english", "de": "german", "fr": "french", "es": "spanish", "pt-PT": "portuguese"}
_STEMMERS |= {"se": "swedish", "dk": "danish"}
_STOPWORDS = {"en-GB": "en", "de": "de", "fr": "fr", "es": "es", "pt-PT": "pt", "se": "sv"}
# Languages that write compounds as one word: a label's word is found inside one ("Wahl" in "Stichwahl").
_COMPOUNDING = frozenset({"de", "se", "dk"})
_PART_OF_A_COMPOUND = 4  # characters a stem needs to be looked for inside a word


@dataclass(frozen=True)
class Concept:
    qcode: str  # "medtop:20000076"
    uri: str
    labels: dict[str, str] = field(hash=False, compare=False)  # by the vocabulary's language keys
    definitions: dict[str, str] = field(hash=False, compare=False, repr=False)
    broader: str | None  # the parent's qcode; None for the 17 top concepts
    wikidata: str | None  # "Q8434"
    subject_codes: tuple[str, ...]  # old IPTC Subject Codes it matches exactly ("04011000")
    retired: bool

    def label(self, language: str | None = None) -> tuple[str, str]:
        """Its label in the article's language where the vocabulary has one, else in English, and that
        label's language (BCP 47)."""
        key = vocabulary_language(language)
        if key in self.labels:
            return self.labels[key], _BCP47.get(key, key)
        return self.labels.get(ENGLISH, self.qcode), "en-GB"


class MediaTopics:
    def __init__(self, document: dict[str, object]) -> None:
        concepts = [_concept(item) for item in document["conceptSet"]]  # type: ignore[attr-defined]
        self._by_qcode = {c.qcode: c for c in concepts}
        self._by_subject_code = {code: c for c in concepts for code in c.subject_codes if not c.retired}
        self.active: tuple[Concept, ...] = tuple(c for c in concepts if not c.retired)
        self._labels = frozenset(label.casefold() for c in self.active for label in c.labels.values())
        narrower: dict[str, list[Concept]] = {}
        for c in self.active:
            if c.broader is not None:
                narrower.setdefault(c.broader, []).append(c)
        self._narrower = {qcode: tuple(under) for qcode, under in narrower.items()}

    def get(self, code: str) -> Concept | None:
        """The concept of a QCode ("medtop:20000076"), a Media Topic URI, or an old Subject Code (as a
        code, "subj:04011000", or its URI) it matches exactly."""
        code = code.strip()
        if code.startswith(_MEDTOP):
            code = "medtop:" + code.removeprefix(_MEDTOP).strip("/")
        if code.startswith("medtop:"):
            return self._by_qcode.get(code)
        code = code.removeprefix(_SUBJECT_CODE).removeprefix("subj:").strip("/")
        return self._by_subject_code.get(code)

    def has_label(self, name: str) -> bool:
        """Whether an active concept has `name` as its label in any language ("Scientology", "Parlament")."""
        return " ".join(name.casefold().split()) in self._labels

    def chain(self, concept: Concept) -> list[Concept]:
        """Its broader concepts, the parent first, up to a top concept."""
        chain = []
        while concept.broader is not None and (parent := self._by_qcode.get(concept.broader)) is not None:
            chain.append(parent)
            concept = parent
        return chain

    def narrower(self, concept: Concept) -> tuple[Concept, ...]:
        """The concepts one level under it that may be assigned (none retired), in the vocabulary's order."""
        return self._narrower.get(concept.qcode, ())

    def root(self, concept: Concept) -> Concept:
        chain = self.chain(concept)
        return chain[-1] if chain else concept

    def most_specific(self, concepts: Sequence[Concept]) -> list[Concept]:
        """`concepts` without duplicates and without any that is another's ancestor, in their order."""
        ancestors = {a.qcode for c in concepts for a in self.chain(c)}
        return list({c.qcode: c for c in concepts if c.qcode not in ancestors}.values())

    def index(self, language: str | None, described: bool = False) -> "LabelIndex":
        return _index(self, vocabulary_language(language), described)

    def meanings(self) -> "MeaningIndex":
        """The concepts by meaning, from the shipped vectors (`MEANINGS`)."""
        return _meanings(self)


_TERMS_KEPT = 4096  # subject terms whose nearest concept `MeaningIndex` keeps: a few hundred bytes each


class MeaningIndex:
    """The active concepts' English label and definition as sentence vectors: a term finds its concept by
    meaning where their words differ ("asylum seekers": "refugees and internally displaced people")."""

    def __init__(self, topics: MediaTopics, embedder: Embedder, vectors: Vectors) -> None:
        if vectors.shape[0] != len(topics.active):
            raise WeightsError(f"{MEANINGS} has {vectors.shape[0]} vectors for {len(topics.active)} concepts")
        self._concepts = topics.active
        self._embedder = embedder
        self._vectors = vectors
        # A term's concept, kept per process (the oldest forgotten first): a newsroom's terms recur ("election",
        # "football"), and a term's pass through the embedding model is most of the CPU subjects cost
        # (bench/JOURNAL.md, 2026-12-06 (morning), a subject term's concept kept). New terms are still encoded
        # together, in one pass.
        self._kept: dict[str, tuple[Concept, float]] = {}
        self._keeping = threading.Lock()

    def nearest(self, terms: Sequence[str]) -> list[tuple[Concept, float]]:
        """Each term's nearest concept and their cosine similarity."""
        with self._keeping:
            if new := [term for term in dict.fromkeys(terms) if term not in self._kept]:
                for term, row in zip(new, self._embedder.encode(new) @ self._vectors.T, strict=True):
                    self._kept[term] = (self._concepts[int(row.argmax())], float(row.max()))
                while len(self._kept) > _TERMS_KEPT:
                    del self._kept[next(iter(self._kept))]
            return [self._kept[term] for term in terms]


def described(topics: MediaTopics) -> list[str]:
    """What the shipped vectors are of: each active concept's English label and definition, in order."""
    return [f"{c.labels.get(ENGLISH, '')}: {c.definitions.get(ENGLISH, '')}" for c in topics.active]


@functools.cache
def _meanings(topics: MediaTopics) -> MeaningIndex:
    data = resources.files("service.core").joinpath("vocabulary", MEANINGS).read_bytes()
    if (digest := hashlib.sha256(data).hexdigest()) != MEANINGS_SHA256:
        raise WeightsError(f"{MEANINGS} is not the shipped file (SHA-256 {digest[:12]}…); reinstall the package")
    return MeaningIndex(topics, load_embedder(), np.load(io.BytesIO(data)))


class LabelIndex:
    """BM25 over the active concepts' labels in one language and English, and with `described` their
    definitions too (a label weighs twice its definition: the words that name a concept say most)."""

    def __init__(self, topics: MediaTopics, language: str, described: bool) -> None:
        self._concepts = topics.active
        self._stemmer = Stemmer.Stemmer(_STEMMERS.get(language, "english"))
        self._compounding = language in _COMPOUNDING
        self._stopwords: str | list[str] = _STOPWORDS.get(language, [])
        self._bm25 = bm25s.BM25()
        self._bm25.index(self._tokens([_document(c, language, described) for c in self._concepts]), show_progress=False)

    def search(self, query: str, limit: int) -> list[tuple[Concept, float]]:
        """The concepts whose labels best match `query`, best first, with their BM25 scores (> 0)."""
        if not query.strip():
            return []
        limit = min(limit, len(self._concepts))
        found, scores = self._bm25.retrieve(self._tokens([query]), k=limit, show_progress=False)
        return [(self._concepts[i], float(s)) for i, s in zip(found[0], scores[0], strict=True) if s > 0]

    def stems(self, texts: list[str]) -> list[set[str]]:
        """The stemmed words of each text that count (no stop words), as the index reads them. In one call:
        bm25s makes its (disabled) progress bars per call, which cost more than stemming a sentence."""
        words: list[list[str]] = self._tokens(texts, return_ids=False)
        return [set(found) for found in words]

    def shared(self, wanted: set[str], stems: set[str]) -> int:
        """How many of the `wanted` stems a text's `stems` hold (inside a compound too, where the language
        makes them)."""
        if not self._compounding:
            return len(wanted & stems)
        return sum(1 for w in wanted if w in stems or (len(w) >= _PART_OF_A_COMPOUND and any(w in s for s in stems)))

    def _tokens(self, texts: list[str], return_ids: bool = True) -> Any:
        return bm25s.tokenize(
            texts, stopwords=self._stopwords, stemmer=self._stemmer, return_ids=return_ids, show_progress=False
        )


def _document(concept: Concept, language: str, described: bool) -> str:
    labels = list(dict.fromkeys(concept.labels[key] for key in (ENGLISH, language) if key in concept.labels))
    if not described:
        return " ".join(labels)
    definitions = [concept.definitions[key] for key in dict.fromkeys((ENGLISH, language)) if key in concept.definitions]
    return " ".join(labels + labels + definitions)


def vocabulary_language(language: str | None) -> str:
    """The vocabulary's key for a BCP 47 tag ("de-CH" -> "de"); English where it has no labels."""
    read = tag(language)
    if (read.language, read.region) == ("pt", "BR"):
        return "pt-BR"
    return _VOCABULARY_LANGUAGES.get(read.language or "en", ENGLISH)


@functools.cache
def media_topics() -> MediaTopics:
    """The shipped vocabulary, checked against its recorded digest, read once."""
    return checked(resources.files("service.core").joinpath("vocabulary", VOCABULARY).read_bytes())


def checked(data: bytes) -> MediaTopics:
    """The vocabulary in `data`, if it is the shipped file; else WeightsError, one line that says so."""
    digest = hashlib.sha256(data).hexdigest()
    if digest != RECORDED_SHA256:
        raise WeightsError(
            f"the IPTC Media Topics vocabulary {VOCABULARY} is not the shipped file (SHA-256 {digest[:12]}…, "
            f"recorded {RECORDED_SHA256[:12]}…); reinstall the package"
        )
    return MediaTopics(json.loads(data))


@functools.cache
def _index(topics: MediaTopics, language: str, described: bool) -> LabelIndex:
    return LabelIndex(topics, language, described)


def _concept(item: dict[str, object]) -> Concept:
    matches = [str(m) for m in _list(item.get("exactMatch"))]
    wikidata = next((m.removeprefix(_WIKIDATA) for m in matches if m.startswith(_WIKIDATA)), None)
    codes = tuple(m.removeprefix(_SUBJECT_CODE).strip("/") for m in matches if m.startswith(_SUBJECT_CODE))
    broader = [str(b) for b in _list(item.get("broader"))]
    labels, definitions = item.get("prefLabel"), item.get("definition")
    return Concept(
        qcode=str(item["qcode"]),
        uri=str(item["uri"]),
        labels=dict(labels) if isinstance(labels, dict) else {},
        definitions=dict(definitions) if isinstance(definitions, dict) else {},
        broader="medtop:" + broader[0].removeprefix(_MEDTOP).strip("/") if broader else None,
        wikidata=wikidata,
        subject_codes=codes,
        retired=bool(item.get("retired")),
    )


def _list(value: object) -> Iterator[object]:
    if isinstance(value, list):
        yield from value


if __name__ == "__main__":  # writes the shipped vectors again: after a new vocabulary or embedding model
    shipped = media_topics()
    target = Path(__file__).parent / "vocabulary" / MEANINGS
    np.save(target, load_embedder().encode(described(shipped)))
    print(f"{target}: SHA-256 {hashlib.sha256(target.read_bytes()).hexdigest()} (record it as MEANINGS_SHA256)")
