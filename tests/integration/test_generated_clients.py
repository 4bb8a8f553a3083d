"""Clients generated from our served OpenAPI document work, against our API on a real socket whose model is the
mock model server on loopback:
- openapi-python-client (pinned in the dev extra) generates every operation with no warning, and the generated
  client reads a summary and a problem;
- openapi-typescript + openapi-fetch (pinned in tests/typescript/package-lock.json, which `make test`
  installs with npm ci): tests/typescript/summaries.mts reads `data.participants` with no narrowing, compiled
  by tsc --strict against the generated types, then run with node for a summary and a problem (slow: tsc).
"""

import importlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from service.api.app import create_app
from service.settings import Settings
from tests.live_servers import mock_model_app, serving

pytestmark = pytest.mark.timeout(120)

PACKAGE = "summarise_client"
TYPESCRIPT = Path(__file__).parents[1] / "typescript"


@pytest.fixture
def served_api(tmp_path: Path) -> Iterator[str]:
    """Our API on loopback, its model the mock OpenAI-compatible server."""
    with serving(mock_model_app()) as model:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            base_url=f"{model}/v1",
            model="test-model",
            model_cache_dir=tmp_path / "cache",
            log_level="WARNING",
        )
        with serving(create_app(settings)) as api:
            yield api


@pytest.fixture
def generated_client(served_api: str, tmp_path: Path) -> Iterator[ModuleType]:
    """The Python client openapi-python-client makes from the served /docs/openapi.json, importable."""
    document = tmp_path / "openapi.json"
    document.write_bytes(httpx.get(f"{served_api}/docs/openapi.json", timeout=30).raise_for_status().content)
    config = tmp_path / "generator.yaml"
    config.write_text("post_hooks: []\n")  # no formatter run: what it generates is what we import
    generated = subprocess.run(  # noqa: S603 - the pinned generator, fixed arguments
        [
            *(sys.executable, "-m", "openapi_python_client", "generate", "--path", str(document), "--meta", "none"),
            *("--output-path", str(tmp_path / PACKAGE), "--config", str(config)),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    assert "warning" not in output.lower(), output  # nothing dropped: every operation, every response
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _module(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_every_operation_is_generated(generated_client: ModuleType, served_api: str) -> None:
    document = httpx.get(f"{served_api}/docs/openapi.json", timeout=30).json()
    operation_ids = {operation["operationId"] for item in document["paths"].values() for operation in item.values()}
    package = Path(str(generated_client.__file__)).parent
    generated = {path.stem for path in (package / "api").rglob("*.py") if path.stem != "__init__"}
    assert len(generated) == len(operation_ids), sorted(generated)


def test_the_generated_client_reads_a_summary_and_a_problem(
    generated_client: ModuleType, served_api: str, seed_article: dict[str, Any]
) -> None:
    create_summary = _module("api.summaries.v1_summaries_create_summary")
    article_request = _module("models.article_request").ArticleRequest
    problem_422 = _module("models.v1_summaries_create_summary_response_422")
    client = generated_client.AuthenticatedClient(base_url=served_api, token="unused", timeout=httpx.Timeout(60))

    with client:
        summary = create_summary.sync_detailed(client=client, body=article_request.from_dict(seed_article))
        refused = create_summary.sync_detailed(client=client, body=article_request.from_dict({"text": " "}))

    assert summary.status_code == 200
    assert type(summary.parsed).__name__ == "SummaryResponse"
    names = [participant.name for participant in summary.parsed.participants]
    assert names
    assert names == [participant["name"] for participant in json.loads(summary.content)["participants"]]
    assert summary.parsed.to_dict() == json.loads(summary.content)  # read whole, nothing lost
    assert refused.status_code == 422
    assert isinstance(refused.parsed, problem_422.V1SummariesCreateSummaryResponse422)
    assert refused.parsed.type_.value.endswith("/invalid-request")
    assert refused.parsed.status.value == 422
    assert refused.parsed.errors  # each invalid field listed, read as the generated type


def _run(*command: str | Path, cwd: Path) -> "subprocess.CompletedProcess[str]":
    done = subprocess.run(  # noqa: S603 - the pinned tools, fixed arguments
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=90, check=False
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return done


@pytest.mark.slow
def test_a_typescript_client_reads_a_summary_and_a_problem(
    served_api: str, seed_article: dict[str, Any], tmp_path: Path
) -> None:
    tools = TYPESCRIPT / "node_modules" / ".bin"
    assert (tools / "tsc").exists(), f"no {tools}: `make test` runs npm ci in {TYPESCRIPT}"
    node = shutil.which("node")
    assert node is not None, "node (20) is needed for the TypeScript client"
    for name in ("summaries.mts", "tsconfig.json"):
        shutil.copy(TYPESCRIPT / name, tmp_path / name)
    (tmp_path / "node_modules").symlink_to(TYPESCRIPT / "node_modules")
    (tmp_path / "article.json").write_text(json.dumps(seed_article))

    generated = _run(tools / "openapi-typescript", f"{served_api}/docs/openapi.json", "-o", "schema.d.ts", cwd=tmp_path)
    said = generated.stdout + generated.stderr  # it warns on stderr (console.warn, with "⚠")
    assert "warn" not in said.lower(), said
    assert "⚠" not in said, said
    _run(tools / "tsc", "-p", ".", cwd=tmp_path)  # `data.participants` compiles: the answer is the summary
    read = json.loads(_run(node, "summaries.mjs", served_api, "article.json", cwd=tmp_path).stdout)

    assert read["status"] == 200
    assert read["names"]
    assert read["names"] == [participant["name"] for participant in read["summary"]["participants"]]
    assert read["problem"]["httpStatus"] == read["problem"]["status"] == 422
    assert read["problem"]["type"].endswith("/invalid-request")
    assert read["problem"]["errors"]  # each invalid field listed
