"""Date expressions resolved by code against the publication date: a table of expected ISO values."""

from datetime import date

import pytest

from service.core.alignment import ArticleText
from service.core.dates import DateResolver, dedupe_key, find_date_expressions

SEED_PUBLISHED = date(2026, 2, 24)  # a Tuesday
DECEMBER = date(2026, 12, 20)
JUNE = date(2026, 6, 18)

# expression, published, start, end, precision, approximate
TABLE = [
    # every date in the seed article
    ("Feb. 26", SEED_PUBLISHED, "2026-02-26", "2026-02-26", "day", False),
    ("Feb. 24", SEED_PUBLISHED, "2026-02-24", "2026-02-24", "day", False),
    ("Feb. 17–18", SEED_PUBLISHED, "2026-02-17", "2026-02-18", "day", False),
    ("Feb. 26–27", SEED_PUBLISHED, "2026-02-26", "2026-02-27", "day", False),
    ("Around Feb. 27, give or take a day or two", SEED_PUBLISHED, "2026-02-25", "2026-03-01", "day", True),
    # ranges
    ("between March 3 and 5", SEED_PUBLISHED, "2026-03-03", "2026-03-05", "day", False),
    ("17–18 February", SEED_PUBLISHED, "2026-02-17", "2026-02-18", "day", False),
    ("from May 1 to June 2", SEED_PUBLISHED, "2026-05-01", "2026-06-02", "day", False),
    ("Dec. 30 to Jan. 2", DECEMBER, "2026-12-30", "2027-01-02", "day", False),
    # relative days and periods
    ("yesterday", SEED_PUBLISHED, "2026-02-23", "2026-02-23", "day", False),
    ("tomorrow", SEED_PUBLISHED, "2026-02-25", "2026-02-25", "day", False),
    ("on Tuesday", SEED_PUBLISHED, "2026-02-24", "2026-02-24", "day", False),
    ("next week", SEED_PUBLISHED, "2026-03-02", "2026-03-08", "week", False),
    ("this week", SEED_PUBLISHED, "2026-02-23", "2026-03-01", "week", False),
    ("last month", SEED_PUBLISHED, "2026-01-01", "2026-01-31", "month", False),
    ("last year", SEED_PUBLISHED, "2025-01-01", "2025-12-31", "year", False),
    ("next year", DECEMBER, "2027-01-01", "2027-12-31", "year", False),
    ("early next week", SEED_PUBLISHED, "2026-03-02", "2026-03-03", "week", True),
    # month or year only
    ("March 2024", SEED_PUBLISHED, "2024-03-01", "2024-03-31", "month", False),
    ("in March", SEED_PUBLISHED, "2026-03-01", "2026-03-31", "month", False),
    ("2024", SEED_PUBLISHED, "2024-01-01", "2024-12-31", "year", False),
    ("the 1990s", SEED_PUBLISHED, "1990-01-01", "1999-12-31", "year", False),
    ("mid-March", SEED_PUBLISHED, "2026-03-11", "2026-03-21", "month", True),
    # no year written: the year nearest publication, across a year boundary
    ("Jan. 5", DECEMBER, "2027-01-05", "2027-01-05", "day", False),
    ("in March", DECEMBER, "2027-03-01", "2027-03-31", "month", False),
    ("Nov. 30", DECEMBER, "2026-11-30", "2026-11-30", "day", False),
    ("Dec. 28", date(2027, 1, 3), "2026-12-28", "2026-12-28", "day", False),
    # "since" runs to the publication date; parts of a year; year ranges
    ("since 2007", date(2014, 1, 28), "2007-01-01", "2014-01-28", "year", False),
    ("Since March 2024", SEED_PUBLISHED, "2024-03-01", "2026-02-24", "month", False),
    ("from 2004 to 2009", SEED_PUBLISHED, "2004-01-01", "2009-12-31", "year", False),
    ("1976-1983", SEED_PUBLISHED, "1976-01-01", "1983-12-31", "year", False),
    ("2000 - 2050", SEED_PUBLISHED, "2000-01-01", "2050-12-31", "year", False),
    ("between July 2003 and December 2004", SEED_PUBLISHED, "2003-07-01", "2004-12-31", "month", False),
    ("early in 2016", SEED_PUBLISHED, "2016-01-01", "2016-04-30", "year", True),
    ("late 2015", SEED_PUBLISHED, "2015-09-01", "2015-12-31", "year", True),
    ("by 2050", SEED_PUBLISHED, "2050-01-01", "2050-12-31", "year", False),
    # framing words and times of day do not change the day
    ("This past week", date(2014, 1, 28), "2014-01-20", "2014-01-26", "week", False),
    ("Thursday afternoon", date(2015, 8, 21), "2015-08-20", "2015-08-20", "day", False),
    ("yesterday afternoon", date(2015, 9, 12), "2015-09-11", "2015-09-11", "day", False),
    ("On Friday", date(2015, 5, 18), "2015-05-15", "2015-05-15", "day", False),
    ("Seventeen years ago", date(2017, 7, 21), "2000-01-01", "2000-12-31", "year", False),
    ("from November 20 to December 11", date(2015, 5, 7), "2015-11-20", "2015-12-11", "day", False),
    # seasons, meteorological (spring is March to May); winter 2026 starts in December 2026
    ("the autumn", JUNE, "2026-09-01", "2026-11-30", "month", False),
    ("this summer", JUNE, "2026-06-01", "2026-08-31", "month", False),
    ("this winter", JUNE, "2026-12-01", "2027-02-28", "month", False),
    ("this winter", date(2026, 1, 10), "2025-12-01", "2026-02-28", "month", False),
    ("this summer", date(2026, 11, 5), "2026-06-01", "2026-08-31", "month", False),
    ("the spring", date(2026, 11, 5), "2027-03-01", "2027-05-31", "month", False),
    ("next spring", JUNE, "2027-03-01", "2027-05-31", "month", False),
    ("next fall", JUNE, "2026-09-01", "2026-11-30", "month", False),
    ("last winter", JUNE, "2025-12-01", "2026-02-28", "month", False),
    ("this past winter", JUNE, "2025-12-01", "2026-02-28", "month", False),
    ("the fall of 2027", JUNE, "2027-09-01", "2027-11-30", "month", False),
    ("winter 2026", None, "2026-12-01", "2027-02-28", "month", False),
    ("the late summer", JUNE, "2026-08-02", "2026-08-31", "month", True),
    ("by early next spring", JUNE, "2027-03-01", "2027-03-30", "month", True),
    # absolute
    ("2026-02-24", SEED_PUBLISHED, "2026-02-24", "2026-02-24", "day", False),
    ("February 24, 2026", None, "2026-02-24", "2026-02-24", "day", False),
    ("about March 3, 2025", None, "2025-03-03", "2025-03-03", "day", True),
    ("Circa March 3, 2024", None, "2024-03-03", "2024-03-03", "day", True),
]


