"""The OpenAPI document as clients and gateways read it, and `/docs`, which renders it with no outside resource.

Litestar generates the document from the handlers and schemas/; `finished` then states what it cannot:
- `oneOf` only where the branches exclude each other (under JSON Schema 2020-12 `format` is an annotation, so
  `date-time | date` overlaps: every valid value matched two branches and validators rejected it), else `anyOf`;
- each problem response's `type` values and `status` (from the problem kinds its route lists, `problems`), the
  status as a one-value `enum`: openapi-python-client cannot merge `const` with the integer of Problem and drops
  the response (tests/integration/test_generated_clients.py generates a client and reads a problem with it);
- a property a generated client cannot name (ninjs 1.x `$standard`: the generator drops the `$` and collides
  with `standard`) as a `patternProperties` entry of its exact name, which validates the same;
- schemas that share a title (two pydantic `Concept`s) titled by their component name: generators name classes
  by title, and two classes of one name are one too many;
- the response headers: X-Request-ID on every answer, RateLimit-* on the rate-limited routes, Retry-After on
  429 and 503, Idempotent-Replayed on the answers of routes that take an Idempotency-Key, Location on a 202;
- `security: []` on the open routes (Litestar leaves it out; a route that answers 401 declares its scheme);
- a tag per resource (`/v1/jobs/...`: jobs; the probes: operations), for the viewer and generated clients.

`/docs` is Swagger UI from the pinned `swagger-ui-py` wheel (its files, never imported), served under
`/docs/assets/`: newsrooms run air-gapped, and a CDN script without SRI is someone else's code on our page.
"""

import copy
import json
import re
from collections import Counter
from dataclasses import dataclass
from http import HTTPStatus
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any

from litestar import Request, Router
from litestar.enums import MediaType
from litestar.openapi import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin
from litestar.openapi.spec import Components, Example, License, SecurityRequirement, SecurityScheme
from litestar.static_files import create_static_files_router

from schemas import Problem
from service.adapters.ninjs import MAX_HTML_ELEMENTS
from service.api.problems import PROBLEM_MEDIA_TYPE, slug_for
from service.errors import (
    PROBLEM_BASE,
    ArticleTooLong,
    BacklogFull,
    BadInputLine,
    CallbackRefused,
    IdempotencyKeyInProgress,
    IdempotencyKeyReused,
    InvalidNinjs,
    JobAbandoned,
    ModelOutputInvalid,
    ModelServerError,
    ModelTimeout,
    ModelUnavailable,
    Overloaded,
    StoreUnavailable,
    SummariseError,
)
from service.settings import Settings

DOCS_PATH = "/docs"
ASSETS_PATH = "/assets"
SWAGGER_UI_DISTRIBUTION = "swagger-ui-py"
_ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png")


@dataclass(frozen=True)
class ProblemKind:
    """One problem the API may answer: its status, `type` slug, title, and when it happens. `when` is written
    here only: routes document it (`problems`) and docs/contract.md's table of errors is made from `KINDS`."""

    status: int
    slug: str
    title: str
    when: str


def _setting(name: str, unit: str = "") -> str:
    """A setting as the contract names it, with its default (read from Settings: written there once)."""
    default = Settings.model_fields[name].default
    return f"`SUMMARISE_{name.upper()}` ({default:,.0f}{unit})"


def _kind(error: type[SummariseError], when: str) -> ProblemKind:
    return ProblemKind(error.status, error.slug, error.title, when)


def _http(status: int, when: str) -> ProblemKind:
    """A problem Litestar raises: service.api.problems gives it its slug, and the status phrase as title."""
    return ProblemKind(status, slug_for(status), HTTPStatus(status).phrase, when)


