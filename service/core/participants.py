"""One entry per real participant: merge what the model listed more than once, by code.

Two entries are the same participant when their kinds agree (person, organisation and country are never
merged with each other) and one of their names
- equals one of the other's after normalising case, punctuation and (for people) leading titles, or
- is the other's surname or given name alone ("Witkoff" ~ "Steve Witkoff"), or has the same given name and
  surname ("Hernan Gomez" ~ "Hernan Dario Gomez"), for people, or
- is contained in the other, token for token ("Kremlin" ~ "the Kremlin"), for the other kinds when both
  are of one kind, or
- is close to it (rapidfuzz ratio >= NAME_FUZZ: "Zelenskyy" ~ "Zelensky").
Two people's full names that differ in the given name are never merged, not even through a bare surname
they share (a boy and his father); a bare surname that could be either is the one mentioned last before it.
The merged entry keeps the fullest name (most words, titles removed for people), every other form as an
alias, the union of the evidence, and the first role and affiliation given.
"""

import re
import unicodedata
from collections.abc import Iterable

from rapidfuzz import fuzz

from schemas import Evidence, Participant, ParticipantKind
from service.languages import every

NAME_FUZZ = 92
# Words that make up titles before a person's name: "U.S. President Trump", "Special Envoy Steve Witkoff".
TITLE_WORDS = frozenset(word for language in every() for word in language.titles)


def _fold(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    text = re.sub(r"['’]s\b", "", text)  # possessive
    return " ".join(re.sub(r"[^\w\s-]", " ", text).split())


def person_name(name: str) -> str:
    """The name without leading titles: 'Russian President Vladimir Putin' -> 'Vladimir Putin'."""
    tokens = name.split()
    last_title = -1
    for index, token in enumerate(tokens[:-1]):
        if token.casefold() in TITLE_WORDS:
            last_title = index
    return " ".join(tokens[last_title + 1 :])


def is_only_a_title(name: str) -> bool:
    """'Secretary', 'the envoy': a title or role, not the name of a person."""
    words = [word.casefold() for word in name.replace("'s", "").split()]
    return all(word in TITLE_WORDS or word in _ROLE_WORDS for word in words)


_ARTICLE = re.compile(r"^(?:the|an?|die|der|das)\s+", re.IGNORECASE)
_ROLE_WORDS = frozenset(word for language in every() for word in language.role_words)


def is_a_form_of(alias: str, name: str) -> bool:
    """An alias the model gives is a way of writing the name when it shares a capitalised word with it ("Ruiz",
    "Mayor Ana Ruiz" for "Ana Ruiz"; "Karrenbauer" for "Annegret Kramp-Karrenbauer"; not "des") or is
    its initials ("AfD" for "Alternative für Deutschland"). Asked for aliases, the 1.5B model also gave a
    German article's titles ("Sächsischer Staatsminister des Innern" for the minister and for his party
    alike): merging through them made different participants one (bench/JOURNAL.md, 2026-12-05 night)."""
    words = _fold(name).replace("-", " ").split()
    # Initials of every word ("AfD"), or of the longer ones ("USA": United States of America).
    initials = {"".join(w[0] for w in words), "".join(w[0] for w in words if len(w) > 3)}
    shared = any(fuzz.ratio(a, b) >= NAME_FUZZ for a in _capitalised(alias) for b in _capitalised(name))
    return shared or _fold(alias).replace(" ", "") in initials


def _capitalised(name: str) -> list[str]:
    """The words of a name that are written with a capital ("Kim", "Kramp", "Karrenbauer"; not "des"), folded."""
    return [_fold(word) for word in name.replace("-", " ").split() if not word.islower()]


def _forms(participant: Participant) -> list[str]:
    names = [participant.name, *participant.aliases]
    if participant.kind is ParticipantKind.person:
        names += [person_name(name) for name in names]
    return [form for form in dict.fromkeys(_fold(name) for name in names) if form]


def _kinds_agree(a: ParticipantKind, b: ParticipantKind) -> bool:
    return a == b or ParticipantKind.other in (a, b)


def _names_agree(a: str, b: str, people: bool, same_kind: bool) -> bool:
    if a == b or fuzz.ratio(a, b) >= NAME_FUZZ:
        return True
    if not (people or same_kind):
        return False  # "Australia" is not the "Medical Journal of Australia", a publication (kind "other")
    short, long = sorted((a.split(), b.split()), key=len)
    if people:
        return (len(short) > 1 and _same_full_name(_plain(a).split(), _plain(b).split())) or (
            len(short) == 1
            and len(long) > 1
            and any(fuzz.ratio(short[0], token) >= NAME_FUZZ for token in (long[0], long[-1]))
        )
    return len(short) < len(long) and all(token in long for token in short)


def same_participant(a: Participant, b: Participant) -> bool:
    if not _kinds_agree(a.kind, b.kind):
        return False
    people = ParticipantKind.person in (a.kind, b.kind)
    return any(_names_agree(x, y, people, a.kind == b.kind) for x in _forms(a) for y in _forms(b))


def _fullest(names: Iterable[str], kind: ParticipantKind) -> str:
    if kind is ParticipantKind.person:
        candidates = [person_name(name) for name in names]
    else:
        candidates = [without_article(name) for name in names]
    return max(candidates, key=lambda name: (len(name.split()), len(name)))


def without_article(name: str) -> str:
    """The name without an article before it: "The Kremlin" -> "Kremlin"; NER's "a World Health Organisation"
    (report) -> "World Health Organisation"."""
    return _ARTICLE.sub("", name)


def merge_participants(participants: list[Participant], evidence_limit: int | None = 3) -> list[Participant]:
    groups: list[list[Participant]] = []
    for participant in participants:
        if participant.kind is ParticipantKind.person and is_only_a_title(participant.name):
            continue  # a role without a name is not a participant of its own
        joins = [
            group
            for group in groups
            if any(same_participant(participant, member) for member in group) and not _conflicts(participant, group)
        ]
        if joins:
            _nearest(_by_surname(joins, participant), participant).append(participant)
        else:
            groups.append([participant])
    return [_merge(group, evidence_limit) for group in groups]


def _full_names(participant: Participant) -> list[list[str]]:
    """A person's names of two words or more, titles removed, folded without accents and hyphens:
    ["kim", "jong", "un"] for "Kim Jong-un"."""
    if participant.kind is not ParticipantKind.person:
        return []
    names = (_plain(person_name(name)).split() for name in (participant.name, *participant.aliases))
    return [words for words in names if len(words) > 1]


def _plain(name: str) -> str:
    """Folded, and written without accents and hyphens: "Hernán Gómez" ~ "Hernan Gomez"."""
    decomposed = unicodedata.normalize("NFKD", _fold(name))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).replace("-", " ").split())


