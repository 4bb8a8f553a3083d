"""The gold set through the pipeline as issue 14 found it and through this checkout, side by side.

    .venv/bin/python -m bench.baseline_bench [--cases DIR] [--limit N] [--baseline COMMIT]    # make bench-baseline

The baseline is commit 51a1e03 unless another is given (prompt v7, no NER: the model wrote every participant;
issue 30 measured against 03f1c26, prompt v15), cloned from this repository into a temporary directory with its own virtualenv (`make install`
there). Each article goes through both, one after the other, the order alternating, each side's
`summarise eval --only <case>` from its own checkout on a freshly started embedded model (its load is not
in the article's latency). Absolute seconds on a shared machine say little: the baseline's answers for the
seed, token for token the same, took very different times on 2026-11-27 and 2026-12-02
(bench/JOURNAL.md, 2026-12-02 03:00). The ratio, measured in one run, is the figure.
"""

import json
import os
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "51a1e03"  # the last commit before issue 14's work: prompt v7
CASES = ROOT.parent / "shared" / "eval" / "cases"


def _run(program: str, *arguments: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    executable = shutil.which(program)
    if executable is None:
        raise click.ClickException(f"{program} is not installed")
    subprocess.run([executable, *arguments], cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def _baseline(directory: Path, commit: str) -> Path:
    _run("git", "clone", "-q", str(ROOT), str(directory))
    _run("git", "-C", str(directory), "-c", "advice.detachedHead=false", "checkout", "-q", commit)
    _run("make", "-C", str(directory), "install")
    return directory


def _eval(checkout: Path, cases: Path, case: str, report: Path) -> dict[str, float]:
    """One case through one checkout's pipeline: its latency and completion tokens from the eval report."""
    env = {**os.environ, "SUMMARISE_REQUEST_BUDGET_S": "900", "SUMMARISE_CACHE_TTL_S": "0"}
    summarise = str(checkout / ".venv" / "bin" / "summarise")
    arguments = ["eval", "--cases", str(cases), "--only", case, "--pipeline", "ours", "--json", str(report)]
    _run(summarise, *arguments, cwd=checkout, env=env)
    found = json.loads(report.read_text())["cases"]["ours"][case]
    return {"seconds": found["latency_s"], "tokens": found["completion_tokens"]}


@click.command()
@click.option("--cases", "cases_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=CASES)
@click.option("--limit", type=int, help="Only the first N cases.")
@click.option("--baseline", default=BASELINE, show_default=True, help="The commit to measure this checkout against.")
def main(cases_dir: Path, limit: int | None, baseline: str) -> None:
    ids = sorted(path.stem for path in cases_dir.glob("*.json"))[:limit]
    rows: list[tuple[str, dict[str, float], dict[str, float]]] = []
    with tempfile.TemporaryDirectory(prefix="summarise-baseline-") as scratch:
        sides = {"before": _baseline(Path(scratch) / "baseline", baseline), "now": ROOT}
        for n, case in enumerate(ids):
            order = ["before", "now"] if n % 2 == 0 else ["now", "before"]  # the machine's drift falls on both
            measured = {side: _eval(sides[side], cases_dir, case, Path(scratch) / f"{side}.json") for side in order}
            rows.append((case, measured["before"], measured["now"]))
            before, now = measured["before"], measured["now"]
            print(
                f"{case:40} before {before['seconds']:6.1f} s {before['tokens']:5.0f} tok"
                f"   now {now['seconds']:6.1f} s {now['tokens']:5.0f} tok   {now['seconds'] / before['seconds']:.2f}x",
                flush=True,
            )
    for figure, pick in (("p50", statistics.median), ("mean", statistics.mean)):
        before_s, now_s = pick(r[1]["seconds"] for r in rows), pick(r[2]["seconds"] for r in rows)
        print(f"{figure} latency: before {before_s:.1f} s, now {now_s:.1f} s, ratio {now_s / before_s:.2f}")
    before_t, now_t = statistics.mean(r[1]["tokens"] for r in rows), statistics.mean(r[2]["tokens"] for r in rows)
    print(f"completion tokens per article: before {before_t:.0f}, now {now_t:.0f}, ratio {now_t / before_t:.2f}")


if __name__ == "__main__":
    main()
