"""An article longer than the model's context is split at paragraphs, each part asked, results merged."""

import itertools
from typing import Any

import httpx
import pytest
import respx
from litestar.testing import AsyncTestClient

from service.api.app import create_app
from service.core.chunking import split_paragraphs
from service.settings import Settings
from tests.factories import ModelServer, composed

PARAGRAPH = (
    "Mayor Ana Ruiz of Springfield said on Monday that the council will vote on the budget next week. "
    "Council member Tom Berg said the vote could slip to July, and the union has not agreed. "
)


def long_article(paragraphs: int) -> str:
    return "\n\n".join(f"Part {n}. {PARAGRAPH}" for n in range(1, paragraphs + 1))


def test_parts_are_cut_at_paragraphs_fit_the_limit_and_overlap_by_one() -> None:
    text = long_article(6)

    parts = split_paragraphs(text, 600)

    assert len(parts) >= 3
    for start, end in parts:
        assert end - start <= 600
        assert text[start:].startswith("Part ")  # starts at a paragraph
    for (_, previous_end), (next_start, _) in itertools.pairwise(parts):
        assert next_start < previous_end  # the next part repeats the last paragraph of the one before
    assert parts[0][0] == 0
    assert parts[-1][1] == len(text)


def test_an_overlong_paragraph_is_cut_at_spaces() -> None:
    text = "word " * 500

    parts = split_paragraphs(text.strip(), 300)

    assert all(end - start <= 300 for start, end in parts)
    assert parts[-1][1] == len(text.strip())


@pytest.mark.parametrize("ner", [True, pytest.param(False, marks=pytest.mark.model_first)], ids=["ner", "model-first"])
async def test_a_long_article_is_summarised_in_parts_within_the_context(
    settings: Settings, model_server: respx.MockRouter, ner: bool
) -> None:
    text = long_article(40)
    answers = {
        "participants": {
            "participants": [{"name": "Ana Ruiz", "kind": "person", "role": "mayor", "aliases": ["Mayor Ana Ruiz"]}]
        },
        "summary": composed("A budget vote is planned."),
        "issues": {
            "open_issues": [
                {
                    "issue": "Whether the vote slips to July.",
                    "quote": "the vote could slip to July",
                }
            ],
        },
        "combine": {"summary": "Springfield's council plans a budget vote that may slip to July."},
    }
    server = ModelServer(answers)
    model_server.post("/chat/completions").mock(side_effect=server)
    tokenize = model_server.post("http://model.test/tokenize").mock(
        return_value=httpx.Response(200, json={"tokens": list(range(len(text) // 4))})
    )
    app = create_app(settings.model_copy(update={"context_tokens": 2048, "max_output_tokens": 256}))
    async with AsyncTestClient(app=app) as client:
        response = await client.post("/v1/summaries", json={"text": text, "published": "2025-06-03"})

    assert response.status_code == 200, response.text
    body = response.json()
    chunks = body["meta"]["chunks"]
    assert chunks > 1
    assert tokenize.called
    assert server.count("issues") == server.count("summary") == chunks
    assert server.count("participants") == (0 if ner else chunks)  # NER reads the whole article at once
    assert server.count("combine") == 1
    assert body["summary"] == "Springfield's council plans a budget vote that may slip to July."
    for request in server.requests["issues"] + server.requests.get("participants", []):
        article = request["messages"][1]["content"]
        assert len(article) < len(text)  # no request carries the whole article
    names = [p["name"] for p in body["participants"]]
    if ner:  # NER's, once each however many parts name them
        assert "Tom Berg" in names
        assert len(names) == len(set(names))
    else:
        assert names == ["Ana Ruiz"]  # the model's answers merged across parts
    assert len(body["open_issues"]) == 1
    for item in body["participants"] + body["dates"] + body["open_issues"]:
        for evidence in item["evidence"]:
            assert text[evidence["start"] : evidence["end"]] == evidence["quote"]
    texts: dict[str, Any] = {d["text"]: d for d in body["dates"]}
    assert texts["next week"]["start"] == "2025-06-09"
    assert texts["next week"]["event"].endswith("said on Monday that the council will vote on the budget next week")
