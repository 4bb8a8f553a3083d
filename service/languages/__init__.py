"""What the service knows of each language, one module per language (en.py, de.py, nb.py, sv.py).

A module here defines `LANGUAGE = Language(...)`: its date words and rules, its words of doubt and plans,
titles and honorifics, abbreviations that end no sentence, its function words, the words names and roles are
read by (and whether NER's parse of it has rules), its summary question. It is found by being in this package:
adding a language is one new module and its tests. Every other module reads a BCP 47 tag through `tag()`
and takes its words from a `Language` or from `every()` — the finders run every language's words over
every article (an article quotes other languages, and its tag may be wrong), the checks take the
article's own language.
"""

import importlib
import pkgutil
from dataclasses import dataclass, field, fields
from functools import cache


def declined(stems: tuple[str, ...], *endings: str) -> tuple[str, ...]:
    """Each stem with each ending: "nächst" + ("e", "en") -> "nächste", "nächsten"."""
    return tuple(stem + ending for stem in stems for ending in endings)


@dataclass(frozen=True)
class DateFinder:
    """The words the finder takes, and where. Fewer than the resolver reads, as the finder always took them:
    adding one changes the spans it finds. Each must be a word of its language's entry (checked there)."""

    unwritten: tuple[str, ...]  # frames left out of the span: "on Feb. 26" is written "Feb. 26"
    before_date: tuple[str, ...]  # leads, "since" words and frames before a month, day or year
    parts: tuple[str, ...]  # before a date or a season: "early in 2016", "late summer"
    before_season: tuple[str, ...]  # "in the autumn", "im kommenden Winter" (up to four; parts join them)
    before_weekday: tuple[str, ...]  # "on Tuesday", "letzten Montag"
    before_period: tuple[str, ...]  # "last week", "nächste Woche"
    before_fall: tuple[str, ...]  # frames that need an article before a season that is also a word ("in the fall")
    seasons: tuple[str, ...]  # found after a head; the others ("fall": "prices fall") only with a year or before_fall
    times_of_day: tuple[str, ...]  # "Thursday afternoon"


@dataclass(frozen=True)
class DateRules:
    """What dateparser does not read, by rules of service/core/dates.py: the words they count and point with,
    and the rules, as regular expressions in which dates.py fills {count}, {any_count} (a count or a vague
    one), {unit}, {back}, {ahead}, {ordinal} and {month} with this language's words and {year} with a year."""

    numbers: dict[str, int] = field(default_factory=dict)  # "two": 2, "twenty-five": 25, "zwei": 2
    vague: tuple[str, ...] = ()  # "a few", "einige": three, and approximate ("several" says nothing of how many)
    units: dict[str, str] = field(default_factory=dict)  # "days" -> "day", "Jahrzehnten" -> "decade"
    back: tuple[str, ...] = ()  # "last", "previous"; stems in German ("vergangen"), declined in the rules
    ahead: tuple[str, ...] = ()  # "next", "coming"
    ordinals: dict[str, int] = field(default_factory=dict)  # "third": 3, "3.": 3
    # The resolver's, by rule (see dates.RULES), read whole and in any case; the finder's, case as written.
    reads: dict[str, tuple[str, ...]] = field(default_factory=dict)
    finds: tuple[str, ...] = ()
    month_leads: str = ""  # before a month written alone: "in", "last", "seit"
    year_after: str = r",?\s*\d"  # a year after such a month after all: "March, 1990", "September last year"
    year_of_date: str = ""  # after a day or month, the year it is in: "February 6 this year", "September last year"
    month_to: tuple[str, ...] = ("–", "—", "-")  # patterns between the two months of a range
    tail: str = ""  # after a date: "give or take a day"


