"""Run pipelines over gold cases, and report: a table of P/R/F1 per field and costs, and a JSON report.

`ours` is the core pipeline called bare (no cache, no admission: every run is measured afresh); `naive`
is the one-call baseline on the same model client. Beside the extraction scores: what an editor reads
(editor.py: the summary's key facts, copying and shape; roles at an editor's length; kinds), the anchor
summaries of other summarisers on the same cases, subjects and their roots against the gold topics
(topics.py), whether a higher confidence is more often right (reliability.py), and all of it per split
(splits.py) when a run covers both. `rescore` scores a saved report again, without a model.
"""

import json
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemas import ArticleRequest
from service.core.alignment import ArticleText
from service.core.checking import unsupported, wrong_language
from service.core.pipeline import Summariser
from service.errors import SummariseError
from service.evaluation.editor import SummaryScore, copied_share, score_summary, summary_totals
from service.evaluation.naive import NaiveSummariser, NaiveSummary
from service.evaluation.reliability import FIELDS as RATED_FIELDS
from service.evaluation.reliability import Rated, Thirds, by_field
from service.evaluation.scoring import FIELDS, Case, Counts, Prediction, rated, score, score_topics
from service.evaluation.splits import SPLITS, split_of


@dataclass
class Outcome:
    """What a pipeline returned for one case: its prediction, its output as returned, and its costs."""

    prediction: Prediction
    output: dict[str, Any]
    prompt_tokens: int
    completion_tokens: int
    attempts: int
    completion_by_question: dict[str, int] = field(default_factory=dict)
    unsupported: list[str] = field(default_factory=list)  # names and numbers of the summary not in the article
    language: str | None = None  # the article's language, and whether the summary is in it
    in_language: bool = True


Runner = Callable[[ArticleRequest], Awaitable[Outcome]]


@dataclass
class CaseResult:
    case_id: str
    pipeline: str
    scores: dict[str, Counts]
    latency_s: float
    prompt_tokens: int = 0
    completion_tokens: int = 0
    attempts: int = 0
    without_evidence: int = 0
    error: str | None = None
    output: dict[str, Any] | None = None
    completion_by_question: dict[str, int] = field(default_factory=dict)
    unsupported: list[str] = field(default_factory=list)  # names and numbers of the summary not in the article
    language: str | None = None  # the article's language, and whether the summary is in it
    in_language: bool = True
    split: str | None = None  # "dev", "test" or None (splits.py)
    summary_score: SummaryScore | None = None  # where the gold set has key facts for the case
    issues_copied: list[float] = field(default_factory=list)  # each open issue's copied share (editor.copied_share)
    anchors: dict[str, SummaryScore] = field(default_factory=dict)  # other summarisers', same facts
    subjects: list[str] | None = None  # the qcodes predicted; None where the pipeline gives no subjects
    topics: dict[str, Counts] | None = None  # "subjects" and "roots", where there are both subjects and gold topics
    rated: list[Rated] = field(default_factory=list)  # participants and subjects with a confidence, right or not
    gold_topics: bool = False  # the gold set has topics for the case


def _subject_scores(case: Case, prediction: Prediction) -> dict[str, Any]:
    """The fields of a CaseResult that score subjects and confidence."""
    topics = None
    if prediction.subjects is not None and case.topics is not None:
        topics = score_topics(prediction.subjects, case.topics)
    return {
        "subjects": prediction.subjects,
        "topics": topics,
        "rated": rated(prediction, case.gold, case.topics),
        "gold_topics": case.topics is not None,
    }


