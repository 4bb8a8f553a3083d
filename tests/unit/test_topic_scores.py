"""Subjects scored by the gold set's rule (right, neither way, wrong; and their roots), and confidence's thirds."""

import json
from pathlib import Path
from typing import Any

import pytest

from service.core.mediatopics import media_topics
from service.evaluation.reliability import Rated, thirds
from service.evaluation.runs import CaseResult, reliability_table, report, rescore, topic_totals, topics_table
from service.evaluation.scoring import Counts, Gold, GoldParticipant, Prediction, load_cases, rated, score_topics
from service.evaluation.topics import GoldTopics, filed_under, load_topics, roots, verdicts

PEACE_TALKS, PEACE_ENVOY, DIPLOMACY = "medtop:20000076", "medtop:20000074", "medtop:20000639"  # roots 16, 16, 11
OCCUPATION, SOCCER = "medtop:20000060", "medtop:20001065"  # roots 16 (conflict, war and peace), 15 (sport)
CONFLICT, POLITICS, SPORT = "medtop:16000000", "medtop:11000000", "medtop:15000000"
SEED_TOPICS = GoldTopics.model_validate(
    {
        "topics": [{"qcode": PEACE_TALKS, "label": "peace talks"}],
        "also_acceptable": [{"qcode": PEACE_ENVOY}, {"qcode": DIPLOMACY}],
    }
)


def counts(found: Counts) -> tuple[int, int, int]:
    return found.matched, found.predicted, found.gold


def test_a_gold_topic_is_right_an_acceptable_one_neither_and_any_other_wrong() -> None:
    assert verdicts([PEACE_TALKS, DIPLOMACY, SOCCER, PEACE_TALKS], [PEACE_TALKS], [DIPLOMACY]) == [True, None, False]


def test_acceptable_topics_are_left_out_of_precision_and_recall_is_over_the_gold_topics() -> None:
    scores = score_topics([PEACE_TALKS, DIPLOMACY, SOCCER], SEED_TOPICS)

    assert counts(scores["subjects"]) == (1, 2, 1)
    assert (scores["subjects"].precision, scores["subjects"].recall) == (0.5, 1.0)


def test_roots_follow_the_same_rule_an_acceptable_topics_root_counting_neither_way() -> None:
    assert roots([PEACE_TALKS, DIPLOMACY, SOCCER, PEACE_ENVOY], media_topics()) == [CONFLICT, POLITICS, SPORT]

    scores = score_topics([DIPLOMACY, SOCCER], SEED_TOPICS)

    # politics is the root of diplomacy, an acceptable topic: neither way; sport is wrong; conflict not found
    assert counts(scores["roots"]) == (0, 1, 1)


def test_a_wrong_topic_under_the_right_root_is_wrong_and_its_root_right() -> None:
    scores = score_topics([OCCUPATION], SEED_TOPICS)

    assert counts(scores["subjects"]) == (0, 1, 1)
    assert counts(scores["roots"]) == (1, 1, 1)


def test_a_code_the_vocabulary_does_not_know_is_wrong_at_both_levels() -> None:
    scores = score_topics(["medtop:99999999"], SEED_TOPICS)

    assert counts(scores["subjects"]) == (0, 1, 1)
    assert counts(scores["roots"]) == (0, 1, 1)


def test_no_subjects_against_gold_topics_is_zero_recall() -> None:
    scores = score_topics([], SEED_TOPICS)

    assert (scores["subjects"].recall, scores["roots"].recall, scores["roots"].f1) == (0.0, 0.0, 0.0)


def write_gold_set(root: Path, topics: bool = True) -> Path:
    cases = root / "cases"
    cases.mkdir(parents=True)
    for case_id in ("000_seed_geneva", "001_hk_legco_election_2016"):
        case = {"id": case_id, "text": "Talks in Geneva.", "gold": {"participants": [{"name": "Steve Witkoff"}]}}
        (cases / f"{case_id}.json").write_text(json.dumps(case), encoding="utf-8")
    if topics:
        entries = {"000_seed_geneva": SEED_TOPICS.model_dump()}
        (root / "topics.json").write_text(json.dumps(entries), encoding="utf-8")
    return cases