@dataclass(frozen=True)
class DateWords:
    """One language's date words, written as in running text (German nouns capitalised)."""

    hedges: tuple[str, ...]  # "around March 3": approximate
    frames: tuple[str, ...]  # frame a date without changing it: the resolver and the dedupe key drop them
    articles: tuple[str, ...]  # dropped like frames: "the autumn"
    before_part: tuple[str, ...]  # what the resolver reads before a part: "by early next spring" (not every frame)
    range_leads: tuple[str, ...]  # "between March 3 and 5"
    range_connectors: tuple[str, ...]  # besides the dashes
    since: tuple[str, ...]  # "since 2007": from then until the article
    parts: dict[str, str]  # a part of a period → "early", "mid" or "late" (its first, middle, last third)
    this: tuple[str, ...]  # relative words; German ones are stems, declined with `endings`
    next: tuple[str, ...]
    last: tuple[str, ...]
    endings: tuple[str, ...]
    past: tuple[str, ...]  # "this past week" is last week
    seasons: dict[str, int]  # → its first month north of the equator (meteorological: spring is March to May)
    times_of_day: tuple[str, ...]  # "Thursday afternoon" is Thursday
    # for the finder only: dateparser reads these itself
    months: tuple[str, ...]
    weekdays: tuple[str, ...]
    days: tuple[str, ...]  # "yesterday"
    periods: tuple[str, ...]  # "next week"
    finder: DateFinder
    rules: DateRules = field(default_factory=DateRules)
    date_order: str | None = None  # dateparser's DATE_ORDER where its own for the language misreads news
    # Before a weekday in its clause, what puts it ahead of the publication day ("will meet on Thursday"), where
    # a weekday alone is otherwise the last one (news tells of the days just past).
    future: tuple[str, ...] = ()

    @property
    def relative(self) -> tuple[str, ...]:
        return declined(self.this + self.next + self.last, *self.endings)

    def __post_init__(self) -> None:
        # Whatever the finder takes into a span, the resolver reads.
        read = (*self.hedges, *self.frames, *self.articles, *self.range_leads, *self.since, *self.parts,
                *self.relative, *self.past, *self.seasons, *self.times_of_day)  # fmt: skip
        known = {word.casefold() for word in read}
        for finder_field in fields(DateFinder):
            for word in getattr(self.finder, finder_field.name):
                if word.casefold() not in known and not all(token in known for token in word.casefold().split()):
                    raise ValueError(f"the finder takes {word!r}, which the resolver does not read")


