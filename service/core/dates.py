"""Find date expressions in an article and resolve them to ISO ranges — by code, not by the model.

Every date word and every rule of a language lives in its module (service/languages: `DateWords`, and its
`DateRules` for what dateparser does not read); this module builds the finder's patterns (case-shaped), the
resolver's (case-insensitive) and the dedupe key from every language's, and holds the arithmetic.

dateparser does single expressions relative to the publication date (RELATIVE_BASE). On top of it:
- ranges: "Feb. 17–18", "between March 3 and 5", "17–18 February", "from May 1 to June 2";
- hedges: "around", "etwa", "give or take a day or two" (→ approximate, and the window it implies);
- periods: a week, month or year becomes its first and last day; decades ("the 1990s"); seasons ("next
  spring", "im Herbst 2027") as meteorological quarters, flipped south of the equator;
- no year written: the year that puts the date nearest to publication ("Jan. 5" in a December article);
- no publication date: absolute dates resolve, relative ones ("next week") stay unresolved — never today;
- what dateparser does not read, by rules of our own: "last March", quarters ("Q3 2015", "im dritten Quartal"),
  "the '90s" and "in '08", counts in words ("twenty-five years ago", "vor zwanzig Jahren"), spans that end or start
  on publication ("the past 10 days", "in den vergangenen zwei Jahren"), weekends, "in einigen Tagen", "bis
  Mitternacht", "by the end of the year" (its last day), centuries ("the 20th century"). Tried against
  Recognizers-Text, Duckling and HeidelTime on the gold set, none of which beat this grammar:
  bench/results/dates-taggers-2026-12-05.txt.
"""

import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from dateparser.data.languages_info import language_order
from dateparser.date import DateDataParser
from rapidfuzz import fuzz

from schemas import Precision
from service.languages import DateWords, commonest_words, every, tag

# --- the vocabulary: every language's date words (service/languages) ---------------------------------------

_LANGUAGES = tuple(language.dates for language in every())


def _every(words: Callable[[DateWords], Iterable[str]]) -> list[str]:
    """One kind of word, from every language: one set of patterns serves every article."""
    return [word for language in _LANGUAGES for word in words(language)]


def calendar_words() -> frozenset[str]:
    """Month and weekday names of every language, folded ("feb" for "Feb."): words that name no one."""
    names = _every(lambda w: (*w.months, *w.weekdays))
    return frozenset(name.removesuffix(".").casefold() for name in names)


_Trie = dict[str, "_Trie"]


def _alternation(words: Iterable[str]) -> str:
    """The words, case as written, as one pattern with shared beginnings taken once ("[Dd]iese[mns]?"): the
    engine tries each character once, and a longer word before its beginning ("im Jahre" before "im")."""
    root: _Trie = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _pattern(root)


