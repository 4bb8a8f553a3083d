"""Participant candidates found by code: named entities merged into one candidate per participant,
with every mention's offsets, what the article calls it and what it does. They are the summary's
participants: the model adds none, and is asked only what each one code is unsure of is (`unsure`), a
"thing" (a product, a festival, a book) being no participant (`grounding.Grounder.named` says why).

From the entities of a NER pipeline (OntoNotes labels):
- PERSON and ORG are kept, but a storm's name ("Typhoon Haiyan", tagged PERSON: an event) and a law's
  ("the New START Treaty", tagged ORG); GPE only when it is a country (ISO 3166 names and codes, by
  pycountry); nationalities, cities, dates and numbers are not candidates, nor a mention without a capital;
  a name does not run across a line break, and a one-word "person" or "organisation" the article also
  writes in lower case is a common noun;
- a mention whose text, or whose last word, is tagged PERSON elsewhere in the article is a person
  ("Umerov" tagged GPE once and PERSON twice; "Rustem Umerov" tagged ORG), but a country's name tagged
  PERSON less often than not is the country ("Tunisia": GPE four times, PERSON once); a one-word ORG that
  is the surname of a name tagged PERSON is that person ("Wilkins" after "Kristen Wilkins"); a journal's
  name is a publication, kind other ("published in the Medical Journal of Australia"); a name the article
  cites that NER tagged as a place or an event is an organisation ("according to the news outlet Interfax
  Ukraine", LOC);
- a country named only as the place where or as whose, doing nothing there ("in Italy", "under Italy's
  law"), is the story's setting, not a candidate;
- a short form in brackets after a name is one of its names ("The World Health Organisation (WHO)"), and
  says where a name NER cut short starts ("Stelle" is "Movimento 5 Stelle (M5S)");
- an organisation that only ever stands before a person's name with title words between ("NSDC
  Secretary Rustem Umerov") is part of that person's title, not a candidate of its own;
- mentions are merged by `participants.merge_participants` (surname ~ full name, "the Kremlin" ~
  "Kremlin", titles trimmed), so a candidate has its fullest name, its other forms and its mentions.
"""

import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

import pycountry

from schemas import Evidence, MatchKind, Participant, ParticipantKind
from service.core.alignment import ArticleText
from service.core.participants import TITLE_WORDS, found_in, merge_participants, person_name, without_article
from service.languages import commonest_words, every, of_words, tag
from service.model.ner import Entity

# Countries ISO 3166 spells otherwise (its names are formal: "Russian Federation").
_COUNTRY_NAMES = frozenset(
    {"russia", "britain", "great britain", "uk", "england", "scotland", "wales", "palestine", "kosovo"}
)
_AFFILIATIONS = frozenset({ParticipantKind.country, ParticipantKind.organization})
_ASKED_KINDS = frozenset({ParticipantKind.person, ParticipantKind.organization})
# What NER tags a news outlet or an agency as when the article cites it (gold set: 000's "Interfax Ukraine" LOC,
# 008's "the Sydney Morning Herald" EVENT; GUM's non-news: "Quantcast" GPE, a firm, and "Street" GPE, an author).
_PLACES_AND_EVENTS = frozenset({"GPE", "LOC", "FAC", "EVENT"})
_TITLE_GAP = re.compile(r"^(?:['’]s)?[\s,()A-Za-z.\-]{0,40}$")