def _editor_scores(case: Case, prediction: Prediction) -> dict[str, Any]:
    """The fields of a CaseResult that score what an editor reads: ours, and the anchors beside it; how much
    of each open issue is one run of words copied from the article (the similarity that matches issues to
    the gold's cannot tell a question in the desk's words from a sentence of the article after "Whether")."""
    scores: dict[str, Any] = {
        "split": split_of(case.id),
        "issues_copied": [copied_share(issue.issue, case.text) for issue in prediction.open_issues],
    }
    if not case.facts:
        return scores
    return {
        **scores,
        "summary_score": score_summary(prediction.summary, case.facts, case.text),
        "anchors": {source: score_summary(text, case.facts, case.text) for source, text in case.anchors.items()},
    }


async def run_case(pipeline: str, runner: Runner, case: Case) -> CaseResult:
    started = time.monotonic()
    try:
        outcome = await runner(case.request())
        dates = [day for d in outcome.prediction.dates for day in (d.start, d.end) if day is not None]
    except SummariseError as exc:
        return CaseResult(
            case.id,
            pipeline,
            score(Prediction(), case.gold),
            time.monotonic() - started,
            error=exc.detail,
            **_editor_scores(case, Prediction()),  # a lost case conveys nothing
            **_subject_scores(case, Prediction(subjects=[])),  # and finds no subject
        )
    return CaseResult(
        case_id=case.id,
        pipeline=pipeline,
        scores=score(outcome.prediction, case.gold),
        latency_s=time.monotonic() - started,
        prompt_tokens=outcome.prompt_tokens,
        completion_tokens=outcome.completion_tokens,
        attempts=outcome.attempts,
        completion_by_question=outcome.completion_by_question,
        without_evidence=outcome.prediction.without_evidence,
        output=outcome.output,
        unsupported=unsupported(outcome.prediction.summary, ArticleText(case.text), case.language, dates),
        language=case.language,
        in_language=wrong_language(outcome.prediction.summary, case.language) is None,
        **_editor_scores(case, outcome.prediction),
        **_subject_scores(case, outcome.prediction),
    )


def rescore(saved: dict[str, Any], cases: list[Case]) -> list[CaseResult]:
    """A saved report's outputs scored again by today's rules, for the given cases (no model is called).
    Costs, latency and the checks of the summary are kept as the report has them."""
    results = []
    for pipeline, by_case in saved["cases"].items():
        for case in cases:
            entry = by_case.get(case.id)
            if entry is None:
                continue
            output = entry.get("output")
            if not output:
                prediction = Prediction(subjects=[] if entry.get("error") else None)
            elif pipeline == "naive":
                prediction = Prediction.from_naive(NaiveSummary.model_validate(output))
            else:
                prediction = Prediction.from_output(output, entry.get("without_evidence", 0))
            results.append(
                CaseResult(
                    case_id=case.id,
                    pipeline=pipeline,
                    scores=score(prediction, case.gold),
                    latency_s=entry.get("latency_s", 0.0),
                    prompt_tokens=entry.get("prompt_tokens", 0),
                    completion_tokens=entry.get("completion_tokens", 0),
                    attempts=entry.get("attempts", 0),
                    without_evidence=prediction.without_evidence,
                    error=entry.get("error"),
                    output=output,
                    completion_by_question=entry.get("completion_by_question", {}),
                    unsupported=entry.get("summary_unsupported", []),
                    language=case.language,
                    in_language=entry.get("summary_in_language", True),
                    **_editor_scores(case, prediction),
                    **_subject_scores(case, prediction),
                )
            )
    return results


def totals(results: list[CaseResult]) -> dict[str, Counts]:
    summed = {name: Counts() for name in FIELDS}
    for result in results:
        for name in FIELDS:
            summed[name] = summed[name] + result.scores[name]
    summed["overall"] = summed["participants"] + summed["dates"] + summed["open_issues"]
    return summed


def _groups(results: list[CaseResult]) -> list[tuple[str, list[CaseResult]]]:
    """All the results, then each split's when the run covers both (one run reports dev and test)."""
    groups = [("all", results)]
    if all(any(r.split == name for r in results) for name in SPLITS):
        groups += [(name, [r for r in results if r.split == name]) for name in SPLITS]
    return groups