# Every problem and when it is answered, in the order docs/contract.md lists them (no `|`: they are table cells).
INVALID = ProblemKind(
    422,
    "invalid-request",
    "Invalid request",
    "missing / empty / non-string `text` (empty: nothing but blanks, Unicode's included: NBSP, ideographic space, "
    "zero-width space, BOM), NUL characters in `text`, `title` or `id`, invalid `published` (not an ISO string) or "
    "`language`, or `text` that is HTML (three or more tags such as `<p>`, `<div>`, `<br>`: send plain text, since "
    "evidence offsets refer to the text as sent); `errors` lists each field",
)
BAD_BODY = _http(
    400, 'an empty body ("the body is empty"), malformed JSON, a body that is not UTF-8, JSON nested too deeply'
)
BODY_TIMEOUT = _http(408, f"a body not arrived whole within {_setting('body_timeout_s', ' s')}")
UNAUTHORIZED = _http(401, "no API key, or a wrong one (when keys are configured)")
RATE_LIMITED = _http(429, "over the rate limit of this API key, or address (`Retry-After`)")
NOT_JSON = _http(415, "body not `application/json`")
BODY_TOO_LARGE = _http(
    413,
    f"body over {_setting('max_body_bytes', ' bytes')}: refused from `Content-Length`, or reading stops at the limit",
)
ARTICLE_TOO_LONG = _kind(
    ArticleTooLong,
    f"text over {_setting('max_text_chars')}, for `POST /v1/jobs` at submission, naming the article "
    f"(`articles[3]: ...`); or a ninjs HTML body of more than {MAX_HTML_ELEMENTS:,} elements",
)
MODEL_UNAVAILABLE = _kind(
    ModelUnavailable,
    "model server unreachable, rate-limiting (429 after retries, or a `Retry-After` beyond the budget left), or 503 "
    "after retries (its URL shown without userinfo or query, as everywhere)",
)
MODEL_TIMEOUT = _kind(ModelTimeout, "model server or the request budget ran out of time")
MODEL_ERROR = _kind(
    ModelServerError,
    "model server failed (5xx after retries, or something that is not an answer), or refused our request (a 4xx)",
)
MODEL_OUTPUT = _kind(ModelOutputInvalid, "the model never produced a valid answer (`detail` has the last error)")
CALLBACK_REFUSED = _kind(
    CallbackRefused,
    "`callback_url` malformed (bad port, unbalanced `[`), not as it would be sent (a space or control character), "
    "not http(s), with credentials, or reaching an internal address",
)
BACKLOG_FULL = _kind(
    BacklogFull,
    f"`POST /v1/jobs` beyond the key's {_setting('job_backlog_per_key')} jobs queued or running (`Retry-After`)",
)
STORE_UNAVAILABLE = _kind(
    StoreUnavailable,
    "the store cannot be reached (Redis down, restarting or refusing writes; the SQLite job file's directory gone, "
    "unreadable or locked past 30 s): `POST /v1/jobs`, `GET /v1/jobs/{id}`, `/ready`, a request with an "
    "`Idempotency-Key`, and with `SUMMARISE_RATE_LIMIT_PER_MINUTE` on Redis every keyed request (`Retry-After: 5`; "
    "summaries skip the cache meanwhile)",
)
OVERLOADED = _kind(
    Overloaded,
    "the queue before the model full (`SUMMARISE_MAX_QUEUED_SUMMARIES`, 32, beyond the "
    "`SUMMARISE_MAX_CONCURRENT_SUMMARIES` at the model), at once; or a summary queued for "
    "`SUMMARISE_REQUEST_BUDGET_S` (`Retry-After`)",
)
NO_NINJS_BODY = _kind(
    InvalidNinjs,
    "a ninjs item this service cannot summarise (no body nor text description it can read), or a `version` query "
    "parameter other than "
    "1.6, 2.2 or 3.1",
)
KEY_REUSED = _kind(IdempotencyKeyReused, "an `Idempotency-Key` used before with another body")
IN_PROGRESS = _kind(
    IdempotencyKeyInProgress, "an `Idempotency-Key` whose first request is still running (`Retry-After`)"
)
NOT_FOUND = _http(404, "`GET /v1/jobs/{id}` of no job, or of another caller's")
NO_SUCH_CONCEPT = _http(404, "an iMatrics concept search whose `operation=id` names no IPTC Media Topic")
NOT_READY = _http(
    503, "`/ready`: the model server is not answering, a job worker loop of this process died, or jobs are stalled"
)
JOB_ABANDONED = _kind(
    JobAbandoned,
    f"(a job's `error`, not a response) its runs all ended without a result, 1 + {_setting('job_takeovers')} times",
)
BAD_LINE = _kind(
    BadInputLine,
    "(a line's `error` in `summarise batch`'s output, not a response) a line that is not JSON, or not an object",
)
KINDS = (
    INVALID,
    BAD_BODY,
    BODY_TIMEOUT,
    UNAUTHORIZED,
    RATE_LIMITED,
    NOT_JSON,
    BODY_TOO_LARGE,
    ARTICLE_TOO_LONG,
    MODEL_UNAVAILABLE,
    MODEL_TIMEOUT,
    MODEL_ERROR,
    MODEL_OUTPUT,
    CALLBACK_REFUSED,
    BACKLOG_FULL,
    STORE_UNAVAILABLE,
    OVERLOADED,
    NO_NINJS_BODY,
    KEY_REUSED,
    IN_PROGRESS,
    NOT_FOUND,
    NO_SUCH_CONCEPT,
    NOT_READY,
    JOB_ABANDONED,
    BAD_LINE,
)

