"""What an article is filed under: predicted IPTC Media Topics judged against the gold set's (shared/eval/README.md).

- a predicted qcode in the case's `topics` is *right*; one in `also_acceptable` counts *neither way* (it is
  left out of precision); any other is *wrong*. Recall is over `topics`. A qcode predicted twice counts once.
- roots: every predicted and every gold topic is mapped to its top concept (one of the 17, through the
  shipped vocabulary's broader chain), and the same rule is applied to those sets: a root of a gold topic is
  right, a root only an also-acceptable topic has counts neither way, any other is wrong. A code the
  vocabulary does not know stands for itself (a predicted one is wrong).

topics.json lives beside the cases directory (in its parent); where it is not, subjects are not scored.
"""

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from service.core.mediatopics import Concept, MediaTopics

TOPICS_FILE = "topics.json"

Verdict = bool | None  # right, wrong, or neither way (an also-acceptable topic)


class _Topic(BaseModel):
    model_config = ConfigDict(extra="ignore")

    qcode: str


class GoldTopics(BaseModel):
    model_config = ConfigDict(extra="ignore")

    topics: list[_Topic] = []
    also_acceptable: list[_Topic] = []

    @property
    def codes(self) -> list[str]:
        return [t.qcode for t in self.topics]

    @property
    def acceptable(self) -> list[str]:
        return [t.qcode for t in self.also_acceptable]


def load_topics(cases_dir: Path) -> dict[str, GoldTopics]:
    """Gold topics per case id from <cases dir>/../topics.json; empty where there is no such file."""
    path = cases_dir.resolve().parent / TOPICS_FILE
    if not path.is_file():
        return {}
    entries = json.loads(path.read_text(encoding="utf-8"))
    return {case_id: GoldTopics.model_validate(entry) for case_id, entry in entries.items()}


def verdicts(predicted: Iterable[str], gold: Sequence[str], acceptable: Sequence[str]) -> list[Verdict]:
    """For each distinct predicted code, in order: True (in gold), None (only acceptable), False (neither)."""
    return [True if code in gold else None if code in acceptable else False for code in dict.fromkeys(predicted)]


def roots(codes: Iterable[str], vocabulary: MediaTopics) -> list[str]:
    """The distinct top concepts of `codes`, in order; a code the vocabulary does not know stands for itself."""
    found = []
    for code in codes:
        concept = vocabulary.get(code)
        found.append(vocabulary.root(concept).qcode if concept else code)
    return list(dict.fromkeys(found))


def root_verdicts(predicted: Iterable[str], gold: GoldTopics, vocabulary: MediaTopics) -> tuple[list[Verdict], int]:
    """The verdicts on the predicted topics' roots, and the number of gold roots (recall's denominator)."""
    gold_roots = roots(gold.codes, vocabulary)
    return verdicts(roots(predicted, vocabulary), gold_roots, roots(gold.acceptable, vocabulary)), len(gold_roots)


_SUBJECT_CODE = re.compile(r"^(?:subj:|http://cv\.iptc\.org/newscodes/subjectcode/)?(\d{8})/?$")


@dataclass(frozen=True)
class Filed:
    """An agency's subject read as a Media Topic: the code as written, the concept it matches exactly (None
    for an old Subject Code that nothing matches exactly), and the root it falls under."""

    code: str
    concept: Concept | None
    root: str | None


def filed_under(entry: dict[str, Any], vocabulary: MediaTopics) -> Filed | None:
    """What an agency's ninjs subject entry names, or None for an entry without a code ("Innenriks").

    The code is the first of `qcode`, `uri`, `literal` and 1.6's `code` that `vocabulary.get` knows: a Media
    Topic, or an old Subject Code through the Media Topic that matches it exactly (exactMatch). A Subject Code
    (bare, "subj:", or its URI) that nothing matches exactly still names its top level by its first two
    digits, and the 17 Subject Code top levels carry the numbers of the 17 Media Topic roots (16000000
    "unrest, conflicts and war", medtop:16000000 "conflict, war and peace"): its root is that one."""
    candidates = [str(entry[key]) for key in ("qcode", "uri", "literal", "code") if isinstance(entry.get(key), str)]
    for code in candidates:
        if (concept := vocabulary.get(code)) is not None:
            return Filed(code, concept, vocabulary.root(concept).qcode)
    for code in candidates:
        if (found := _SUBJECT_CODE.match(code.strip())) is not None:
            top = vocabulary.get(f"medtop:{found.group(1)[:2]}000000")
            return Filed(code, None, top.qcode if top is not None and top.broader is None else None)
    return None