def _pattern(node: _Trie) -> str:
    after: dict[str, list[str]] = {}  # characters followed by the same rest share a class: "[Aa]round"
    for char, child in node.items():
        if char:
            after.setdefault(_pattern(child), []).append(char)
    branches = [
        (re.escape(chars[0]) if len(chars) == 1 else f"[{''.join(re.escape(char) for char in sorted(chars))}]") + rest
        for rest, chars in sorted(after.items())
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    if "" not in node:
        return body
    one_character = len(branches) == 1 and "" in after
    return f"{body}?" if one_character else f"(?:{body})?"


def _either(words: Iterable[str]) -> str:
    """The words, for a case-insensitive pattern."""
    return _alternation(word.lower() for word in words)


# "Feb. 17–18", "3 and 5", "17 bis 18": the finder's and the resolver's
_CONNECTORS = rf"–|—|-|\b(?:{_alternation(_every(lambda w: w.range_connectors))})\b"


# --- the resolver's patterns (case-insensitive) -----------------------------------------------------------

# Two far-apart reference dates: an expression that resolves differently against them is relative.
_PROBES = (datetime(2001, 3, 14), datetime(2013, 10, 7))

_HEDGE_PREFIX = re.compile(rf"^(?:{_either(_every(lambda w: w.hedges))})\s+", re.IGNORECASE)
_PARTS = {word.casefold(): part for language in _LANGUAGES for word, part in language.parts.items()}
_PART_OF = re.compile(
    rf"^(?:(?:{_either(_every(lambda w: w.before_part))})\s+)*(?P<part>{_either(_every(lambda w: w.parts))})"
    r"(?:[-\s]+in)?[-\s]+",
    re.IGNORECASE,
)
_SINCE = re.compile(rf"^(?:{_either(_every(lambda w: w.since))})\s+", re.IGNORECASE)
_FRAME = re.compile(rf"^(?:{_either(_every(lambda w: w.frames + w.articles))})\s+", re.IGNORECASE)
_DAYS = frozenset(word.casefold() for word in _every(lambda w: w.days))  # "i går" is one word: its "i" frames nothing
_TIME_OF_DAY = re.compile(rf"\s+(?:{_either(_every(lambda w: w.times_of_day))})$", re.IGNORECASE)
# "this past week" is last week: (the pattern, the language's "last")
_PAST_WEEK = [
    (
        re.compile(rf"^(?:(?:{_either(w.this)}) )?(?:{_either(w.past)}) ({_either(w.periods)})$", re.IGNORECASE),
        w.last[0],
    )
    for w in _LANGUAGES
    if w.past
]
_RANGE = re.compile(
    rf"^(?:{_either(_every(lambda w: w.range_leads))})?\s*(?P<left>.+?)\s*(?:{_CONNECTORS})\s*(?P<right>.+?)$",
    re.IGNORECASE,
)
_ISO = re.compile(r"^\d{4}-\d{2}(?:-\d{2})?(?:[T ].*)?$")
_SEASON_STARTS = {word.casefold(): month for language in _LANGUAGES for word, month in language.seasons.items()}
_SEASON = re.compile(
    rf"^(?:(?P<which>{_either(_every(lambda w: w.relative))})\s+)?"
    rf"(?P<season>{_either(_SEASON_STARTS)})(?:\s+(?:of\s+)?(?P<year>\d{{4}}))?$",
    re.IGNORECASE,
)
_NEXT = tuple(word.casefold() for word in _every(lambda w: w.next))  # German stems: "nächsten" starts with one
_LAST = tuple(word.casefold() for word in _every(lambda w: w.last))
_YEAR = re.compile(r"\b\d{4}\b")
_NUMBER = re.compile(r"\d{1,2}")
_KNOWN_LANGUAGES = frozenset(language_order)
_PERIODS = {"day": Precision.day, "week": Precision.week, "month": Precision.month, "year": Precision.year}


# --- what dateparser does not read: counted spans, quarters, '90s, weekends, "tonight", "last March" -------------

# Each language's rules (`DateRules.reads`), by name; the groups each must have are the ones its code reads.
RULES = ("give_or_take", "span", "in", "ago", "quarter", "short_year", "decade", "weekend", "same_day", "century",
         "year_end", "relative_month", "year_of_date", "year_before", "period", "relative_weekday")  # fmt: skip
_NUMBERS = {word.casefold(): n for language in _LANGUAGES for word, n in language.rules.numbers.items()}
_VAGUE = tuple(word.casefold() for language in _LANGUAGES for word in language.rules.vague)
_UNIT = {word.casefold(): unit for language in _LANGUAGES for word, unit in language.rules.units.items()}
_BACK = tuple(word.casefold() for language in _LANGUAGES for word in language.rules.back)
_AHEAD = tuple(word.casefold() for language in _LANGUAGES for word in language.rules.ahead)
_ORDINALS = {word.casefold(): n for language in _LANGUAGES for word, n in language.rules.ordinals.items()}
# Every count word, as whole words (compiled once: a hedge's window is read with it)
_COUNT_WORD = re.compile(rf"\b(?:{_either((*_NUMBERS, *_VAGUE))})\b")


def _placed(rule: str, fills: dict[str, str]) -> str:
    """A rule with its placeholders filled; one the rule's reader does not fill is a mistake in a language's
    module, said at import rather than a rule that never matches."""
    for placeholder, fill in fills.items():
        rule = rule.replace(placeholder, fill)
    if left := re.search(r"\{[a-z_]+\}", rule):
        raise ValueError(f"{left.group()} is not filled here (only {', '.join(fills)}): {rule}")
    return rule


def _filled(rule: str, language: DateWords) -> str:
    """A rule for the resolver with its placeholders filled by the language's words (matched in any case)."""
    words = language.rules
    count = rf"\d{{1,3}}|{_either(words.numbers)}"
    fills = {
        "{any_count}": rf"(?:{count}|{_either(words.vague)})" if words.vague else f"(?:{count})",
        "{count}": f"(?:{count})",
        "{unit}": _either(words.units),
        "{back}": _either(words.back),
        "{ahead}": _either(words.ahead),
        "{ordinal}": _either(words.ordinals),
        "{month}": _either(language.months),
        "{weekday}": _either(language.weekdays),
    }
    return _placed(rule, fills)


def _reads() -> dict[str, list[re.Pattern[str]]]:
    reads: dict[str, list[re.Pattern[str]]] = {rule: [] for rule in RULES}
    for language in _LANGUAGES:
        for rule, patterns in language.rules.reads.items():
            if rule not in reads:
                raise ValueError(f"no date rule is called {rule!r}: {RULES}")
            reads[rule] += [re.compile(_filled(pattern, language), re.IGNORECASE) for pattern in patterns]
    return reads


_READS = _reads()


def _read(rule: str, text: str) -> re.Match[str] | None:
    """The first of every language's patterns for `rule` that reads the whole of `text`."""
    return next((match for pattern in _READS[rule] if (match := pattern.match(text))), None)


def _give_or_take(text: str) -> re.Match[str] | None:
    """A hedge's window at the end of `text` ("Feb. 27, give or take a day"), with its amount."""
    return next((match for pattern in _READS["give_or_take"] if (match := pattern.search(text))), None)


@dataclass(frozen=True)
class ResolvedDate:
    start: date | None
    end: date | None
    precision: Precision | None
    approximate: bool = False

    @property
    def resolved(self) -> bool:
        return self.start is not None


@dataclass(frozen=True)
class _Parsed:
    start: date
    end: date
    precision: Precision


class DateResolver:
    """One resolver per language set; parsers are cached, so make it once and reuse it."""

    def __init__(
        self, languages: tuple[str, ...] | None = None, southern: bool = False, order: str | None = None
    ) -> None:
        # A language dateparser does not know is left out; with none left, it detects the language.
        known = tuple(language for language in languages or () if language in _KNOWN_LANGUAGES)
        self.languages = known or None
        self.southern = southern  # summer is December to February
        self.order = order  # day, month and year's order where dateparser's own for the language misreads news
        # dateparser takes milliseconds per expression, and "Monday" or "Feb. 26" recur across a day's articles.
        self._cached = lru_cache(maxsize=8192)(self._resolve)

    def resolve(self, expression: str, published: date | None, before: str = "") -> ResolvedDate | None:
        """None when the expression is not a date at all; start/end None when it needs a `published`. `before`:
        the words before it in its clause, which say whether a weekday alone is ahead ("will meet on Thursday")."""
        try:
            return self._cached(expression, published, _FUTURE.search(before) is not None)
        except (ValueError, OverflowError):  # a day outside 1..9999 ("in 9,000 years"): no calendar date
            return None

    def _resolve(self, expression: str, published: date | None, ahead: bool) -> ResolvedDate | None:
        text = " ".join(expression.split()).strip(" .,;:")
        approximate, window = False, 0
        if match := _give_or_take(text):
            approximate, window = True, _amount(match["amount"])
            text = text[: match.start()].strip(" ,")
        if match := _HEDGE_PREFIX.match(text):
            approximate, text = True, text[match.end() :]
        if spoken := _spoken(text, published):  # read whole: "in", "this past" and "the past" say which days
            said, vague = spoken
            if isinstance(said, _Relative):
                return ResolvedDate(None, None, said.precision, approximate or vague)
            return ResolvedDate(said.start, said.end, said.precision, approximate or vague)
        part = None
        if match := _PART_OF.match(text):
            approximate, part, text = True, _PARTS[match["part"].casefold()], text[match.end() :]
        since = bool(match := _SINCE.match(text))
        if match:
            text = text[match.end() :]
        if text.casefold() not in _DAYS:  # "i morgen" is tomorrow, not "i" in the morning
            text = _TIME_OF_DAY.sub("", text)
            for past_week, last in _PAST_WEEK:
                text = past_week.sub(rf"{last} \1", text)
        while text.casefold() not in _DAYS and (match := _FRAME.match(text)):
            text = text[match.end() :]
        if not text:
            return None
        if ahead and published is not None and text.casefold() in _WEEKDAYS:  # the day itself or the next such
            named = self._parse_against(text, _PROBES[0])
            if named is not None:
                day = published + timedelta(days=(named.start.weekday() - published.weekday()) % 7)
                return ResolvedDate(day, day, Precision.day, approximate)

        parsed = self._parse_range(text, published) or self._parse_single(text, published)
        if parsed is None:
            return None
        if isinstance(parsed, _Relative) or (since and published is None):
            return ResolvedDate(None, None, parsed.precision, approximate)
        start, end = parsed.start, parsed.end
        if since and published is not None:  # "since 2007": from then until the article
            end = max(published, start)
        if part is not None:
            start, end = _part_of(part, start, end)
        if window:
            start, end = start - timedelta(days=window), end + timedelta(days=window)
        return ResolvedDate(start, end, parsed.precision, approximate)

    def _parse_range(self, text: str, published: date | None) -> "_Parsed | _Relative | None":
        if _ISO.match(text) or _read("year_of_date", text) or not (match := _RANGE.match(text)):
            return None  # "February 6 - this year" is one day
        left, right = match["left"], match["right"]
        if right.isdigit() and len(right) <= 2 and _NUMBER.search(left):  # "Feb. 17–18": the month comes from the left
            right = _replace_last_number(left, right)
        elif (day := left.rstrip(".")).isdigit() and len(day) <= 2 and _NUMBER.search(right):
            left = _replace_first_number(right, day)  # "17–18 February", "7. bis 9. Juli": from the right
        if _YEAR.search(right) and not _YEAR.search(left):  # "Dec. 30 to Jan. 2, 2027"
            left = f"{left} {_YEAR.findall(right)[-1]}"
        first, last = self._parse_single(left, published), self._parse_single(right, published)
        if first is None or last is None:
            return None
        if isinstance(first, _Relative) or isinstance(last, _Relative):
            return _Relative(Precision.day)
        if last.end < first.start and last.start.year == first.start.year and not _YEAR.search(right):
            last = _Parsed(_add_year(last.start), _add_year(last.end), last.precision)
        if last.end < first.start:
            return None
        precision = first.precision if first.precision == last.precision else Precision.day
        return _Parsed(first.start, last.end, precision)

    def _parse_single(self, text: str, published: date | None) -> "_Parsed | _Relative | None":
        if match := _read("decade", text):
            decade = int(match["decade"])
            return _Parsed(date(decade, 1, 1), date(decade + 9, 12, 31), Precision.year)
        if match := _SEASON.match(text):
            return self._season(match, published)
        if match := _read("short_year", text):
            return _short_year(match, published)
        if match := _read("quarter", text):
            return _quarter(match, published)
        if match := _read("relative_month", text):
            return self._relative_month(match, published)
        if match := _read("relative_weekday", text):
            return self._relative_weekday(match, published)
        if match := _read("year_of_date", text):
            return self._year_of_date(match, published)
        first, second = (self._parse_against(text, base) for base in _PROBES)
        if first is None or second is None:
            return None
        if first == second:  # absolute: does not depend on the reference date
            return first
        if published is None:
            return _Relative(first.precision)
        base = datetime.combine(published, datetime.min.time())
        parsed = self._parse_against(text, base)
        if parsed is None:
            return None
        same_calendar_day = (first.start.month, first.start.day) == (second.start.month, second.start.day)
        if same_calendar_day and parsed.precision in (Precision.day, Precision.month) and not _YEAR.search(text):
            parsed = _nearest_year(parsed, published)  # "Jan. 5": no year written
        return parsed

    def _relative_month(self, match: re.Match[str], published: date | None) -> "_Parsed | _Relative | None":
        """ "last March" is the latest March before the publication month, "next March" the first after it."""
        named = self._parse_against(match["month"], _PROBES[0])
        if named is None:
            return None
        if published is None:
            return _Relative(Precision.month)
        month, which = named.start.month, match["which"].casefold()
        year = published.year
        if which.startswith(_BACK) or which.startswith("this past"):
            year -= month >= published.month
        elif which.startswith(_AHEAD):
            year += month <= published.month
        return _month_of(year, month)

    def _relative_weekday(self, match: re.Match[str], published: date | None) -> "_Parsed | _Relative | None":
        """ "am vergangenen Montag" is the latest Monday before the publication day, "nächsten Montag" the first
        after it."""
        named = self._parse_against(match["weekday"], _PROBES[0])
        if named is None:
            return None
        if published is None:
            return _Relative(Precision.day)
        days = (named.start.weekday() - published.weekday()) % 7
        if match["which"].casefold().startswith(_BACK):
            day = published - timedelta(days=(7 - days) or 7)
        else:
            day = published + timedelta(days=days or 7)
        return _Parsed(day, day, Precision.day)

    def _year_of_date(self, match: re.Match[str], published: date | None) -> "_Parsed | _Relative | None":
        """ "February 6 this year", "September last year": the date in the year the words name, counted from
        the publication's."""
        if published is None:
            return _Relative(Precision.day)
        which = match["which"].casefold()
        year = published.year - which.startswith(_BACK) + which.startswith(_AHEAD)
        return self._parse_single(f"{match['date']} {year}", published)

    def _season(self, match: re.Match[str], published: date | None) -> "_Parsed | _Relative":
        first_month = _SEASON_STARTS[match["season"].lower()]
        if self.southern:
            first_month = (first_month + 5) % 12 + 1
        if match["year"]:  # "winter 2026" starts in December 2026
            return _season_of(int(match["year"]), first_month)
        if published is None:
            return _Relative(Precision.month)
        seasons = [_season_of(year, first_month) for year in range(published.year - 2, published.year + 2)]
        which = (match["which"] or "").lower()
        if which.startswith(_NEXT):
            return next(season for season in seasons if season.start > published)
        if which.startswith(_LAST):
            return [season for season in seasons if season.end < published][-1]
        under_way = [season for season in seasons if season.start <= published <= season.end]
        if under_way:
            return under_way[0]
        if which:  # "this winter" in June: the one that starts in the publication year
            return next(season for season in seasons if season.start.year == published.year)
        # "in the spring" in November: the nearest, next year's
        return min(
            seasons, key=lambda season: min(abs((season.start - published).days), abs((season.end - published).days))
        )

    def _parse_against(self, text: str, base: datetime) -> _Parsed | None:
        data = _parser(self.languages, base, self.order).get_date_data(text)
        if data is None or data.date_obj is None:
            return None
        moment: datetime = data.date_obj
        precision = _PERIODS.get(data.period or "day")
        if precision is None or (precision is Precision.day and moment.time() != datetime.min.time()):
            return None  # a time of day or a duration ago ("1990 seconds"), not a calendar date
        day = moment.date()
        match precision:
            case Precision.week:
                start = day - timedelta(days=day.weekday())
                return _Parsed(start, start + timedelta(days=6), precision)
            case Precision.month:
                last = calendar.monthrange(day.year, day.month)[1]
                return _Parsed(day.replace(day=1), day.replace(day=last), precision)
            case Precision.year:
                return _Parsed(date(day.year, 1, 1), date(day.year, 12, 31), precision)
        return _Parsed(day, day, precision)


@dataclass(frozen=True)
class _Relative:
    """Depends on the publication date, which was not given."""

    precision: Precision | None


@lru_cache(maxsize=64)
def _parser(languages: tuple[str, ...] | None, base: datetime, order: str | None = None) -> DateDataParser:
    settings = {"RELATIVE_BASE": base, "PREFER_DAY_OF_MONTH": "first", "PREFER_DATES_FROM": "current_period"}
    if order:
        settings["DATE_ORDER"] = order
    return DateDataParser(languages=list(languages) if languages else None, settings=settings)


def _season_of(year: int, first_month: int) -> _Parsed:
    start = date(year, first_month, 1)
    last_month, last_year = (first_month + 1) % 12 + 1, year + (first_month == 12)
    end = date(last_year, last_month, calendar.monthrange(last_year, last_month)[1])
    return _Parsed(start, end, Precision.month)


def _spoken(text: str, published: date | None) -> "tuple[_Parsed | _Relative, bool] | None":
    """The spans whose words say which days ("the past 10 days", "this weekend", "in einigen Tagen"), read before the
    frames and parts are dropped; with whether the count was vague ("a few"). None: not one of them."""
    vague = False
    if match := _read("span", text):
        count, vague = _count(match["count"])
        unit = _UNIT[match["unit"].casefold()]
        if published is None:
            return _Relative(_UNIT_PRECISION[unit]), vague
        if match["which"].casefold().startswith(_BACK):  # back from the article: "the past 10 days" ends on it
            return _Parsed(_shifted(published, unit, -count), published, _UNIT_PRECISION[unit]), vague
        return _Parsed(published, _shifted(published, unit, count), _UNIT_PRECISION[unit]), vague
    for rule, sign in (("in", 1), ("ago", -1)):  # "in ten days" ahead, "ten days ago" back
        if match := _read(rule, text):
            count, vague = _count(match["count"])
            unit = _UNIT[match["unit"].casefold()]
            if published is None:
                return _Relative(_UNIT_PRECISION[unit]), vague
            return _period_of(_shifted(published, unit, sign * count), unit), vague
    if match := _read("weekend", text):
        return (_weekend(match["which"], published) if published else _Relative(Precision.day)), False
    if _read("same_day", text):  # by midnight, tonight, this morning: the article's own day
        return (_Parsed(published, published, Precision.day) if published else _Relative(Precision.day)), False
    if (match := _read("century", text)) and 1 <= (nth := int(match["nth"])) <= 21:
        return _Parsed(date(100 * nth - 99, 1, 1), date(100 * nth, 12, 31), Precision.year), False
    if _read("year_end", text):
        last = date(published.year, 12, 31) if published else None
        return (_Parsed(last, last, Precision.day) if last else _Relative(Precision.day)), False
    if match := _read("period", text):  # "vergangenes Jahr", "in der kommenden Woche", "diesen Monat"
        unit = _UNIT[match["unit"].casefold()]
        if published is None:
            return _Relative(_UNIT_PRECISION[unit]), False
        which = match["which"].casefold()
        step = -1 if which.startswith(_BACK) else 1 if which.startswith(_AHEAD) else 0
        return _period_of(_shifted(published, unit, step), unit), False
    if _read("year_before", text):  # "the previous year", "im Vorjahr": the year before the article's
        year = published.year - 1 if published else None
        return (
            _Parsed(date(year, 1, 1), date(year, 12, 31), Precision.year) if year else _Relative(Precision.year)
        ), False
    return None


_UNIT_PRECISION = {"day": Precision.day, "week": Precision.week, "month": Precision.month, "year": Precision.year,
                   "decade": Precision.year}  # fmt: skip


def _count(words: str) -> tuple[int, bool]:
    """The number a count says, and whether it is vague ("a few": three)."""
    words = " ".join(words.casefold().split())
    if words.isdigit():
        return int(words), False
    if words in _VAGUE:
        return 3, True
    return _NUMBERS[words], False


def _shifted(day: date, unit: str, count: int) -> date:
    match unit:
        case "day":
            return day + timedelta(days=count)
        case "week":
            return day + timedelta(weeks=count)
        case "month":
            months = day.year * 12 + day.month - 1 + count
            year, month = divmod(months, 12)
            return day.replace(year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1]))
        case "decade":
            return _shift_year(day, 10 * count)
    return _shift_year(day, count)