def test_topics_are_read_beside_the_cases_and_skipped_where_absent(tmp_path: Path) -> None:
    with_topics = write_gold_set(tmp_path / "a")
    without = write_gold_set(tmp_path / "b", topics=False)

    assert load_topics(with_topics)["000_seed_geneva"].codes == [PEACE_TALKS]
    assert [case.topics for case in load_cases(without)] == [None, None]
    seed, other = load_cases(with_topics)
    assert (seed.topics, other.topics) == (SEED_TOPICS, None)


def rated_participant(confidence: float, right: bool) -> Rated:
    return Rated("participants", confidence, right)


def test_thirds_compare_the_most_confident_third_with_the_least() -> None:
    items = [
        rated_participant(0.2, False),
        rated_participant(0.9, True),
        rated_participant(0.5, True),
        rated_participant(0.8, False),
        rated_participant(0.1, True),
        rated_participant(0.6, True),
        rated_participant(0.3, False),
    ]

    found = thirds(items)

    assert found is not None
    assert (found.items, found.top.items, found.top.right, found.top.lowest, found.top.highest) == (7, 2, 1, 0.8, 0.9)
    assert (found.bottom.items, found.bottom.right, found.bottom.lowest, found.bottom.highest) == (2, 1, 0.1, 0.2)


def test_fewer_than_three_items_have_no_thirds() -> None:
    assert thirds([rated_participant(0.9, True), rated_participant(0.1, False)]) is None


def test_ties_keep_their_order_across_a_cut() -> None:
    found = thirds([rated_participant(0.5, True), rated_participant(0.5, True), rated_participant(0.5, False)])

    assert found is not None
    assert (found.top.right, found.bottom.right) == (1, 0)


GOLD = Gold(participants=[GoldParticipant(name="Steve Witkoff", aliases=["Witkoff"]), GoldParticipant(name="Kremlin")])


def test_participants_are_right_when_matched_and_acceptable_subjects_are_not_rated() -> None:
    prediction = Prediction(
        participants=[("Witkoff",), ("Mickey Mouse",), ("The Kremlin",), ("Steve Witkoff",)],
        confidences=[0.9, 0.4, None, 0.7],  # the last one a duplicate: Witkoff is taken
        subjects=[PEACE_TALKS, DIPLOMACY, SOCCER],
        subject_confidences=[0.8, 0.6, 0.3],
    )

    assert rated(prediction, GOLD, SEED_TOPICS) == [
        Rated("participants", 0.9, True),
        Rated("participants", 0.4, False),
        Rated("participants", 0.7, False),
        Rated("subjects", 0.8, True),
        Rated("subjects", 0.3, False),
    ]
    assert rated(prediction, GOLD, None) == rated(prediction, GOLD, SEED_TOPICS)[:3]


def output(subjects: list[dict[str, Any]] | None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "summary": "Talks in Geneva.",
        "participants": [{"name": "Steve Witkoff", "kind": "person", "confidence": 0.8, "evidence": []}],
    }
    return found if subjects is None else {**found, "subjects": subjects}


def test_a_saved_report_is_rescored_with_its_subjects_and_one_from_before_subjects_still_reads(
    tmp_path: Path,
) -> None:
    cases = load_cases(write_gold_set(tmp_path), only=["000"])
    subjects = [{"qcode": PEACE_TALKS, "confidence": 0.9}, {"qcode": SOCCER, "confidence": 0.2}]
    saved = {
        "cases": {
            "ours": {"000_seed_geneva": {"output": output(subjects)}},
            "older": {"000_seed_geneva": {"output": output(None)}},
        }
    }

    ours, older = rescore(saved, cases)

    assert ours.subjects == [PEACE_TALKS, SOCCER]
    assert ours.topics is not None
    assert counts(ours.topics["subjects"]) == (1, 2, 1)
    assert ours.rated == [Rated("participants", 0.8, True), Rated("subjects", 0.9, True), Rated("subjects", 0.2, False)]
    assert (older.subjects, older.topics, older.rated) == (None, None, [Rated("participants", 0.8, True)])
    cases_json = json.loads(json.dumps(report([ours, older], {})))["cases"]
    assert cases_json["ours"]["000_seed_geneva"]["subjects"] == [PEACE_TALKS, SOCCER]
    assert cases_json["ours"]["000_seed_geneva"]["topic_scores"]["roots"]["matched"] == 1
    assert cases_json["older"]["000_seed_geneva"]["topic_scores"] is None


