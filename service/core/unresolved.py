"""Sentences that signal something unresolved, found by code and offered to the model as candidates.

The open-issues question is the one a small model answers worst: asked cold, the 1.5B model returned an
empty list for nearly every article (2 issues in the 17 gold articles). As with dates, code points at
the places to look — sentences with words of doubt, waiting or dispute ("not yet", "unclear", "whether",
"may", "appeal", "noch nicht") — and the model says what each leaves open. Its quotes are still located in the article by the grounder.
"""

import re

from service.core.alignment import ArticleText
from service.languages import commonest_words, every

MAX_CANDIDATES = 6

# Strong cues say outright that something is open; weak ones only that something is planned or awaited.
# Sentences with a strong cue are offered first: the model tends to take candidates in the order given.
_STRONG = re.compile(rf"\b(?:{'|'.join(cue for language in every() for cue in language.doubt)})\b", re.IGNORECASE)
_WEAK = re.compile(rf"\b(?:{'|'.join(cue for language in every() for cue in language.plans)})\b", re.IGNORECASE)
_COMMON = commonest_words()
_STEM = 5  # letters two words share at their start to count as one ("referendum", "referendums")


def signals_unresolved(passage: str) -> bool:
    """Whether a passage has a word of doubt, waiting or dispute, or asks a question: where it has none, it
    reports what happened, and a "whether" made of it is no open issue ("The Supreme Court thus retracted
    the pardon": "Whether the Supreme Court retracted the pardon")."""
    return bool(_STRONG.search(passage) or _WEAK.search(passage)) or "?" in passage


def speaks_of(issue: str, passage: str) -> bool:
    """Whether an issue shares a word with the passage that shows it (not one of the commonest, three letters
    or more, compared by its first letters): one that shares none is not about it (the prompt's example
    copied, "Ob der Stadtrat von Springfield …" of a Dresden election) or not in the passage's language."""

    def stems(text: str) -> set[str]:
        return {w[:_STEM] for w in re.findall(r"\w{3,}", text.casefold()) if w not in _COMMON}

    return bool(stems(issue) & stems(passage))


def unresolved_sentences(text: ArticleText, start: int = 0, end: int | None = None) -> list[str]:
    """Sentences starting between `start` and `end` that signal something unresolved: outright doubt first,
    then plans, each in article order; at most MAX_CANDIDATES."""
    stop = len(text.text) if end is None else end
    strong: list[str] = []
    weak: list[str] = []
    for sentence_start, sentence_end in text.sentences:
        if not start <= sentence_start < stop:
            continue
        sentence = text.text[sentence_start:sentence_end]
        if _STRONG.search(sentence):
            strong.append(sentence)
        elif _WEAK.search(sentence):
            weak.append(sentence)
    return (strong + weak)[:MAX_CANDIDATES]
