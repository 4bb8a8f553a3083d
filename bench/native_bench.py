"""The embedded llama.cpp as xllamacpp's prebuilt wheel (AVX2) ships it and as `make native` builds it for
this processor, side by side in one run: prompt tokens/s and written tokens/s on the same weights and
prompt, and the seed's latency through `summarise file` (as users run it: the native build with the weights
rewritten for AMX where it runs AMX kernels, n-gram drafts on).

    .venv/bin/python -m bench.native_bench [--rounds 3] [--weights FILE]...    # after `make native`

The native build is the one installed in this venv; the prebuilt wheel of the same version is downloaded
once (pip's cache) and put first on PYTHONPATH of the processes that measure it. Each measurement is a fresh
process (the server started as `service.model.embedded.EmbeddedServer` starts it, a warm-up request, then
the measured one, the prompt not cached); the order alternates by round. Figures are medians; the ratio is
the figure, the machine being shared.
"""

import importlib.metadata
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import click

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "seed_geneva.json"
VERSION = importlib.metadata.version("xllamacpp")  # the pinned one (pyproject.toml), native or not


def _prebuilt(cache: Path) -> Path:
    """The prebuilt wheel of the pinned version, unpacked: a directory to put first on PYTHONPATH."""
    target = cache / f"prebuilt-{VERSION}"
    if not (target / "xllamacpp").is_dir():
        with tempfile.TemporaryDirectory() as download:
            subprocess.run(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--quiet",
                    "--only-binary",
                    ":all:",
                    "--no-deps",
                    f"xllamacpp=={VERSION}",
                    "-d",
                    download,
                ],
                check=True,
            )
            (wheel,) = Path(download).glob("xllamacpp-*.whl")
            with zipfile.ZipFile(wheel) as archive:
                archive.extractall(target)
    return target


def _environment(build: str, prebuilt: Path) -> dict[str, str]:
    environment = dict(os.environ, SUMMARISE_CACHE_TTL_S="0")  # every seed summarised, none reused
    if build == "prebuilt":
        environment["PYTHONPATH"] = os.pathsep.join([str(prebuilt), str(ROOT)])
    return environment


def _measure(build: str, weights: Path, prebuilt: Path) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.native_bench", "one", str(weights)],
        env=_environment(build, prebuilt),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]), build=build)