def _period_of(day: date, unit: str) -> _Parsed:
    """The day, week (Monday to Sunday), month or year that holds `day`."""
    match unit:
        case "day":
            return _Parsed(day, day, Precision.day)
        case "week":
            monday = day - timedelta(days=day.weekday())
            return _Parsed(monday, monday + timedelta(days=6), Precision.week)
        case "month":
            return _month_of(day.year, day.month)
    return _Parsed(date(day.year, 1, 1), date(day.year, 12, 31), Precision.year)


def _month_of(year: int, month: int) -> _Parsed:
    return _Parsed(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), Precision.month)


def _weekend(which: str | None, published: date) -> _Parsed:
    """ "this weekend" is the Saturday and Sunday of the publication week; "last" and "next" a week off; a
    weekend with no such word ("over the weekend", "am Wochenende") the nearer one, the coming one on a tie."""
    saturday = published + timedelta(days=5 - published.weekday())
    word = (which or "").casefold()
    if word.startswith(("this past", *_BACK)):
        saturday -= timedelta(weeks=1)
    elif word.startswith(_AHEAD):
        saturday += timedelta(weeks=1)
    elif not word and published.weekday() < 2:  # Monday or Tuesday: the one just past
        saturday -= timedelta(weeks=1)
    return _Parsed(saturday, saturday + timedelta(days=1), Precision.day)


