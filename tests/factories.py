"""Real-shaped OpenAI chat-completion payloads, as a llama.cpp or OpenAI server returns them, and a mock
model server that answers each of the pipeline's questions (recognised by the schema it asks for)."""

import json
from collections.abc import Callable
from typing import Any

import httpx

from service.core.questions import COMBINE, KIND, NARROWER, QUESTIONS, QUESTIONS_WITHOUT_NAMES
from service.evaluation.naive import NaiveSummary

SEED_PARTICIPANTS: dict[str, Any] = {
    "participants": [
        {
            "name": "Steve Witkoff",
            "kind": "person",
            "role": "U.S. Special Envoy; announced the talks",
            "affiliation": "United States",
            "aliases": ["Witkoff", "Special Envoy Steve Witkoff"],
        },
        {"name": "Jared Kushner", "kind": "person", "role": "co-leader of the American delegation", "aliases": []},
        {"name": "Rustem Umerov", "kind": "person", "role": "NSDC Secretary", "aliases": ["Umerov"]},
        {"name": "Kremlin", "kind": "organization", "role": "did not confirm the timeline", "aliases": []},
    ]
}
SEED_SUMMARY: dict[str, Any] = {
    "news": "U.S. and Ukrainian officials plan more talks in Geneva on Feb. 26.",
    "detail": "",
    "open": "The timing is not confirmed by the Kremlin.",
}
SEED_SUMMARY_TEXT = f"{SEED_SUMMARY['news']} {SEED_SUMMARY['open']}"  # the response's summary: its parts in turn


def composed(news: str, detail: str = "", open_: str = "") -> dict[str, Any]:
    """An answer to the summary question, in its parts (the news, a detail, what is open)."""
    return {"news": news, "detail": detail, "open": open_}


SEED_ISSUES: dict[str, Any] = {
    "open_issues": [
        {
            "issue": "The timeline of the talks is not confirmed.",
            "quote": "The Kremlin did not confirm the timeline for the talks.",
        }
    ],
}


# A subject term as the embedded model gives it for the seed: the kind of event.
SEED_SUBJECTS: dict[str, Any] = {"subjects": ["peace talks"]}


# What a name code is unsure of is (`questions.KIND`), and whether an organisation that acts is a person: the
# seed's (the Yalta European Strategy; the Kremlin, which "did not confirm") organisations.
SEED_KIND: dict[str, Any] = {"kind": "organization"}
# The questions asked of the seed where NER reads it, in order: what its unsure name and its acting
# organisation named once are, then the table.
SEED_QUESTIONS = ("kind", "kind", "summary", "issues", "subjects")


SEED_ANSWERS: dict[str, Any] = {
    "kind": SEED_KIND,
    "participants": SEED_PARTICIPANTS,
    "issues": SEED_ISSUES,
    "summary": SEED_SUMMARY,
    "subjects": SEED_SUBJECTS,
    # The seed's subject has no narrower concept; asked of another, "peace talks" is none of those listed: kept.
    "narrower": {"subject": "peace talks"},
}
# The warning of a summary made model-first (no pipeline for the language, or NER off: tests marked model_first).
NO_NER = "language 'en': no named-entity pipeline for this language: participants are the model's own list"
# Which question a request asks, by the name of the schema it sends: from the pipeline's question table.
QUESTION_OF_SCHEMA = {
    q.answer.__name__: q.name for q in (*QUESTIONS, *QUESTIONS_WITHOUT_NAMES, COMBINE, KIND, NARROWER)
} | {NaiveSummary.__name__: "naive"}


def chat_completion(
    content: dict[str, Any] | str,
    *,
    finish_reason: str = "stop",
    prompt_tokens: int = 900,
    completion_tokens: int = 300,
    model: str = "test-model",
) -> dict[str, Any]:
    text = content if isinstance(content, str) else json.dumps(content)
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_790_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": finish_reason,
                "message": {"role": "assistant", "content": text},
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def tool_call_completion(arguments: dict[str, Any], *, name: str) -> dict[str, Any]:
    payload = chat_completion("", finish_reason="tool_calls")
    payload["choices"][0]["message"] = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}
        ],
    }
    return payload


def answer(content: dict[str, Any] | str, **kwargs: Any) -> httpx.Response:
    return httpx.Response(200, json=chat_completion(content, **kwargs))


def error(status: int, message: str = "error", headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"error": {"message": message, "type": "server_error"}}, headers=headers)


def models_list(model: str = "test-model") -> httpx.Response:
    return httpx.Response(200, json={"object": "list", "data": [{"id": model, "object": "model", "owned_by": "me"}]})


def question_of(request: httpx.Request) -> str:
    """Which of the pipeline's questions a chat-completion request asks, from the schema it sends."""
    body = json.loads(request.content)
    if "response_format" in body:
        name = body["response_format"]["json_schema"]["name"]
    else:
        name = body["tools"][0]["function"]["name"]
    return QUESTION_OF_SCHEMA[name]


Reply = httpx.Response | dict[str, Any] | str | Callable[[dict[str, Any]], dict[str, Any]]


class ModelServer:
    """Answers each question from its own script: a reply, or a list of replies given in turn (the last
    one repeats). Records which question each request asked, in order."""

    def __init__(self, replies: dict[str, Reply | list[Reply]] | None = None, *, tools: bool = False) -> None:
        self.replies = {**SEED_ANSWERS, **(replies or {})}
        self.tools = tools
        self.asked: list[str] = []
        self.requests: dict[str, list[dict[str, Any]]] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        question = question_of(request)
        turn = sum(1 for asked in self.asked if asked == question)
        self.asked.append(question)
        self.requests.setdefault(question, []).append(json.loads(request.content))
        script = self.replies[question]
        reply = script[min(turn, len(script) - 1)] if isinstance(script, list) else script
        if callable(reply):  # made from the request, as a model reads its prompt
            reply = reply(self.requests[question][-1])
        if isinstance(reply, httpx.Response):
            return reply
        if self.tools:
            name = next(schema for schema, q in QUESTION_OF_SCHEMA.items() if q == question)
            return httpx.Response(200, json=tool_call_completion(reply, name=name))  # type: ignore[arg-type]
        return answer(reply)

    def count(self, question: str) -> int:
        return self.asked.count(question)
