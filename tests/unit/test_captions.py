"""A picture's caption and credit, found so that code does not read it as the story."""

import pytest

from service.core.captions import caption_lines


@pytest.mark.parametrize(
    ("line", "caption"),
    [
        ("File photo of interviewee David Titley. Image: David Titley.", True),
        ("Shimon Peres image: David Shankbone.", True),  # Wikinews writes it in lower case after the subject
        ("Tina McKenzie. Image: Australian Paralympic Committee.", True),
        ("Daly explained how she obtained these images of the anemone's anatomy. Image: Daily et al.", True),
        ("Foto: dpa", True),  # one word: an agency in lower case
        ("Herr Meyer auf dem Parteitag. Bild: Stadt Dresden", True),
        ("The picture: he said it all.", False),  # no name after the colon: a sentence
        ("Source: Reuters", False),  # a source is cited, not a picture's
        ("The photo: " + "a man in the rain was taken by no one we know, " * 5 + "Image: NASA", False),  # a paragraph
    ],
)
def test_a_line_ending_in_a_pictures_credit_is_a_caption(line: str, caption: bool) -> None:
    text = f"Talks resumed on Monday.\n{line}\nThey ended on Tuesday."

    found = caption_lines(text)

    assert found == (
        [(len("Talks resumed on Monday.\n"), len("Talks resumed on Monday.\n") + len(line))] if caption else []
    )