def _short_year(match: re.Match[str], published: date | None) -> "_Parsed | _Relative":
    """ "the '90s", "in '08": the century is the latest that does not put the year far past publication."""
    if published is None:
        return _Relative(Precision.year)
    two_digits = int(match["yy"])
    if match["decade"]:
        decade = max(
            century + two_digits for century in range(1500, 2200, 100) if century + two_digits <= published.year
        )
        return _Parsed(date(decade, 1, 1), date(decade + 9, 12, 31), Precision.year)
    year = max(
        century + two_digits for century in range(1500, 2200, 100) if century + two_digits <= published.year + 10
    )
    return _Parsed(date(year, 1, 1), date(year, 12, 31), Precision.year)


def _quarter(match: re.Match[str], published: date | None) -> "_Parsed | _Relative":
    """A quarter of a year; with no year written, the one nearest the publication date (which may hold it)."""
    said = match.groupdict()  # "Q3 2015" says q and year; "the third quarter" nth; "last quarter" which
    year_written = said.get("year")
    which = (said.get("which") or "").casefold()
    if said.get("q"):
        number = int(said["q"])
    elif said.get("nth"):
        number = _ORDINALS[said["nth"].casefold()]
    elif year_written:  # "the last quarter of 2015"
        number = 4 if which.startswith(_BACK) else 1
    else:
        number = 0
    if year_written:
        return _quarter_of(int(year_written), number)
    if published is None:
        return _Relative(Precision.month)
    current = (published.month - 1) // 3 + 1
    if not number:  # "last quarter", "this quarter", "im kommenden Quartal"
        step = -1 if which.startswith(_BACK) else 1 if which.startswith(_AHEAD) else 0
        year, index = divmod(published.year * 4 + current - 1 + step, 4)
        return _quarter_of(year, index + 1)
    quarters = [_quarter_of(year, number) for year in (published.year - 1, published.year, published.year + 1)]
    return min(quarters, key=lambda quarter: max((quarter.start - published).days, (published - quarter.end).days, 0))