# What every route behind the key guard may answer, and what every one that reads a body may.
GUARDED = (UNAUTHORIZED, RATE_LIMITED)
BODY = (BAD_BODY, BODY_TOO_LARGE, NOT_JSON, INVALID)
MODEL = (ARTICLE_TOO_LONG, MODEL_ERROR, MODEL_OUTPUT, OVERLOADED, MODEL_UNAVAILABLE, MODEL_TIMEOUT)


def problems(*kinds: ProblemKind) -> dict[int, ResponseSpec]:
    """The `responses=` of a route: one problem+json response per status, one example per problem type."""
    by_status: dict[int, list[ProblemKind]] = {}
    for kind in kinds:
        by_status.setdefault(kind.status, []).append(kind)
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=_sentence("; or ".join(kind.when for kind in listed)),
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,
            examples=[
                Example(
                    summary=kind.slug,
                    value={
                        "type": PROBLEM_BASE + kind.slug,
                        "title": kind.title,
                        "status": status,
                        "detail": kind.when,
                    },
                )
                for kind in listed
            ],
        )
        for status, listed in sorted(by_status.items())
    }


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


PROBLEMS_TABLE = (
    "<!-- made from service/api/openapi.py's KINDS by `python -m service.api.openapi --problems docs/contract.md` -->",
    "<!-- end of the table made from KINDS -->",
)


def problems_table() -> str:
    """docs/contract.md's table of errors: one row per kind, its `when` the situation."""
    rows = [f"| {kind.when} | {kind.status} | `{kind.slug}` |" for kind in KINDS]
    return "\n".join(["| situation | status | `type` ends with |", "|---|---|---|", *rows])


def with_problems_table(markdown: str) -> str:
    """`markdown` with what lies between the `PROBLEMS_TABLE` markers made anew from `KINDS`."""
    begin, end = PROBLEMS_TABLE
    if begin not in markdown or end not in markdown.split(begin, 1)[1]:
        raise ValueError(f"no table of errors to make: the file lacks the lines {begin!r} and {end!r}")
    head, rest = markdown.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{problems_table()}\n{end}{tail}"


def api_security(keys_configured: bool) -> list[SecurityRequirement]:
    """Either scheme; with no key configured the server also takes anonymous calls (`{}`)."""
    return [{"bearer": []}, {"apiKey": []}, *([] if keys_configured else [{}])]


_HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "The request's id in our logs: the client's own X-Request-ID when it is 1-128 of "
        "`A-Za-z0-9._:-`, else a new one.",
        "required": True,
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:\\-]{1,128}$"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "Location": {
        "description": "Where to follow the accepted work: the job's URL when one article was submitted (a batch "
        "has no one place: its jobs' URLs are in the body).",
        "schema": {"type": "string", "format": "uri-reference"},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the same Idempotency-Key.",
        "schema": {"type": "string", "enum": ["true"]},
    },
    **{
        f"RateLimit-{name}": {
            "description": f"{meaning} (only when SUMMARISE_RATE_LIMIT_PER_MINUTE is set).",
            "schema": {"type": "string" if name == "Policy" else "integer"},
        }
        for name, meaning in (
            ("Policy", "The limit's policy, e.g. `100; w=60`"),
            ("Limit", "Requests allowed in the window"),
            ("Remaining", "Requests left in the window"),
            ("Reset", "Seconds until the window resets"),
        )
    },
}