@pytest.mark.parametrize(("expression", "published", "start", "end", "precision", "approximate"), TABLE)
def test_expressions_resolve_to_iso_ranges(
    expression: str, published: date | None, start: str, end: str, precision: str, approximate: bool
) -> None:
    resolved = DateResolver(("en",)).resolve(expression, published)

    assert resolved is not None
    assert (resolved.start, resolved.end) == (date.fromisoformat(start), date.fromisoformat(end))
    assert resolved.precision == precision
    assert resolved.approximate is approximate


@pytest.mark.parametrize("expression", ["Feb. 26", "next week", "yesterday", "on Tuesday", "Feb. 17–18"])
def test_without_publication_date_relative_expressions_stay_unresolved(expression: str) -> None:
    resolved = DateResolver(("en",)).resolve(expression, None)

    assert resolved is not None
    assert resolved.start is None
    assert resolved.end is None


@pytest.mark.parametrize("expression", ["recently", "U.S.-mediated", "the envoy", "", "soon-ish"])
def test_what_is_not_a_date_is_none(expression: str) -> None:
    assert DateResolver(("en",)).resolve(expression, SEED_PUBLISHED) is None


@pytest.mark.parametrize(
    ("expression", "language", "start", "end", "approximate"),
    [
        ("26. Februar", "de", "2026-02-26", "2026-02-26", False),
        ("nächste Woche", "de", "2026-03-02", "2026-03-08", False),
        ("26 лютого", "uk", "2026-02-26", "2026-02-26", False),
        ("am 7. Juni 2015", "de", "2015-06-07", "2015-06-07", False),
        ("08.06.2015", "de", "2015-06-08", "2015-06-08", False),
        ("Im Jahre 2012", "de", "2012-01-01", "2012-12-31", False),
        ("seit September 2009", "de", "2009-09-01", "2026-02-24", False),
        ("Frühjahr 2027", "de", "2027-03-01", "2027-05-31", False),
        ("diesen Sommer", "de", "2026-06-01", "2026-08-31", False),
        ("kommenden Winter", "de", "2026-12-01", "2027-02-28", False),
        ("letzten Herbst", "de", "2025-09-01", "2025-11-30", False),
        ("etwa am 5. Mai 2024", "de", "2024-05-05", "2024-05-05", True),
        # a period before or after the article's (the seed is published on Tuesday, Feb. 24, 2026)
        ("vergangenes Jahr", "de", "2025-01-01", "2025-12-31", False),
        ("im vergangenen Jahr", "de", "2025-01-01", "2025-12-31", False),
        ("in der kommenden Woche", "de", "2026-03-02", "2026-03-08", False),
        ("vergangene Woche", "de", "2026-02-16", "2026-02-22", False),
        ("in diesem Jahr", "de", "2026-01-01", "2026-12-31", False),
        ("diesen Monat", "de", "2026-02-01", "2026-02-28", False),
        # a weekday before or after the article's day, never the day itself
        ("am vergangenen Montag", "de", "2026-02-23", "2026-02-23", False),
        ("vergangenen Dienstag", "de", "2026-02-17", "2026-02-17", False),
        ("nächsten Dienstag", "de", "2026-03-03", "2026-03-03", False),
        # a part of a year
        ("Ende 2025", "de", "2025-09-01", "2025-12-31", True),
        ("Anfang 2025", "de", "2025-01-01", "2025-04-30", True),
        ("end of 2026", "en", "2026-09-01", "2026-12-31", True),
    ],
)
def test_other_languages(expression: str, language: str, start: str, end: str, approximate: bool) -> None:
    resolved = DateResolver((language,)).resolve(expression, SEED_PUBLISHED)

    assert resolved is not None
    assert (resolved.start, resolved.end) == (date.fromisoformat(start), date.fromisoformat(end))
    assert resolved.approximate is approximate


