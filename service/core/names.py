"""Participant candidates found by code: named entities merged into one candidate per participant,
with every mention's offsets. The model then only judges them (does it take part, in what role).

From the entities of a NER pipeline (OntoNotes labels):
- PERSON and ORG are kept; GPE only when it is a country (ISO 3166 names and codes, by pycountry);
  nationalities, cities, dates and numbers are not candidates;
- a mention whose text, or whose last word, is tagged PERSON elsewhere in the article is a person
  ("Umerov" tagged GPE once and PERSON twice; "Rustem Umerov" tagged ORG);
- an organisation that only ever stands before a person's name with title words between ("NSDC
  Secretary Rustem Umerov") is part of that person's title, not a candidate of its own;
- mentions are merged by `participants.merge_participants` (surname ~ full name, "the Kremlin" ~
  "Kremlin", titles trimmed), so a candidate has its fullest name, its other forms and its mentions.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from schemas import Evidence, MatchKind, Participant, ParticipantKind
from service.core.participants import TITLE_WORDS, merge_participants
from service.model.ner import Entity

# Countries ISO 3166 spells otherwise (its names are formal: "Russian Federation").
_COUNTRY_NAMES = frozenset(
    {"russia", "britain", "great britain", "uk", "england", "scotland", "wales", "palestine", "kosovo"}
)
_TITLE_GAP = re.compile(r"^(?:['’]s)?[\s,()A-Za-z.\-]{0,40}$")


@dataclass(frozen=True)
class Candidate:
    """One participant as code found it: its fullest name, other forms, and where each mention is."""

    name: str
    kind: ParticipantKind
    aliases: list[str]
    mentions: list[tuple[int, int]]

    def line(self) -> str:
        """How the candidate is listed for the model: the name, its kind, two other forms at most."""
        others = f"; also {', '.join(self.aliases[:2])}" if self.aliases else ""
        return f"{self.name} ({self.kind.value}{others})"


def candidates(text: str, entities: list[Entity]) -> list[Candidate]:
    """One candidate per participant, in the order of their first mention."""
    people = frozenset(text[e.start : e.end] for e in entities if e.label == "PERSON")
    mentions = [(e.start, e.end, _kind(text[e.start : e.end], e.label, people)) for e in entities]
    kept = [(start, end, kind) for start, end, kind in mentions if kind is not None]
    kept = [m for m in kept if not _only_in_titles(text, m, kept)]
    # One entry per mention, so that merging sees every form; the mentions ride along as evidence.
    entries = [
        Participant(
            name=text[start:end],
            kind=kind,
            evidence=[Evidence(quote=text[start:end], start=start, end=end, match=MatchKind.exact)],
        )
        for start, end, kind in kept
    ]
    merged = merge_participants(entries, evidence_limit=None)
    found = [Candidate(p.name, p.kind, p.aliases, [(e.start, e.end) for e in p.evidence]) for p in merged if p.evidence]
    return sorted(found, key=lambda candidate: candidate.mentions[0][0])


def _kind(words: str, label: str, people: frozenset[str]) -> ParticipantKind | None:
    if label == "PERSON" or words in people or words.split()[-1] in people:
        return ParticipantKind.person
    if label == "ORG":
        return ParticipantKind.organization
    if label == "GPE" and is_country(words):
        return ParticipantKind.country
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
    try:
        pycountry.countries.lookup(folded)
    except LookupError:
        return False
    return True
