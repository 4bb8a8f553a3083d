"""`summarise file` runs the same pipeline as the API and prints the contract's JSON."""

import json
from pathlib import Path
from typing import Any

import pytest
import respx
from click.testing import CliRunner

from service.cli import main
from tests.conftest import MODEL_URL
from tests.factories import ModelServer, error


@pytest.fixture
def model_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("SUMMARISE_BASE_URL", MODEL_URL)
    monkeypatch.setenv("SUMMARISE_MODEL", "test-model")
    monkeypatch.setenv("SUMMARISE_TRANSIENT_ATTEMPTS", "1")


def test_file_prints_the_summary_json(
    model_env: None, model_server: respx.MockRouter, seed_article: dict[str, Any], tmp_path: Path
) -> None:
    article = tmp_path / "seed.txt"
    article.write_text(seed_article["text"], encoding="utf-8")
    model_server.post("/chat/completions").mock(side_effect=ModelServer())

    result = CliRunner().invoke(main, ["file", str(article), "--published", "2026-02-24"])

    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["id"] == "seed.txt"
    assert summary["dates"][0] == {
        **summary["dates"][0],
        "text": "Feb. 26",
        "start": "2026-02-26",
        "end": "2026-02-26",
    }
    for participant in summary["participants"]:
        for evidence in participant["evidence"]:
            assert seed_article["text"][evidence["start"] : evidence["end"]] == evidence["quote"]


def test_file_reports_a_model_failure_and_exits_non_zero(
    model_env: None, model_server: respx.MockRouter, tmp_path: Path
) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Some article text.", encoding="utf-8")
    model_server.post("/chat/completions").mock(return_value=error(500, "boom"))

    result = CliRunner().invoke(main, ["file", str(article)])

    assert result.exit_code == 1
    assert '"status": 502' in result.output
