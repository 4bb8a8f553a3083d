"""What an editor reads: key facts, copying and shape of a summary (the rule of shared/eval/README.md), and the split."""

import json
from pathlib import Path

import pytest

from service.evaluation.editor import (
    KeyFact,
    SummaryScore,
    conveys,
    copied_share,
    fold,
    load_anchors,
    load_facts,
    score_summary,
    summary_totals,
    words,
)
from service.evaluation.runs import CaseResult, editor_table, rescore
from service.evaluation.scoring import Counts, load_cases
from service.evaluation.splits import DEV, TEST, split_of

ARTICLE = (
    "U.S. and Ukrainian officials will hold another round of talks in Geneva, Switzerland on Feb. 26, "
    "Special Envoy Steve Witkoff said. The meeting follows the Feb. 17–18 round, which ended without a "
    "breakthrough on territorial issues or a ceasefire."
)
LEAD = KeyFact(fact="Talks in Geneva on Feb. 26.", keys=[["Geneva"], ["Feb. 26", "February 26"], ["talks", "negotiat"]])
PREVIOUS = KeyFact(fact="The Feb. 17-18 round ended without a breakthrough.", keys=[["Feb. 17-18"], ["breakthrough"]])


def test_fold_makes_every_dash_a_hyphen_and_every_whitespace_run_one_space() -> None:
    assert (
        fold("Feb.\u00a017\u201318 \u2014  Zelensky\u2013Trump\n\tmeeting \u2212 5")
        == "feb. 17-18 - zelensky-trump meeting - 5"
    )


@pytest.mark.parametrize(
    ("summary", "conveyed"),
    [
        ("NEGOTIATIONS resume in geneva on february 26.", True),  # any case; an alternative is a substring
        ("Talks resume in Geneva.", False),  # the date group has no alternative here
        ("Talks on Feb.  26 in Lausanne.", False),  # the place is missing
        ("Talks in Geneva on Feb.\n26.", True),  # whitespace folded on both sides
    ],
)
def test_a_fact_is_conveyed_when_every_key_group_has_an_alternative(summary: str, conveyed: bool) -> None:
    assert conveys(summary, LEAD) is conveyed


def test_dashes_are_folded_on_both_sides() -> None:
    assert conveys("The Feb. 17\u201318 round ended without a breakthrough.", PREVIOUS)
    assert not conveys("The Feb. 17 round ended without a breakthrough.", PREVIOUS)


def test_words_are_casefolded_word_tokens() -> None:
    assert words("U.S. envoy's TALKS, Feb.26") == ["u", "s", "envoy", "s", "talks", "feb", "26"]


@pytest.mark.parametrize(
    ("summary", "share"),
    [
        ("U.S. and Ukrainian officials will hold another round of talks.", 1.0),  # the lead, copied
        ("Envoys meet again in Geneva, Switzerland on Feb. 26.", 6 / 9),  # "in geneva switzerland on feb 26"
        ("The summary is new.", 1 / 4),  # a single shared word is a run of one
        ("", 0.0),
    ],
)
def test_copied_share_is_the_longest_shared_run_over_the_summarys_words(summary: str, share: float) -> None:
    assert copied_share(summary, ARTICLE) == pytest.approx(share)


def test_a_summary_in_shape_scores_its_facts_in_shape_too() -> None:
    summary = "Talks resume in Geneva on Feb. 26. The Feb. 17-18 round ended without a breakthrough."

    found = score_summary(summary, [LEAD, PREVIOUS], ARTICLE)

    # copied: "the feb 17 18 round" (5 of 16 words; the article has "which" before "ended without ...")
    assert found == SummaryScore(facts=2, conveyed=2, lead=True, copied=pytest.approx(5 / 16), words=16, sentences=2)
    assert found.in_shape
    assert found.conveyed_in_shape == 1.0


@pytest.mark.parametrize(
    "summary",
    [
        "Talks resume in Geneva on Feb. 26.",  # one sentence
        "Talks resume in Geneva on Feb. 26. No breakthrough came on Feb. 17-18. Kyiv waits. Moscow too.",  # four
        "Talks resume in Geneva on Feb. 26. " + "And more words follow here " * 20 + "and end.",  # > 100 words
    ],
)
def test_out_of_shape_summaries_score_zero_facts_in_shape(summary: str) -> None:
    found = score_summary(summary, [LEAD, PREVIOUS], ARTICLE)

    assert found.lead
    assert not found.in_shape
    assert found.conveyed_share > 0
    assert found.conveyed_in_shape == 0.0


def test_the_lead_is_the_first_fact_only() -> None:
    found = score_summary("The Feb. 17-18 round ended without a breakthrough.", [LEAD, PREVIOUS], ARTICLE)

    assert (found.conveyed, found.lead) == (1, False)


def test_totals_are_means_over_cases_and_medians_of_copying_and_length() -> None:
    scores = [
        SummaryScore(facts=5, conveyed=5, lead=True, copied=0.1, words=50, sentences=2),  # in shape
        SummaryScore(facts=4, conveyed=1, lead=False, copied=0.9, words=120, sentences=5),  # out of shape
        SummaryScore(facts=5, conveyed=0, lead=False, copied=0.5, words=30, sentences=1),
    ]

    totals = summary_totals(scores)

    assert totals["facts"] == pytest.approx((1.0 + 0.25 + 0.0) / 3)
    assert totals["facts_in_shape"] == pytest.approx(1.0 / 3)
    assert totals["lead"] == pytest.approx(1 / 3)
    assert (totals["copied_p50"], totals["words_p50"]) == (0.5, 50)
    assert totals["in_shape"] == pytest.approx(1 / 3)
    assert summary_totals([]) == {}


