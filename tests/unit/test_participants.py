"""One entry per real participant: merging by code, with a table."""

import pytest

from schemas import Evidence, MatchKind, Participant, ParticipantKind
from service.core.participants import is_a_form_of, merge_participants, named_in, person_name

K = ParticipantKind


def named(name: str, kind: ParticipantKind = K.person, aliases: tuple[str, ...] = ()) -> Participant:
    return Participant(name=name, kind=kind, aliases=list(aliases), evidence=[])


def at(name: str, start: int) -> Participant:
    """A person named at `start` of the article."""
    evidence = [Evidence(quote=name, start=start, end=start + len(name), match=MatchKind.exact)]
    return named(name).model_copy(update={"evidence": evidence})


@pytest.mark.parametrize(
    ("listed", "expected"),
    [
        ([named("Special Envoy Steve Witkoff"), named("Witkoff")], {"Steve Witkoff": ["Special Envoy Steve Witkoff", "Witkoff"]}),
        ([named("Trump"), named("U.S. President Trump")], {"Trump": ["U.S. President Trump"]}),
        ([named("Volodymyr Zelenskyy"), named("Zelensky")], {"Volodymyr Zelenskyy": ["Zelensky"]}),
        ([named("Russian President Vladimir Putin"), named("Putin")], {"Vladimir Putin": ["Russian President Vladimir Putin", "Putin"]}),
        ([named("The Kremlin", K.organization), named("Kremlin", K.organization)], {"Kremlin": ["The Kremlin"]}),
        ([named("Ukraine", K.country), named("Ukrainian officials", K.group)], {"Ukraine": [], "Ukrainian officials": []}),
        ([named("Jordan", K.country), named("Michael Jordan")], {"Jordan": [], "Michael Jordan": []}),
        ([named("Kim Jong-un"), named("Kim Yo-jong")], {"Kim Jong-un": [], "Kim Yo-jong": []}),
        ([named("Ana Ruiz", aliases=("Mayor Ana Ruiz",)), named("Ruiz", aliases=("the mayor",))],
         {"Ana Ruiz": ["Mayor Ana Ruiz", "Ruiz", "the mayor"]}),
        # Two full names of one surname are two people, even joined by the bare surname.
        ([named("Liam Smith"), named("Smith"), named("Mark Smith")], {"Liam Smith": ["Smith"], "Mark Smith": []}),
        ([named("Hernan Dario Gomez"), named("Hernan Gomez"), named("Gomez")],
         {"Hernan Dario Gomez": ["Hernan Gomez", "Gomez"]}),
    ],
)  # fmt: skip
def test_participants_named_several_ways_are_merged(listed: list[Participant], expected: dict[str, list[str]]) -> None:
    merged = merge_participants(listed)

    assert {p.name: p.aliases for p in merged} == expected


def test_merging_keeps_the_first_role_and_the_evidence_of_all() -> None:
    first = named("Steve Witkoff").model_copy(
        update={"role": "U.S. envoy", "evidence": [Evidence(quote="a", start=5, end=6, match=MatchKind.exact)]}
    )
    second = named("Witkoff").model_copy(
        update={"role": "spoke", "evidence": [Evidence(quote="b", start=1, end=2, match=MatchKind.exact)]}
    )

    (merged,) = merge_participants([first, second])

    assert merged.role == "U.S. envoy"
    assert [e.start for e in merged.evidence] == [1, 5]


def test_a_bare_surname_is_the_person_of_that_name_mentioned_last_before_it() -> None:
    # "Liam Smith, 14, ... Smith said ... his father, Mark Smith, ... Smith added"
    merged = merge_participants([at("Liam Smith", 0), at("Smith", 30), at("Mark Smith", 60), at("Smith", 90)])

    assert {p.name: [e.start for e in p.evidence] for p in merged} == {"Liam Smith": [0, 30], "Mark Smith": [60, 90]}


def test_a_bare_name_is_a_surname_before_it_is_a_given_name() -> None:
    # "an Andy Warhol exhibit ... the Warhol Polaroid (NER: a person) ... Warhol's legacy": the nearest before it
    # would be "Warhol Polaroid", whose first word it is; it is the last word of Andy Warhol's name.
    merged = merge_participants([at("Andy Warhol", 0), at("Warhol Polaroid", 30), at("Warhol", 60)])

    assert {p.name: [e.start for e in p.evidence] for p in merged} == {"Andy Warhol": [0, 60], "Warhol Polaroid": [30]}


@pytest.mark.parametrize(
    ("title_and_name", "name"),
    [
        ("Presidential Office Head Kyrylo Budanov", "Kyrylo Budanov"),
        ("National Security and Defense Council Secretary Rustem Umerov", "Rustem Umerov"),
        ("Steve Witkoff", "Steve Witkoff"),
        ("President", "President"),
    ],
)
def test_titles_are_not_part_of_a_person_name(title_and_name: str, name: str) -> None:
    assert person_name(title_and_name) == name


def test_an_issues_parties_are_the_participants_its_passage_names_by_any_name() -> None:
    participants = merge_participants(
        [named("Steve Witkoff", aliases=("Witkoff",)), named("Kremlin", K.organization), named("Iran", K.country)]
    )

    passage = "The Kremlin has not confirmed it, Witkoff said. Whether the Kremlin confirms the talks."

    assert named_in(passage, participants) == ["Steve Witkoff", "Kremlin"]  # in the participants' order, once
    assert named_in("Iranian officials declined to comment.", participants) == []  # a whole name, not a part


def test_a_bare_title_is_not_a_person() -> None:
    merged = merge_participants([named("Secretary"), named("the envoy"), named("Rustem Umerov")])

    assert [p.name for p in merged] == ["Rustem Umerov"]


@pytest.mark.parametrize(
    ("alias", "name", "form"),
    [
        ("Ruiz", "Ana Ruiz", True),
        ("Mayor Ana Ruiz", "Ana Ruiz", True),
        ("Karrenbauer", "Annegret Kramp-Karrenbauer", True),  # a part of a hyphenated name
        ("Kim", "Kim Jong-un", True),  # short names are names too
        ("Zelenskyy", "Volodymyr Zelensky", True),  # spelt another way
        ("AfD", "Alternative für Deutschland", True),  # initials
        ("USA", "United States of America", True),  # initials of the longer words
        ("Sächsischer Staatsminister des Innern", "Markus Ulbig", False),  # a title
        ("Staatsminister des Innern", "Partei des Demokratischen Sozialismus", False),  # "des" is no name
    ],
)
def test_which_aliases_are_forms_of_the_name(alias: str, name: str, form: bool) -> None:
    assert is_a_form_of(alias, name) is form
