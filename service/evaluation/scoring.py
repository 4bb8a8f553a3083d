"""Score predicted summaries against gold-annotated cases (the gold format, predictions, matching rules).

Matching rules (each gold item matches at most one prediction and vice versa; greedy, in gold order):

- participants: names are normalised (case, accents kept, punctuation dropped, leading "the" and titles
  such as "President" or "Special Envoy" removed while a name remains). A prediction matches a gold
  participant when any of its names (name or alias) equals any gold name or alias, or is close to it:
  rapidfuzz `ratio` >= PARTICIPANT_FUZZ (90). A duplicate prediction finds its gold taken: a false positive.
- dates: a prediction matches when its (start, end) equals the gold (start, end or start) — resolution.
  Separately, a gold date counts as *found* when some prediction's text overlaps the gold text (one
  contains the other, normalised) or its start falls inside the gold range — detection.
- open issues: `token_set_ratio` of the two sentences (stop words removed) >= ISSUE_SIMILARITY (0.6), or
  >= ISSUE_SIMILARITY_WITH_PARTY (0.45) when they share a party. Issues are open-ended: read recall first.
- the words beside them: for each matched participant with a gold role, its role is *right* when the
  `token_set_ratio` of the two (stop words removed) is >= DESCRIPTION_SIMILARITY (0.5); for each matched
  date with a gold event, its event likewise. A missing role or event is wrong. Reported as right/compared.
- a role at an editor's length: right as above, and short enough to print beside a name: at most
  EDITOR_ROLE_WORDS (12) words, or at most EDITOR_ROLE_RATIO (1.5) times the gold role's words (words as in
  editor.py). A role that is right only because it copies a whole sentence is not what an editor reads.
- kinds: for each matched participant whose prediction has a kind (the naive pipeline gives none: not
  compared), right when it equals the gold kind. Our `group` (a party, a camp, a team) has no gold
  counterpart: it counts as right against gold `other` or `organization`, the two kinds the annotators
  used for such groups.
- subjects and their roots: by topics.py (the README's rule: right, neither way, wrong), for a pipeline
  that gives subjects and a case with gold topics; a pipeline that gives none is not scored (not zeros).
- confidence: each participant and subject with a confidence, and whether it was right (reliability.py).

Counts are summed over cases (micro average) before precision, recall and F1 are computed.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator
from rapidfuzz import fuzz

from schemas import ArticleRequest
from service.core.mediatopics import media_topics
from service.core.pipeline import Summary
from service.evaluation.editor import KeyFact, load_anchors, load_facts, words
from service.evaluation.naive import NaiveSummary
from service.evaluation.reliability import Rated
from service.evaluation.splits import SPLITS
from service.evaluation.topics import GoldTopics, Verdict, load_topics, root_verdicts, verdicts

PARTICIPANT_FUZZ = 90
ISSUE_SIMILARITY = 0.6
ISSUE_SIMILARITY_WITH_PARTY = 0.45
DESCRIPTION_SIMILARITY = 0.5
EDITOR_ROLE_WORDS = 12
EDITOR_ROLE_RATIO = 1.5
_KINDS_FOR_GROUP = frozenset({"group", "other", "organization"})
FIELDS = ("participants", "dates", "open_issues")

_TITLES = (
    "u.s. president", "president", "prime minister", "special envoy", "envoy", "minister", "secretary",
    "chancellor", "mayor", "governor", "senator", "general", "major general", "gen.", "mr.", "mrs.", "ms.",
    "dr.", "mr", "mrs", "ms", "dr", "sir", "king", "queen", "pope", "judge", "the",
)  # fmt: skip
_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "will",
        "would",
        "whether",
        "with",
        "by",
        "at",
        "from",
        "as",
        "that",
        "this",
        "it",
        "its",
        "not",
        "yet",
        "still",
        "no",
        "has",
        "have",
        "had",
        "after",
        "before",
        "about",
        "over",
    ]
)


# --- the gold format -----------------------------------------------------------------------------------


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class GoldParticipant(_Loose):
    name: str
    aliases: list[str] = []
    kind: str = "other"
    role: str | None = None


class GoldDate(_Loose):
    text: str
    start: date
    end: date | None = None
    event: str | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def day_of_a_datetime(cls, value: object) -> object:
        # Some gold dates carry a time ("2016-09-05T02:30"); we resolve to days.
        return value.split("T")[0] if isinstance(value, str) else value


class GoldIssue(_Loose):
    issue: str
    parties: list[str] = []


class Gold(_Loose):
    participants: list[GoldParticipant] = []
    dates: list[GoldDate] = []
    open_issues: list[GoldIssue] = []


class Case(_Loose):
    id: str
    title: str | None = None
    published: datetime | date | None = None
    language: str | None = None
    text: str
    gold: Gold
    facts: list[KeyFact] = []  # from summaries.json beside the cases, where there is one
    anchors: dict[str, str] = {}  # other summarisers' summaries, {source: summary}, from anchor-summaries.json
    topics: GoldTopics | None = None  # from topics.json beside the cases, where there is one

    def request(self) -> ArticleRequest:
        return ArticleRequest(
            text=self.text, title=self.title, published=self.published, language=self.language, id=self.id
        )


def load_cases(
    directory: Path, only: Iterable[str] = (), limit: int | None = None, split: str | None = None
) -> list[Case]:
    """The cases of a directory (of one split, if named), with their key facts, anchors and topics where the
    gold set has them; --only and --limit narrow what remains."""
    wanted = set(only)
    cases = [Case.model_validate_json(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.json"))]
    if split is not None:
        cases = [case for case in cases if case.id in SPLITS[split]]
    cases = [case for case in cases if not wanted or case.id in wanted or case.id.split("_")[0] in wanted]
    cases = cases[:limit] if limit else cases
    facts, anchors, topics = load_facts(directory), load_anchors(directory), load_topics(directory)
    for case in cases:
        case.facts, case.anchors, case.topics = facts.get(case.id, []), anchors.get(case.id, {}), topics.get(case.id)
    return cases


# --- predictions, whichever pipeline made them -----------------------------------------------------------


@dataclass(frozen=True)
class PredictedDate:
    text: str
    start: date | None
    end: date | None
    event: str | None = None


@dataclass(frozen=True)
class PredictedIssue:
    issue: str
    parties: tuple[str, ...] = ()


@dataclass
class Prediction:
    participants: list[tuple[str, ...]] = field(default_factory=list)  # each: name, *aliases
    roles: list[str | None] = field(default_factory=list)  # beside participants, where the pipeline gives them
    kinds: list[str | None] = field(default_factory=list)  # likewise
    confidences: list[float | None] = field(default_factory=list)  # likewise
    dates: list[PredictedDate] = field(default_factory=list)
    open_issues: list[PredictedIssue] = field(default_factory=list)
    without_evidence: int = 0  # items returned without aligned evidence, or dropped for lacking it
    summary: str = ""
    subjects: list[str] | None = None  # qcodes; None: the pipeline (or the report) gives no subjects
    subject_confidences: list[float | None] = field(default_factory=list)

    @classmethod
    def from_summary(cls, summary: Summary) -> "Prediction":
        response = summary.response
        evidence_lists = [
            *(p.evidence for p in response.participants),
            *(d.evidence for d in response.dates),
            *(i.evidence for i in response.open_issues),
        ]
        return cls(
            participants=[(p.name, *p.aliases) for p in response.participants],
            roles=[p.role for p in response.participants],
            kinds=[p.kind.value for p in response.participants],
            confidences=[p.confidence for p in response.participants],
            dates=[PredictedDate(d.text, d.start, d.end, d.event) for d in response.dates],
            open_issues=[PredictedIssue(i.issue, tuple(i.parties)) for i in response.open_issues],
            without_evidence=sum(1 for evidence in evidence_lists if not evidence)
            + sum(1 for warning in summary.warnings if warning.kind.dropped),
            summary=response.summary,
            subjects=[s.qcode for s in response.subjects],
            subject_confidences=[s.confidence for s in response.subjects],
        )

    @classmethod
    def from_output(cls, output: dict[str, Any], without_evidence: int = 0) -> "Prediction":
        """From our pipeline's `output` in a saved report, to rescore it without a model. Read as plain
        JSON, not through the response schema, so that a report written by an older version still reads
        (one from before subjects has none: they are not scored)."""
        participants = output.get("participants", [])
        subjects = output.get("subjects")
        return cls(
            participants=[(p["name"], *p.get("aliases", [])) for p in participants],
            roles=[p.get("role") for p in participants],
            kinds=[p.get("kind") for p in participants],
            confidences=[p.get("confidence") for p in participants],
            dates=[
                PredictedDate(d["text"], _day(d.get("start")), _day(d.get("end")), d.get("event"))
                for d in output.get("dates", [])
            ],
            open_issues=[
                PredictedIssue(i["issue"], tuple(i.get("parties", []))) for i in output.get("open_issues", [])
            ],
            without_evidence=without_evidence,
            summary=output.get("summary") or "",
            subjects=None if subjects is None else [s["qcode"] for s in subjects],
            subject_confidences=[s.get("confidence") for s in subjects or []],
        )

    @classmethod
    def from_naive(cls, naive: NaiveSummary) -> "Prediction":
        dates = []
        for text in naive.dates:
            start, end = _iso_range(text)
            dates.append(PredictedDate(text, start, end))
        return cls(
            participants=[(name,) for name in naive.participants],
            dates=dates,
            open_issues=[PredictedIssue(issue) for issue in naive.open_issues],
            without_evidence=len(naive.participants) + len(naive.dates) + len(naive.open_issues),
            summary=naive.summary,
        )


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value.split("T")[0]) if value else None


def _iso_range(text: str) -> tuple[date | None, date | None]:
    found = re.findall(r"\d{4}-\d{2}-\d{2}", text)
    try:
        days = [date.fromisoformat(day) for day in found[:2]]
    except ValueError:
        return None, None
    if not days:
        return None, None
    return days[0], days[-1]


# --- scoring ------------------------------------------------------------------------------------------


@dataclass
class Counts:
    matched: int = 0
    predicted: int = 0
    gold: int = 0
    found: int = 0  # dates only: gold expressions detected, resolved right or not
    described: int = 0  # matched items whose role (participants) or event (dates) is right
    compared: int = 0  # matched items with a gold role or event to compare with
    concise: int = 0  # participants only: roles right at an editor's length
    kinds_right: int = 0  # participants only: matched ones of the right kind
    kinds_compared: int = 0  # matched ones whose prediction has a kind

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(
            self.matched + other.matched,
            self.predicted + other.predicted,
            self.gold + other.gold,
            self.found + other.found,
            self.described + other.described,
            self.compared + other.compared,
            self.concise + other.concise,
            self.kinds_right + other.kinds_right,
            self.kinds_compared + other.kinds_compared,
        )

    @property
    def described_share(self) -> float:
        return self.described / self.compared if self.compared else 0.0

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else (1.0 if not self.gold else 0.0)

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else (1.0 if not self.predicted else 0.0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def normalise_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    changed = True
    while changed:
        changed = False
        for title in _TITLES:
            if text.startswith(title + " ") and len(text) > len(title) + 1:
                text, changed = text[len(title) + 1 :].strip(), True
    text = re.sub(r"[^\w\s]", "", text)
    return " ".join(text.split())


def names_match(predicted: Iterable[str], gold: Iterable[str]) -> bool:
    left = {normalise_name(n) for n in predicted} - {""}
    right = {normalise_name(n) for n in gold} - {""}
    if left & right:
        return True
    return any(fuzz.ratio(a, b) >= PARTICIPANT_FUZZ for a in left for b in right)


def description_matches(predicted: str | None, gold: str) -> bool:
    """A role or an event said well enough: most of the gold's content words, in any order."""
    return bool(predicted) and issue_similarity(predicted or "", gold) >= DESCRIPTION_SIMILARITY


