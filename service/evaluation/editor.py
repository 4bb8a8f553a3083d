"""What an editor reads: a summary scored against the key facts of the gold set (shared/eval/README.md).

- a fact is *conveyed* when, for every group of its `keys`, at least one alternative occurs in the summary.
  Both sides are folded first: casefolded, every Unicode dash ("–", "—", "‐", the minus sign ...) made "-",
  every run of whitespace made one space. An alternative is a substring ("negotiat" finds "negotiations").
- the *lead* is the first fact: the story's news.
- *copied*: the longest run of consecutive words the summary shares with the article, over the summary's
  words (a lead sentence copied whole ~1.0, an editor's abstract ~0.1). Words are the simple kind: `\\w+`
  tokens of the casefolded text, so "U.S." is two words and punctuation never breaks or makes a run.
- *in shape*: 2-3 sentences (the project's sentence rule, ArticleText.sentences: "Feb. 26" and "U.S." end
  none) and at most 100 words. A longer summary conveys more facts by length alone, so facts also count
  only for summaries in shape (one out of shape scores 0 there).

summaries.json and anchor-summaries.json live beside the cases directory (in its parent); where they are
not, these scores are skipped.
"""

import json
import re
import statistics
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from service.core.alignment import ArticleText

MAX_WORDS = 100
SENTENCES = (2, 3)
SUMMARIES_FILE = "summaries.json"
ANCHORS_FILE = "anchor-summaries.json"
# The anchors the gold set's README names, each on (nearly) every GUM case. The corpus also ships human2-5,
# for two cases only: too few to stand beside a run, so they are left out.
ANCHOR_SOURCES = ("human1", "claude-3-5-sonnet-20241022", "gpt4o", "Llama-3.2-3B-Instruct", "Qwen2.5-7B-Instruct")


class KeyFact(BaseModel):
    model_config = ConfigDict(extra="ignore")

    fact: str
    keys: list[list[str]]


def fold(text: str) -> str:
    """Casefolded, dashes made "-", whitespace runs made one space: the form both sides are compared in."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join("-" if unicodedata.category(char) == "Pd" or char == "\u2212" else char for char in text)
    return " ".join(text.split())


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def conveys(summary: str, fact: KeyFact) -> bool:
    folded = fold(summary)
    return all(any(fold(alternative) in folded for alternative in group) for group in fact.keys)


def copied_share(summary: str, article: str) -> float:
    """The longest run of words the summary shares with the article, over the summary's words."""
    mine, theirs = words(summary), words(article)
    if not mine:
        return 0.0
    # autojunk off: in a long article common words ("the") would otherwise be skipped as junk.
    run = SequenceMatcher(None, mine, theirs, autojunk=False).find_longest_match(0, len(mine), 0, len(theirs))
    return run.size / len(mine)


def sentence_count(summary: str) -> int:
    return len(ArticleText(summary).sentences)


@dataclass(frozen=True)
class SummaryScore:
    facts: int
    conveyed: int
    lead: bool
    copied: float
    words: int
    sentences: int

    @property
    def in_shape(self) -> bool:
        return SENTENCES[0] <= self.sentences <= SENTENCES[1] and self.words <= MAX_WORDS

    @property
    def conveyed_share(self) -> float:
        return self.conveyed / self.facts if self.facts else 0.0

    @property
    def conveyed_in_shape(self) -> float:
        return self.conveyed_share if self.in_shape else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.__dict__,
            "conveyed_share": self.conveyed_share,
            "in_shape": self.in_shape,
            "conveyed_in_shape": self.conveyed_in_shape,
        }


def score_summary(summary: str, facts: Sequence[KeyFact], article: str) -> SummaryScore:
    return SummaryScore(
        facts=len(facts),
        conveyed=sum(conveys(summary, fact) for fact in facts),
        lead=bool(facts) and conveys(summary, facts[0]),
        copied=copied_share(summary, article),
        words=len(words(summary)),
        sentences=sentence_count(summary),
    )


def summary_totals(scores: Iterable[SummaryScore]) -> dict[str, float]:
    """Means over cases (each case weighs the same, whatever its number of facts), medians of copied and words."""
    scored = list(scores)
    if not scored:
        return {}
    return {
        "cases": len(scored),
        "facts": statistics.mean(s.conveyed_share for s in scored),
        "facts_in_shape": statistics.mean(s.conveyed_in_shape for s in scored),
        "lead": statistics.mean(s.lead for s in scored),
        "copied_p50": statistics.median(s.copied for s in scored),
        "words_p50": statistics.median(s.words for s in scored),
        "in_shape": statistics.mean(s.in_shape for s in scored),
    }


def load_facts(cases_dir: Path) -> dict[str, list[KeyFact]]:
    """Key facts per case id from <cases dir>/../summaries.json; empty where there is no such file."""
    path = cases_dir.resolve().parent / SUMMARIES_FILE
    if not path.is_file():
        return {}
    entries = json.loads(path.read_text(encoding="utf-8"))
    return {case_id: [KeyFact.model_validate(f) for f in entry.get("facts", [])] for case_id, entry in entries.items()}


def load_anchors(cases_dir: Path) -> dict[str, dict[str, str]]:
    """Other summarisers' summaries per case id, {source: summary}, from <cases dir>/../anchor-summaries.json."""
    path = cases_dir.resolve().parent / ANCHORS_FILE
    if not path.is_file():
        return {}
    entries = json.loads(path.read_text(encoding="utf-8"))
    return {
        case_id: {source: text for source, text in entry.get("summaries", {}).items() if source in ANCHOR_SOURCES}
        for case_id, entry in entries.items()
    }