def _share(right: int, compared: int) -> str:
    return f"{right}/{compared} ({right / compared:.2f})" if compared else "-"


def _summary_cells(numbers: dict[str, float]) -> str:
    if not numbers:
        return f"{'-':>5} {'-':>5} {'-':>6} {'-':>5}"
    return f"{numbers['facts']:5.2f} {numbers['lead']:5.2f} {numbers['copied_p50']:6.2f} {numbers['words_p50']:5.0f}"


def editor_table(results: list[CaseResult]) -> str:
    """Per pipeline and split: F1s, roles (right, at an editor's length), kinds; the summaries' scores; and
    each anchor summariser beside each pipeline on the cases that anchor has."""
    pipelines = list(dict.fromkeys(r.pipeline for r in results))
    groups = _groups(results)
    lines = [
        f"{'pipeline':<9} {'split':<5} {'cases':>5}  {'F1 part':>7} {'dates':>5} {'issues':>6} {'all':>5}  "
        f"{'roles right':>16} {'editor length':>16} {'kinds right':>16}"
    ]
    for pipeline in pipelines:
        for name, group in groups:
            mine = [r for r in group if r.pipeline == pipeline]
            summed = totals(mine)
            part = summed["participants"]
            lines.append(
                f"{pipeline:<9} {name:<5} {len(mine):>5}  {part.f1:7.2f} {summed['dates'].f1:5.2f} "
                f"{summed['open_issues'].f1:6.2f} {summed['overall'].f1:5.2f}  "
                f"{_share(part.described, part.compared):>16} {_share(part.concise, part.compared):>16} "
                f"{_share(part.kinds_right, part.kinds_compared):>16}"
            )
    scored = [r for r in results if r.summary_score]
    if not scored:
        return "\n".join(lines)
    lines += [
        "",
        f"{'summary':<9} {'split':<5} {'cases':>5}  {'facts':>5} {'facts in shape':>14} {'lead':>5} "
        f"{'copied p50':>10} {'words p50':>9} {'in shape':>8}",
    ]
    for pipeline in pipelines:
        for name, group in groups:
            numbers = summary_totals(r.summary_score for r in group if r.pipeline == pipeline and r.summary_score)
            if numbers:
                lines.append(
                    f"{pipeline:<9} {name:<5} {numbers['cases']:>5}  {numbers['facts']:5.2f} "
                    f"{numbers['facts_in_shape']:14.2f} {numbers['lead']:5.2f} {numbers['copied_p50']:10.2f} "
                    f"{numbers['words_p50']:9.0f} {numbers['in_shape']:8.2f}"
                )
    rows = anchor_totals(results)
    if rows:
        header = "".join(f" | {p + ' on them':<24}" for p in pipelines)
        lines += [
            "",
            f"{'anchor (facts lead copied words)':<34} {'split':<5} {'cases':>5}  {'':<24}{header}",
        ]
        for source, by_split in rows.items():
            for name, by_whom in by_split.items():
                cells = "".join(f" | {_summary_cells(by_whom[p]):<24}" for p in pipelines)
                lines.append(
                    f"{source:<34} {name:<5} {by_whom['anchor']['cases']:>5}  "
                    f"{_summary_cells(by_whom['anchor']):<24}{cells}"
                )
    return "\n".join(lines)


def anchor_totals(results: list[CaseResult]) -> dict[str, dict[str, dict[str, dict[str, float]]]]:
    """{source: {split: {"anchor" or pipeline: summary totals}}}, each over the cases that source has."""
    pipelines = list(dict.fromkeys(r.pipeline for r in results))
    first = [r for r in results if r.pipeline == pipelines[0]] if pipelines else []
    sources = list(dict.fromkeys(source for r in first for source in r.anchors))
    found: dict[str, dict[str, dict[str, dict[str, float]]]] = {}
    for source in sources:
        found[source] = {}
        for name, group in _groups(first):
            having = {r.case_id for r in group if source in r.anchors}
            if not having:
                continue
            numbers = {"anchor": summary_totals(r.anchors[source] for r in group if r.case_id in having)}
            for pipeline in pipelines:
                numbers[pipeline] = summary_totals(
                    r.summary_score
                    for r in results
                    if r.pipeline == pipeline and r.case_id in having and r.summary_score
                )
            found[source][name] = numbers
    return found


