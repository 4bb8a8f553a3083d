"""Norwegian Bokmål (service/languages/nb.py): dates, words of doubt, the language check, its tags."""

from datetime import date

import pytest

from service.core.alignment import ArticleText
from service.core.checking import wrong_language
from service.core.unresolved import unresolved_sentences
from service.languages import tag
from service.model.prompts import load_prompt
from tests import languages

PUBLISHED = date(2026, 2, 24)  # a Tuesday


def dates_in(text: str, language: str = "nb") -> dict[str, tuple[date | None, date | None]]:
    return languages.dates_in(text, language, PUBLISHED)


@pytest.mark.parametrize(
    ("sentence", "written", "days"),
    [
        ("Avtalen ble signert 24. februar 2026.", "24. februar 2026", (date(2026, 2, 24), date(2026, 2, 24))),
        ("Kommunen sa i går at den venter.", "i går", (date(2026, 2, 23), date(2026, 2, 23))),
        ("I morgen kommer svaret.", "I morgen", (date(2026, 2, 25), date(2026, 2, 25))),
        ("Svaret kommer innen 15. mars.", "innen 15. mars", (date(2026, 3, 15), date(2026, 3, 15))),
        ("Partene møttes forrige uke.", "forrige uke", (date(2026, 2, 16), date(2026, 2, 22))),
        ("Byggingen starter neste år.", "neste år", (date(2027, 1, 1), date(2027, 12, 31))),
        ("I fjor ble en tomt solgt.", "I fjor", (date(2025, 1, 1), date(2025, 12, 31))),
        ("Arbeidet pågår fra 3. til 5. april.", "fra 3. til 5. april", (date(2026, 4, 3), date(2026, 4, 5))),
        ("Siden 2007 har selskapet vokst.", "Siden 2007", (date(2007, 1, 1), PUBLISHED)),
        ("Øvelsen holdes i april.", "april", (date(2026, 4, 1), date(2026, 4, 30))),
    ],
)
def test_norwegian_dates_are_found_and_resolved(sentence: str, written: str, days: tuple[date, date]) -> None:
    assert dates_in(sentence) == {written: days}


def test_no_is_read_as_bokmal() -> None:
    assert dates_in("Partene møttes forrige uke.", "no") == {"forrige uke": (date(2026, 2, 16), date(2026, 2, 22))}
    known = tag("no").known
    assert known is not None
    assert known.code == "nb"


@pytest.mark.parametrize(
    "sentence",
    [
        "Det er fortsatt uklart om kommunen får datasenteret.",
        "Google har ikke bekreftet planene.",
        "Saken er anket til lagmannsretten.",
    ],
)
def test_a_norwegian_sentence_that_says_something_is_open_is_found(sentence: str) -> None:
    text = ArticleText(f"Google kjøpte tomten i 2019. {sentence} Kommunen er fornøyd.")
    assert unresolved_sentences(text) == [sentence]


def test_a_summary_not_in_norwegian_is_told() -> None:
    norwegian = "Google har kjøpt en stor tomt i Skien, og det er ikke klart når byggingen starter."
    swedish = "Google har köpt en stor tomt i Skien, och det är inte klart när bygget börjar."
    assert wrong_language(norwegian, "nb-NO") is None
    assert wrong_language(swedish, "nb-NO") == "Norwegian"
    assert (
        wrong_language("Google bought a large plot in Skien, and it is not clear when work starts.", "no")
        == "Norwegian"
    )


def test_the_summary_question_is_asked_in_norwegian() -> None:
    prompt = load_prompt("summarise")
    assert prompt.question_in("summary", "nb-NO") == "summary-nb"
    assert prompt.question_in("summary", "no") == "summary-nb"
    assert "norsk bokmål" in prompt.questions["summary-nb"]


def test_an_abbreviation_ends_no_sentence() -> None:
    assert len(ArticleText("Prisene steg i flere byer, f.eks. Oslo og Bergen. Det er dyrt.").sentences) == 2
