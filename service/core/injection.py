"""Text inside an article that addresses the summariser instead of the reader (prompt injection).

Two layers, neither of which trusts the model to resist:
- the prompt: the article sits between <article> tags, and tags of that name inside the article are
  neutralised, so the article cannot close its own delimiter;
- the grounding: lines that address the summariser ("Ignore previous instructions…", a fake "SYSTEM:" line,
  a fake closing tag) are masked before items are located, so nothing the model took from them can be
  grounded, and `meta.warnings` says which lines they were.
A news story *about* prompt injection loses the quoted lines as evidence, with that warning.
"""

import re

_DELIMITER = re.compile(r"<\s*/?\s*article\b[^>]*>", re.IGNORECASE)
_CLOSING = re.compile(r"<\s*/\s*article\b[^>]*>", re.IGNORECASE)
_OPENING = re.compile(r"<\s*article\b[^>]*>", re.IGNORECASE)

_ADDRESSED = re.compile(
    r"|".join(
        [
            # English
            r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:the\s+|your\s+)?"
            r"(?:previous|prior|above|earlier|preceding|system|original)\s+(?:instructions?|prompts?|rules|directions)",
            r"\b(?:ignore|disregard|forget)\s+(?:all\s+)?(?:the\s+)?(?:text|everything|article)\s+(?:above|before)",
            r"\bnew\s+instructions?\s*:",
            r"\byou\s+are\s+now\s+(?:a|an|in)\b",
            r"\b(?:list|add|include|name|report)\s+[^.\n]{1,60}?\s+as\s+(?:a\s+|the\s+)?(?:participants?|open\s+issues?)\b",
            r"\b(?:the\s+)?summary\s+must\s+(?:say|state|read|include)\b",
            # a fake chat turn at the start of a line
            # [ \t], not \s: "^\s*" would run across every following blank line at each line start
            r"^[ \t]*(?:system|assistant|developer)[ \t]*(?:prompt|message)?[ \t]*:",
            r"^[ \t]*\[/?(?:system|inst)\]",
            r"<\|im_(?:start|end)\|>",
            # German, French, Spanish
            r"\bignorier\w*\s+(?:alle\s+)?(?:vorherigen|bisherigen|obigen|vorigen)\s+(?:anweisungen|befehle)",
            r"\bvergiss\w*\s+(?:alles|den\s+text)\s+(?:oben|davor|bisher)",
            r"\bignore[rz]?\s+(?:toutes\s+)?les\s+instructions\s+(?:précédentes|ci-dessus)",
            r"\b(?:oubliez|oublie|ignorez|ignore)\s+(?:le\s+texte|tout\s+ce\s+qui)\s+(?:ci-dessus|précède)",
            r"\bignora\s+(?:todas\s+)?las\s+instrucciones\s+(?:anteriores|previas)",
            r"\bolvida\s+(?:todo\s+)?(?:el\s+texto\s+|lo\s+)anterior",
        ]
    )
    + r"|"
    + _DELIMITER.pattern,
    re.IGNORECASE | re.MULTILINE,
)


def neutralise_delimiters(text: str) -> str:
    """The article as the prompt shows it: its own <article> tags cannot end the data block."""
    return _DELIMITER.sub(lambda tag: tag.group().replace("<", "‹").replace(">", "›"), text)


def addressed_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line that speaks to the summariser, in order."""
    spans = [line_around(text, match.start(), match.end()) for match in _ADDRESSED.finditer(text)]
    # A fake closing tag frames what follows, up to a fake opening tag, as outside the article: all of it.
    for closing in _CLOSING.finditer(text):
        opening = _OPENING.search(text, closing.end())
        spans.append(line_around(text, closing.start(), opening.end() if opening else len(text)))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def line_around(text: str, start: int, end: int) -> tuple[int, int]:
    line_end = text.find("\n", end)
    return text.rfind("\n", 0, start) + 1, len(text) if line_end == -1 else line_end


def masked(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with those spans blanked out, same length, so offsets still refer to the original."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)
