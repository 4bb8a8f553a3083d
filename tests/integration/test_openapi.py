"""The OpenAPI document is one generated clients and validating gateways can trust: a valid document whose
request schemas accept what the README and docs/ show and refuse what the API refuses, with the statuses, problem
types, headers and security each route really has (checked against real answers, not against a list)."""

import json
import re
import shlex
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import respx
from jsonschema import Draft202012Validator, FormatChecker
from litestar.testing import AsyncTestClient
from openapi_spec_validator import validate

from service.api.access import hash_key
from service.api.app import create_app
from service.api.openapi import KINDS
from service.errors import PROBLEM_BASE
from service.settings import Settings
from tests.conftest import MODEL_URL
from tests.factories import ModelServer, error, models_list

Client = AsyncTestClient[Any]
ROOT = Path(__file__).parents[2]


async def document_of(api: Client) -> dict[str, Any]:
    response = await api.get("/docs/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def validator(document: dict[str, Any], schema: dict[str, Any], *, formats: bool) -> Draft202012Validator:
    """JSON Schema 2020-12 as a gateway runs it: `format` an annotation, unless `formats` asserts it."""
    # The document's `#/components/...` references resolve against a root that carries its components.
    root = {"allOf": [schema], "components": document["components"]}
    return Draft202012Validator(root, format_checker=FormatChecker() if formats else None)


def request_schema(document: dict[str, Any], path: str) -> dict[str, Any]:
    schema: dict[str, Any] = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return schema


DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def readme_requests() -> list[tuple[str, Any]]:
    """(path, body) of every curl in the README and docs/*.md that POSTs JSON: `-d '<json>'` or `-d @file`."""
    text = "\n".join(document.read_text(encoding="utf-8") for document in DOCUMENTS)
    requests = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for command in re.split(r"\n(?=curl )", block.replace("\\\n", " ")):
            if not command.startswith("curl ") or " -d " not in command:
                continue
            words = shlex.split(command.split("\n#")[0], comments=True)
            url = next(word for word in words if word.startswith("http"))
            data = words[words.index("-d") + 1]
            body = (ROOT / data[1:]).read_text(encoding="utf-8") if data.startswith("@") else data
            requests.append((httpx.URL(url).path, json.loads(body)))
    return requests


def test_the_readme_shows_requests_to_check() -> None:
    paths = [path for path, _ in readme_requests()]

    assert {"/v1/summaries", "/v1/ninjs/summaries", "/v1/jobs"} <= set(paths)


@pytest.mark.parametrize("formats", [False, True], ids=["format-as-annotation", "format-asserted"])
async def test_the_documented_request_schemas_accept_every_readme_request(api: Client, formats: bool) -> None:
    document = await document_of(api)

    validate(document)  # the OpenAPI 3.1 document itself
    for path, body in readme_requests():
        validator(document, request_schema(document, path), formats=formats).validate(body)
    schema = request_schema(document, "/v1/summaries")
    for example in document["components"]["schemas"]["ArticleRequest"]["examples"]:
        validator(document, schema, formats=formats).validate(example)


@pytest.mark.parametrize(
    "published", ["2026-02-24", "2026-02-24T09:30:00Z", "2026-02-24T09:30:00+01:00", None], ids=str
)
async def test_every_kind_of_published_value_matches_the_schema(api: Client, published: str | None) -> None:
    document = await document_of(api)
    body = {"text": "Talks resume in Geneva on Feb. 26.", "published": published}

    validator(document, request_schema(document, "/v1/summaries"), formats=False).validate(body)
    assert (await api.post("/v1/summaries", json={**body, "text": ""})).status_code == 422  # reached validation


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": 5},
        {"text": " \n\t"},
        {"text": "a\x00b"},
        {"text": "Talks.", "published": 20260224},
        {"text": "Talks.", "published": "Feb. 24"},
        {"text": "Talks.", "language": "English!"},
        {"text": "Talks.", "title": "t" * 1001},
        {"text": "Talks.", "id": "i" * 201},
    ],
    ids=["no-text", "text-number", "blank", "nul", "published-number", "published-words", "language", "title", "id"],
)
async def test_the_documented_request_schema_rejects_what_the_api_rejects(api: Client, body: dict[str, Any]) -> None:
    document = await document_of(api)
    schema = request_schema(document, "/v1/summaries")

    with pytest.raises(jsonschema.ValidationError):
        validator(document, schema, formats=True).validate(body)
    assert (await api.post("/v1/summaries", json=body)).status_code == 422


