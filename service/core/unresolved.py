"""Sentences that signal something unresolved, found by code and offered to the model as candidates.

The open-issues question is the one a small model answers worst: asked cold, the 1.5B model returned an
empty list for nearly every article (2 issues in the 17 gold articles). As with dates, code points at
the places to look — sentences with words of doubt, waiting or dispute ("not yet", "unclear", "whether",
"may", "appeal", "noch nicht") — and the model says what each leaves open. Its quotes are still located in the article by the grounder.
"""

import re

from service.core.alignment import ArticleText

MAX_CANDIDATES = 6

# Strong cues say outright that something is open; weak ones only that something is planned or awaited.
# Sentences with a strong cue are offered first: the model tends to take candidates in the order given.
_STRONG = re.compile(
    r"\b(?:"
    r"not yet|yet to|unclear|uncertain|unknown|undecided|unresolved|unconfirmed|remains? to be seen|no decision|"
    r"(?:has|have|had|did|does|do|would|could) not (?:yet )?(?:say|said|decide|decided|confirm|confirmed|announce|"
    r"announced|agree|agreed|comment|commented|respond|responded|explain|explained|disclose|disclosed|advanced)|"
    r"declined to|refused to|failed to|without (?:a|any) (?:breakthrough|agreement|deal|decision)|"
    r"whether|pending|appeal\w*|investigat\w+|inquiry|disput\w+|contested|could|might|"
    r"noch nicht|noch kein\w*|unklar|ungewiss|offen|ob|bislang nicht|entscheidet|könnte\w*|Einspruch|Berufung"
    r")\b|(?-i:\bmay\b)",  # the verb, not the month
    re.IGNORECASE,
)
_WEAK = re.compile(
    r"\b(?:expected|plans? to|planned|propos\w+|consider\w*|hopes? to|warned|threatened|at least|intends? to|"
    r"erwartet|geplant|soll(?:en|te|ten)?|prüf\w+|Verhandlung\w*)\b",
    re.IGNORECASE,
)


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