@pytest.mark.parametrize(
    ("expression", "start", "end"),
    [("this summer", "2025-12-01", "2026-02-28"), ("next winter", "2026-06-01", "2026-08-31"), ("spring 2027", "2027-09-01", "2027-11-30")],
)  # fmt: skip
def test_seasons_south_of_the_equator_are_flipped(expression: str, start: str, end: str) -> None:
    resolved = DateResolver(("en",), southern=True).resolve(expression, date(2026, 1, 10))

    assert resolved is not None
    assert (resolved.start, resolved.end) == (date.fromisoformat(start), date.fromisoformat(end))


@pytest.mark.parametrize(
    ("text", "language", "days"),
    [
        (
            "Witkoff will travel to Geneva on Thursday, officials said on Monday. Talks were held on Thursday.",
            "en",
            {"Thursday": ["2026-02-26", "2026-02-19"], "Monday": ["2026-02-23"]},  # "on" is no part of a span
        ),
        ("The talks are due to start on Tuesday.", "en", {"Tuesday": ["2026-02-24"]}),  # the day itself
        ("Die Delegation wird am Donnerstag in Genf erwartet.", "de", {"Donnerstag": ["2026-02-26"]}),
    ],
)
def test_a_weekday_alone_is_the_last_one_unless_its_clause_puts_it_ahead(
    text: str, language: str, days: dict[str, list[str]]
) -> None:
    article = ArticleText(text)
    resolver = DateResolver((language,))
    resolved: dict[str, list[str]] = {}
    for start, end in find_date_expressions(text):
        day = resolver.resolve(text[start:end], SEED_PUBLISHED, article.before_in_clause(start, end))
        assert day is not None
        resolved.setdefault(text[start:end], []).append(str(day.start))

    assert resolved == days