def _conflicts(participant: Participant, group: list[Participant]) -> bool:
    """Two full names that differ in the given name are two people, whatever they share: a boy and his
    father of one surname ("Liam Smith", "Mark Smith") are not merged through a bare "Smith"."""
    mine = _full_names(participant)
    theirs = [words for member in group for words in _full_names(member)]
    return any(not _same_full_name(a, b) for a in mine for b in theirs)


def _same_full_name(a: list[str], b: list[str]) -> bool:
    if fuzz.ratio(" ".join(a), " ".join(b)) >= NAME_FUZZ:
        return True
    short, long = sorted((a, b), key=len)
    if long[len(long) - len(short) :] == short:
        return True  # the end of a longer name: "Tayyip Erdogan", "Lula da Silva", "bin Salman"
    # A middle name more or less ("Hernan Dario Gomez" ~ "Hernan Gomez") is the same person.
    return fuzz.ratio(a[0], b[0]) >= NAME_FUZZ and fuzz.ratio(a[-1], b[-1]) >= NAME_FUZZ


def _by_surname(groups: list[list[Participant]], participant: Participant) -> list[list[Participant]]:
    """Of the groups a one-word person could join, those whose full name ends with it, where there are any: a
    name alone is a surname before it is a given name ("Warhol" is Andy Warhol's, not "Warhol Polaroid"'s,
    which NER tagged a person)."""
    if (
        participant.kind is not ParticipantKind.person
        or len(words := _plain(person_name(participant.name)).split()) != 1
    ):
        return groups
    ending = [
        g for g in groups if any(fuzz.ratio(words[0], full[-1]) >= NAME_FUZZ for m in g for full in _full_names(m))
    ]
    return ending or groups


def _nearest(groups: list[list[Participant]], participant: Participant) -> list[Participant]:
    """Of the groups a name could join, the one mentioned last before it: "Smith" after "his father, Mark
    Smith" is the father (the first group when there are no offsets to go by)."""
    at = min((e.start for e in participant.evidence), default=None)
    if at is None or len(groups) == 1:
        return groups[0]
    before = [(max(e.start for e in starts), group) for group in groups if (starts := _evidence_before(group, at))]
    return max(before, key=lambda found: found[0])[1] if before else groups[0]


def _evidence_before(group: list[Participant], at: int) -> list[Evidence]:
    return [e for member in group for e in member.evidence if e.start < at]


def _merge(group: list[Participant], evidence_limit: int | None) -> Participant:
    first = group[0]
    kind = next((p.kind for p in group if p.kind is not ParticipantKind.other), first.kind)
    forms = list(dict.fromkeys(name for p in group for name in (p.name, *p.aliases)))
    name = _fullest(forms, kind)
    evidence = sorted({(e.start, e.end): e for p in group for e in p.evidence}.values(), key=lambda e: e.start)
    return Participant(
        name=name,
        kind=kind,
        role=next((p.role for p in group if p.role), None),
        affiliation=next((p.affiliation for p in group if p.affiliation), None),
        aliases=[form for form in forms if _fold(form) != _fold(name)],
        evidence=evidence[:evidence_limit],
    )


def found_in(text: str, name: str) -> re.Match[str] | None:
    """Where `name` stands in `text` as whole words ("Iran" not in "Iranian")."""
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)


def named_in(passage: str, participants: list[Participant]) -> list[str]:
    """The participants a passage names by any of their names, in the participants' order: an open issue's
    parties, found by code in its sentence and its wording (asked for them, the embedded model also named
    things, "Crops", "Ozone", and spent a tenth of its answer on them: bench/JOURNAL.md, 2026-12-06 (day))."""
    return [p.name for p in participants if any(found_in(passage, name) for name in (p.name, *p.aliases) if name)]
