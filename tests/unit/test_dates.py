"""Date expressions resolved by code against the publication date: a table of expected ISO values."""

from datetime import date

import pytest

from service.core.dates import DateResolver, dedupe_key

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
