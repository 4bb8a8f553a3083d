"""Find a model's quote in the article and return its offsets.

Offsets are code-point indices into the submitted text (Python `str` indices). A quote is accepted when it
stands in the article exactly, or after folding what models routinely change when they copy: typographic
quotes and dashes, runs of whitespace, and letter case. Anything else is not a quote of this article.
"""

import re
from dataclasses import dataclass
from functools import cached_property

from schemas import MatchKind

_FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
        "\u00a0": " ", "\u2009": " ", "\u202f": " ",
    }
)  # fmt: skip


# Sentence-final punctuation (and a closing quote), space, then a capital, digit or opening quote.
_SENTENCE_END = re.compile(r"[.!?][\"'”’»)]?\s+(?=[\"'“‘«(]?[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄҐ0-9])")
_WORD_BEFORE = re.compile(r"(\w+)\.$")
# A full stop after these is an abbreviation, not the end of a sentence ("U.S.", "Feb. 26", "Dr. Jones").
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "col",
        "lt",
        "sgt",
        "st",
        "jr",
        "sr",
        "no",
        "vs",
        "etc",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "inc",
        "corp",
        "co",
        "ltd",
        "dept",
        "gov",
        "sen",
        "rep",
        "rev",
        "ca",
        "approx",
    ]
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    match: MatchKind


def _fold_char(char: str) -> str:
    folded = char.translate(_FOLD)
    lower = folded.lower()
    # Keep one code point per code point so that folded offsets map straight back.
    return lower if len(lower) == 1 else folded


class ArticleText:
    """The article, with a folded copy built once and reused for every quote."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def _folded(self) -> tuple[str, list[int]]:
        # Whitespace is dropped, not collapsed: small models write "U. S." for "U.S." and "Feb.26".
        chars: list[str] = []
        origin: list[int] = []  # origin[i] = index in text of folded char i
        for index, char in enumerate(self.text):
            if not char.isspace():
                chars.append(_fold_char(char))
                origin.append(index)
        return "".join(chars), origin

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        """(start, end) of each sentence: paragraph breaks and sentence-final punctuation before a capital."""
        spans = []
        for paragraph in re.finditer(r"[^\n]+", self.text):
            start = paragraph.start()
            for boundary in _SENTENCE_END.finditer(self.text, paragraph.start(), paragraph.end()):
                if not _is_abbreviation(self.text[start : boundary.start() + 1]):
                    spans.append(_trimmed(self.text, start, boundary.end()))
                    start = boundary.end()
            spans.append(_trimmed(self.text, start, paragraph.end()))
        return [(start, end) for start, end in spans if end > start]

    def sentence_around(self, span: "Span") -> "Span":
        """The sentence that holds `span`: the quote that shows a name or a date in its context."""
        for start, end in self.sentences:
            if start <= span.start < end:
                return Span(start, max(end, span.end), span.match)
        return span

    def locate(self, quote: str, near: int | None = None) -> Span | None:
        """Offsets of `quote`; of several occurrences, the one nearest `near` (else the first)."""
        needle = quote.strip()
        if not needle:
            return None
        starts = _all_starts(self.text, needle)
        if starts:
            start = _nearest(starts, near)
            return Span(start, start + len(needle), MatchKind.exact)
        folded, origin = self._folded
        folded_needle = "".join(_fold_char(c) for c in needle if not c.isspace())
        folded_starts = _all_starts(folded, folded_needle)
        if not folded_starts:
            return None
        start = _nearest([origin[s] for s in folded_starts], near)
        folded_start = folded_starts[[origin[s] for s in folded_starts].index(start)]
        end = origin[folded_start + len(folded_needle) - 1] + 1
        return Span(start, end, MatchKind.normalised)

    def as_written(self, quote: str) -> str:
        """The article's own form of a quote it contains."""
        span = self.locate(quote)
        return self.text[span.start : span.end] if span else quote.strip()

    def contains(self, quote: str) -> bool:
        return self.locate(quote) is not None


def _is_abbreviation(sentence_so_far: str) -> bool:
    word = _WORD_BEFORE.search(sentence_so_far)
    if word is None:
        return False
    token = word.group(1)
    return len(token) == 1 or token.lower() in _ABBREVIATIONS


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _all_starts(haystack: str, needle: str) -> list[int]:
    starts, position = [], haystack.find(needle)
    while position != -1:
        starts.append(position)
        position = haystack.find(needle, position + 1)
    return starts


def _nearest(starts: list[int], near: int | None) -> int:
    return starts[0] if near is None else min(starts, key=lambda start: abs(start - near))