@dataclass(frozen=True)
class Candidate:
    """One participant as code found it: its fullest name, other forms, where each mention is, and how the
    article describes it beside its name ("Special Envoy", "Ukraine's national security secretary")."""

    name: str
    kind: ParticipantKind
    aliases: list[str]
    mentions: list[tuple[int, int]]
    described: str | None = None
    acts: str | None = None  # what it does, from the first mention that is a verb's subject
    setting: str | None = None  # the words around its first mention, in their clause
    done: str | None = None  # what it did as a passive verb's agent: "supported the study"
    party: str | None = None  # what it is a party to: "party to the talks"
    source: str | None = None  # "cited as a source": the article attributes what it says to it ("according to AFP")
    # An organisation's: what the article calls it if it is a person ("Belgian goalkeeper"), for `as_person`.
    titled: str | None = None

    @property
    def role(self) -> str | None:
        """Who the candidate is and what it does, in the article's words: what the article calls it, then
        what it does where it is first a subject ("Special Envoy; said in an online address"); for one
        that is neither described nor a subject (an object, an item of a list: half of those matched on
        the gold set), or only "said": what it did as a passive verb's agent ("supported the study"), what
        it is a party to ("party to the talks"), that it is cited ("according to AFP": "cited as a source"),
        else the words around its first mention ("Sweden defeated South Korea 1 – 0")."""
        acts = self.acts if self.acts and len(self.acts.split()) >= _DEED_MIN_WORDS else None
        acts = acts if acts and not _words(acts) <= _words(self.described or "") else None
        described = "; ".join(part for part in (self.described, acts) if part)
        return described or self.done or self.party or self.source or self.setting

    def affiliation(self, others: list["Candidate"]) -> str | None:
        """The country or organisation the article's words for the candidate name ("Ukraine" in "Ukraine's
        National Security and Defense Council Secretary"): the first other candidate named in them."""
        if not self.described:
            return None
        named = [
            (found.start(), other.name)
            for other in others
            if other is not self and other.kind in _AFFILIATIONS
            for form in (other.name, *other.aliases)
            if (found := found_in(self.described, form))
        ]
        return min(named)[1] if named else None


def candidates(
    text: str, entities: list[Entity], language: str | None = None, title: str | None = None
) -> list[Candidate]:
    """One candidate per participant, in the order of their first mention (`language`, ISO 639-1: where
    every noun is capitalised, a capital says nothing of a name; `title`, sent apart from the text, shows
    words in lower case too)."""
    names = _without_storms_and_laws(text, _as_names(text, entities))
    people = _people(text, names)
    surnames = frozenset(name.split()[-1] for name in people if len(name.split()) > 1)
    published = frozenset(text[e.start : e.end] for e in entities if e.publication)
    sources = frozenset(text[e.start : e.end] for e in entities if e.cited)
    mentions = [
        (start, end, _kind(text[start:end], label, people, surnames, published, sources)) for start, end, label in names
    ]
    kept = [(start, end, kind) for start, end, kind in mentions if kind is not None]
    kept = [m for m in kept if not _only_in_titles(text, m, kept)]
    # One entry per mention, so that merging sees every form; the mentions ride along as evidence.
    entries = [
        Participant(
            name=text[start:end],
            kind=kind,
            aliases=_abbreviation_after(text, end),
            evidence=[Evidence(quote=text[start:end], start=start, end=end, match=MatchKind.exact)],
        )
        for start, end, kind in kept
    ]
    merged = merge_participants(entries, evidence_limit=None)
    known = tag(language).known
    if not known or not known.nouns_capitalised:  # "Kanzler Merz": any noun is capitalised
        completed = (_with_given_name(text, p, names) for p in merged)  # "Brown" is "Gordon Brown" first
        merged = [p for p in completed if not _a_common_noun(text, p, title or "")]
    spoken_of = [(start, end) for start, end, kind in kept if kind is ParticipantKind.person]
    # By where a mention ends: a name split off a longer entity (`_as_names`) keeps its entity's parse.
    acts = {e.end: e.acts for e in entities if e.acts}
    titles = {e.end: " ".join(text[a:b] for a, b in e.title) for e in entities if e.title}
    done = {e.end: _done(text, *e.done) for e in entities if e.done}
    party = known.party if known else ""
    parties = {e.end: party.format(text[slice(*e.party_to)]) for e in entities if e.party_to and party}
    cited = {e.end for e in entities if e.cited}
    # A country named only as the place where, or as whose, and doing nothing there, is the story's setting.
    settings = [(e.start, e.end) for e in entities if e.where and not (e.acts or e.done or e.party_to or e.cited)]
    source = (known.source if known else "") or None
    article = ArticleText(text)
    found = [
        Candidate(
            p.name,
            p.kind,
            p.aliases,
            spans,
            _described(text, spans, p.kind, spoken_of, titles),
            next((deed for _, end in spans if end in acts and (deed := _deed(text, acts[end]))), None),
            _setting(text, article.clause_around(*spans[0]), *spans[0]),
            next((done[end] for _, end in spans if end in done), None),
            next((parties[end] for _, end in spans if end in parties), None),
            source if any(end in cited for _, end in spans) else None,
            _described(text, spans, ParticipantKind.person, spoken_of, titles)
            if p.kind is ParticipantKind.organization
            else None,
        )
        for p in merged
        if (spans := [(e.start, e.end) for e in p.evidence])
        and not (p.kind is ParticipantKind.country and all(_within(span, settings) for span in spans))
    ]
    return sorted(found, key=lambda candidate: candidate.mentions[0][0])


