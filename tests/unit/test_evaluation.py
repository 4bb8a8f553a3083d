"""The scorer on hand-made predictions, with exact expected numbers."""

from datetime import date

import pytest

from service.evaluation.scoring import (
    Counts,
    Gold,
    GoldDate,
    GoldIssue,
    GoldParticipant,
    PredictedDate,
    PredictedIssue,
    Prediction,
    description_matches,
    names_match,
    normalise_name,
    score,
    score_dates,
    score_issues,
    score_participants,
)

GOLD = Gold(
    participants=[
        GoldParticipant(name="Steve Witkoff", aliases=["Witkoff"], kind="person"),
        GoldParticipant(name="Donald Trump", aliases=["Trump", "U.S. President Trump"], kind="person"),
        GoldParticipant(name="Kremlin", aliases=["The Kremlin"], kind="organization"),
        GoldParticipant(name="Ukraine", aliases=["Ukrainian"], kind="country"),
    ],
    dates=[
        GoldDate(text="Feb. 26", start=date(2026, 2, 26)),
        GoldDate(text="Feb. 17–18", start=date(2026, 2, 17), end=date(2026, 2, 18)),
        GoldDate(text="Around Feb. 27, give or take a day or two", start=date(2026, 2, 25), end=date(2026, 3, 1)),
    ],
    open_issues=[
        GoldIssue(issue="The timing of the next round of talks is not confirmed by the Kremlin.", parties=["Kremlin"]),
        GoldIssue(issue="Territorial issues and a ceasefire remain unresolved.", parties=["Ukraine", "Russia"]),
    ],
)

PERFECT = Prediction(
    participants=[("Steve Witkoff", "Witkoff"), ("Trump",), ("The Kremlin",), ("Ukraine",)],
    dates=[
        PredictedDate("Feb. 26", date(2026, 2, 26), date(2026, 2, 26)),
        PredictedDate("Feb. 17–18", date(2026, 2, 17), date(2026, 2, 18)),
        PredictedDate("Around Feb. 27, give or take a day or two", date(2026, 2, 25), date(2026, 3, 1)),
    ],
    open_issues=[
        PredictedIssue("The Kremlin has not confirmed the timing of the next round of talks.", ("Kremlin",)),
        PredictedIssue("A ceasefire and territorial issues remain unresolved.", ("Ukraine",)),
    ],
)


def test_a_perfect_prediction_scores_one_everywhere() -> None:
    scores = score(PERFECT, GOLD)

    assert scores["participants"] == Counts(matched=4, predicted=4, gold=4)
    assert scores["dates"] == Counts(matched=3, predicted=3, gold=3, found=3)
    assert scores["open_issues"] == Counts(matched=2, predicted=2, gold=2)
    assert all(c.f1 == 1.0 for c in scores.values())


def test_an_empty_prediction_scores_zero_recall() -> None:
    scores = score(Prediction(), GOLD)

    assert scores["participants"] == Counts(matched=0, predicted=0, gold=4)
    assert scores["participants"].recall == 0.0
    assert scores["participants"].precision == 0.0
    assert scores["participants"].f1 == 0.0
    assert scores["dates"].found == 0


def test_nothing_predicted_for_nothing_in_gold_is_perfect() -> None:
    counts = score_issues([], [])

    assert (counts.precision, counts.recall, counts.f1) == (1.0, 1.0, 1.0)


def test_a_partial_prediction() -> None:
    predicted = [("Witkoff",), ("President Donald Trump",), ("Mickey Mouse",)]

    counts = score_participants(predicted, GOLD.participants)

    assert counts == Counts(matched=2, predicted=3, gold=4)
    assert counts.precision == pytest.approx(2 / 3)
    assert counts.recall == pytest.approx(0.5)
    assert counts.f1 == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))


def test_duplicates_match_once_and_count_as_false_positives() -> None:
    predicted = [("Steve Witkoff",), ("Witkoff",), ("Special Envoy Steve Witkoff",)]

    counts = score_participants(predicted, GOLD.participants)

    assert counts == Counts(matched=1, predicted=3, gold=4)


def test_dates_found_but_resolved_wrong_count_as_found_not_matched() -> None:
    predicted = [
        PredictedDate("Feb. 26", date(2025, 2, 26), date(2025, 2, 26)),  # found, wrong year
        PredictedDate("Feb. 27", date(2026, 2, 27), date(2026, 2, 27)),  # inside the hedge's range: found
        PredictedDate("2026-02-17/2026-02-18", date(2026, 2, 17), date(2026, 2, 18)),  # resolved right
    ]

    counts = score_dates(predicted, GOLD.dates)

    assert counts == Counts(matched=1, predicted=3, gold=3, found=3)


def test_issue_matching_needs_similar_sentences_or_a_shared_party() -> None:
    predicted = [
        PredictedIssue("Whether the price of bananas will rise.", ()),
        PredictedIssue("Timing of talks unclear.", ("Kremlin",)),
    ]

    counts = score_issues(predicted, GOLD.open_issues)

    assert counts == Counts(matched=1, predicted=2, gold=2)


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("U.S. President Trump", "trump"),
        ("Special Envoy Steve Witkoff", "steve witkoff"),
        ("The Kremlin", "kremlin"),
        ("Dr. Émile Müller", "émile müller"),
        ("President", "president"),  # a title alone stays a name
    ],
)
def test_names_are_normalised(name: str, normalised: str) -> None:
    assert normalise_name(name) == normalised


@pytest.mark.parametrize(
    ("predicted", "gold", "expected"),
    [
        (["Volodymyr Zelenskyy"], ["Volodymyr Zelensky"], True),  # close spelling
        (["Zelensky"], ["Volodymyr Zelensky"], False),  # a bare surname needs a gold alias
        (["Russia"], ["Russian"], True),
        (["Iran"], ["Iraq"], False),
    ],
)
def test_names_match_exactly_or_closely(predicted: list[str], gold: list[str], expected: bool) -> None:
    assert names_match(predicted, gold) is expected


def test_counts_add_up_for_micro_averages() -> None:
    total = Counts(1, 2, 3, 1) + Counts(2, 2, 2, 2)

    assert total == Counts(3, 4, 5, 3)
    assert total.precision == 0.75
    assert total.recall == 0.6


@pytest.mark.parametrize(
    ("predicted", "gold", "right"),
    [
        ("U.S. Special Envoy; announced the talks", "U.S. special envoy who announced the Geneva talks", True),
        ("next round of talks in Geneva", "talks in Geneva", True),
        ("parties involved", "U.S. special envoy; leads the delegation", False),
        ("Feb. 17-18 round of negotiations", "Umerov's trip to the U.S.", False),
        (None, "mayor", False),
        ("", "mayor", False),
    ],
)
def test_a_role_or_an_event_is_right_when_it_says_most_of_the_golds_words(
    predicted: str | None, gold: str, right: bool
) -> None:
    assert description_matches(predicted, gold) is right


def test_roles_are_compared_only_for_matched_participants_with_a_gold_role() -> None:
    gold = [
        GoldParticipant(name="Steve Witkoff", role="U.S. special envoy"),
        GoldParticipant(name="Kremlin", role="did not confirm the timeline"),
        GoldParticipant(name="Iran"),  # no gold role: not compared
    ]
    predicted = [("Steve Witkoff",), ("Kremlin",), ("Iran",), ("Mickey Mouse",)]

    counts = score_participants(predicted, gold, ["special envoy of the U.S.", "parties involved", None, "x"])

    assert (counts.matched, counts.compared, counts.described) == (3, 2, 1)