def finished(document: dict[str, Any]) -> dict[str, Any]:
    """Litestar's document with what it cannot state (see the module's docstring); `document` is not changed."""
    document = copy.deepcopy(document)
    _overlapping_one_of_to_any_of(document)
    components = document.setdefault("components", {})
    components["headers"] = _HEADERS
    _nameable_properties(components.get("schemas", {}))
    _unique_titles(components.get("schemas", {}))
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for path, operation in _operations(document):
        guarded = "security" in operation
        if "401" not in operation.get("responses", {}):
            operation.setdefault("security", [])  # open to anyone, said so (Litestar leaves it out)
        operation.setdefault("tags", [_tag(path)])
        idempotent = any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", []))
        responses = operation.get("responses", {})
        for status in [status for status in responses if status >= "400"]:
            if PROBLEM_MEDIA_TYPE not in responses[status].get("content", {}):
                # Litestar's own 400 for handlers with parameters: ours are problems, and invalid input a 422
                del responses[status]
        for status, response in responses.items():
            headers = response.setdefault("headers", {})
            names = ["X-Request-ID"]
            if guarded:
                names += [f"RateLimit-{name}" for name in ("Policy", "Limit", "Remaining", "Reset")]
            if status in ("429", "503") and guarded:
                names.append("Retry-After")
            if idempotent and status.startswith("2"):
                names.append("Idempotent-Replayed")
            if status == "202":
                names.append("Location")
            for name in names:
                headers.setdefault(name, {"$ref": f"#/components/headers/{name}"})
            content = response.get("content", {}).get(PROBLEM_MEDIA_TYPE)
            if content is not None:
                types = [example["value"]["type"] for example in content.get("examples", {}).values()]
                content["schema"] = {
                    "allOf": [
                        problem_ref,
                        {"properties": {"type": {"enum": types}, "status": {"enum": [int(status)]}}},
                    ]
                }
    used = dict.fromkeys(tag for _, operation in _operations(document) for tag in operation["tags"])
    document["tags"] = [{"name": tag, **({"description": _TAGS[tag]} if tag in _TAGS else {})} for tag in used]
    return document


_TAGS = {
    "summaries": "One article in, its summary out.",
    "ninjs": "IPTC ninjs items in and out.",
    "jobs": "Articles summarised in the background, with signed callbacks.",
    "imatrics": "What a stock Superdesk's iMatrics client calls, answered by this service.",
    "schemas": "The schemas our answers name.",
    "operations": "Probes for orchestrators: no key, no rate limit.",
}


def _nameable_properties(schemas: dict[str, Any]) -> None:
    """`$`-named optional properties moved to `patternProperties` with their exact name: the same validation."""
    for schema in schemas.values():
        properties = schema.get("properties", {})
        for name in [name for name in properties if name.startswith("$") and name not in schema.get("required", [])]:
            schema.setdefault("patternProperties", {})[f"^{re.escape(name)}$"] = properties.pop(name)


def _unique_titles(schemas: dict[str, Any]) -> None:
    """A title two schemas share becomes each one's component name (`summary_Concept`, `imatrics_Concept`)."""
    titles = Counter(schema.get("title") for schema in schemas.values())
    for name, schema in schemas.items():
        if titles[schema.get("title")] > 1 and "title" in schema:
            schema["title"] = name


def _operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    methods = ("get", "put", "post", "delete", "patch", "head", "options")
    paths = document.get("paths", {})
    return [(path, op) for path, item in paths.items() for method, op in item.items() if method in methods]


def _tag(path: str) -> str:
    """An operation's group in the viewer: its resource (/v1/jobs/{id}: jobs), or operations for the probes."""
    parts = [part for part in path.split("/") if part and part != "v1"]
    one_segment = len(parts) == 1 and not path.startswith("/v1/")  # /health, /ready
    return "operations" if one_segment or not parts else parts[0]


def _overlapping_one_of_to_any_of(node: Any) -> None:
    if isinstance(node, dict):
        branches = node.get("oneOf")
        if isinstance(branches, list) and not _disjoint(branches):
            node["anyOf"] = node.pop("oneOf")
        for value in node.values():
            _overlapping_one_of_to_any_of(value)
    elif isinstance(node, list):
        for value in node:
            _overlapping_one_of_to_any_of(value)


def _disjoint(branches: list[Any]) -> bool:
    """Branches no value can match twice: each of one distinct JSON type (integer is a number, so not both)."""
    types = [branch.get("type") if isinstance(branch, dict) else None for branch in branches]
    if not all(isinstance(kind, str) for kind in types):
        return False
    return len(set(types)) == len(types) and not {"integer", "number"} <= set(types)