NO_SCORES = {name: Counts() for name in ("participants", "dates", "open_issues")}


def case_result(pipeline: str, subjects: list[str] | None, error: str | None = None) -> CaseResult:
    topics = None if subjects is None else score_topics(subjects, SEED_TOPICS)
    return CaseResult(
        "000_seed_geneva", pipeline, NO_SCORES, 1.0, error=error, subjects=subjects, topics=topics, gold_topics=True
    )


def test_a_pipeline_without_subjects_is_said_so_not_scored_zero() -> None:
    results = [case_result("ours", [PEACE_TALKS]), case_result("naive", None)]

    lines = topics_table(results).splitlines()

    assert topic_totals([results[1]]) is None
    assert any(line.startswith("naive") and "gives no subjects" in line for line in lines)
    ours = next(line for line in lines if line.startswith("ours"))
    assert ours.split()[3:7] == ["1.00", "1.00", "1.00", "1/1/1"]
    assert report(results, {})["topics"]["naive"]["all"] is None


def test_a_lost_case_finds_no_subject() -> None:
    summed = topic_totals([case_result("ours", [PEACE_TALKS]), case_result("ours", [], error="lost")])

    assert summed is not None
    assert counts(summed["subjects"]) == (1, 1, 2)


def test_the_reliability_table_shows_each_third_and_says_when_there_is_no_confidence() -> None:
    items = [rated_participant(c, c > 0.5) for c in (0.9, 0.8, 0.7, 0.4, 0.3, 0.2)]
    results = [
        CaseResult("000_seed_geneva", "ours", {}, 1.0, rated=items),
        CaseResult("000_seed_geneva", "naive", {}, 1.0),
    ]

    lines = reliability_table(results).splitlines()

    participants = next(line for line in lines if line.startswith("ours") and "participants" in line)
    assert participants.split()[3:] == ["6", "2/2", "(1.00)", "0.80-0.90", "0/2", "(0.00)", "0.20-0.30"]
    assert next(line for line in lines if line.startswith("ours") and "subjects" in line).split()[3:] == ["-"] * 3
    assert any(line.startswith("naive") and "gives no confidence" in line for line in lines)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"rel": "classifies", "uri": "http://cv.iptc.org/newscodes/mediatopic/20001105"}, ("medtop:20001105", SPORT)),
        ({"name": "Industri", "literal": "04011000"}, ("medtop:20000294", "medtop:04000000")),  # exactMatch
        ({"code": "subj:04005000"}, ("medtop:20000256", "medtop:04000000")),
        ({"uri": "http://cv.iptc.org/newscodes/subjectcode/13010000"}, (None, "medtop:13000000")),  # no exactMatch
        ({"literal": "16000000", "uri": "http://tt.se/spec/subref/1.0/16000000"}, (None, CONFLICT)),  # TT's own URI
    ],
)
def test_an_agencys_subject_is_read_as_a_media_topic_and_its_root(
    entry: dict[str, str], expected: tuple[str | None, str]
) -> None:
    filed = filed_under(entry, media_topics())

    assert filed is not None
    assert (filed.concept.qcode if filed.concept else None, filed.root) == expected


def test_an_agencys_subject_without_a_code_is_not_read() -> None:
    assert filed_under({"name": "Innenriks", "literal": "Innenriks"}, media_topics()) is None
    assert filed_under({"uri": "http://tt.se/spec/subref/1.0/16000000"}, media_topics()) is None
