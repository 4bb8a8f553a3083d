"""Prompts are versioned files, loaded strictly."""

from importlib.resources import files
from pathlib import Path

import pytest
from pydantic import ValidationError

from service.model.prompts import PROMPTS_PACKAGE, load_prompt

REPO_PROMPTS = Path(__file__).resolve().parents[2] / "prompts"


def test_the_shipped_prompt_has_a_version_and_renders_the_article() -> None:
    prompt = load_prompt("summarise")

    messages = prompt.render(
        published="2026-02-24", language="English", title="T", text="The article $body with {braces}."
    )

    assert prompt.version.startswith("summarise-")
    assert [m["role"] for m in messages] == ["system", "user"]
    assert "<article>\nThe article $body with {braces}.\n</article>" in messages[1]["content"]
    assert "Published: 2026-02-24" in messages[1]["content"]


def test_a_missing_variable_is_an_error_not_an_empty_string() -> None:
    with pytest.raises(KeyError, match="text"):
        load_prompt("summarise").render(published="2026-02-24", language="English", title="T")


def test_an_unused_variable_is_an_error() -> None:
    with pytest.raises(ValueError, match="colour"):
        load_prompt("summarise").render(published="x", language="English", title="T", text="a", colour="blue")


def test_unknown_keys_in_a_prompt_file_are_refused(tmp_path: Path) -> None:
    (tmp_path / "odd.toml").write_text('version = "1"\nsystem = "s"\nuser = "u"\ntemperature = 0.3\n')

    with pytest.raises(ValidationError, match="temperature"):
        load_prompt("odd", tmp_path)


def test_every_prompt_in_the_repository_is_package_data_and_loads() -> None:
    shipped = {entry.name for entry in files(PROMPTS_PACKAGE).iterdir() if entry.name.endswith(".toml")}

    assert shipped == {path.name for path in REPO_PROMPTS.glob("*.toml")} >= {"summarise.toml", "naive.toml"}
    for name in shipped:
        assert load_prompt(name.removesuffix(".toml")).version


def test_an_unknown_prompt_name_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_prompt("no-such-prompt")
    with pytest.raises(FileNotFoundError):
        load_prompt("summarise", tmp_path)


def test_a_question_is_asked_in_the_articles_language_where_the_file_has_it_written_so() -> None:
    prompt = load_prompt("summarise")

    assert prompt.question_in("summary", "de") == "summary-de"
    assert prompt.question_in("summary", "de-AT") == "summary-de"
    assert prompt.question_in("summary", "en") == "summary"
    assert prompt.question_in("summary", None) == "summary"
    assert prompt.question_in("issues", "de") == "issues"  # no German variant: the English question
    german = prompt.render("summary-de", published="x", language="German", title="T", text="a")[-1]["content"]
    assert "auf Deutsch" in german