class _FinishedJson(JsonRenderPlugin):
    """`/docs/openapi.json`: the finished document, made once."""

    def __init__(self) -> None:
        super().__init__()
        self._made: tuple[int, bytes] | None = None

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        if self._made is None or self._made[0] != id(openapi_schema):
            self._made = (id(openapi_schema), self.render_json(request, finished(openapi_schema)))
        return self._made[1]


class OfflineSwaggerUI(OpenAPIRenderPlugin):
    """Swagger UI from the installed `swagger-ui-py` wheel's files, served under /docs/assets/."""

    def __init__(self, assets: Path) -> None:
        super().__init__(path="/swagger", media_type=MediaType.HTML, favicon="", style="")
        self.assets = assets

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = openapi_schema["info"]["title"]
        base = f"{DOCS_PATH}{ASSETS_PATH}"
        config = {
            "url": f"{DOCS_PATH}/openapi.json",
            "dom_id": "#swagger-ui",
            "deepLinking": True,
            "validatorUrl": None,  # else Swagger UI asks validator.swagger.io for a badge
        }
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" type="image/png" href="{base}/favicon-32x32.png">
<link rel="stylesheet" href="{base}/swagger-ui.css">
<style>body {{ margin: 0 }}</style>
</head>
<body>
<div id="swagger-ui"></div>
<script src="{base}/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({json.dumps(config)});</script>
</body>
</html>
""".encode()

    def receive_router(self, router: Router) -> None:
        router.register(
            create_static_files_router(
                ASSETS_PATH, directories=[self.assets], include_in_schema=False, name="docs-assets"
            )
        )


def swagger_ui_assets() -> Path:
    """The static files of the pinned swagger-ui-py wheel, found by its metadata (the package is never imported)."""
    try:
        static = Path(str(distribution(SWAGGER_UI_DISTRIBUTION).locate_file("swagger_ui/static")))
    except PackageNotFoundError:
        raise RuntimeError(f"/docs needs the {SWAGGER_UI_DISTRIBUTION} package: pip install summarise") from None
    missing = [name for name in _ASSETS if not (static / name).is_file()]
    if missing:
        raise RuntimeError(f"{SWAGGER_UI_DISTRIBUTION} at {static} lacks {', '.join(missing)}")
    return static


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Structured summarisation API",
        version="0.1.0",
        description="POST an article; get a neutral summary with participants, dates and open issues, "
        "each grounded in verbatim quotes whose offsets the service checked.",
        path=DOCS_PATH,
        license=License(name="Apache-2.0", identifier="Apache-2.0"),
        render_plugins=[OfflineSwaggerUI(swagger_ui_assets()), _FinishedJson()],
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="`Authorization: Bearer <key>`: a key whose SHA-256 is in SUMMARISE_API_KEY_HASHES.",
                ),
                # Superdesk's iMatrics client: the key as the basic-auth password (any user name).
                "basic": SecurityScheme(type="http", scheme="basic", description="The key as the password."),
                "apiKey": SecurityScheme(
                    type="apiKey",
                    name="X-API-Key",
                    security_scheme_in="header",
                    description="The same key in `X-API-Key`.",
                ),
            }
        ),
    )


def main() -> None:
    """`python -m service.api.openapi`: the finished document on stdout, for `make lint` to validate;
    `python -m service.api.openapi --problems FILE`: FILE's table of errors (docs/contract.md) made from `KINDS`."""
    import sys
    import tempfile

    if sys.argv[1:2] == ["--problems"]:
        if len(sys.argv) != 3:
            sys.exit("usage: python -m service.api.openapi --problems docs/contract.md")
        markdown = Path(sys.argv[2])
        try:
            markdown.write_text(with_problems_table(markdown.read_text(encoding="utf-8")), encoding="utf-8")
        except (OSError, ValueError) as error:
            sys.exit(f"{markdown}: {error}")
        return

    from litestar.serialization import encode_json

    from service.api.app import create_app

    with tempfile.TemporaryDirectory(prefix="summarise-openapi-") as state:
        settings = Settings(
            _env_file=None,
            base_url="http://127.0.0.1:9/v1",  # never asked: the document needs no model
            model="any",
            model_cache_dir=Path(state),
            job_workers=0,
        )
        document = create_app(settings).openapi_schema.to_schema()
    print(encode_json(finished(document)).decode())


if __name__ == "__main__":
    main()
