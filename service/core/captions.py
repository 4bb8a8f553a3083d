"""A picture's caption and credit inside an article's text, which is not the story's text.

Text copied from a news page brings its pictures' captions along, each ending in the picture's source:
"File photo of interviewee David Titley. Image: David Titley.", "Shimon Peres image: David Shankbone."
(Wikinews: 10 of the GUM corpus's 19 interviews hold such a line; 3 of its 15 textbook chapters a figure's).
The photographer named there is no participant, and the caption says nothing the story does not: such a
line is masked before code reads the text, as a line that addresses the summariser is
(`injection.addressed_lines`), so that no candidate, date, role or evidence comes from it. The model still
reads the article as sent.
"""

import re

from service.core.injection import line_around, masked
from service.languages import every

_CAPTION_WORDS = 40  # a caption is a line of a few words; a paragraph that quotes "Image:" is no caption
_CREDIT_WORDS = 8  # the source named after the credit word: a name, an agency, "Daly et al."
_CREDIT = re.compile(
    rf"\b(?:{'|'.join(sorted({w for language in every() for w in language.credits}, key=len, reverse=True))})s?"
    # a name, or one word ("dpa"): "The picture: he said it all." is no credit
    rf"[ \t]*:[ \t]*((?:(?-i:[A-Z0-9])[^\s:]*(?:[ \t]+[^\s:]+){{0,{_CREDIT_WORDS - 1}}}|[^\s:]+)[ \t]*)$",
    re.IGNORECASE | re.MULTILINE,
)


def caption_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line that ends with a picture's credit ("… Image: NASA"), in order."""
    spans = (line_around(text, found.start(), found.end()) for found in _CREDIT.finditer(text))
    return [(start, end) for start, end in spans if len(text[start:end].split()) <= _CAPTION_WORDS]


def story_text(text: str, addressed: list[tuple[int, int]]) -> str:
    """`text` as code reads it, same length: the lines addressed to the summariser (`addressed`, from
    `injection.addressed_lines`) and a picture's captions blanked."""
    return masked(text, addressed + caption_lines(text))