def at_editors_length(role: str, gold_role: str) -> bool:
    length = len(words(role))
    return length <= EDITOR_ROLE_WORDS or length <= EDITOR_ROLE_RATIO * len(words(gold_role))


def kind_matches(predicted: str, gold: str) -> bool:
    return predicted == gold or (predicted == "group" and gold in _KINDS_FOR_GROUP)


def participant_matches(predicted: list[tuple[str, ...]], gold: list[GoldParticipant]) -> dict[int, int]:
    """{gold index: the index of the prediction matched to it}, by the greedy rule above."""
    matches: dict[int, int] = {}
    for gold_index, item in enumerate(gold):
        for index, names in enumerate(predicted):
            if index not in matches.values() and names_match(names, [item.name, *item.aliases]):
                matches[gold_index] = index
                break
    return matches


def score_participants(
    predicted: list[tuple[str, ...]],
    gold: list[GoldParticipant],
    roles: list[str | None] | None = None,
    kinds: list[str | None] | None = None,
) -> Counts:
    counts = Counts(predicted=len(predicted), gold=len(gold))
    for gold_index, index in participant_matches(predicted, gold).items():
        item = gold[gold_index]
        counts.matched += 1
        if item.role:
            role = (roles or [])[index] if index < len(roles or []) else None
            right = description_matches(role, item.role)
            counts.compared += 1
            counts.described += right
            counts.concise += right and at_editors_length(role or "", item.role)
        kind = (kinds or [])[index] if index < len(kinds or []) else None
        if kind:
            counts.kinds_compared += 1
            counts.kinds_right += kind_matches(kind, item.kind)
    return counts


