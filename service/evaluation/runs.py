"""Run pipelines over gold cases, and report: a table of P/R/F1 per field and costs, and a JSON report.

`ours` is the core pipeline called bare (no cache, no admission: every run is measured afresh); `naive`
is the one-call baseline on the same model client.
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
from service.evaluation.naive import NaiveSummariser
from service.evaluation.scoring import FIELDS, Case, Counts, Prediction, score


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


async def run_case(pipeline: str, runner: Runner, case: Case) -> CaseResult:
    started = time.monotonic()
    try:
        outcome = await runner(case.request())
        dates = [day for d in outcome.prediction.dates for day in (d.start, d.end) if day is not None]
    except SummariseError as exc:
        return CaseResult(
            case.id, pipeline, score(Prediction(), case.gold), time.monotonic() - started, error=exc.detail
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
    )


def totals(results: list[CaseResult]) -> dict[str, Counts]:
    summed = {name: Counts() for name in FIELDS}
    for result in results:
        for name in FIELDS:
            summed[name] = summed[name] + result.scores[name]
    summed["overall"] = summed["participants"] + summed["dates"] + summed["open_issues"]
    return summed


def table(results: list[CaseResult]) -> str:
    """One block per pipeline, side by side in pipeline order: P/R/F1 per field, then costs."""
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
    for pipeline in pipelines:
        mine = [r for r in results if r.pipeline == pipeline and r.completion_by_question]
        questions = list(dict.fromkeys(q for r in mine for q in r.completion_by_question))
        if questions:
            per = ", ".join(
                f"{q} {sum(r.completion_by_question.get(q, 0) for r in mine) / len(mine):.0f}" for q in questions
            )
            lines.append(f"{pipeline:<9} completion tokens per article by question: {per}")
    return "\n".join(lines)


def report(results: list[CaseResult], meta: dict[str, Any]) -> dict[str, Any]:
    pipelines = list(dict.fromkeys(r.pipeline for r in results))
    return {
        "meta": meta,
        "totals": {
            pipeline: {
                name: {**counts.__dict__, "precision": counts.precision, "recall": counts.recall, "f1": counts.f1}
                for name, counts in totals([r for r in results if r.pipeline == pipeline]).items()
            }
            for pipeline in pipelines
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
