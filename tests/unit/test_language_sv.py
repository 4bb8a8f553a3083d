"""Swedish (service/languages/sv.py): dates, words of doubt, the language check."""

from datetime import date

import pytest

from service.core.alignment import ArticleText
from service.core.checking import wrong_language
from service.core.unresolved import unresolved_sentences
from service.model.prompts import load_prompt
from tests import languages

PUBLISHED = date(2026, 2, 24)  # a Tuesday


def dates_in(text: str) -> dict[str, tuple[date | None, date | None]]:
    return languages.dates_in(text, "sv-SE", PUBLISHED)


@pytest.mark.parametrize(
    ("sentence", "written", "days"),
    [
        ("Avtalet undertecknades den 24 februari 2026.", "24 februari 2026", (date(2026, 2, 24), date(2026, 2, 24))),
        ("Kommunen sa i går att den väntar.", "i går", (date(2026, 2, 23), date(2026, 2, 23))),
        ("I morgon kommer svaret.", "I morgon", (date(2026, 2, 25), date(2026, 2, 25))),
        # dateparser's own order for Swedish read "15 mars" as March 2015
        ("Svaret kommer senast 15 mars.", "senast 15 mars", (date(2026, 3, 15), date(2026, 3, 15))),
        ("Parterna möttes förra veckan.", "förra veckan", (date(2026, 2, 16), date(2026, 2, 22))),
        ("Bygget börjar nästa år.", "nästa år", (date(2027, 1, 1), date(2027, 12, 31))),
        ("I fjol såldes en tomt.", "I fjol", (date(2025, 1, 1), date(2025, 12, 31))),
        ("Arbetet pågår 3–5 april.", "3–5 april", (date(2026, 4, 3), date(2026, 4, 5))),
        ("Sedan 2007 har företaget vuxit.", "Sedan 2007", (date(2007, 1, 1), PUBLISHED)),
        ("Övningen hålls i april–maj.", "april–maj", (date(2026, 4, 1), date(2026, 5, 31))),
    ],
)
def test_swedish_dates_are_found_and_resolved(sentence: str, written: str, days: tuple[date, date]) -> None:
    assert dates_in(sentence) == {written: days}


@pytest.mark.parametrize(
    "sentence",
    [
        "Det är fortfarande oklart om kommunen får datacentret.",
        "Google har inte bekräftat planerna.",
        "Beslutet kommer att överklagas.",
    ],
)
def test_a_swedish_sentence_that_says_something_is_open_is_found(sentence: str) -> None:
    text = ArticleText(f"Google köpte tomten 2019. {sentence} Kommunen är nöjd.")
    assert unresolved_sentences(text) == [sentence]


def test_a_summary_not_in_swedish_is_told() -> None:
    swedish = "Google har köpt en stor tomt i Skien, och det är inte klart när bygget börjar."
    norwegian = "Google har kjøpt en stor tomt i Skien, og det er ikke klart når byggingen starter."
    assert wrong_language(swedish, "sv") is None
    assert wrong_language(norwegian, "sv") == "Swedish"


def test_the_summary_question_is_asked_in_swedish() -> None:
    prompt = load_prompt("summarise")
    assert prompt.question_in("summary", "sv-FI") == "summary-sv"
    assert "på svenska" in prompt.questions["summary-sv"]


def test_an_abbreviation_ends_no_sentence() -> None:
    assert len(ArticleText("Priserna steg i flera städer, t.ex. Stockholm och Malmö. Det är dyrt.").sentences) == 2