_STORMS = sorted((re.escape(word) for language in every() for word in language.storms), key=len, reverse=True)
_LAWS = frozenset(word.casefold() for language in every() for word in language.laws)
_OF = of_words()
_STORM = re.compile(rf"(?:{'|'.join(_STORMS)})\s+\w")  # the longest first: "Tropical Storm Erin"


def unsure(found: list[Candidate], at_most: int) -> list[Candidate]:
    """The candidates the model is asked what they are (`questions.KIND`), the first `at_most`: a person or an
    organisation named once that code finds doing nothing in the story (`does_nothing`). What acts is a
    participant, whatever NER called it: asked, the embedded model called "the Kremlin" (which "did not confirm
    the timeline") and a robotics team a thing; of the names it called a thing in GUM's interviews, 4 of 7
    real participants acted, 3 of 24 others. Organisations first: of those dropped in five GUM genres, 60 of
    68 NER called organisations were no participant, 22 of 33 it called people
    (bench/results/gum-kind-2026-12-06-night.txt)."""
    asked = [c for c in found if c.kind in _ASKED_KINDS and len(c.mentions) == 1 and does_nothing(c)]
    return sorted(asked, key=lambda c: c.kind is not ParticipantKind.organization)[:at_most]


def maybe_people(found: list[Candidate], at_most: int) -> list[Candidate]:
    """The organisations named once that act (a verb's subject or agent), the first `at_most`, asked what they
    are too, for a person: NER tags a person it sees once in full as an organisation ("was saved by Thibaut
    Courtois"). Of 100 such on GUM's non-news documents and the English gold articles, the model called 12 a
    person: 10 people by GUM's or the gold's type, "the Sams" (a couple) and a news site that asks the
    questions of an interview (bench/JOURNAL.md, 2026-12-07)."""
    acting = [c for c in found if c.kind is ParticipantKind.organization and len(c.mentions) == 1 and _acts(c)]
    return acting[:at_most]


def as_person(candidate: Candidate) -> Candidate:
    """An organisation the model says is a person, with what the article calls it as one ("Belgian goalkeeper")."""
    return replace(candidate, kind=ParticipantKind.person, described=candidate.titled, titled=None)


def _acts(candidate: Candidate) -> bool:
    return candidate.acts is not None or candidate.done is not None


def does_nothing(candidate: Candidate) -> bool:
    """Not described, no verb's subject or agent, no source. Being a party ("talks between Ukraine and Russia")
    says nothing of a person or an organisation: NER tags towns organisations ("trains between Marseille and
    Nice", where the party rule made them "party to the trains")."""
    return candidate.described is None and candidate.source is None and not _acts(candidate)