TOPIC_FIELDS = ("subjects", "roots")


def topic_totals(results: list[CaseResult]) -> dict[str, Counts] | None:
    """Subjects and roots summed over the cases with gold topics (lost cases found none); None when these
    results give no subjects (the naive pipeline, a report from before subjects) or no case has gold topics."""
    if not any(r.subjects is not None for r in results if not r.error):
        return None
    scored = [r.topics for r in results if r.topics is not None]
    if not scored:
        return None
    summed = {name: Counts() for name in TOPIC_FIELDS}
    for topics in scored:
        for name in TOPIC_FIELDS:
            summed[name] = summed[name] + topics[name]
    return summed


def _prf(counts: Counts) -> str:
    return (
        f"{counts.precision:5.2f} {counts.recall:5.2f} {counts.f1:5.2f} "
        f"{f'{counts.matched}/{counts.predicted}/{counts.gold}':>18}"
    )


def topics_table(results: list[CaseResult]) -> str:
    """Per pipeline and split: subjects and their roots, P/R/F1 and right/counted/gold (counted: predicted
    less the also-acceptable ones). Empty when no case has gold topics."""
    if not any(r.gold_topics for r in results):
        return ""
    pipelines = list(dict.fromkeys(r.pipeline for r in results))
    counted = "right/counted/gold"
    lines = [
        f"{'subjects':<9} {'split':<5} {'cases':>5}  {'P':>5} {'R':>5} {'F1':>5} {counted:>18}  | "
        f"{'roots P':>7} {'R':>5} {'F1':>5} {counted:>18}"
    ]
    for pipeline in pipelines:
        for name, group in _groups(results):
            mine = [r for r in group if r.pipeline == pipeline]
            summed = topic_totals(mine)
            if summed is None:
                lines.append(f"{pipeline:<9} {name:<5} {len(mine):>5}  gives no subjects: not scored")
                continue
            cases = sum(1 for r in mine if r.topics is not None)
            lines.append(
                f"{pipeline:<9} {name:<5} {cases:>5}  {_prf(summed['subjects'])}  | {'':2}{_prf(summed['roots'])}"
            )
    return "\n".join(lines)


def _third_cells(thirds: Thirds | None) -> str:
    if thirds is None:
        return f"{'-':>5}  {'-':>22}  {'-':>22}"
    top, bottom = thirds.top, thirds.bottom
    return (
        f"{thirds.items:>5}  {_share(top.right, top.items):>12} {top.lowest:4.2f}-{top.highest:4.2f}  "
        f"{_share(bottom.right, bottom.items):>12} {bottom.lowest:4.2f}-{bottom.highest:4.2f}"
    )


def reliability_table(results: list[CaseResult]) -> str:
    """Per pipeline, split and field: the share right in the top and the bottom third by confidence, each
    third's confidence range beside it. A pipeline without confidences says so in one line."""
    pipelines = list(dict.fromkeys(r.pipeline for r in results))
    lines = [
        f"{'confidence':<10} {'split':<5} {'field':<12} {'items':>5}  {'top third right':>22}  "
        f"{'bottom third right':>22}"
    ]
    for pipeline in pipelines:
        if not any(r.rated for r in results if r.pipeline == pipeline):
            lines.append(f"{pipeline:<10} gives no confidence")
            continue
        for name, group in _groups(results):
            found = by_field(item for r in group if r.pipeline == pipeline for item in r.rated)
            for item_field in RATED_FIELDS:
                lines.append(f"{pipeline:<10} {name:<5} {item_field:<12} {_third_cells(found[item_field])}")
    return "\n".join(lines)


