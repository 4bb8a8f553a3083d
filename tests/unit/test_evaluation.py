"""The scorer on hand-made predictions, with exact expected numbers."""

from datetime import date

import pytest

from service.evaluation.naive import NaiveSummary
from service.evaluation.scoring import (
    Counts,
    Gold,
    GoldDate,
    GoldIssue,
    GoldParticipant,
    PredictedDate,
    PredictedIssue,
    Prediction,
    at_editors_length,
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


def test_a_role_counts_at_an_editors_length_when_right_and_short_or_near_the_golds_length() -> None:
    gold = [
        GoldParticipant(name="Steve Witkoff", role="U.S. special envoy"),
        GoldParticipant(name="Kremlin", role="did not confirm the timeline for the talks in Geneva"),
        GoldParticipant(name="Iran", role="holds talks with the U.S. in Geneva"),
    ]
    predicted = [("Steve Witkoff",), ("Kremlin",), ("Iran",)]
    long_sentence = "did not confirm the timeline for the talks in Geneva, its spokesman said"
    roles = [
        "U.S. special envoy",  # right, 4 words
        long_sentence,  # right, 13 words: over 12, but within 1.5 x the gold's 10
        "holds talks with the U.S. in Geneva, which the country's foreign ministry confirmed in a statement",
    ]  # the last: right, 17 words, over 12 and over 1.5 x 8

    counts = score_participants(predicted, gold, roles)

    assert (counts.compared, counts.described, counts.concise) == (3, 3, 2)


@pytest.mark.parametrize(
    ("role", "gold", "short"),
    [
        ("one two three four five six seven eight nine ten eleven twelve", "x", True),
        ("one two three four five six seven eight nine ten eleven twelve thirteen", "a b c d e f g h", False),
        ("one two three four five six seven eight nine ten eleven twelve thirteen", "a b c d e f g h i", True),
    ],
)
def test_an_editors_length_is_twelve_words_or_one_and_a_half_golds(role: str, gold: str, short: bool) -> None:
    assert at_editors_length(role, gold) is short


def test_a_wrong_role_is_not_right_at_any_length() -> None:
    gold = [GoldParticipant(name="Kremlin", role="did not confirm the timeline")]

    counts = score_participants([("Kremlin",)], gold, ["parties"])

    assert (counts.compared, counts.described, counts.concise) == (1, 0, 0)


def test_kinds_are_compared_for_matched_participants_and_group_stands_for_other_or_organization() -> None:
    gold = [
        GoldParticipant(name="Steve Witkoff", kind="person"),
        GoldParticipant(name="Kremlin", kind="organization"),
        GoldParticipant(name="Pan-democrats", kind="other"),
        GoldParticipant(name="Ukraine", kind="country"),
        GoldParticipant(name="Iran", kind="country"),
    ]
    predicted = [("Steve Witkoff",), ("Kremlin",), ("Pan-democrats",), ("Ukraine",), ("Iran",), ("Mickey Mouse",)]
    kinds: list[str | None] = ["person", "group", "group", "group", None, "person"]

    counts = score_participants(predicted, gold, kinds=kinds)

    # Iran: no kind predicted, not compared; Mickey Mouse: not matched; Ukraine: a group is not a country
    assert (counts.kinds_right, counts.kinds_compared) == (3, 4)


def test_the_naive_pipeline_has_no_kinds_to_compare() -> None:
    naive = Prediction.from_naive(
        NaiveSummary(summary="s", participants=["Steve Witkoff"], dates=["2026-02-26"], open_issues=[])
    )

    counts = score(naive, GOLD)["participants"]

    assert (counts.matched, counts.kinds_compared) == (1, 0)


def test_a_saved_output_scores_as_the_live_prediction_did() -> None:
    output = {
        "summary": "Talks in Geneva.",
        "participants": [
            {"name": "Steve Witkoff", "kind": "person", "role": "envoy", "aliases": ["Witkoff"], "evidence": []},
            {"name": "Kremlin", "kind": "group", "role": None, "aliases": [], "evidence": []},
        ],
        "dates": [{"text": "Feb. 26", "start": "2026-02-26", "end": "2026-02-26", "event": "talks", "evidence": []}],
        "open_issues": [{"issue": "The Kremlin has not confirmed the timing.", "parties": ["Kremlin"]}],
    }

    prediction = Prediction.from_output(output, without_evidence=2)

    assert prediction.participants == [("Steve Witkoff", "Witkoff"), ("Kremlin",)]
    assert prediction.kinds == ["person", "group"]
    assert prediction.dates == [PredictedDate("Feb. 26", date(2026, 2, 26), date(2026, 2, 26), "talks")]
    assert prediction.open_issues == [PredictedIssue("The Kremlin has not confirmed the timing.", ("Kremlin",))]
    assert (prediction.summary, prediction.without_evidence) == ("Talks in Geneva.", 2)
    scores = score(prediction, GOLD)
    assert (scores["participants"].matched, scores["participants"].kinds_right) == (2, 2)
    assert scores["dates"].matched == 1