def _seed(build: str, prebuilt: Path) -> float:
    article = json.loads(SEED.read_text(encoding="utf-8"))
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as text:
        text.write(article["text"])
        text.flush()
        started = time.perf_counter()
        subprocess.run(  # noqa: S603
            [
                sys.executable,
                "-m",
                "service.cli",
                "file",
                text.name,
                "--title",
                article["title"],
                "--published",
                article["published"],
                "--language",
                article.get("language", "en"),
            ],
            env=_environment(build, prebuilt),
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        return time.perf_counter() - started


def _medians(rows: list[dict[str, Any]], build: str, weights: str) -> tuple[float, float, str, int]:
    """One build's measurements on one weights file: median prompt and written tokens/s, its llama.cpp's
    system info, and how many there were."""
    mine = [r for r in rows if r["build"] == build and r["weights"] == weights]
    prompt = statistics.median(r["prompt_per_second"] for r in mine)
    written = statistics.median(r["predicted_per_second"] for r in mine)
    return prompt, written, mine[0]["system"], len(mine)


def side_by_side(rounds: int = 2) -> list[tuple[str, str, str, str]]:
    """`bench.run`'s rows (part, figure, value, target): the prebuilt wheel and this venv's build (`make native`,
    or the wheel itself where no compiler was there) on the published weights, and where that build runs AMX
    kernels, on the weights rewritten for them (`service/model/repack.py`), alternating, medians of `rounds`."""
    from service.model.embedded import EMBEDDED_MODELS, amx_weights, assemble_weights
    from service.settings import Settings

    settings = Settings()
    model = EMBEDDED_MODELS[settings.embedded_model]
    published = assemble_weights(model, settings.model_cache_dir)
    amx = amx_weights(model, settings.model_cache_dir)
    prebuilt = _prebuilt(settings.model_cache_dir / "native")
    runs = [("prebuilt", published), ("native", published)] + ([("native", amx)] if amx else [])
    rows = [
        _measure(build, file, prebuilt)
        for round_ in range(rounds)
        for build, file in (runs if round_ % 2 == 0 else runs[::-1])  # the order alternates by round
    ]
    table = []
    figures: dict[tuple[str, str], tuple[float, float]] = {}
    for build, file in runs:
        reading, written, system, _ = _medians(rows, build, file.name)
        figures[build, file.name] = reading, written
        figure = f"{build} ({system}), {file.name}: prompt / written tok/s"
        table.append(("native", figure, f"{reading:.1f} / {written:.1f}", ""))
    ratio = figures["native", published.name][0] / figures["prebuilt", published.name][0]
    table.append(("native", "reading, native / prebuilt", f"{ratio:.2f}x", ">= 1.4x"))
    if amx:
        ratio = figures["native", amx.name][1] / figures["native", published.name][1]
        table.append(("native", "writing, weights rewritten for AMX / published", f"{ratio:.2f}x", ""))
    return table


@click.group(invoke_without_command=True)
@click.option("--rounds", default=3, show_default=True)
@click.option("--weights", "weights", multiple=True, type=click.Path(exists=True, path_type=Path))
@click.option("--seed/--no-seed", default=True, help="Also time the seed through `summarise file` per build.")
@click.pass_context
def main(context: click.Context, rounds: int, weights: tuple[Path, ...], seed: bool) -> None:
    if context.invoked_subcommand is not None:
        return
    from service.model.embedded import EMBEDDED_MODELS, assemble_weights
    from service.settings import Settings

    settings = Settings()
    files = list(weights) or [assemble_weights(EMBEDDED_MODELS[settings.embedded_model], settings.model_cache_dir)]
    prebuilt = _prebuilt(settings.model_cache_dir / "native")
    rows: list[dict[str, Any]] = []
    seeds: dict[str, list[float]] = {"prebuilt": [], "native": []}
    for round_ in range(rounds):
        order = ["prebuilt", "native"] if round_ % 2 == 0 else ["native", "prebuilt"]
        for file in files:
            for build in order:
                rows.append(row := _measure(build, file, prebuilt))
                print(json.dumps(row), flush=True)
        if seed:
            for build in order:
                seeds[build].append(seconds := _seed(build, prebuilt))
                print(json.dumps({"build": build, "seed_s": round(seconds, 1)}), flush=True)
    print("\n| weights | build | llama.cpp | prompt tok/s | written tok/s | n |\n|---|---|---|---|---|---|")
    for file in files:
        reading: dict[str, float] = {}
        for build in ("prebuilt", "native"):
            reading[build], written, system, n = _medians(rows, build, file.name)
            print(f"| {file.name} | {build} | {system} | {reading[build]:.1f} | {written:.1f} | {n} |")
        print(f"| {file.name} | native / prebuilt | | **{reading['native'] / reading['prebuilt']:.2f}x** | | |")
    if seed:
        medians = {build: statistics.median(values) for build, values in seeds.items()}
        print(
            f"\nthe seed through `summarise file` (load included), median of {rounds}: prebuilt "
            f"{medians['prebuilt']:.1f} s, native {medians['native']:.1f} s, "
            f"**{medians['native'] / medians['prebuilt']:.2f}x**"
        )


@main.command()
@click.argument("weights", type=click.Path(exists=True, path_type=Path))
def one(weights: Path) -> None:
    """One fresh server on WEIGHTS: a warm-up request, then ~1,100 prompt tokens read and 100 written."""
    import xllamacpp

    from service.model.embedded import EmbeddedServer, available_cpus

    server = EmbeddedServer(weights, n_ctx=8192, threads=available_cpus(), alias="bench")
    article = json.loads(SEED.read_text(encoding="utf-8"))

    def ask(content: str, tokens: int) -> dict[str, Any]:
        body = {
            "model": "bench",
            "messages": [
                {"role": "system", "content": "You are a careful news editor."},
                {"role": "user", "content": content},
            ],
            "max_tokens": tokens,
            "temperature": 0,
            "cache_prompt": False,
            "ignore_eos": True,
        }
        request = urllib.request.Request(  # noqa: S310 (the server on loopback)
            server.base_url + "/chat/completions", json.dumps(body).encode(), {"content-type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=900) as response:  # noqa: S310
            answer: dict[str, Any] = json.load(response)
            return answer

    ask("Say hello.", 4)  # pages the weights in
    # ~1,100 tokens, as the seed's questions read (the article twice: the seed alone is ~450 tokens); a
    # fresh first line, so that nothing of it is cached
    instructions = (
        "Summarise this news article in five bullet points, then list every person and organisation it names "
        "with their role, then three questions a reader might still ask."
    )
    article_part = f"Title: {article['title']}\n\n{article['text']}"
    prompt = f"[{time.time_ns()}] {instructions}\n\n{article_part}\n\n{article_part}"
    timings = ask(prompt, 100)["timings"]
    info = xllamacpp.get_system_info()
    used = [name for name, flag in (("AVX-512", "AVX512 = 1"), ("AMX", "AMX_INT8 = 1")) if flag in info]
    print(
        json.dumps(
            {
                "weights": weights.name,
                "system": ", ".join(used) or "AVX2",
                "prompt_n": timings["prompt_n"],
                "prompt_per_second": round(timings["prompt_per_second"], 1),
                "predicted_n": timings["predicted_n"],
                "predicted_per_second": round(timings["predicted_per_second"], 1),
            }
        )
    )
    server.stop()


if __name__ == "__main__":
    main()