def test_an_unknown_language_falls_back_to_detection() -> None:
    resolved = DateResolver(("xx",)).resolve("Feb. 26", SEED_PUBLISHED)

    assert resolved is not None
    assert resolved.start == date(2026, 2, 26)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "Talks will be held on Feb. 26. The last round, on Feb. 17–18, failed. "
            '"Around Feb. 27, give or take a day or two," he said.',
            ["Feb. 26", "Feb. 17–18", "Around Feb. 27, give or take a day or two"],
        ),
        (
            "Yesterday afternoon the crane fell. From 2004 to 2009 the rules held; since 2007, sales fell 3 %.",
            ["Yesterday afternoon", "From 2004 to 2009", "since 2007"],
        ),
        ("On Tuesday, 700 people and $ 1500 ... the 1960s, last week and Seventeen years ago.",
         ["Tuesday", "the 1960s", "last week", "Seventeen years ago"]),
        ("Die Wahl am 7. Juni 2015 (08.06.2015) folgt seit September 2009 im Jahre 2012.",
         ["7. Juni 2015", "08.06.2015", "seit September 2009", "2012"]),
        ("Between July 2003 and December 2004, and from November 20 to December 11.",
         ["Between July 2003 and December 2004", "from November 20 to December 11"]),
        ("He may go. The March was long; 2,000 people came for 40 years.", []),
        ("A ruling is due in the autumn, by late next spring at most, or in the fall of 2027. Spring 2028 is next.",
         ["the autumn", "by late next spring", "the fall of 2027", "Spring 2028"]),
        ("The Summer Olympics, the Arab Spring, Winter Park; spring water, summer camp; prices fall; the fall of "
         "the Wall.", []),
        ("Im Herbst 2027 und im kommenden Winter; diesen Sommer.", ["Herbst 2027", "kommenden Winter", "diesen Sommer"]),
        # the hedge is part of the expression in every language the resolver reads
        ("Die Frist endet etwa am 5. Mai 2024.", ["etwa am 5. Mai 2024"]),
        ("Circa March 3, 2024, the talks began.", ["Circa March 3, 2024"]),
        # a weekday before a date names the same day: one expression (two resolved apart, the weekday could
        # fall on another day than the date), but not across a sentence's end
        ("Sunday, May 28, 2006. Talks on Thursday, Feb. 26 and on Monday 5 June. He left on Friday. May 5 is next.",
         ["Sunday, May 28, 2006", "Thursday, Feb. 26", "Monday 5 June", "Friday", "May 5"]),
        ("Am Sonntag, 7. Juni 2015 wird gewählt.", ["Sonntag, 7. Juni 2015"]),
        # German relative periods in every case ending, and parts of a year in both languages
        ("Letztes Jahr und im vergangenen Jahr, in diesem Jahr und in der kommenden Woche; Ende 2025.",
         ["Letztes Jahr", "vergangenen Jahr", "diesem Jahr", "kommenden Woche", "Ende 2025"]),
        ("Sales fell at the end of 2025 and rose at the beginning of 2024.", ["end of 2025", "beginning of 2024"]),
        ("He will speak tonight; police said this morning that it held.", ["tonight", "this morning"]),
        # a weekday in a name is no date: a paper's, an agreement's, in quotes; beside a name it still is one
        ("The Sunday Times and «Bild am Sonntag» cited the Good Friday Agreement; the Monday Night Football game.",
         []),
        ("On Tuesday President Biden signed; the White House said Tuesday Congress would act; \"We meet on Sunday\".",
         ["Tuesday", "Tuesday", "Sunday"]),
    ],
)  # fmt: skip
def test_date_expressions_are_found_in_text(text: str, found: list[str]) -> None:
    from service.core.dates import find_date_expressions

    assert [text[start:end] for start, end in find_date_expressions(text)] == found


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("On Friday", "on Friday.", True),
        ("by March 5", "until March 5", True),  # framing words do not change the day
        ("bis 5. Mai", "am 5. Mai", True),
        ("since March 2024", "March 2024", False),  # "since" does
    ],
)
def test_expressions_that_resolve_alike_share_a_dedupe_key(first: str, second: str, same: bool) -> None:
    resolver = DateResolver(("en", "de"))

    assert (dedupe_key(first) == dedupe_key(second)) is same
    assert (resolver.resolve(first, SEED_PUBLISHED) == resolver.resolve(second, SEED_PUBLISHED)) is same