def _text_overlaps(a: str, b: str) -> bool:
    x, y = normalise_name(a), normalise_name(b)
    return bool(x and y) and (x in y or y in x)


def score_dates(predicted: list[PredictedDate], gold: list[GoldDate]) -> Counts:
    taken: set[int] = set()
    matched = found = described = compared = 0
    for item in gold:
        end = item.end or item.start
        for index, guess in enumerate(predicted):
            if index not in taken and (guess.start, guess.end) == (item.start, end):
                taken.add(index)
                matched += 1
                if item.event:
                    compared += 1
                    described += description_matches(guess.event, item.event)
                break
        if any(
            _text_overlaps(guess.text, item.text) or (guess.start is not None and item.start <= guess.start <= end)
            for guess in predicted
        ):
            found += 1
    return Counts(matched, len(predicted), len(gold), found, described, compared)


def _content_words(sentence: str) -> str:
    return " ".join(w for w in re.findall(r"\w+", sentence.casefold()) if w not in _STOP_WORDS)


def issue_similarity(a: str, b: str) -> float:
    return fuzz.token_set_ratio(_content_words(a), _content_words(b)) / 100


def score_issues(predicted: list[PredictedIssue], gold: list[GoldIssue]) -> Counts:
    taken: set[int] = set()
    matched = 0
    for item in gold:
        for index, guess in enumerate(predicted):
            if index in taken:
                continue
            similarity = issue_similarity(guess.issue, item.issue)
            shares_party = any(names_match([p], [q]) for p in guess.parties for q in item.parties)
            if similarity >= ISSUE_SIMILARITY or (shares_party and similarity >= ISSUE_SIMILARITY_WITH_PARTY):
                taken.add(index)
                matched += 1
                break
    return Counts(matched, len(predicted), len(gold))


