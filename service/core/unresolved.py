"""Sentences that signal something unresolved, found by code and offered to the model as candidates.

The open-issues question is the one a small model answers worst: asked cold, the 1.5B model returned an
empty list for nearly every article (2 issues in the 17 gold articles). As with dates, code points at
the places to look — sentences with words of doubt, waiting or dispute ("not yet", "unclear", "whether",
"may", "appeal", "noch nicht"), numbered — and the model says what each leaves open and which sentence
shows it, by number. A sentence that only reports what happened is never listed, so never an issue's
passage ("The Supreme Court thus retracted the pardon": "Whether the Supreme Court retracted the pardon").
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


def speaks_of(issue: str, passage: str) -> bool:
    """Whether an issue shares a word with the passage that shows it (not one of the commonest, three letters
    or more, compared by its first letters): one that shares none is not about it (the prompt's example
    copied, "Ob der Stadtrat von Springfield …" of a Dresden election) or not in the passage's language."""

    def stems(text: str) -> set[str]:
        return {w[:_STEM] for w in re.findall(r"\w{3,}", text.casefold()) if w not in _COMMON}

    return bool(stems(issue) & stems(passage))


def unresolved_spans(text: ArticleText, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of the sentences starting between `start` and `end` that signal something unresolved:
    outright doubt first, then plans, each in article order; at most MAX_CANDIDATES, a sentence the article
    repeats word for word once."""
    stop = len(text.text) if end is None else end
    strong: dict[str, tuple[int, int]] = {}
    weak: dict[str, tuple[int, int]] = {}
    for sentence_start, sentence_end in text.sentences:
        if not start <= sentence_start < stop:
            continue
        sentence = text.text[sentence_start:sentence_end]
        if _STRONG.search(sentence):
            strong.setdefault(sentence, (sentence_start, sentence_end))
        elif _WEAK.search(sentence):
            weak.setdefault(sentence, (sentence_start, sentence_end))
    return [*strong.values(), *(span for sentence, span in weak.items() if sentence not in strong)][:MAX_CANDIDATES]


def unresolved_sentences(text: ArticleText, start: int = 0, end: int | None = None) -> list[str]:
    """The sentences of `unresolved_spans`."""
    return [text.text[a:b] for a, b in unresolved_spans(text, start, end)]