def _quarter_of(year: int, number: int) -> _Parsed:
    end = _month_of(year, 3 * number).end
    return _Parsed(date(year, 3 * number - 2, 1), end, Precision.month)


def _amount(words: str) -> int:
    """The largest number a hedge's window says ("a day or two": 2; "a few days": 3, as a vague count)."""
    words = words.lower().strip()
    numbers = [int(n) for n in re.findall(r"\d+", words)]
    numbers += [_NUMBERS.get(word, 3) for word in _COUNT_WORD.findall(words)]  # not in _NUMBERS: vague
    return max(numbers, default=1)


def _part_of(part: str, start: date, end: date) -> tuple[date, date]:
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        # a year in thirds by months: early = January-April, mid = May-August, late = September-December
        first_month = {"early": 1, "mid": 5, "late": 9}[part]
        last_month = first_month + 3
        return date(start.year, first_month, 1), date(
            start.year, last_month, calendar.monthrange(start.year, last_month)[1]
        )
    span = (end - start).days + 1
    third = max(span // 3, 1)
    if part == "early":
        return start, start + timedelta(days=third - 1)
    if part == "mid":
        return start + timedelta(days=third), end - timedelta(days=third)
    return end - timedelta(days=third - 1), end


def _nearest_year(parsed: _Parsed, published: date) -> _Parsed:
    """The publication year, unless the date is far from it and close across New Year ("Jan. 5" in December)."""
    same_year = _Parsed(
        _shift_year(parsed.start, published.year - parsed.start.year),
        _shift_year(parsed.end, published.year - parsed.start.year),
        parsed.precision,
    )
    if abs((same_year.start - published).days) <= 180:
        return same_year
    for delta in (-1, 1):
        shifted = _Parsed(_shift_year(same_year.start, delta), _shift_year(same_year.end, delta), parsed.precision)
        if abs((shifted.start - published).days) <= 120:
            return shifted
    return same_year


def _shift_year(day: date, delta: int) -> date:
    try:
        return day.replace(year=day.year + delta)
    except ValueError:  # Feb. 29
        return day.replace(year=day.year + delta, day=28)


def _add_year(day: date) -> date:
    return _shift_year(day, 1)


def _replace_last_number(template: str, number: str) -> str:
    spans = list(_NUMBER.finditer(template))
    last = spans[-1]
    return template[: last.start()] + number + template[last.end() :]


def _replace_first_number(template: str, number: str) -> str:
    first = _NUMBER.search(template)
    if first is None:
        return number
    return template[: first.start()] + number + template[first.end() :]


def dedupe_key(expression: str) -> str:
    """'On Friday', 'on Friday.' and 'until Friday' are one expression: the frames the resolver drops."""
    key = " ".join(expression.casefold().split()).strip(" .,")
    while key not in _DAYS and (match := _FRAME.match(key)):
        key = key[match.end() :]
    return key


# How alike (rapidfuzz's token-set ratio of their words that are not the commonest) the clauses of two
# mentions of one date must be to tell of one event: "the competition ended on Tuesday" is another event than
# "was awarded a silver medal on Tuesday" (0.44), the seed's three "Feb. 26" one (0.55, 0.49). Chosen on the
# gold set's dev split (its one-event repeats 0.49-0.61, its two-event ones 0.38-0.46): bench/JOURNAL.md.
SAME_EVENT = 0.48
_COMMON_WORDS = commonest_words()


def same_event(clause: str, other: str) -> bool:
    """Whether two clauses that hold one date tell of one event: a repeated date is listed once per event."""
    words = [" ".join(w for w in re.findall(r"\w+", c.casefold()) if w not in _COMMON_WORDS) for c in (clause, other)]
    return fuzz.token_set_ratio(*words) >= 100 * SAME_EVENT


# Where summer is December to February: the regions of a BCP 47 tag south of the equator ("en-AU").
_SOUTHERN_REGIONS = frozenset({"AR", "AU", "BO", "BR", "BW", "CL", "FJ", "LS", "MG", "MW", "MZ", "NA", "NZ", "PE", "PY", "SZ", "UY", "ZA", "ZM", "ZW"})  # fmt: skip


@lru_cache(maxsize=32)
def resolver_for(language_tag: str | None) -> DateResolver:
    """The resolver for an article's BCP 47 tag: its language, and its hemisphere when a region says."""
    read = tag(language_tag)
    if read.language is None:
        return DateResolver()
    order = read.known.dates.date_order if read.known else None
    return DateResolver((read.code or "",), southern=read.region in _SOUTHERN_REGIONS, order=order)


# --- finding date expressions in text, by code ------------------------------------------------------------


def _cased(words: Iterable[str]) -> str:
    """The words for the finder, which reads capitals (a month is "May", not "may"): "around" may start a
    sentence ("[Aa]round"); a capitalised word ("Herbst", "im Jahre") keeps its capital."""
    return _alternation(variant for word in words for variant in (word, word[0].upper() + word[1:]))


def _part_lead(word: str, part: str) -> str:
    return _cased([word]) + ("-?" if part == "mid" else "(?: in)?")  # "early in 2016"


_MONTH = rf"(?:{_alternation(_every(lambda w: w.months))})"
_WEEKDAY = rf"(?:{_alternation(_every(lambda w: w.weekdays))})"
_ON_WEEKDAY = rf"(?:{_WEEKDAY},?\s+)?"  # before a date: "Thursday, Feb. 26", "Monday 5 June"
_DAY_NUMBER = r"(?:[12]\d|3[01]|0?[1-9])(?!\d)(?:st|nd|rd|th|\.)?"
_YEAR_NUMBER = r"(?:1[5-9]\d\d|20\d\d)"
_DASH = rf"\s*(?:{_CONNECTORS})\s*"
_LEAD_WORDS = [
    _cased(_every(lambda w: w.finder.before_date)),
    *(_part_lead(word, language.parts[word]) for language in _LANGUAGES for word in language.finder.parts),
]
_LEAD = rf"(?:(?:{'|'.join(_LEAD_WORDS)})\s+)?"
_HEDGE = rf"(?:(?:{_cased(_every(lambda w: w.hedges))})\s+)?"  # all of them: the resolver reads them
_TAILS = [language.rules.tail for language in _LANGUAGES if language.rules.tail]
_TAIL = rf"(?:{'|'.join(_TAILS)})?" if _TAILS else ""  # "give or take a day"
_YEAR_OF_DATE = "|".join(f"(?:{w.rules.year_of_date})" for w in _LANGUAGES if w.rules.year_of_date)  # "this year"
_TIME_OF_DAY_WORDS = rf"(?:\s+(?:{_alternation(_every(lambda w: w.finder.times_of_day))}))?"
_SEASON_WORD = rf"(?:{_cased(_every(lambda w: w.finder.seasons))})"
_SEASON_HEAD = rf"(?:{_cased(_every(lambda w: w.finder.before_season + w.finder.parts))})"
# A season that is also an ordinary word ("prices fall", "the fall of the Wall"): after "in the", "next" …
_FALL_PATTERNS = [
    rf"(?:(?:{_cased(language.finder.before_fall)})\s+(?:{_alternation(language.articles)})|{_cased(language.relative)})"
    rf"\s+(?:(?:{_alternation(language.finder.parts)})[-\s]+)?(?:{_alternation(ambiguous)})"
    rf"(?:\s+(?:of\s+)?{_YEAR_NUMBER})?\b(?!\s+(?:of|in)\b)"
    for language in _LANGUAGES
    if (ambiguous := [season for season in language.seasons if season not in language.finder.seasons])
]


def _found(pattern: str, language: DateWords) -> str:
    """A finder's rule with its placeholders filled by the language's words (case as written)."""
    words = language.rules
    count = rf"(?:\d{{1,3}}|{_cased(words.numbers)})" if words.numbers else r"\d{1,3}"
    any_count = rf"(?:{count}|{_alternation(words.vague)})" if words.vague else count
    return _placed(pattern, {"{any_count}": any_count, "{count}": count, "{year}": _YEAR_NUMBER})


def _month_alone() -> str:
    """A month with no day or year, after a lead: "in September", "seit März", "i april", "from March to May" (not
    "in May 2015": another pattern; nor when a year follows after all, "March, 1990", "March of last year",
    "September to March 2025"). A language's leads take its own months ("this august" is no date); a range
    may end on any language's month ("i april–maj": Norwegian and Swedish share "i april")."""
    languages = [language for language in _LANGUAGES if language.rules.month_leads]
    first = "|".join(f"(?:{w.rules.month_leads})(?:{_alternation(w.months)})" for w in languages)
    year_after = "|".join(f"(?:{w.rules.year_after})" for w in languages)
    to = rf"\s*(?:{'|'.join(dict.fromkeys(way for w in languages for way in w.rules.month_to))})\s*"
    return (
        rf"(?:{first})(?!{year_after})(?!{to}{_MONTH}(?:{year_after}))(?:{to}{_MONTH})?"
        rf"(?![\w'’])(?!{year_after})(?!-\w)"
    )


# What dateparser does not read (counted spans, quarters, weekends, midnight, ...) and months alone, last.
_SPOKEN_PATTERNS = [
    *(_found(pattern, language) for language in _LANGUAGES for pattern in language.rules.finds),
    _month_alone(),
]

_DATE_PATTERNS = [
    # Feb. 17–18, 2026 · between March 3 and 5 · from November 20 to December 11 · Around Feb. 27, give or take …
    # · Sunday, May 28, 2006 (the weekday names the same day: one date, not two)
    rf"{_HEDGE}{_LEAD}{_ON_WEEKDAY}{_MONTH}\s+{_DAY_NUMBER}(?:{_DASH}(?:{_MONTH}\s+)?{_DAY_NUMBER})?"
    rf"(?:,?\s+{_YEAR_NUMBER}|{_YEAR_OF_DATE})?{_TAIL}",
    # 17–18 February 2026 · am 7. Juni 2015 · am 6. Februar dieses Jahres · Sonntag, 7. Juni 2015
    rf"{_HEDGE}{_LEAD}{_ON_WEEKDAY}{_DAY_NUMBER}(?:{_DASH}{_DAY_NUMBER})?\s+{_MONTH}(?:\s+{_YEAR_NUMBER}|{_YEAR_OF_DATE})?",
    # September last year · im März vergangenen Jahres
    rf"{_LEAD}{_MONTH}(?:{_YEAR_OF_DATE})",
    # between July 2003 and December 2004 · seit September 2009 · early in 2016
    rf"{_LEAD}{_MONTH}\s+{_YEAR_NUMBER}(?:{_DASH}{_MONTH}\s+{_YEAR_NUMBER})?",
    # 08.06.2015 · 2026-02-24 · 6/8/2015
    r"\b(?:[0-3]?\d\.[01]?\d\.(?:19|20)\d\d|(?:19|20)\d\d-[01]\d-[0-3]\d)\b",
    # from 2004 to 2009 · 1976-1983 · since 2007 · in 2014 · the 1960s
    rf"{_LEAD}(?:(?:{_alternation(_every(lambda w: w.articles))})\s+)?(?<![$€£\d])(?<!\$ ){_YEAR_NUMBER}(?:{_DASH}{_YEAR_NUMBER}|['’]?s)?\b(?![\d.,]\d|%)",
    # on Tuesday · last Friday · Thursday afternoon
    rf"(?:(?:{_cased(_every(lambda w: w.finder.before_weekday))})\s+)?{_WEEKDAY}{_TIME_OF_DAY_WORDS}",
    # yesterday · next week · this past week · 17 years ago · gestern · letzte Woche
    rf"\b(?:{_cased(_every(lambda w: w.days))}){_TIME_OF_DAY_WORDS}\b",
    rf"\b(?:(?:{_cased(_every(lambda w: w.finder.before_period))})\s+(?:{_alternation(_every(lambda w: w.periods))}))"
    r"\b",
    # next spring · in the autumn · late summer 2027 · im kommenden Winter (not "the Summer Olympics", "Winter Park")
    rf"(?:{_SEASON_HEAD}[-\s]+){{1,4}}{_SEASON_WORD}(?:\s+(?:of\s+)?{_YEAR_NUMBER})?\b(?![ \t]+[A-Z])",
    # in the fall · next fall · fall 2027 (not "the fall of the Wall", "prices fall")
    *_FALL_PATTERNS,
    rf"(?:{_cased(_every(lambda w: w.seasons))})\s+(?:of\s+)?{_YEAR_NUMBER}\b",
    *_SPOKEN_PATTERNS,
]
_LEADING_FRAME = re.compile(rf"(?:{_cased(_every(lambda w: w.finder.unwritten))})\s+")
_ABBREVIATED = [month.removesuffix(".") for month in _every(lambda w: w.months) if month.endswith(".")]
_ABBREVIATED_MONTH_END = re.compile(rf"\b(?:{_alternation(_ABBREVIATED)})\.$")
# Every expression starts a word: the leading \b lets the engine skip mid-word positions at once (faster on
# the seed article, same matches on every eval and fixture text: bench/JOURNAL.md, 2026-11-27 02:19).
_DATE_FINDER = re.compile(r"\b(?:" + "|".join(f"(?:{pattern})" for pattern in _DATE_PATTERNS) + ")")


def find_date_expressions(text: str) -> list[tuple[int, int]]:
    """Spans of date expressions in `text`, longest first at each place, not overlapping."""
    spans: list[tuple[int, int]] = []
    for match in _DATE_FINDER.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in " ,;:":
            end -= 1
        if text[start:end].endswith(".") and not _ABBREVIATED_MONTH_END.search(text[start:end]):
            end -= 1  # the full stop of the sentence, not of "Feb."
        # "in ten days" keeps its "in": without it, it is a duration; "i går" (yesterday) is one word
        kept = _read("in", text[start:end]) or text[start:end].casefold() in _DAYS
        if not kept and (frame := _LEADING_FRAME.match(text, start, end)):
            start = frame.end()  # "on Feb. 26" is written "Feb. 26"; "since 2007" keeps its meaning
        if end > start and not _in_a_name(text, start, end):
            spans.append((start, end))
    return spans


_WEEKDAYS = frozenset(day.casefold() for day in _every(lambda w: w.weekdays))
_FUTURE = re.compile(rf"(?<!\w)(?:{'|'.join(_every(lambda w: w.future))})(?!\w)", re.IGNORECASE)
_BEFORE_WEEKDAY = frozenset(word.casefold() for word in _every(lambda w: w.finder.before_weekday))
_CALENDAR = calendar_words()
_ARTICLES = frozenset(word.casefold() for word in _every(lambda w: w.articles))
_NAME_AFTER = re.compile(r"[ \t]+([A-ZÀ-ÖØ-Þ][\w'’-]*)")
# A paper's name in quotes: "«Bild am Sonntag»", "„Welt am Sonntag“" (one or two capitalised words, "am" or "on")
_TITLE_OPENED = re.compile(r"[«„“\"‘'](?:[A-ZÀ-ÖØ-Þ][\w'’-]*[ \t]+){1,2}(\w+)[ \t]+$")
_QUOTE_CLOSED = re.compile(r"[»“”\"'’]")


def _in_a_name(text: str, start: int, end: int) -> bool:
    """A weekday alone that is part of a name, no date: "The Sunday Times", "the Good Friday Agreement" (a capitalised
    word after it, an article or a capitalised word before it, not "On"), "«Bild am Sonntag»" (one or two
    capitalised words and "am" or "on" in quotes that close right after it)."""
    if text[start:end].casefold() not in _WEEKDAYS:
        return False
    opened = _TITLE_OPENED.search(text, max(0, start - 40), start)
    if opened and opened[1].casefold() in _BEFORE_WEEKDAY and _QUOTE_CLOSED.match(text, end):
        return True
    after = _NAME_AFTER.match(text, end)
    if after is None or after[1].casefold().rstrip(".") in _CALENDAR:
        return False
    before = text[max(0, start - 20) : start].split()  # "the Sunday Times", "Good Friday": not "said Tuesday"
    word = before[-1] if before else ""
    return word.casefold() in _ARTICLES or (word[:1].isupper() and word.casefold() not in _BEFORE_WEEKDAY)