def table(results: list[CaseResult]) -> str:
    """One block per pipeline, side by side in pipeline order: P/R/F1 per field, then costs; then what an
    editor reads (editor_table)."""
    pipelines = list(dict.fromkeys(r.pipeline for r in results))
    lines = [
        f"{'pipeline':<9} {'field':<13} {'P':>5} {'R':>5} {'F1':>5}  {'matched/pred/gold':>17}  {'found':>7}  "
        "roles/events right"
    ]
    for pipeline in pipelines:
        mine = [r for r in results if r.pipeline == pipeline]
        for name, counts in totals(mine).items():
            found = f"{counts.found}/{counts.gold}" if name == "dates" else ""
            described = (
                f"{counts.described}/{counts.compared} ({counts.described_share:.2f})"
                if name in ("participants", "dates")
                else ""
            )
            lines.append(
                f"{pipeline:<9} {name:<13} {counts.precision:5.2f} {counts.recall:5.2f} {counts.f1:5.2f}  "
                f"{f'{counts.matched}/{counts.predicted}/{counts.gold}':>17}  {found:>7}  {described}"
            )
    lines.append("")
    lines.append(
        f"{'pipeline':<9} {'articles':>8} {'lost':>4} {'latency s p50/mean':>19} {'prompt tok':>10} "
        f"{'compl tok':>9} {'attempts':>8} {'no-evidence items':>17}"
    )
    for pipeline in pipelines:
        mine = [r for r in results if r.pipeline == pipeline]
        latencies = [r.latency_s for r in mine] or [0.0]
        n = max(len(mine), 1)
        lines.append(
            f"{pipeline:<9} {len(mine):>8} {sum(1 for r in mine if r.error):>4} "
            f"{statistics.median(latencies):>9.1f} / {statistics.mean(latencies):<7.1f} "
            f"{sum(r.prompt_tokens for r in mine) / n:>10.0f} {sum(r.completion_tokens for r in mine) / n:>9.0f} "
            f"{sum(r.attempts for r in mine) / n:>8.2f} {sum(r.without_evidence for r in mine):>17}"
        )
    for pipeline in pipelines:
        done = [r for r in results if r.pipeline == pipeline and not r.error]
        german = [r for r in done if (r.language or "").startswith("de")]
        lines.append(
            f"{pipeline:<9} summaries with a name or number the article lacks: "
            f"{sum(1 for r in done if r.unsupported)}/{len(done)}; German articles summarised in German: "
            f"{sum(1 for r in german if r.in_language)}/{len(german)}"
        )
        copied = [share for r in done for share in r.issues_copied]
        if copied:
            lines.append(
                f"{pipeline:<9} open issues: copied p50 {statistics.median(copied):.2f}; "
                f"half or more one run of the article's words: {sum(1 for c in copied if c >= 0.5)}/{len(copied)}"
            )
    for pipeline in pipelines:
        mine = [r for r in results if r.pipeline == pipeline and r.completion_by_question]
        questions = list(dict.fromkeys(q for r in mine for q in r.completion_by_question))
        if questions:
            per = ", ".join(
                f"{q} {sum(r.completion_by_question.get(q, 0) for r in mine) / len(mine):.0f}" for q in questions
            )
            lines.append(f"{pipeline:<9} completion tokens per article by question: {per}")
    topics = topics_table(results)
    return "\n".join(
        [*lines, "", editor_table(results), *(["", topics] if topics else []), "", reliability_table(results)]
    )


def _counts_json(counts: Counts) -> dict[str, Any]:
    return {**counts.__dict__, "precision": counts.precision, "recall": counts.recall, "f1": counts.f1}


