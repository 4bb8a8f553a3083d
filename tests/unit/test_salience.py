"""Who the story is about (salience, `about`) and how sure the service is of each participant."""

from schemas import Evidence, MatchKind, Participant, ParticipantKind
from service.core.alignment import ArticleText
from service.core.salience import ranked

TEXT = (
    "Mayor Ana Ruiz said the council will vote on the budget. "
    'Ruiz told reporters: "We expect approval." Ruiz spoke in Springfield. Ruiz left. '
    "Tom Berg of the Springfield Council abstained. Acme sponsored the meeting."
)


def _participant(name: str, kind: ParticipantKind, quote: str, match: MatchKind = MatchKind.exact) -> Participant:
    start = TEXT.index(quote)
    evidence = [Evidence(quote=quote, start=start, end=start + len(quote), match=match)]
    aliases = [name.split()[-1]] if kind is ParticipantKind.person and " " in name else []
    return Participant(name=name, kind=kind, aliases=aliases, evidence=evidence)


def test_the_one_in_the_headline_and_lead_named_often_and_quoted_comes_first_and_is_what_it_is_about() -> None:
    berg = _participant("Tom Berg", ParticipantKind.person, "Tom Berg of the Springfield Council abstained.")
    ruiz = _participant("Ana Ruiz", ParticipantKind.person, 'Ruiz told reporters: "We expect approval."')
    people = ranked([berg, ruiz], ArticleText(TEXT), "Ruiz wins budget vote")
    assert [p.name for p in people] == ["Ana Ruiz", "Tom Berg"]
    assert people[0].salience == 1.0  # headline 0.35, lead 0.25, four mentions 0.25, quoted 0.15
    assert people[0].about
    assert people[1].salience == 0.06  # named once, nowhere else
    assert not people[1].about


def test_confidence_is_how_often_such_a_participant_was_real_times_how_its_evidence_matched() -> None:
    text = ArticleText(TEXT)
    full = _participant("Tom Berg", ParticipantKind.person, "Tom Berg of the Springfield Council abstained.")
    one_word = _participant("Acme", ParticipantKind.person, "Acme sponsored the meeting.")
    organisation = _participant("Acme", ParticipantKind.organization, "Acme sponsored the meeting.")
    fuzzy = _participant("Tom Berg", ParticipantKind.person, "Tom Berg of the", MatchKind.fuzzy)
    confidence = {p.confidence for p in ranked([full], text, None)}
    assert confidence == {0.94}
    assert [p.confidence for p in ranked([one_word, organisation, fuzzy], text, None)] == [0.33, 0.67, 0.56]
