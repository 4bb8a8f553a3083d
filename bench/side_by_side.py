"""Parts of `bench.run` for two checkouts of the code, alternating, in one run: before and after a change,
on the same machine at the same moments (a shared machine's load moves between runs; ratios in one run hold).

    git worktree add /tmp/before f39250c
    .venv/bin/python -m bench.side_by_side --before /tmp/before --after . --rounds 2 overhead concurrency

Each round runs `python -m bench.run PARTS` once from each checkout (its mock, its API, its code: the
checkout is the working directory and PYTHONPATH of every process), before first, then after. The figures
of every round are printed side by side at the end.
"""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import click

_ROW = re.compile(r"^\| (\S+)\s*\| (.+?)\s*\| (.+?)\s*\|")


def run_parts(checkout: Path, parts: tuple[str, ...]) -> dict[tuple[str, str], str]:
    """The table `bench.run` prints for `parts`, run from `checkout`: (part, figure) -> measured."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    output = subprocess.run(  # noqa: S603 - our own bench
        [sys.executable, "-m", "bench.run", *parts], cwd=checkout, env=env, capture_output=True, text=True, check=True
    ).stdout
    figures = {}
    for line in output.splitlines():
        if (row := _ROW.match(line)) and row[1] not in ("benchmark",) and not row[1].startswith("-"):
            figures[(row[1], row[2])] = row[3]
    return figures


@click.command()
@click.option("--before", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True)
@click.option("--after", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True)
@click.option("--rounds", default=2, show_default=True)
@click.argument("parts", nargs=-1, required=True)
def main(before: Path, after: Path, rounds: int, parts: tuple[str, ...]) -> None:
    checkouts = {"before": before.resolve(), "after": after.resolve()}
    print(f"bench.side_by_side {' '.join(parts)}, {rounds} rounds, {time.strftime('%Y-%m-%d %H:%M')}", flush=True)
    for name, checkout in checkouts.items():
        commit = subprocess.run(  # noqa: S603
            ["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        print(f"  {name}: {checkout} ({commit})", flush=True)
    results: list[tuple[str, int, dict[tuple[str, str], str]]] = []
    for round_ in range(1, rounds + 1):
        for name, checkout in checkouts.items():
            started = time.monotonic()
            results.append((name, round_, run_parts(checkout, parts)))
            print(f"  round {round_} {name}: {time.monotonic() - started:.0f} s", flush=True)
    rows = list(dict.fromkeys(key for _, _, figures in results for key in figures))
    columns = [f"{name} {round_}" for name, round_, _ in results]
    print("\n| part | figure | " + " | ".join(columns) + " |")
    print("|---|---|" + "---|" * len(columns))
    for part, figure in rows:
        cells = [figures.get((part, figure), "") for _, _, figures in results]
        print(f"| {part} | {figure} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