def _without_storms_and_laws(text: str, names: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The names but a storm's, an event's ("Typhoon Haiyan", which NER tags PERSON, and "Haiyan" or "Cyclone"
    where the article named it so), and a law's, a text's ("the New START Treaty", "Personal Law", which NER
    tags ORG, and "the Treaty" after it; "Nathan Law", a PERSON, stays): neither is a participant."""
    storms = {text[start:end] for start, end, _ in names if _STORM.match(text, start, end)}
    laws = {
        without_article(text[start:end]) for start, end, label in names if label == "ORG" and _a_law(text[start:end])
    }
    named = storms | laws | {word for storm in storms for word in (storm.split()[0], storm.split()[-1])}
    named |= {law.split()[-1] for law in laws}  # "Treaty", not "New"
    return [(start, end, label) for start, end, label in names if without_article(text[start:end]) not in named]


def _a_law(name: str) -> bool:
    """A name that ends in a law's word, which is its head: "the Court of Personal Law" is a court."""
    words = name.casefold().split()
    return len(words) > 1 and words[-1] in _LAWS and not _OF.intersection(words)


def _as_names(text: str, entities: list[Entity]) -> list[tuple[int, int, str]]:
    """The entities' spans as one name each: two names NER ran into one ("Ukraine and Russia", "Greenpeace
    spokesman John Hale") are split where every part is named alone elsewhere in the article or is a
    country."""
    lines = [part for e in entities for part in _lines(text, e.start, e.end, e.label)]
    extended = [_to_its_short_form(text, *span) for span in lines]
    # NER's entities never overlap: where one now does, it is the part of a name extended over it.
    spans = [
        (a, b, tag) for a, b, tag in extended if not any(s < b and a < e and e - s > b - a for s, e, _ in extended)
    ]
    label_of = {text[start:end]: label for start, end, label in spans}
    people = [name for name, label in label_of.items() if label == "PERSON"]
    named: list[tuple[int, int, str]] = []
    for start, end, label in spans:
        named += _unfused(text, start, end, label, label_of, people)
    return named


def _lines(text: str, start: int, end: int, label: str) -> list[tuple[int, int, str]]:
    """An entity split at its line breaks: a name does not run across lines, a heading run into the next
    line does ("Guadeloupe⏎⏎Pointe-à-Pitre"; on GUM's non-news documents 31 of 34 such were no participant)."""
    return [
        (start + found.start(), start + found.end(), label)
        for found in re.finditer(r"\S(?:[^\n]*\S)?", text[start:end])
    ]


_SHORT_FORM_REACH = 80  # characters before a name where the words its short form stands for may start


def _to_its_short_form(text: str, start: int, end: int, label: str) -> tuple[int, int, str]:
    """A name NER cut short, extended back to the word its short form in brackets says it starts with:
    "Stelle" in "Movimento 5 Stelle (M5S)", "Agnostics" in "The Union of Rationalist Atheists and Agnostics
    (UAAR)" (the letters in any order: a short form may be of the name in its own language). A name with a
    short form is an organisation's, a country's or a group's, not a person's."""
    short = _abbreviation_after(text, end)
    if not short:
        return start, end, label
    wanted = sorted(short[0].casefold().replace(".", ""))
    initials = [word[0].casefold() for word in text[start:end].split() if word[0].isupper() or word[0].isdigit()]
    if len(initials) >= len(wanted):
        return start, end, label  # its own words give the short form's letters (or more)
    reach = max(0, start - _SHORT_FORM_REACH)
    for word in reversed(list(re.finditer(r"\S+", text[reach:start]))):
        if not re.fullmatch(r"[\w&'’-]+", word[0]):
            break  # a comma, a bracket, a full stop: another phrase
        if word[0][0].isupper() or word[0][0].isdigit():
            initials.append(word[0][0].casefold())
        elif word[0] not in _CONNECTORS:
            break
        if len(initials) > len(wanted):
            break
        if sorted(initials) == wanted:
            return reach + word.start(), end, "ORG" if label == "PERSON" else label
    return start, end, label


# Where NER runs two names into one: "Ukraine and Russia", "Johnson & Johnson"; and an article where a comma
# was left out ("According to Rathbun the Scientology property ...", ORG). Cut only where each part is named
# alone: on GUM's non-news documents and the English gold articles, one name of 961 with a lower-case word
# inside was cut at "the", that one.
_JOINTS = (
    *(language.and_word for language in every() if language.and_word),
    *(article for language in every() for article in language.dates.articles),
    "&",
)
_JOINT = re.compile(rf"\s+(?:{'|'.join(map(re.escape, _JOINTS))})\s+")


def _unfused(
    text: str, start: int, end: int, label: str, label_of: dict[str, str], people: list[str]
) -> list[tuple[int, int, str]]:
    name = text[start:end]
    if label == "ORG" and (any(name.endswith(" " + person) for person in people) or _titled_name_at_end(name)):
        # An organisation run into its spokesperson's name: "Greenpeace spokesman John Hale", or a title
        # and a name ("Presidential Office Head Kyrylo Budanov"); the title words are the person's.
        person = person_name(name)
        if person == name:
            person = next(p for p in people if name.endswith(" " + p))
        words = name[: -len(person)].split()
        while words and _POSSESSIVE.sub("", words[-1]).casefold() in TITLE_WORDS:
            words.pop()
        org = " ".join(words)
        kept = [(start, start + len(org), label)] if org and name.startswith(org) else []
        return [*kept, (end - len(person), end, "PERSON")]
    cuts = list(_JOINT.finditer(name))
    parts = [
        (a, b) for a, b in zip([0, *(c.end() for c in cuts)], [*(c.start() for c in cuts), len(name)], strict=True)
    ]
    texts = [name[a:b] for a, b in parts]
    alone = all((part in label_of or is_country(part)) and part != name for part in texts)
    if len(parts) < 2 or not alone or len(set(texts)) < len(texts) or is_country(name):
        return [(start, end, label)]  # "Bosnia and Herzegovina", "Johnson & Johnson", "Marks and Spencer"
    return [
        (start + a, start + b, label_of.get(name[a:b], "GPE" if is_country(name[a:b]) else label))
        for a, b in parts
        if name[a:b].strip()
    ]


def _titled_name_at_end(name: str) -> bool:
    """A lower-case title word, then two capitalised words or more to the end: "Greenpeace spokesman John Hale"."""
    words = name.split()
    return any(
        word.islower() and word in TITLE_WORDS - _CONNECTORS and len(rest) > 1 and all(w[:1].isupper() for w in rest)
        for index, word in enumerate(words)
        for rest in (words[index + 1 :],)
    )


_GIVEN_NAME = re.compile(r"(?<![\w'’.-])([A-Z][\w'’-]+) $")
_SENTENCE_END = re.compile(r"(?:^|[.!?:\"“”\n])\s*$")


def _with_given_name(text: str, person: Participant, names: list[tuple[int, int, str]]) -> Participant:
    """A person known by a surname alone, named with the given name the article writes before one of its
    mentions and NER left out ("Presidential Office Head Kyrylo Budanov" tagged "Budanov"); the surname
    stays an alias. After merging, so that a completed name never keeps two people apart."""
    if person.kind is not ParticipantKind.person or " " in person.name:
        return person
    for mention in person.evidence:
        start = _given_name_before(text, mention.start, mention.end, names)
        if start < mention.start:
            full = " ".join(text[start : mention.end].split())
            return person.model_copy(update={"name": full, "aliases": [person.name, *person.aliases]})
    return person


def _a_common_noun(text: str, candidate: Participant, title: str = "") -> bool:
    """A person or organisation of one word the article (its text or its title) also writes in lower case: a
    common noun that opens a sentence or a heading ("Homeopathy", "Iodine", "Localist", "Turnout was 38%" under
    "… as turnout falls"). An organisation so written mid-sentence is one ("the Government", "the Church"); a
    person so written is still none. On GUM's non-news documents (`bench/gum_typing.py`): 23 of 25 such people
    were none; of such organisations, the 17 whose every mention opens a sentence were none of either; of the 22
    others, 2 were organisations and 2 people."""
    forms = [candidate.name, *candidate.aliases]
    written = (text, title)
    if not all(" " not in form and any(_written_in_lower_case(t, form) for t in written) for form in forms):
        return False
    if candidate.kind is ParticipantKind.organization:
        return all(_SENTENCE_END.search(text, max(0, m.start - 3), m.start) for m in candidate.evidence)
    return candidate.kind is ParticipantKind.person


def _written_in_lower_case(text: str, word: str) -> bool:
    """Whether the article also writes `word` in lower case, as a word of its own (a common word)."""
    return re.search(rf"(?<!\w){re.escape(word.lower())}(?!\w)", text) is not None


def _given_name_before(text: str, start: int, end: int, spans: list[tuple[int, int, str]]) -> int:
    """Where a one-word person's name starts once the capitalised word just before it is taken: not a title
    word, not in another entity (a "Tuesday" is a DATE), not at a sentence's start (any word is capitalised
    there) and never written in lower case in the article (a common word)."""
    found = _GIVEN_NAME.search(text, max(0, start - 40), start)
    if found is None:
        return start
    word, at = found.group(1), found.start(1)
    if (
        word.casefold() in TITLE_WORDS
        or any(a < start and at < b for a, b, _ in spans)
        or _SENTENCE_END.search(text, max(0, at - 3), at)
        or _written_in_lower_case(text, word)
    ):
        return start
    return at


# What stands beside a name and says who it is: title words before it ("Russian President Vladimir Putin"),
# an apposition after a person ("Rustem Umerov, Ukraine's security secretary,") or in brackets.
# A clause starts after punctuation or a sentence's end; "U.S." and "Dr." end no sentence.
_CLAUSE_START = re.compile(r"[,;:()\"“”]|(?<!\.[A-Z])(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bSt)[.!?]\s")
_APPOSITION = re.compile(r"\s*(?:,\s+([^,.;:()\"“”]{3,90}?)\s*[,.;]|\(([^()]{3,120})\))")
# Words an apposition does not start with: a list goes on, or a clause or phrase of another kind starts.
_NOT_APPOSITIONS = frozenset(word for language in every() for word in language.not_appositions)
_VERBS = frozenset(word for language in every() for word in language.speech_verbs)
_CONNECTORS = frozenset(word for language in every() for word in language.name_connectors)
_HONORIFICS = frozenset(word for language in every() for word in language.honorifics)
_ADJECTIVES = frozenset(word for language in every() for word in language.lone_titles)
_POSSESSIVE = re.compile(r"['’]s$")
_DEED_MIN_WORDS = 3  # "said", "told reporters" say less than the words around the name
# What an editor reads as a role: 8 words around the name (4 before). Over the English gold cases, roles
# right at an editor's length (<= 12 words, or 1.5x the gold's) rose from 12 words' 82/129 to 87/129 on the
# dev split and 58/106 to 75/106 on test; right by content alone 94 -> 92 and 79 -> 77 (the v14 choice of
# 12 was made by content alone).
_SETTING_WORDS = 8
_SETTING_BEFORE = 4
# A predicate's first clause ends at a clause's punctuation or a sentence's end ("Feb. 26", "U.S." and
# "84,121 votes" end none).
_DEED_END = re.compile(r"[,;:](?=\s)|[()\"“”]|(?<!\.[A-Z])[.!?](?=\s+[A-Z\"“]|\s*$)")
_SUBORDINATORS = frozenset(word for language in every() for word in language.subordinators)
_SMALL_WORDS = _CONNECTORS | _SUBORDINATORS | frozenset(word for language in every() for word in language.small_words)
_POSSESSIVE_AT = re.compile(r"['’]s\b")
_DETERMINERS = _SMALL_WORDS | commonest_words()


def _described(
    text: str,
    mentions: list[tuple[int, int]],
    kind: ParticipantKind,
    people: list[tuple[int, int]],
    titles: dict[int, str],
) -> str | None:
    """The article's first words for a person: a title before a mention (capitalised or with a title
    word, else the common nouns the parse joins to it: `titles`), an apposition after one; both when the
    article gives both. (`people`: every person's mentions, which no apposition contains.)"""
    if kind is not ParticipantKind.person:
        return None  # words before an organisation's name are rarely its description
    # A mention may carry the title itself ("Presidential Office Head Kyrylo Budanov" tagged as one).
    starts = [end - len(person_name(text[start:end])) for start, end in mentions]
    title = next((t for start in starts if (t := _title_before(text, start))), None)
    title = title or next((titles[end] for _, end in mentions if end in titles), None)
    apposition = next((a for _, end in mentions if (a := _apposition_after(text, end, people))), None)
    described = "; ".join(part for part in (title, apposition) if part)
    return described or None


def _title_before(text: str, start: int) -> str | None:
    """'Special Envoy' in 'Special Envoy Steve Witkoff': the capitalised words and title words just before
    the name, in its clause, with at least one title word among them."""
    window = text[max(0, start - 80) : start]
    clause = _CLAUSE_START.split(window)[-1]
    if not clause.endswith((" ", "\u00a0")):
        return None  # the name is glued to the word before it
    words = clause.split()
    taken: list[str] = []
    for word in reversed(words[-6:]):
        bare = _POSSESSIVE.sub("", word).casefold()
        if not (word[:1].isupper() or bare in TITLE_WORDS or bare in _CONNECTORS):
            break
        taken.insert(0, word)
    while taken and taken[0].casefold() in _CONNECTORS:
        taken.pop(0)
    while taken and _POSSESSIVE.sub("", taken[-1]).casefold() not in TITLE_WORDS - _CONNECTORS - _HONORIFICS:
        taken.pop()  # "Presidential Office Head Kyrylo Budanov": a first name is not part of the title; "Mr." says nothing
    if len(taken) == 1 and taken[0] in _ADJECTIVES:
        return None  # "a major Warhol exhibit": lower-case, the word is no title
    return " ".join(taken) or None


def _apposition_after(text: str, end: int, people: list[tuple[int, int]]) -> str | None:
    """'Ukraine's security secretary' in 'Rustem Umerov, Ukraine's security secretary, said': a short
    description set off by commas or brackets right after the name (not a list of names, not a clause)."""
    found = _APPOSITION.match(text, end)
    if found is None:
        return None
    phrase = " ".join((found.group(1) or found.group(2)).split())
    words = phrase.split()
    folded = [_POSSESSIVE.sub("", word).casefold() for word in words]
    start, stop = found.span(1) if found.group(1) else found.span(2)
    if not 2 <= len(words) <= (8 if found.group(1) else 14) or folded[0] in _NOT_APPOSITIONS or _VERBS & set(folded):
        return None
    if any(start < b and a < stop and not _POSSESSIVE_AT.match(text, b) for a, b in people):
        return None  # "Leung Che-cheung, FTU's Alice Mak and …": other people ("Trump's son-in-law" describes)
    # A description has a title word or a common noun; "Trump" in "Zelensky, Trump, and Putin" has neither.
    describes = any(f in TITLE_WORDS - _CONNECTORS for f in folded) or any(
        w.isalpha() and w.islower() and w not in _CONNECTORS for w in words
    )
    return phrase if describes else None


def _within(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in spans)


def _done(text: str, verb: tuple[int, int], patient: tuple[int, int]) -> str:
    """ "supported the study": the verb and what it was done to, a determiner that started a sentence in
    lower case ("The study was supported by …")."""
    words = text[slice(*patient)].split()
    if words[0].casefold() in _DETERMINERS:
        words[0] = words[0].casefold()
    return " ".join([text[slice(*verb)], *words])


def _deed(text: str, runs: tuple[tuple[int, int], ...]) -> str | None:
    """A predicate as the parse cut it to what a role can say (8 words in whole phrases, `ner._acts`):
    its first clause, before a clause it starts ("conceded a penalty which the referee …"), without the
    small words a cut leaves at its end."""
    clause = _DEED_END.split(" ".join(text[start:end] for start, end in runs), maxsplit=1)[0]
    words: list[str] = []
    for word in clause.split():
        if len(words) >= 2 and word.casefold() in _SUBORDINATORS:
            break
        words.append(word)
    return " ".join(_without_small_end(words)) or None


def _setting(text: str, clause: tuple[int, int], start: int, end: int) -> str | None:
    """The words of `clause` around the mention `start`:`end`, at most _SETTING_WORDS of them besides the
    name, _SETTING_BEFORE of those before it where there are more ("… and the bronze to Armenia").
    None when the clause is the name alone ("Elena Highton" as a line of a list)."""
    before, after = text[clause[0] : start].split(), text[end : clause[1]].split()
    taken_before = min(len(before), max(_SETTING_BEFORE, _SETTING_WORDS - len(after)))
    words = [*before[len(before) - taken_before :], text[start:end], *after[: _SETTING_WORDS - taken_before]]
    setting = " ".join(" ".join(_without_small_end(words, keep=1)).split()).strip(' ,;:."“”')
    return setting if _words(setting) - _words(text[start:end]) else None


def _without_small_end(words: list[str], keep: int = 0) -> list[str]:
    """`words` less the small words a cut leaves at its end ("… the bronze to"), at least `keep` kept."""
    while len(words) > keep and words[-1].casefold() in _SMALL_WORDS:
        words = words[:-1]
    return words


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def _people(text: str, names: list[tuple[int, int, str]]) -> frozenset[str]:
    """The names tagged PERSON somewhere in the article, but a country's name tagged so less often than
    not ("Tunisia": GPE four times, PERSON once)."""
    tagged = Counter((text[start:end], label == "PERSON") for start, end, label in names)
    return frozenset(
        name
        for (name, person), times in tagged.items()
        if person and not (is_country(name) and tagged[(name, False)] > times)
    )


# A short form in brackets right after a name, with two capitals or more: "The World Health Organisation (WHO)".
_ABBREVIATION = re.compile(r"\s*\((?=(?:[^)]*[A-Z]){2})([\w.&-]{2,12})\)")


def _abbreviation_after(text: str, end: int) -> list[str]:
    """The short form the article gives the name in brackets, which is then one of its names ("WHO")."""
    found = _ABBREVIATION.match(text, end)
    return [found[1]] if found else []


def _kind(
    words: str,
    label: str,
    people: frozenset[str],
    surnames: frozenset[str],
    published: frozenset[str],
    sources: frozenset[str],
) -> ParticipantKind | None:
    if words == words.lower() != words.upper():
        return None  # no capital in a script that has them: "disco club", "don" are no names
    if words in published:
        return ParticipantKind.other  # a publication ("published in Nature"), wherever its name stands
    if words in people or words.split()[-1] in people:  # every PERSON mention is in `people` but a country's
        return ParticipantKind.person
    if label == "ORG" and words in surnames:
        return ParticipantKind.person  # a surname: "Wilkins" tagged ORG six times, "Kristen Wilkins" PERSON once
    if label == "ORG":
        return ParticipantKind.organization
    if label in ("GPE", "PERSON") and is_country(words):
        return ParticipantKind.country
    if label in _PLACES_AND_EVENTS and words in sources:  # a place or an event says nothing: an outlet, an agency
        return ParticipantKind.organization
    return None


def _only_in_titles(
    text: str, mention: tuple[int, int, ParticipantKind], mentions: list[tuple[int, int, ParticipantKind]]
) -> bool:
    """An organisation every mention of which is followed by title words and a person's name."""
    start, end, kind = mention
    if kind is not ParticipantKind.organization:
        return False
    name = text[start:end]
    same = [(s, e) for s, e, k in mentions if k is kind and text[s:e] == name]
    return all(_before_a_person(text, e, mentions) for _, e in same)


def _before_a_person(text: str, end: int, mentions: list[tuple[int, int, ParticipantKind]]) -> bool:
    person = next((s for s, _, k in mentions if k is ParticipantKind.person and end <= s <= end + 40), None)
    if person is None:
        return False
    gap = text[end:person]
    words = [word.strip(".,()").casefold() for word in gap.replace("’s", " ").replace("'s", " ").split()]
    return bool(_TITLE_GAP.match(gap)) and bool(words) and all(w in TITLE_WORDS or not w for w in words)


@lru_cache(maxsize=4096)
def is_country(name: str) -> bool:
    folded = " ".join(name.replace(".", "").split())
    folded = re.sub(r"^the\s+", "", folded, flags=re.IGNORECASE)
    if folded.casefold() in _COUNTRY_NAMES:
        return True
    if len(folded) <= 3 and not folded.isupper():
        return False  # ISO codes are capitals ("US", "U.S."): "De", "Ben" and "Lao" are other words
    try:
        pycountry.countries.lookup(folded)
    except LookupError:
        return False
    return True