# The kinds a held-out set of news showed missing (issue 30), each found in running text and resolved.
WEDNESDAY = date(2015, 8, 5)
MONDAY = date(2015, 8, 3)

SPOKEN = [
    # a month without a year: "last" and "next" count from the publication month
    ("last March", "en", WEDNESDAY, "2015-03-01", "2015-03-31", False),
    ("last August", "en", WEDNESDAY, "2014-08-01", "2014-08-31", False),
    ("next March", "en", WEDNESDAY, "2016-03-01", "2016-03-31", False),
    ("in September", "en", WEDNESDAY, "2015-09-01", "2015-09-30", False),
    ("from March to May", "en", WEDNESDAY, "2015-03-01", "2015-05-31", False),
    ("im vergangenen Oktober", "de", WEDNESDAY, "2014-10-01", "2014-10-31", False),
    # a day or month and the year it is in, counted from the publication's
    ("February 6 - this year", "en", WEDNESDAY, "2015-02-06", "2015-02-06", False),
    ("March 3, last year", "en", WEDNESDAY, "2014-03-03", "2014-03-03", False),
    ("March of last year", "en", WEDNESDAY, "2014-03-01", "2014-03-31", False),
    ("September next year", "en", WEDNESDAY, "2016-09-01", "2016-09-30", False),
    ("6. Februar dieses Jahres", "de", WEDNESDAY, "2015-02-06", "2015-02-06", False),
    # the year before the article's
    ("the year before", "en", WEDNESDAY, "2014-01-01", "2014-12-31", False),
    ("the previous year", "en", WEDNESDAY, "2014-01-01", "2014-12-31", False),
    ("im Vorjahr", "de", WEDNESDAY, "2014-01-01", "2014-12-31", False),
    ("des Vorjahres", "de", WEDNESDAY, "2014-01-01", "2014-12-31", False),
    ("September vergangenen Jahres", "de", WEDNESDAY, "2014-09-01", "2014-09-30", False),
    ("seit März", "de", WEDNESDAY, "2015-03-01", "2015-08-05", False),
    # a quarter of a year; with no year, the one nearest publication
    ("the third quarter of 2015", "en", WEDNESDAY, "2015-07-01", "2015-09-30", False),
    ("the first quarter of this year", "en", WEDNESDAY, "2015-01-01", "2015-03-31", False),
    ("Q1 2016", "en", WEDNESDAY, "2016-01-01", "2016-03-31", False),
    ("last quarter", "en", WEDNESDAY, "2015-04-01", "2015-06-30", False),
    ("the fourth quarter", "en", date(2016, 2, 10), "2015-10-01", "2015-12-31", False),
    ("dritten Quartal 2015", "de", WEDNESDAY, "2015-07-01", "2015-09-30", False),
    ("ersten Quartal", "de", WEDNESDAY, "2015-01-01", "2015-03-31", False),
    ("vierten Quartals 2014", "de", WEDNESDAY, "2014-10-01", "2014-12-31", False),
    # two-digit years: the latest century that does not put them past publication
    ("the '90s", "en", WEDNESDAY, "1990-01-01", "1999-12-31", False),
    ("the ’20s", "en", WEDNESDAY, "1920-01-01", "1929-12-31", False),
    ("in '08", "en", WEDNESDAY, "2008-01-01", "2008-12-31", False),
    ("since '08", "en", WEDNESDAY, "2008-01-01", "2015-08-05", False),
    # "N years ago" with the number in words
    ("twenty-five years ago", "en", WEDNESDAY, "1990-01-01", "1990-12-31", False),
    ("Thirteen years ago", "en", WEDNESDAY, "2002-01-01", "2002-12-31", False),
    ("vor zwanzig Jahren", "de", WEDNESDAY, "1995-01-01", "1995-12-31", False),
    ("vor einem Jahr", "de", WEDNESDAY, "2014-01-01", "2014-12-31", False),
    # the last / past / next N days or years: from or to the publication date
    ("the past 10 days", "en", WEDNESDAY, "2015-07-26", "2015-08-05", False),
    ("the last three years", "en", WEDNESDAY, "2012-08-05", "2015-08-05", False),
    ("the next two weeks", "en", WEDNESDAY, "2015-08-05", "2015-08-19", False),
    ("the past few days", "en", WEDNESDAY, "2015-08-02", "2015-08-05", True),  # "a few": three, approximate
    ("in den vergangenen zwei Jahren", "de", WEDNESDAY, "2013-08-05", "2015-08-05", False),
    ("den vergangenen zwei Jahren", "de", WEDNESDAY, "2013-08-05", "2015-08-05", False),  # as the finder cuts it
    # weekends: Saturday and Sunday; with no "this" or "last", the nearer one
    ("this weekend", "en", WEDNESDAY, "2015-08-08", "2015-08-09", False),
    ("last weekend", "en", WEDNESDAY, "2015-08-01", "2015-08-02", False),
    ("this past weekend", "en", MONDAY, "2015-08-01", "2015-08-02", False),
    ("over the weekend", "en", MONDAY, "2015-08-01", "2015-08-02", False),
    ("over the weekend", "en", date(2015, 8, 6), "2015-08-08", "2015-08-09", False),
    ("Wochenende", "de", MONDAY, "2015-08-01", "2015-08-02", False),
    ("kommenden Wochenende", "de", MONDAY, "2015-08-15", "2015-08-16", False),
    # German relative spans: in a few days (approximate), until midnight
    ("in einigen Tagen", "de", WEDNESDAY, "2015-08-08", "2015-08-08", True),
    ("In zehn Tagen", "de", WEDNESDAY, "2015-08-15", "2015-08-15", False),
    ("in two weeks", "en", WEDNESDAY, "2015-08-17", "2015-08-23", False),
    ("bis Mitternacht", "de", WEDNESDAY, "2015-08-05", "2015-08-05", False),
    ("until midnight", "en", WEDNESDAY, "2015-08-05", "2015-08-05", False),
    # "through" frames a month as "until" does (the finder takes it with the month: "runs through July")
    ("through July", "en", WEDNESDAY, "2015-07-01", "2015-07-31", False),
    ("through mid-July", "en", WEDNESDAY, "2015-07-11", "2015-07-21", True),
    ("through the end of March", "en", WEDNESDAY, "2015-03-22", "2015-03-31", True),
    ("tonight", "en", WEDNESDAY, "2015-08-05", "2015-08-05", False),
    ("this morning", "en", WEDNESDAY, "2015-08-05", "2015-08-05", False),
    # a deadline at the year's end: its last day
    ("by the end of the year", "en", WEDNESDAY, "2015-12-31", "2015-12-31", False),
    ("by year end", "en", WEDNESDAY, "2015-12-31", "2015-12-31", False),
    ("bis zum Jahresende", "de", WEDNESDAY, "2015-12-31", "2015-12-31", False),
    # centuries: their hundred years, whatever the publication date
    ("the 20th century", "en", WEDNESDAY, "1901-01-01", "2000-12-31", False),
    ("19. Jahrhundert", "de", WEDNESDAY, "1801-01-01", "1900-12-31", False),
]


