"""The summary, checked by code: names and numbers the article does not give, the language, and whether it
ends a sentence."""

from datetime import date

import pytest

from service.core.alignment import ArticleText
from service.core.checking import (
    about_itself,
    as_written,
    finished,
    not_the_articles,
    starts_midway,
    unfinished,
    unsupported,
    without,
    wrong_language,
)

ARTICLE = ArticleText(
    "Russia, Ukraine and U.S. and Ukrainian officials will hold talks in Geneva on Feb. 26, Special Envoy Steve Witkoff said. "
    "The AKP won 49,8 percent and 1,250 seats; the Kremlin did not confirm."
)


@pytest.mark.parametrize(
    ("summary", "language", "found"),
    [
        ("Officials will meet in Geneva on Feb. 26.", "en", []),
        ("Over 900 asylum seekers were rescued.", "en", ["900"]),
        ("The AKP won 49.8 percent.", "en", []),  # the article's decimal comma, written with a point
        ("The AKP won 1250 seats.", "en", []),  # thousands without their separator
        ("The talks on February 26, 2026 were announced.", "en", []),  # the resolved date's year
        ("The talks were announced in 2013.", "en", ["2013"]),
        ("Witkoff said the US will attend.", "en", []),  # "US" for "U.S."
        ("Witkoff and Marco Rubio will attend.", "en", ["Marco", "Rubio"]),
        ("Die AKP verlor 2013 die Mehrheit.", "de", ["2013"]),  # German: numbers only, nouns are capitalised
        ("The talks were Witkoff's idea.", "en", []),  # a possessive
        ("Russian and Ukrainian officials met.", "en", []),  # demonyms of the article's countries
        ('Witkoff said "we will wait." However, he left.', "en", []),  # a sentence ending in a quote
    ],
)
def test_names_and_numbers_the_article_does_not_give(summary: str, language: str, found: list[str]) -> None:
    assert unsupported(summary, ARTICLE, language, [date(2026, 2, 26)]) == found


@pytest.mark.parametrize(
    ("summary", "language", "wrong"),
    [
        ("The article reports that the AKP lost the majority in the election.", "de", "German"),
        ("Die AKP hat die absolute Mehrheit bei der Wahl verloren.", "de", None),
        ("Die AKP hat die absolute Mehrheit verloren.", "en", "English"),
        ("The talks will be held in Geneva.", "en", None),
        ("The talks will be held in Geneva.", None, None),  # no language given: nothing to check against
    ],
)
def test_a_summary_in_another_language_than_the_article(summary: str, language: str | None, wrong: str | None) -> None:
    assert wrong_language(summary, language) == wrong


def test_sentences_with_an_unsupported_item_are_dropped_the_rest_kept() -> None:
    kept, dropped = without("Talks are on Feb. 26. Over 900 attended. Witkoff spoke.", ["900"])

    assert kept == "Talks are on Feb. 26. Witkoff spoke."
    assert dropped == ["Over 900 attended."]


@pytest.mark.parametrize(
    ("summary", "found"),
    [
        # the question's example copied: no word of it but "said" is the article's
        (
            "Talks are set in Geneva. A council member said the vote could slip to July.",
            ["A council member said the vote could slip to July."],
        ),
        ("The article does not leave any open issues.", ["The article does not leave any open issues."]),
        ("Envoy Witkoff says Russia and Ukraine hold talks in Geneva.", []),  # "says" for "said", "talks" for "talks"
        ("The Kremlin denied it.", []),  # three words or more are judged: two say too little
    ],
)
def test_a_sentence_most_of_whose_words_are_not_the_articles(summary: str, found: list[str]) -> None:
    assert not_the_articles(summary, ARTICLE) == found


def test_a_date_inside_a_sentence_ends_no_sentence_when_one_is_dropped() -> None:
    kept, dropped = without("Talks on Feb. 26 drew 900 people. Witkoff spoke.", ["900"])

    assert (kept, dropped) == ("Witkoff spoke.", ["Talks on Feb. 26 drew 900 people."])
    kept, dropped = without("Die Wahl ist am 7. Juni mit 900 Wählern. Sie gewann.", ["900"])

    assert (kept, dropped) == ("Sie gewann.", ["Die Wahl ist am 7. Juni mit 900 Wählern."])


