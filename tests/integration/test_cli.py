"""`summarise file` runs the same pipeline as the API and prints the contract's JSON."""

import json
from pathlib import Path
from typing import Any

import pytest
import respx
from click.testing import CliRunner

from service.cli import main
from tests.conftest import MODEL_URL
from tests.factories import SEED_QUESTIONS, ModelServer, error


@pytest.fixture
def model_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("SUMMARISE_BASE_URL", MODEL_URL)
    monkeypatch.setenv("SUMMARISE_MODEL", "test-model")
    monkeypatch.setenv("SUMMARISE_TRANSIENT_ATTEMPTS", "1")
    monkeypatch.setenv("SUMMARISE_MODEL_CACHE_DIR", str(tmp_path / "cache"))  # never the user's own cache


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


def test_file_takes_the_api_request_body_and_its_options_replace_its_fields(
    model_env: None, model_server: respx.MockRouter, seed_article: dict[str, Any], tmp_path: Path
) -> None:
    article = tmp_path / "seed.json"
    article.write_text(json.dumps({**seed_article, "published": "2024-02-24"}), encoding="utf-8-sig")  # a BOM too
    model_server.post("/chat/completions").mock(side_effect=ModelServer())

    result = CliRunner().invoke(main, ["file", str(article), "--published", "2026-02-24"])

    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["id"] == seed_article["id"]
    assert summary["dates"][0]["start"] == "2026-02-26"  # Feb. 26 of the option's year, not the file's (2024)
    assert not any("published" in date["text"] for date in summary["dates"])  # the JSON is no article text


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("{not json", ""),
        ('["a list"]', ""),
        ('{"text": ""}', "text"),
        ('{"text": "x", "language": "english!"}', "language"),
    ],
)
def test_file_says_what_is_wrong_with_a_request_body(
    model_env: None, model_server: respx.MockRouter, tmp_path: Path, body: str, key: str
) -> None:
    article = tmp_path / "bad.json"
    article.write_text(body, encoding="utf-8")

    result = CliRunner().invoke(main, ["file", str(article)])

    assert result.exit_code == 1
    problem = json.loads(result.output)
    assert problem["status"] == 422
    assert problem["errors"][0]["key"] == key  # "": the body as a whole
    assert not model_server.calls


def test_file_reports_a_model_failure_and_exits_non_zero(
    model_env: None, model_server: respx.MockRouter, tmp_path: Path
) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Some article text.", encoding="utf-8")
    model_server.post("/chat/completions").mock(return_value=error(500, "boom"))

    result = CliRunner().invoke(main, ["file", str(article)])

    assert result.exit_code == 1
    assert '"status": 502' in result.output


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def records(path: Path) -> dict[str, dict[str, Any]]:
    return {record["id"]: record for record in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def test_batch_summarises_every_line_and_records_failures_without_stopping(
    model_env: None, model_server: respx.MockRouter, seed_article: dict[str, Any], tmp_path: Path
) -> None:
    server = ModelServer()
    model_server.post("/chat/completions").mock(side_effect=server)
    other = {**seed_article, "id": "other", "title": "Another title"}
    source = write_lines(
        tmp_path / "in.jsonl",
        [
            json.dumps(seed_article),
            "{not json",
            json.dumps({"id": "html", "text": "<p>One</p><p>Two</p><p>Three</p>"}),
            json.dumps(other),
            json.dumps({"text": seed_article["text"], "title": "No id"}),
        ],
    )
    output = tmp_path / "out.jsonl"

    result = CliRunner().invoke(main, ["batch", str(source), str(output), "--concurrency", "2"])

    assert result.exit_code == 0, result.output
    assert "3 summarised, 2 failed (error records), 0 already done" in result.output
    done = records(output)
    assert set(done) == {"000_seed_geneva", "line-2", "html", "other", "line-5"}
    assert done["000_seed_geneva"]["status"] == "ok"
    assert done["000_seed_geneva"]["summary"]["participants"]
    assert done["line-2"]["status"] == "error"
    assert done["line-2"]["error"]["type"].endswith("/bad-request")
    assert done["html"]["error"]["type"].endswith("/invalid-request")
    assert "looks like HTML" in done["html"]["error"]["detail"]
    assert done["line-5"]["summary"]["id"] == "line-5"


def test_batch_resumes_skipping_what_is_done_even_after_a_torn_last_line(
    model_env: None, model_server: respx.MockRouter, seed_article: dict[str, Any], tmp_path: Path
) -> None:
    server = ModelServer()
    model_server.post("/chat/completions").mock(side_effect=server)
    articles = [{**seed_article, "id": f"a{i}", "title": f"Title {i}"} for i in range(3)]
    source = write_lines(tmp_path / "in.jsonl", [json.dumps(article) for article in articles])
    output = tmp_path / "out.jsonl"
    output.write_text(
        json.dumps({"id": "a0", "status": "ok", "summary": {}}) + "\n" + '{"id": "a1", "status": "o', encoding="utf-8"
    )  # a0 finished; the run was killed while writing a1

    result = CliRunner().invoke(main, ["batch", str(source), str(output)])

    assert result.exit_code == 0, result.output
    assert "2 summarised, 0 failed (error records), 1 already done" in result.output
    assert len(server.asked) == 2 * len(SEED_QUESTIONS)  # a1 and a2 only
    assert set(records_skipping_torn(output)) == {"a0", "a1", "a2"}


def records_skipping_torn(path: Path) -> dict[str, dict[str, Any]]:
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        found[record["id"]] = record
    return found


def test_batch_with_nothing_left_to_do_loads_no_model(
    monkeypatch: pytest.MonkeyPatch, seed_article: dict[str, Any], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SUMMARISE_BASE_URL", raising=False)  # the embedded model, whose cache directory...
    (tmp_path / "a-file").write_text("not a directory")
    monkeypatch.setenv("SUMMARISE_MODEL_CACHE_DIR", str(tmp_path / "a-file" / "cache"))  # ...cannot exist
    source = write_lines(tmp_path / "in.jsonl", [json.dumps(seed_article)])
    output = write_lines(
        tmp_path / "out.jsonl", [json.dumps({"id": seed_article["id"], "status": "ok", "summary": {}})]
    )

    result = CliRunner().invoke(main, ["batch", str(source), str(output)])

    assert result.exit_code == 0, result.output
    assert "0 summarised, 0 failed (error records), 1 already done" in result.output