@dataclass(frozen=True)
class Language:
    code: str  # the primary language subtag of BCP 47 ("de")
    name: str  # in English, for messages: "German"
    dates: DateWords
    # Words of doubt, waiting or dispute (regular expressions, matched case-insensitively as whole words):
    # `doubt` says outright that something is open, `plans` only that something is planned or awaited.
    doubt: tuple[str, ...]
    plans: tuple[str, ...]
    function_words: frozenset[str]  # the commonest words: which language a text is written in
    titles: frozenset[str]  # words of titles before a name ("Special Envoy"), folded
    honorifics: frozenset[str]  # "Mr", "Frau": a title that makes no role
    abbreviations: frozenset[str]  # a full stop after these ends no sentence ("Feb.", "Nr."), folded, no stop
    not_names: frozenset[str] = frozenset()  # capitalised words that name no one (besides months and weekdays)
    name_endings: tuple[str, ...] = ()  # what the language puts after a name: "Trump's", "Russian" for Russia
    nouns_capitalised: bool = False  # German: a capital does not make a word a name
    conjunctions: tuple[str, ...] = ()  # "and", "or": after a list's comma, the list goes on
    and_word: str | None = None  # what joins two names NER ran into one ("Ukraine and Russia")
    credits: tuple[str, ...] = ()  # what names a picture's source at a caption's end: "Image: NASA"
    storms: tuple[str, ...] = ()  # before a name, a storm's: "Typhoon Haiyan" is no person (NER tags it PERSON)
    laws: tuple[str, ...] = ()  # at an organisation's name's end, a law's: "the New START Treaty" (NER: ORG)
    # Whether names.py's rules are written for this language's spaCy parse (its dependency labels and tags): a
    # NER pipeline for a language without them is not used, and the model lists the participants.
    ner_rules: bool = False
    # How names and roles are read around a name (service/core/names.py, on the English parse):
    name_connectors: frozenset[str] = frozenset()  # inside a title or name: "Secretary of State"
    lone_titles: frozenset[str] = frozenset()  # title words that alone say no role ("major", "state")
    role_words: frozenset[str] = frozenset()  # with titles, a role and not a name: "the envoy", "officials"
    speech_verbs: frozenset[str] = frozenset()  # a clause, not an apposition: "said", "was"
    not_appositions: frozenset[str] = frozenset()  # words an apposition does not start with
    subordinators: frozenset[str] = frozenset()  # a clause starts: "which", "who"
    small_words: frozenset[str] = frozenset()  # a role does not end with these (nor with connectors, subordinators)
    of: tuple[str, ...] = ()  # after a name, what it belongs to: "Steve Rubell of Studio 54"
    parties: tuple[str, ...] = ()  # between a noun and a name, a party to it: "talks with Iran"
    party: str = ""  # the role of a party to the noun filled in: "party to the {}"
    attributions: tuple[str, ...] = ()  # before the preposition that names a source: "according" (to AFP)
    source: str = ""  # the role of a name the article attributes what it says to
    # Prepositions before a place that only says where (or whose): a country named only so, or only as a
    # modifier of another noun ("Italy's", "the US market"), and doing nothing, is the setting, not a participant.
    settings: tuple[str, ...] = ()
    dateline: str = "dateline"  # the event of a date in the text's dateline: when the article was written
    publications: tuple[str, ...] = ()  # nouns that say a name is a publication's: "journal" (Nature)
    published: tuple[str, ...] = ()  # a verb and the preposition before a publication: "published in"
    other_codes: tuple[str, ...] = ()  # tags that mean the same language ("no" for Norwegian Bokmål "nb")
    # How a text names itself ("the article"; regular expressions, matched case-insensitively as whole words,
    # not before a number: "Article 5"): a summary sentence that does tells of the article, not the news.
    itself: tuple[str, ...] = ()
    # Questions of the prompt file written in this language, by name ("summary"): a small model writes in the
    # language it is asked in. The prompt's version covers them (service/model/prompts.py).
    questions: dict[str, str] = field(default_factory=dict)


@cache
def every() -> tuple[Language, ...]:
    """Every language this package has, English first."""
    found = [importlib.import_module(f"{__name__}.{module.name}").LANGUAGE for module in pkgutil.iter_modules(__path__)]
    return tuple(sorted(found, key=lambda language: (language.code != "en", language.code)))


@cache
def commonest_words() -> frozenset[str]:
    """Every language's commonest words ("the", "der", "och"): what says nothing of what a text is about."""
    return frozenset(word for language in every() for word in language.function_words)


@cache
def of_words() -> frozenset[str]:
    """Every language's words that tie a name to what it belongs to ("of", "von"): "Steve Rubell of Studio 54"."""
    return frozenset(word for language in every() for word in language.of)


def english() -> Language:
    """English: an article that does not say its language is read as English."""
    return every()[0]


@dataclass(frozen=True)
class Tag:
    """A BCP 47 tag as the service reads it: its language and region subtags, lower and upper case."""

    language: str | None
    region: str | None = None

    @property
    def known(self) -> Language | None:
        """This package's module for the language, None for one it has no words for."""
        return next((lang for lang in every() if self.language in (lang.code, *lang.other_codes)), None)

    @property
    def code(self) -> str | None:
        """The language's code as its module has it ("no" is "nb"), else as written."""
        return self.known.code if self.known else self.language


def tag(value: str | None) -> Tag:
    """'de-CH' -> Tag('de', 'CH'); 'en_US' as 'en-US'; None or '' -> Tag(None)."""
    if not value:
        return Tag(None)
    language, *subtags = value.replace("_", "-").split("-")
    region = next((subtag.upper() for subtag in subtags if len(subtag) == 2 and subtag.isalpha()), None)
    return Tag(language.lower(), region)
