"""Sentences with words of doubt, waiting or dispute, found by code for the open-issues question."""

import pytest

from service.core.alignment import ArticleText
from service.core.unresolved import MAX_CANDIDATES, signals_unresolved, speaks_of, unresolved_sentences


def found(text: str) -> list[str]:
    return unresolved_sentences(ArticleText(text))


@pytest.mark.parametrize(
    "sentence",
    [
        "It is not yet clear whether the regional government will share the cost.",
        "The Kremlin did not confirm the timeline for the talks.",
        "Following the meeting in Geneva, Umerov may come to the U.S. for another round of talks.",
        "Fishing groups said they would appeal against the decision within 30 days.",
        "The round ended without a breakthrough on territorial issues.",
        "Police are investigating the cause of the fire.",
        "Ob die Beschäftigten im Frühjahr streiken, ist offen.",
        "Die Stadt hat noch nicht entschieden.",
        # allegations, fears and criticism, what must happen, what a decision left open, what is scheduled
        "The lawsuit alleges that the company hid the defect for years.",
        "Residents fear the plant will close.",
        "Both parties must agree on the venue.",
        "The ruling left an open door for the cases of other defendants.",
        "The referendum is to be held in November.",
        "Gegner hatten eine Machtkonzentration befürchtet.",
    ],
)
def test_a_sentence_that_says_something_is_open_is_found(sentence: str) -> None:
    assert found(f"The council met on Monday. {sentence} The meeting ended at noon.") == [sentence]


@pytest.mark.parametrize(
    "sentence",
    [
        "The council voted 7-2 on Monday to extend the subsidy.",
        "Fares rose by 5 percent in May.",  # the month, not the verb
        "Regulators approved the wind farm, the authority said.",
    ],
)
def test_a_sentence_that_only_reports_is_not(sentence: str) -> None:
    assert found(sentence) == []


def test_a_passage_signals_something_open_by_a_cue_or_a_question() -> None:
    assert signals_unresolved("Whether the mayor will sign is unclear.")
    assert signals_unresolved("The referendum is to be held in November.")  # a plan
    assert signals_unresolved('"Will the talks resume?" he asked.')
    assert not signals_unresolved("The Supreme Court thus retracted the pardon towards Riveros.")
    assert not signals_unresolved("Die Stadt hat den Haushalt beschlossen.")


def test_outright_doubt_comes_before_plans_and_the_list_is_capped() -> None:
    plans = [f"The company plans to open store number {n} soon." for n in range(MAX_CANDIDATES)]
    doubt = "Whether the mayor will sign is unclear."
    candidates = found(" ".join([*plans, doubt]))

    assert candidates[0] == doubt
    assert len(candidates) == MAX_CANDIDATES


def test_only_sentences_that_start_inside_the_chunk_are_offered() -> None:
    text = "The vote is pending. The result is unclear."
    second = text.index("The result")

    assert unresolved_sentences(ArticleText(text), second, len(text)) == ["The result is unclear."]
    assert unresolved_sentences(ArticleText(text), 0, second) == ["The vote is pending."]


def test_an_issue_speaks_of_its_passage_when_they_share_a_word() -> None:
    passage = "The New Zealand government intends to hold two referendums on the flag."

    assert speaks_of("Whether the referendum on the flag is held in 2016.", passage)  # "referendum(s)", "flag"
    assert not speaks_of("Whether the Springfield City Council votes on the budget.", passage)
    assert not speaks_of("Whether it is the one or the other.", passage)  # the commonest words say nothing
