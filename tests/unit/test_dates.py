"""Date expressions resolved by code against the publication date: a table of expected ISO values."""

from datetime import date

import pytest

from service.dates import DateResolver

SEED_PUBLISHED = date(2026, 2, 24)  # a Tuesday
DECEMBER = date(2026, 12, 20)

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
    # absolute
    ("2026-02-24", SEED_PUBLISHED, "2026-02-24", "2026-02-24", "day", False),
    ("February 24, 2026", None, "2026-02-24", "2026-02-24", "day", False),
    ("about March 3, 2025", None, "2025-03-03", "2025-03-03", "day", True),
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
    ("expression", "language", "start", "end"),
    [
        ("26. Februar", "de", "2026-02-26", "2026-02-26"),
        ("nächste Woche", "de", "2026-03-02", "2026-03-08"),
        ("26 лютого", "uk", "2026-02-26", "2026-02-26"),
    ],
)
def test_other_languages(expression: str, language: str, start: str, end: str) -> None:
    resolved = DateResolver((language,)).resolve(expression, SEED_PUBLISHED)

    assert resolved is not None
    assert (resolved.start, resolved.end) == (date.fromisoformat(start), date.fromisoformat(end))


def test_an_unknown_language_falls_back_to_detection() -> None:
    resolved = DateResolver(("xx",)).resolve("Feb. 26", SEED_PUBLISHED)

    assert resolved is not None
    assert resolved.start == date(2026, 2, 26)
