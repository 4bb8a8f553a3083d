"""Find a model's quote in the article and return its offsets, the way a proofreader would.

Offsets are code-point indices into the submitted text (Python `str` indices). A quote is accepted:
1. exactly as it stands in the article;
2. else normalised: equal after folding what models routinely change when they copy — typographic
   quotes and dashes, whitespace (dropped, since small models write "U. S." for "U.S."), letter case;
3. else fuzzy: the best-aligned passage (rapidfuzz partial_ratio_alignment) scores at least FUZZY_MIN and
   has about the quote's length — a dropped or changed word — and is widened to whole words.
Anything else is not a quote of this article. Each span says which of the three matched.
"""

import re
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz

from schemas import MatchKind
from service.languages import commonest_words, every

FUZZY_MIN = 92.0  # rapidfuzz score (0-100) for a fuzzy match; "with" for "without" scores below it
FUZZY_MIN_CHARS = 12  # shorter quotes (names, dates) must match exactly or normalised

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
_CLAUSE_WORDS = 4  # besides the expression; fewer rarely say what happens (gold set: events right 50/64)
# "Talks among Ukraine, Russia, and the U.S. were held on …": commas of a list, not of clauses.
_LIST_GOES_ON = tuple(word for language in every() for word in language.conjunctions)
_LIST_END = re.compile(rf",\s+(?:{'|'.join(_LIST_GOES_ON)})\s")
_CLAUSE_END = re.compile(r"[,;:](?=\s)|(?<!\d)\s[–—-]\s(?!\d)")  # "1 – 0", "17 – 18" are a score, a range
# A dateline: where and when, before a spaced dash that opens the text ("Dresden (Deutschland), 08.06.2015 – ",
# "GENEVA, Feb 24, 2026 (Reuters) - "): a place in capitalised words, a comma, a date (or an agency) ending
# in a digit (or a bracket); not a sentence's opening words ("On Friday, the toll rose to 700 - ").
_DATELINE = re.compile(
    r"\s*(?P<place>[A-ZÀ-Ý][\w'’.-]*(?:\s+(?:[A-ZÀ-Ý][\w'’.-]*|\([^)\n]{1,30}\)))*),\s+[^\n–—]{3,40}?[\d)]\s[–—-]\s+"
)
_FUNCTION_WORDS = commonest_words()
_WORD_BEFORE = re.compile(r"(\w+)\.$")
# A full stop after these is an abbreviation, not the end of a sentence ("U.S.", "Feb. 26", "Dr. Jones").
_ABBREVIATIONS = frozenset(word for language in every() for word in language.abbreviations)


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
    def _folded_in_place(self) -> str:
        """Folded one character for one, so its offsets are the article's."""
        return "".join(_fold_char(char) for char in self.text)

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        """(start, end) of each sentence: paragraph breaks and sentence-final punctuation before a capital."""
        spans = []
        for paragraph in re.finditer(r"[^\n]+", self.text):
            start = paragraph.start()
            for boundary in _SENTENCE_END.finditer(self.text, paragraph.start(), paragraph.end()):
                # Only the word before the full stop matters; a bounded slice keeps this linear when
                # nothing ends a sentence for a long way ("U.S. U.S. U.S. …").
                if not _is_abbreviation(self.text[max(start, boundary.start() - 64) : boundary.start() + 1]):
                    spans.append(_trimmed(self.text, start, boundary.end()))
                    start = boundary.end()
            spans.append(_trimmed(self.text, start, paragraph.end()))
        return [(start, end) for start, end in spans if end > start]

    @cached_property
    def dateline(self) -> tuple[int, int] | None:
        """Where the text's dateline is, its dash and the space after it included; None where it has none."""
        found = _DATELINE.match(self.text)
        if found is None or found["place"].split()[0].casefold() in _FUNCTION_WORDS:
            return None
        return found.span()

    @cached_property
    def lead(self) -> str:
        """The first sentence: what an editor reads first, after the headline."""
        return self.text[slice(*self.sentences[0])] if self.sentences else ""

    def sentence_around(self, span: "Span") -> "Span":
        """The sentence that holds `span`: the quote that shows a name or a date in its context."""
        for start, end in self.sentences:
            if start <= span.start < end:
                return Span(start, max(end, span.end), span.match)
        return span

    def clause_around(self, start: int, end: int) -> tuple[int, int]:
        """The clause of its sentence that holds an expression (a date, a name), widened clause by clause
        towards the sentence's start while it is too short to say what happens ("Switzerland on Feb. 26" is
        a place and a date; "… will hold talks in Geneva, Switzerland on Feb. 26" an event) or is a piece
        of a list; an expression that is its whole sentence takes the next one of its paragraph."""
        sentence = self.sentence_around(Span(start, end, MatchKind.exact))
        first = sentence.start  # after a dateline, whatever its dash follows: it is no part of a clause
        if self.dateline and sentence.start < self.dateline[1] <= start:
            first = self.dateline[1]
        bounds = [first, *(m.end() for m in _CLAUSE_END.finditer(self.text, first, sentence.end))]
        clause_end = min((b for b in bounds if b >= end), default=sentence.end)
        own = len(self.text[start:end].split())  # the expression's words say nothing of what happens
        clause = first, sentence.end
        for clause_start in sorted((b for b in bounds if b <= start), reverse=True):
            words = self.text[clause_start:clause_end].split()
            in_a_list = words[0].casefold() in _LIST_GOES_ON or _LIST_END.search(self.text, clause_start, start)
            if len(words) - own >= _CLAUSE_WORDS and not in_a_list:
                clause = clause_start, clause_end
                break
        if len(self.text[clause[0] : clause[1]].split()) - own < 2:  # the expression is its sentence
            following = next(((a, b) for a, b in self.sentences if a >= sentence.end), None)
            if following is not None and "\n" not in self.text[sentence.end : following[0]]:  # same paragraph
                clause = sentence.start, following[1]
        return clause

    def before_in_clause(self, start: int, end: int) -> str:
        """The words before an expression in its own clause, not widened as `clause_around` widens it: "will
        travel to Geneva" of "on Thursday" in "… will travel to Geneva on Thursday, officials said on Monday",
        "officials said" of "on Monday"."""
        sentence = self.sentence_around(Span(start, end, MatchKind.exact))
        bounds = [sentence.start, *(m.end() for m in _CLAUSE_END.finditer(self.text, sentence.start, start))]
        return self.text[max(bounds) : start]

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
        spans = [(origin[s], origin[s + len(folded_needle) - 1] + 1) for s in folded_starts]
        if "\n" not in needle:  # folding whitespace must not join two paragraphs ("Secretary.\n\nWitkoff")
            spans = [(start, end) for start, end in spans if "\n" not in self.text[start:end]]
        if spans:
            start, end = min(spans, key=lambda span: 0 if near is None else abs(span[0] - near))
            return Span(start, end, MatchKind.normalised)
        return self._fuzzy(needle)

    def _fuzzy(self, needle: str) -> Span | None:
        if len(needle) < FUZZY_MIN_CHARS:
            return None
        folded_needle = "".join(_fold_char(c) for c in needle)
        alignment = fuzz.partial_ratio_alignment(folded_needle, self._folded_in_place, score_cutoff=FUZZY_MIN)
        if alignment is None:
            return None
        start, end = _trimmed(self.text, alignment.dest_start, alignment.dest_end)
        if "\n" in self.text[start:end] and "\n" not in needle:
            return None
        while end > start and not self.text[end - 1].isalnum() and needle[-1:] != self.text[end - 1]:
            end -= 1  # punctuation the quote did not end with
        while start > 0 and self.text[start - 1].isalnum():  # widen a cut word to the whole word
            start -= 1
        while end < len(self.text) and self.text[end].isalnum():
            end += 1
        if not 0.75 * len(needle) <= end - start <= 1.33 * len(needle):
            return None
        return Span(start, end, MatchKind.fuzzy)

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