def assert_documented(document: dict[str, Any], method: str, path: str, response: httpx.Response) -> None:
    """The answer's status is documented for the route, its body matches that status's schema (the problem
    `type` included) and each of its headers we set is documented there."""
    operation = document["paths"][path][method]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method.upper()} {path} answered an undocumented {status}"
    documented = operation["responses"][status]
    media_type = response.headers["content-type"].split(";")[0]
    schema = documented["content"][media_type]["schema"]
    validator(document, schema, formats=True).validate(response.json())
    ours = {"x-request-id", "retry-after", "idempotent-replayed", "location"} | {
        name for name in response.headers if name.startswith("ratelimit-")
    }
    listed = {name.lower() for name in documented.get("headers", {})}
    assert {name for name in response.headers if name in ours} <= listed


async def test_each_route_documents_only_the_statuses_it_can_answer(api: Client) -> None:
    # The GET of a job reads no body and calls no model: none of the POSTs' body or model problems.
    document = await document_of(api)

    job = document["paths"]["/v1/jobs/{job_id}"]["get"]["responses"]
    assert set(job) == {"200", "401", "404", "429", "503"}
    jobs = document["paths"]["/v1/jobs"]["post"]["responses"]
    assert not {"502", "504"} & set(jobs)  # submitting queues; the model is asked later
    for unavailable in (job["503"], jobs["503"]):  # the job store's 503, never the model's
        assert "/store-unavailable" in json.dumps(unavailable)
        assert "/model-unavailable" not in json.dumps(unavailable)
    ninjs = document["paths"]["/v1/ninjs/summaries"]["post"]["responses"]
    assert "409" not in ninjs  # no Idempotency-Key there


async def test_every_documented_problem_is_a_row_of_the_one_table(api: Client) -> None:
    document = await document_of(api)
    rows = {(PROBLEM_BASE + kind.slug, kind.title, kind.status, kind.when) for kind in KINDS}

    documented = [
        tuple(example["value"][field] for field in ("type", "title", "status", "detail"))
        for item in document["paths"].values()
        for operation in item.values()
        for response in operation["responses"].values()
        for example in response.get("content", {}).get("application/problem+json", {}).get("examples", {}).values()
    ]

    assert documented
    assert set(documented) <= rows


