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
    assert prompt.question_in("issues", "de") == "issues-de"
    assert prompt.question_in("subjects", "de") == "subjects"  # no German variant: the English question
    for language in ("de", "nb", "no", "sv"):  # what is written in the article's language, in its language
        code = "nb" if language == "no" else language
        for question in ("summary", "issues", "participants"):
            assert prompt.question_in(question, language) == f"{question}-{code}"
    german = prompt.render("summary-de", published="x", language="German", title="T", text="a", participants="-")[-1][
        "content"
    ]
    assert "auf Deutsch" in german


def test_a_composed_summary_is_its_parts_each_a_sentence_the_last_as_written() -> None:
    from service.core.questions import ComposedSummary

    headline = ComposedSummary(news="Talks resume in Geneva", detail="Envoys meet on Feb. 26.", open="")
    cut = ComposedSummary(news="Talks resume.", detail="", open="Witkoff called it a")

    assert headline.summary == "Talks resume in Geneva. Envoys meet on Feb. 26."  # a headline copied is ended
    assert cut.summary == "Talks resume. Witkoff called it a"  # left cut, for the unfinished check to see
    # Each part is its first sentence: a small model writes on past the three it was asked for.
    long = ComposedSummary(news="Envoys meet in Geneva on Feb. 26. U.S. officials said so.", detail="", open="")
    assert long.summary == "Envoys meet in Geneva on Feb. 26."
    # A part that repeats an earlier one is said once (a one-sentence article: the same sentence three times).
    same = ComposedSummary(news="Google bought a plot in Skien.", detail="Google bought a plot in Skien.", open="")
    assert same.summary == "Google bought a plot in Skien."
    # A part that starts midway is the rest of the one before: left out, and its first words said.
    rest = ComposedSummary(
        news="Turnout was 58%.", detail="and also a third to veto reforms.", open="iPhone sales fell."
    )
    assert rest.summary == "Turnout was 58%. iPhone sales fell."
    assert rest.midway() == ["and also a third to veto"]  # its first six words
    assert ComposedSummary(news="and so it began.", detail="", open="").summary == "and so it began."  # the news


def test_a_part_after_one_the_grammar_cut_at_its_limit_is_the_rest_of_that_sentence() -> None:
    from service.core.questions import ComposedSummary

    limit = ComposedSummary.model_fields["news"].metadata[-1].max_length

    def cut(text: str, ending: str) -> str:  # a part of exactly the limit's length, ending as given
        padded = text + "Die Bewerber " * 40
        return padded[: limit - len(ending)] + ending

    # German capitalises nouns: the rest of a cut sentence can start with a capital ("waren als | Kandidaten").
    news = cut("Die Wahl fand statt. ", " waren als")
    summary = ComposedSummary(news=news, detail="Kandidaten der Initiative. Sie trat an.", open="Ulbig verlor.")
    assert summary.summary == "Die Wahl fand statt. Ulbig verlor."
    assert summary.midway() == ["Kandidaten der Initiative."]
    # Cut twice: the detail goes on from the news, the open part from the detail; both left out, both said.
    detail = cut("Kandidaten der Initiative. ", " Staatsministerin seit St")
    twice = ComposedSummary(news=news, detail=detail, open="aatsministerin für Kunst. Ulbig verlor.")
    assert twice.summary == "Die Wahl fand statt."
    assert twice.midway() == ["Kandidaten der Initiative.", "aatsministerin für Kunst."]
    # A part of the limit's length that ends its sentence was not cut: the next part is its own.
    finished = cut("Die Wahl fand statt. ", " Die Wahl ist vorbei.")
    assert len(finished) == limit
    whole = ComposedSummary(news=finished, detail="Kandidaten traten an.", open="")
    assert whole.summary == "Die Wahl fand statt. Kandidaten traten an."
    # Ended by the model short of the limit, a headline without a full stop: the next part is its own too.
    headline = ComposedSummary(news="Die Wahl in Dresden", detail="Kandidaten traten an.", open="")
    assert headline.summary == "Die Wahl in Dresden. Kandidaten traten an."
