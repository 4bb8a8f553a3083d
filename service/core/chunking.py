"""Parts of an article that each fit the model's context: cut at paragraphs, overlapping by one, so that
every part's offsets are the article's own and no sentence loses its context."""

import re
from collections.abc import Awaitable, Callable

MIN_PART_CHARS = 200


async def parts(text: str, budget_tokens: int, count_tokens: Callable[[str], Awaitable[int]]) -> list[tuple[int, int]]:
    """(start, end) of each part; one part when the text fits `budget_tokens`."""
    if len(text) <= budget_tokens:  # a token is at least one character: it fits, no need to count
        return [(0, len(text))]
    tokens = await count_tokens(text)
    if tokens <= budget_tokens:
        return [(0, len(text))]
    chars_per_part = max(int(budget_tokens * len(text) / tokens * 0.9), MIN_PART_CHARS)
    return split_paragraphs(text, chars_per_part)


def split_paragraphs(text: str, max_chars: int) -> list[tuple[int, int]]:
    """Greedy parts of at most max_chars, cut at line breaks (at spaces for an overlong paragraph); each
    part after the first starts with the last paragraph of the one before, so no sentence loses its context."""
    paragraphs = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    pieces: list[tuple[int, int]] = []
    for start, end in paragraphs:
        while end - start > max_chars:
            cut = text.rfind(" ", start, start + max_chars)
            cut = cut if cut > start else start + max_chars
            pieces.append((start, cut))
            start = cut
        pieces.append((start, end))
    spans: list[tuple[int, int]] = []
    first = 0
    while first < len(pieces):
        last = first
        while last + 1 < len(pieces) and pieces[last + 1][1] - pieces[first][0] <= max_chars:
            last += 1
        spans.append((pieces[first][0], pieces[last][1]))
        if last + 1 >= len(pieces):
            break
        first = last if last > first else last + 1  # overlap: the next part repeats this one's last piece
    return spans