def write_gold_set(root: Path) -> Path:
    cases = root / "cases"
    cases.mkdir()
    gold = {"participants": [], "dates": [], "open_issues": []}
    for case_id in ("000_seed_geneva", "001_hk_legco_election_2016", "002_worldcup2018_day5", "099_new"):
        case = {"id": case_id, "text": ARTICLE, "gold": gold}
        (cases / f"{case_id}.json").write_text(json.dumps(case), encoding="utf-8")
    facts = {"000_seed_geneva": {"reference": "...", "facts": [LEAD.model_dump(), PREVIOUS.model_dump()]}}
    (root / "summaries.json").write_text(json.dumps(facts), encoding="utf-8")
    anchors = {"000_seed_geneva": {"gum_doc": "x", "summaries": {"human1": "Talks.", "human2": "More talks."}}}
    (root / "anchor-summaries.json").write_text(json.dumps(anchors), encoding="utf-8")
    return cases


def test_facts_and_anchors_are_read_beside_the_cases_and_skipped_where_absent(tmp_path: Path) -> None:
    cases = write_gold_set(tmp_path)

    assert [f.fact for f in load_facts(cases)["000_seed_geneva"]] == [LEAD.fact, PREVIOUS.fact]
    assert load_anchors(cases) == {"000_seed_geneva": {"human1": "Talks."}}  # human2: two cases only, left out
    assert load_facts(cases / "nowhere") == {}
    assert load_anchors(cases / "nowhere") == {}


def test_cases_carry_their_facts_and_a_split_selects_its_cases(tmp_path: Path) -> None:
    cases = write_gold_set(tmp_path)

    loaded = {case.id: case for case in load_cases(cases)}
    dev = load_cases(cases, split="dev")
    test = load_cases(cases, split="test", only=["002"])

    assert len(loaded["000_seed_geneva"].facts) == 2
    assert loaded["000_seed_geneva"].anchors == {"human1": "Talks."}
    assert loaded["001_hk_legco_election_2016"].facts == []
    assert [c.id for c in dev] == ["000_seed_geneva", "002_worldcup2018_day5"]  # 099_new is in neither
    assert test == []  # 002 is dev's


def test_the_split_alternates_over_the_sorted_gold_set() -> None:
    everything = sorted(DEV + TEST)

    assert list(DEV) == everything[::2]
    assert list(TEST) == everything[1::2]
    assert (split_of("000_seed_geneva"), split_of("001_hk_legco_election_2016"), split_of("099_new")) == (
        "dev",
        "test",
        None,
    )


def test_the_split_covers_the_gold_set_on_disk() -> None:
    gold_set = Path("/work/shared/eval/cases")
    if not gold_set.is_dir():
        pytest.skip("the shared gold set is not on this machine")
    assert sorted(p.stem for p in gold_set.glob("*.json")) == sorted(DEV + TEST)


def result(case_id: str, split: str | None, conveyed: int, pipeline: str = "ours") -> CaseResult:
    counts = {name: Counts() for name in ("participants", "dates", "open_issues")}
    summary = SummaryScore(facts=5, conveyed=conveyed, lead=conveyed > 0, copied=0.2, words=60, sentences=2)
    anchors = {"human1": SummaryScore(facts=5, conveyed=4, lead=True, copied=0.1, words=40, sentences=1)}
    return CaseResult(case_id, pipeline, counts, 1.0, split=split, summary_score=summary, anchors=anchors)


def test_a_run_over_both_splits_reports_each_beside_the_whole() -> None:
    results = [result("000_a", "dev", 5), result("001_b", "test", 1), result("002_c", "dev", 3)]

    lines = editor_table(results).splitlines()

    summary_rows = {tuple(line.split()[:3]) for line in lines if line.startswith("ours")}
    assert {("ours", "all", "3"), ("ours", "dev", "2"), ("ours", "test", "1")} <= summary_rows
    dev = next(line for line in lines if line.startswith("ours      dev") and "0.80" in line)
    assert dev.split()[3:5] == ["0.80", "0.80"]  # facts, and in shape: (5/5 + 3/5) / 2
    assert any(line.startswith("human1") and " test " in line for line in lines)


def test_a_run_over_one_split_reports_it_once() -> None:
    lines = editor_table([result("000_a", "dev", 5), result("002_c", "dev", 3)]).splitlines()

    assert not any(" dev " in line or " test " in line for line in lines)


def test_a_saved_report_is_rescored_without_a_model(tmp_path: Path) -> None:
    cases = load_cases(write_gold_set(tmp_path), only=["000"])
    output = {"summary": "Talks in Geneva on Feb. 26 went well. Witkoff said so.", "participants": [], "dates": []}
    saved = {"cases": {"ours": {"000_seed_geneva": {"output": output, "latency_s": 3.5, "attempts": 2}}}}

    (rescored,) = rescore(saved, cases)

    assert (rescored.case_id, rescored.split, rescored.latency_s, rescored.attempts) == (
        "000_seed_geneva",
        "dev",
        3.5,
        2,
    )
    assert rescored.summary_score is not None
    assert (rescored.summary_score.conveyed, rescored.summary_score.lead, rescored.summary_score.in_shape) == (
        1,
        True,
        True,
    )
    assert set(rescored.anchors) == {"human1"}
