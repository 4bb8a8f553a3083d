"""Who the story is about: each participant's salience and confidence, by code, and their order.

Salience (0-1) adds up what an editor looks at first:
- 0.35 named in the headline, 0.25 in the first sentence (the lead);
- up to 0.25 by mentions in the text, a name or an alias written four times or more giving all of it;
- 0.15 if a sentence naming them holds a quotation (they speak, or are spoken of, in quotes).
The story is `about` those with 0.5 or more; the rest it mentions. Languages do not enter: names are
matched as written (case and spacing folded), quotation marks are the same characters everywhere.

Confidence (0-1) is how often such a participant was a real one on the gold set's dev split (prompt v18,
embedded 1.5B; 166 participants): a person named in full 74/79 (0.94), an organisation, country or group
52/78 (0.67), a "person" named by one word only 3/9 (0.33: products, festivals, streets typed as people);
times how its evidence matched the article (exact 1, normalised 0.9, fuzzy 0.6). On the test split the
same classes were right 0.93, 0.57 and 0.40. Being mentioned often, or in the headline, did not say more
often right (salience 0.4 or more: 15/24 on dev).
"""

import re
from collections.abc import Sequence

from schemas import MatchKind, Participant, ParticipantKind
from service.core.alignment import ArticleText

ABOUT = 0.5
_MATCHED = {MatchKind.exact: 1.0, MatchKind.normalised: 0.9, MatchKind.fuzzy: 0.6}
_QUOTATION_MARKS = re.compile('["“”„«»‘’‚‹›「」]')
_MENTIONS_FOR_ALL = 4
_PERSON_IN_FULL, _NOT_A_PERSON, _ONE_WORD_PERSON = 0.94, 0.67, 0.33  # measured: see above


def ranked(participants: Sequence[Participant], text: ArticleText, title: str | None) -> list[Participant]:
    """The participants with salience, `about` and confidence, most salient first (ties in their order)."""
    scored = [_scored(p, text.text, title or "", text.lead) for p in participants]
    return sorted(scored, key=lambda p: -p.salience)


def _scored(participant: Participant, text: str, title: str, lead: str) -> Participant:
    names = [n for n in dict.fromkeys((participant.name, *participant.aliases)) if n.strip()]
    written = (r"\s+".join(re.escape(word) for word in name.split()) for name in names)
    pattern = re.compile("|".join(rf"(?<!\w){name}(?!\w)" for name in written) or "(?!)", re.IGNORECASE)
    mentions = pattern.findall(text)
    quoted = any(_QUOTATION_MARKS.search(e.quote) for e in participant.evidence)
    salience = (
        0.35 * bool(pattern.search(title))
        + 0.25 * bool(pattern.search(lead))
        + 0.25 * min(1.0, len(mentions) / _MENTIONS_FOR_ALL)
        + 0.15 * quoted
    )
    matched = min((_MATCHED[e.match] for e in participant.evidence), default=0.0)
    if participant.kind is not ParticipantKind.person:
        kind = _NOT_A_PERSON
    else:
        kind = _PERSON_IN_FULL if len(participant.name.split()) > 1 else _ONE_WORD_PERSON
    confidence = kind * matched
    return participant.model_copy(
        update={"salience": round(salience, 2), "about": salience >= ABOUT, "confidence": round(confidence, 2)}
    )