def score(prediction: Prediction, gold: Gold) -> dict[str, Counts]:
    return {
        "participants": score_participants(
            prediction.participants, gold.participants, prediction.roles, prediction.kinds
        ),
        "dates": score_dates(prediction.dates, gold.dates),
        "open_issues": score_issues(prediction.open_issues, gold.open_issues),
    }


def _counts(judged: list[Verdict], gold: int) -> Counts:
    return Counts(sum(v is True for v in judged), sum(v is not None for v in judged), gold)


def score_topics(predicted: list[str], gold: GoldTopics) -> dict[str, Counts]:
    """Subjects and their roots, by topics.py's rule."""
    judged_roots, gold_roots = root_verdicts(predicted, gold, media_topics())
    return {
        "subjects": _counts(verdicts(predicted, gold.codes, gold.acceptable), len(gold.codes)),
        "roots": _counts(judged_roots, gold_roots),
    }


def rated(prediction: Prediction, gold: Gold, topics: GoldTopics | None) -> list[Rated]:
    """Each participant and subject that has a confidence, and whether it was right (reliability.py)."""
    matched = set(participant_matches(prediction.participants, gold.participants).values())
    items = [
        Rated("participants", confidence, index in matched)
        for index, confidence in enumerate(prediction.confidences)
        if confidence is not None
    ]
    if topics is not None and prediction.subjects is not None:
        seen: set[str] = set()
        for code, confidence in zip(prediction.subjects, prediction.subject_confidences, strict=False):
            (verdict,) = verdicts([code], topics.codes, topics.acceptable)
            if code not in seen and confidence is not None and verdict is not None:
                items.append(Rated("subjects", confidence, verdict))
            seen.add(code)
    return items