def report(results: list[CaseResult], meta: dict[str, Any]) -> dict[str, Any]:
    pipelines = list(dict.fromkeys(r.pipeline for r in results))
    return {
        "meta": meta,
        "totals": {
            pipeline: {
                name: _counts_json(counts)
                for name, counts in totals([r for r in results if r.pipeline == pipeline]).items()
            }
            for pipeline in pipelines
        },
        # Beside the totals above (kept as they were): per split, and the summaries' scores.
        "splits": {
            pipeline: {
                name: {
                    "cases": [r.case_id for r in group if r.pipeline == pipeline],
                    "totals": {
                        field: _counts_json(counts)
                        for field, counts in totals([r for r in group if r.pipeline == pipeline]).items()
                    },
                    "summary": summary_totals(
                        r.summary_score for r in group if r.pipeline == pipeline and r.summary_score
                    ),
                }
                for name, group in _groups(results)
            }
            for pipeline in pipelines
        },
        # Subjects and roots per pipeline and split (null: not scored), and confidence's thirds (reliability.py).
        "topics": {
            pipeline: {
                name: {field: _counts_json(counts) for field, counts in summed.items()} if summed else None
                for name, group in _groups(results)
                for summed in [topic_totals([r for r in group if r.pipeline == pipeline])]
            }
            for pipeline in pipelines
        },
        "reliability": {
            pipeline: {
                name: {
                    field: found.as_dict() if found else None
                    for field, found in by_field(
                        item for r in group if r.pipeline == pipeline for item in r.rated
                    ).items()
                }
                for name, group in _groups(results)
            }
            for pipeline in pipelines
        },
        "anchors": {
            "totals": anchor_totals(results),
            "cases": {
                r.case_id: {source: found.as_dict() for source, found in r.anchors.items()}
                for r in results
                if r.anchors
            },
        },
        "cases": {
            pipeline: {
                r.case_id: {
                    "scores": {name: counts.__dict__ for name, counts in r.scores.items()},
                    "latency_s": round(r.latency_s, 2),
                    "prompt_tokens": r.prompt_tokens,
                    "completion_tokens": r.completion_tokens,
                    "completion_by_question": r.completion_by_question,
                    "summary_unsupported": r.unsupported,
                    "summary_in_language": r.in_language,
                    "attempts": r.attempts,
                    "without_evidence": r.without_evidence,
                    "error": r.error,
                    "split": r.split,
                    "summary_score": r.summary_score.as_dict() if r.summary_score else None,
                    "issues_copied": [round(share, 3) for share in r.issues_copied],
                    "subjects": r.subjects,
                    "topic_scores": {k: c.__dict__ for k, c in r.topics.items()} if r.topics else None,
                    "rated": [item.__dict__ for item in r.rated],
                    "output": r.output,
                }
                for r in results
                if r.pipeline == pipeline
            }
            for pipeline in pipelines
        },
    }


def write_report(path: Path, results: list[CaseResult], meta: dict[str, Any]) -> None:
    path.write_text(json.dumps(report(results, meta), indent=1, ensure_ascii=False, default=str), encoding="utf-8")


def pipeline_runners(summariser: Summariser, naive: NaiveSummariser) -> dict[str, Runner]:

    async def ours(request: ArticleRequest) -> Outcome:
        summary = await summariser.summarise(request)
        response = summary.response
        usage = response.meta.usage
        return Outcome(
            Prediction.from_summary(summary),
            response.model_dump(mode="json"),
            usage.prompt_tokens,
            usage.completion_tokens,
            response.meta.attempts,
            summary.completion_tokens,
        )

    async def plain(request: ArticleRequest) -> Outcome:
        answer = await naive.summarise(request)
        stats = answer.stats
        return Outcome(
            Prediction.from_naive(answer.value),
            answer.value.model_dump(mode="json"),
            stats.prompt_tokens,
            stats.completion_tokens,
            stats.answers,
        )

    return {"ours": ours, "naive": plain}