def test_an_abbreviation_the_model_spaced_is_written_as_the_article_writes_it() -> None:
    assert as_written("U. S. and Ukrainian officials met.", ARTICLE) == "U.S. and Ukrainian officials met."
    assert as_written("The U. S.-led talks", ARTICLE) == "The U.S.-led talks"
    assert as_written("The U. N. met.", ARTICLE) == "The U. N. met."  # not the article's: left as written
    assert as_written("Witkoff met J. D. Vance.", ARTICLE) == "Witkoff met J. D. Vance."


@pytest.mark.parametrize(
    ("summary", "cut"),
    [
        # where the embedded model's JSON string ended: at the double quote that was to open a quotation
        ("North Korea has put its military on high alert and is preparing for a", "is preparing for a"),
        ("The team was awarded for their", "was awarded for their"),
        ("Talks resume in Geneva on Feb. 26.", None),
        ("Will the talks resume?", None),
        ("Witkoff called the talks 'productive.'", None),
        ("Witkoff said the talks were “productive.”", None),
        ("Sie sagte: „Wir sind bereit.“", None),
        ("Talks resume (on Feb. 26).", None),
        ("", None),
    ],
)
def test_a_summary_that_stops_mid_sentence_is_told_by_its_last_words(summary: str, cut: str | None) -> None:
    assert unfinished(summary) == cut


@pytest.mark.parametrize(
    ("part", "midway"),
    [
        ("and also with Iran, according to Interfax Ukraine.", True),
        ("hearing.", True),  # the last word of a sentence, alone: an open part written so
        ("“and then we left,” she said.", True),
        ("Talks resume in Geneva.", False),
        ("iPhone sales fell.", False),
        ("eBay.", False),
        ("2026 was a year of talks.", False),
        ("", False),
    ],
)
def test_a_part_of_a_summary_that_is_the_rest_of_a_sentence(part: str, midway: bool) -> None:
    assert starts_midway(part) is midway


def test_an_unfinished_last_sentence_goes_where_a_finished_one_stands_before_it() -> None:
    assert finished("Talks are on Feb. 26. Witkoff called them a") == ("Talks are on Feb. 26.", "Witkoff called them a")
    assert finished("Talks are on Feb. 26 in what Witkoff called a") == (
        "Talks are on Feb. 26 in what Witkoff called a",
        None,
    )
    assert finished("Talks are on Feb. 26. Witkoff spoke.") == ("Talks are on Feb. 26. Witkoff spoke.", None)


def test_a_word_in_a_script_the_article_does_not_write_is_unsupported() -> None:
    article = ArticleText("Witkoff plans to meet Umerov in Geneva. Erdoğan was not there.")

    assert unsupported("Witkoff also计划 to meet Umerov.", article, "en", []) == ["also计划"]
    assert unsupported("Witkoff will meet Umerov; Erdoğan will not.", article, "en", []) == []
    # A letter the article happens not to use is no other script: a Russian article without "р".
    russian = ArticleText("Стороны обсудили вопросы безопасности.")
    assert unsupported("Стороны подписали договор.", russian, "ru", []) == []


@pytest.mark.parametrize(
    ("summary", "language", "told"),
    [
        ("The article describes the talks. Witkoff will attend.", "en", ["The article describes the talks."]),
        ("Talks are set for Feb. 26. This article mentions Witkoff.", None, ["This article mentions Witkoff."]),
        (
            "Die Nachricht des Artikels beschreibt die Wahl. Die AKP verlor.",
            "de",
            ["Die Nachricht des Artikels beschreibt die Wahl."],
        ),
        ("Witkoff cited Article 5 of the treaty.", "en", []),  # an article of a law, numbered
        ("Talks are set for Feb. 26 in Geneva.", "en", []),
    ],
)
def test_a_sentence_that_tells_of_the_article_not_the_news(summary: str, language: str | None, told: list[str]) -> None:
    assert about_itself(summary, ARTICLE, language) == told


def test_words_the_article_itself_uses_so_are_not_counted() -> None:
    article = ArticleText("Montalvo read the article in Freedom Magazine and left the Sea Org.")

    assert about_itself("Montalvo read the article and left the group.", article, "en") == []