@pytest.mark.parametrize(("expression", "language", "published", "start", "end", "approximate"), SPOKEN)
def test_spoken_spans_resolve(
    expression: str, language: str, published: date, start: str, end: str, approximate: bool
) -> None:
    resolved = DateResolver((language,)).resolve(expression, published)

    assert resolved is not None
    assert (resolved.start, resolved.end) == (date.fromisoformat(start), date.fromisoformat(end))
    assert resolved.approximate is approximate


@pytest.mark.parametrize(
    "expression", ["this weekend", "the '90s", "the past 10 days", "last quarter", "last March", "in einigen Tagen"]
)
def test_spoken_spans_need_a_publication_date(expression: str) -> None:
    resolved = DateResolver(("en", "de")).resolve(expression, None)

    assert resolved is not None
    assert (resolved.start, resolved.end) == (None, None)


def test_a_quarter_with_its_year_needs_no_publication_date() -> None:
    resolved = DateResolver(("en",)).resolve("Q3 2015", None)

    assert resolved is not None
    assert (resolved.start, resolved.end) == (date(2015, 7, 1), date(2015, 9, 30))


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Sales fell last March and rise in September; from March to May, by mid-May.",
         ["last March", "September", "from March to May", "by mid-May"]),
        ("Seit März und im vergangenen Oktober; Ende Mai.", ["Seit März", "vergangenen Oktober", "Ende Mai"]),
        ("Profit rose in the third quarter of 2015 and in Q1 2016, but fell last quarter.",
         ["the third quarter of 2015", "Q1 2016", "last quarter"]),
        ("Der Umsatz stieg im dritten Quartal 2015.", ["dritten Quartal 2015"]),
        ("Music of the '90s, a car bought in '08.", ["the '90s", "'08"]),
        ("Twenty-five years ago, and vor zwanzig Jahren.", ["Twenty-five years ago", "vor zwanzig Jahren"]),
        ("Prices rose over the past 10 days and in den vergangenen zwei Jahren.",
         ["the past 10 days", "den vergangenen zwei Jahren"]),
        ("They met this weekend; am vergangenen Wochenende.", ["this weekend", "vergangenen Wochenende"]),
        ("In einigen Tagen endet die Frist, bis Mitternacht.", ["In einigen Tagen", "bis Mitternacht"]),
        ("Guidelines by the end of the year; bis Ende des Jahres.", ["by the end of the year", "bis Ende des Jahres"]),
        ("The center of the 20th century, and im 19. Jahrhundert; 20th-century art.",
         ["the 20th century", "19. Jahrhundert"]),
        # not dates: a quarter of a game, a span of someone's life, a name, a count, a quarter without a year
        ("He scored in the last quarter of the game and in the first quarter; the last two years of his life.", []),
        ("In May's words, 20 people came in ten years of work; the Audi Q3 sold.", []),
        # a month with a year after all is no month of the nearest year: only the year is read
        ("He was born in March, 1990; it began in March of 2025.", ["1990", "2025"]),
        ("In March of last year, and since September last year.", ["March of last year", "since September last year"]),
        # the year before the article's; not the year before another one
        ("A decrease from the year before, when it was 40 percent; the year before the election.", ["the year before"]),
        ("Der Umsatz stieg im Vorjahr, weniger als des Vorjahres.", ["Vorjahr", "des Vorjahres"]),
        # a day or month and the year it is in, as one date
        ("On Waitangi Day - February 6 - this year, and on March 3 last year; am 6. Februar dieses Jahres.",
         ["February 6 - this year", "March 3 last year", "6. Februar dieses Jahres"]),
        ("It ran from September to March 2025.", ["March 2025"]),
    ],
)  # fmt: skip
def test_spoken_spans_are_found_in_text(text: str, found: list[str]) -> None:
    from service.core.dates import find_date_expressions

    assert [text[start:end] for start, end in find_date_expressions(text)] == found