async def test_problems_and_headers_are_as_documented(api: Client, model_server: respx.MockRouter) -> None:
    document = await document_of(api)
    model_server.post("/chat/completions").mock(side_effect=ModelServer())
    model_server.get("/models").mock(side_effect=httpx.ConnectError("refused"))
    text = "U.S. and Ukrainian officials will hold talks in Geneva on Feb. 26, Steve Witkoff said."
    answers = [
        ("get", "/v1/jobs/{job_id}", await api.get("/v1/jobs/no-such-job")),
        ("get", "/ready", await api.get("/ready")),
        ("get", "/health", await api.get("/health")),
        ("post", "/v1/summaries", await api.post("/v1/summaries", content=b"{", headers=_json)),
        (
            "post",
            "/v1/summaries",
            await api.post("/v1/summaries", content=b"text", headers={"content-type": "text/plain"}),
        ),
        ("post", "/v1/summaries", await api.post("/v1/summaries", json={"text": "<p>a</p><p>b</p><p>c</p>"})),
        ("post", "/v1/summaries", await api.post("/v1/summaries", json={"text": "x" * 70_000})),
        ("post", "/v1/ninjs/summaries", await api.post("/v1/ninjs/summaries", json={"headline": "no body"})),
        (
            "post",
            "/v1/jobs",
            await api.post("/v1/jobs", json={"articles": [{"text": text}], "callback_url": "ftp://x"}),
        ),
        ("post", "/v1/jobs", accepted := await api.post("/v1/jobs", json={"articles": [{"text": text}]})),
    ]
    key = {"Idempotency-Key": "k-1", **_json}
    first = await api.post("/v1/summaries", json={"text": text}, headers=key)
    replayed = await api.post("/v1/summaries", json={"text": text}, headers=key)
    answers += [("post", "/v1/summaries", first), ("post", "/v1/summaries", replayed)]
    answers.append(("post", "/v1/summaries", await api.post("/v1/summaries", json={"text": text + "!"}, headers=key)))

    assert [status for *_, status in [(m, p, r.status_code) for m, p, r in answers]] == [
        404, 503, 200, 400, 415, 422, 413, 422, 422, 202, 200, 200, 422
    ]  # fmt: skip
    assert replayed.headers["idempotent-replayed"] == "true"
    assert accepted.headers["location"] == accepted.json()["jobs"][0]["url"]
    for method, path, response in answers:
        assert_documented(document, method, path, response)


_json = {"content-type": "application/json"}


async def test_a_model_server_that_fails_answers_as_documented(api: Client, model_server: respx.MockRouter) -> None:
    document = await document_of(api)
    model_server.post("/chat/completions").mock(return_value=error(503, headers={"Retry-After": "600"}))

    response = await api.post("/v1/summaries", json={"text": "Talks resume in Geneva on Feb. 26."})

    assert response.status_code == 503
    assert response.headers["retry-after"] == "600"
    assert_documented(document, "post", "/v1/summaries", response)


async def test_keys_and_rate_limits_are_documented(tmp_path: Path) -> None:
    key = "sk-sum-test"
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        base_url=MODEL_URL,
        model="test-model",
        model_cache_dir=tmp_path,
        job_workers=0,
        api_key_hashes=[hash_key(key)],
        rate_limit_per_minute=2,
    )
    with respx.mock(base_url=MODEL_URL, assert_all_mocked=True, assert_all_called=False) as model:
        model.get("/models").mock(return_value=models_list())
        async with AsyncTestClient(app=create_app(settings)) as api:
            document = await document_of(api)
            schemes = document["components"]["securitySchemes"]
            assert schemes["bearer"] == {
                "type": "http",
                "scheme": "bearer",
                "description": schemes["bearer"]["description"],
            }
            assert (schemes["apiKey"]["in"], schemes["apiKey"]["name"]) == ("header", "X-API-Key")
            paths = document["paths"]
            for path in ("/v1/summaries", "/v1/ninjs/summaries", "/v1/ninjs/enrichments", "/v1/jobs"):
                assert paths[path]["post"]["security"] == [{"bearer": []}, {"apiKey": []}]
            assert paths["/v1/jobs/{job_id}"]["get"]["security"] == [{"bearer": []}, {"apiKey": []}]
            assert paths["/v1/imatrics/article/analysis"]["post"]["security"] == [{"basic": []}]  # Superdesk's client
            assert paths["/health"]["get"]["security"] == []  # open, and said so
            assert paths["/ready"]["get"]["security"] == []
            answers = [
                await api.get("/v1/jobs/j"),
                await api.get("/v1/jobs/j", headers={"X-API-Key": key}),
                await api.get("/v1/jobs/j", headers={"Authorization": f"Bearer {key}"}),
                await api.get("/v1/jobs/j", headers={"X-API-Key": key}),
            ]
            assert [answer.status_code for answer in answers] == [401, 404, 404, 429]
            assert "retry-after" in answers[-1].headers
            for answer in answers:
                assert_documented(document, "get", "/v1/jobs/{job_id}", answer)
