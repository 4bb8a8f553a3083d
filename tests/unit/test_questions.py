"""The question table: every row fills one field of the response and says how; the summary is said back to
the model once, in the question's words, where it is the response's."""

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from schemas import SummaryResponse
from service.core.alignment import ArticleText
from service.core.grounding import SummaryFacts, checked_against
from service.core.mediatopics import media_topics
from service.core.questions import (
    COMBINE,
    ISSUES,
    PARTICIPANTS,
    WITH_NAMES,
    WITHOUT_NAMES,
    ByCode,
    ComposedSummary,
    NarrowerAnswer,
    Question,
    Table,
    as_narrowed,
    narrower_answer,
    narrower_variables,
)
from service.model.client import SayBack

ARTICLE = ArticleText("Officials will hold talks in Geneva on Feb. 26, Special Envoy Steve Witkoff said.")


@pytest.mark.parametrize("table", [WITH_NAMES, WITHOUT_NAMES])
def test_the_rows_fill_every_field_of_the_response_once(table: Table) -> None:
    rows = [*table.in_turn, *table.at_the_end]
    filled = [row.fills for row in rows]

    assert sorted(filled) == sorted(set(SummaryResponse.model_fields) - {"id", "meta"})
    assert all(callable(row.ground) for row in rows)
    assert {question.name for question in table.asked} >= {row.name for row in rows if not isinstance(row, ByCode)}
    assert COMBINE.fills == "summary"


def test_a_summary_the_article_does_not_support_is_said_back_once() -> None:
    facts = SummaryFacts(ARTICLE, "en", None, [date(2026, 2, 26)])
    invented = {"news": "Over 900 officials will hold talks in Geneva on Feb. 26.", "detail": "", "open": ""}

    with checked_against(ARTICLE, facts):
        with pytest.raises(ValidationError) as raised:
            ComposedSummary.model_validate(invented)
        again = ComposedSummary.model_validate(invented)  # the answer to it is taken as it is

    said = raised.value.errors()[0]["ctx"]["error"]
    assert isinstance(said, SayBack)
    assert said.feedback == "Your summary gives '900', which the article does not. Use only its names and numbers."
    assert said.conversation([])[0] == {
        "role": "assistant",
        "content": '{"news": "Over 900 officials will hold talks in Geneva on Feb. 26.", "detail": "", "open": ""}',
    }
    assert again.news == invented["news"]
    assert ComposedSummary.model_validate(invented)  # no check in progress: a part's summary, or a test's


def test_a_summary_the_article_supports_is_not_said_back() -> None:
    facts = SummaryFacts(ARTICLE, "en", None, [date(2026, 2, 26)])
    supported = {"news": "Officials will hold talks in Geneva on Feb. 26.", "detail": "", "open": ""}

    with checked_against(ARTICLE, facts):
        assert ComposedSummary.model_validate(supported).summary == supported["news"]


def test_the_model_first_participants_question_is_held_to_five_names_and_the_issues_to_code_s_sentences() -> None:
    def held(question: Question[Any], listed: list[str]) -> int | None:
        schema = question.answer_for(listed).model_json_schema()
        return schema["properties"][question.fills].get("minItems")

    assert held(PARTICIPANTS, []) == 5  # no candidates of code's to count: the question's own floor
    assert held(ISSUES, ["one doubt"]) == 1  # as many as code found, when they are fewer
    assert held(ISSUES, ["one", "two", "three"]) == 2


def test_a_subject_is_narrowed_to_the_concept_the_model_names_among_those_listed() -> None:
    topics = media_topics()
    election = topics.get("medtop:20000574")
    assert election is not None
    narrower = topics.narrower(election)
    variables = narrower_variables(election, narrower)
    assert variables["broad"] == "election"
    assert '"local elections"' in variables["narrower"]
    assert '"national elections"' in variables["narrower"]
    # The labels are the schema's enum (a server with grammars holds the model to them), the subject's first.
    schema = narrower_answer(election, narrower).model_json_schema()
    options = schema["properties"]["subject"]["enum"]
    assert options[0] == "election"
    assert len(options) == len(narrower) + 1
    assert "local elections" in options
    assert as_narrowed(election, narrower, NarrowerAnswer(subject=" Local  Elections")).qcode == "medtop:20000578"
    # Another label (a server without grammars) is read, not re-asked: the subject stays as it was.
    answer = narrower_answer(election, narrower).model_validate({"subject": "elections"})
    assert as_narrowed(election, narrower, answer) is election
