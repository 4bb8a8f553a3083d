"""Fuzz the API from its own OpenAPI document (schemathesis): schema-valid and schema-violating requests.

For every generated request: no server error (a 5xx other than the model-server problems 502/503/504),
schema-valid data accepted, schema-violating data rejected, and every response — status, content type,
headers, body — as documented. The model server is mocked (respx) and answers every question.
"""

import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import respx
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from service.api.app import create_app
from service.settings import Settings
from tests.conftest import MODEL_URL
from tests.factories import ModelServer, models_list

EXAMPLES_FOR_SUMMARIES = 600  # the main operation; the bounded run must reach MINIMUM_SUMMARY_CASES
EXAMPLES_PER_OTHER_OPERATION = 150
MINIMUM_SUMMARY_CASES = 500

# Stores and the job file in a directory of this run only (a fixed path would keep one run's jobs for the
# next); no job workers: the fuzz checks what the API answers, not what the workers do later.
STATE = tempfile.TemporaryDirectory(prefix="summarise-fuzz-")
APP = create_app(
    Settings(
        _env_file=None,  # type: ignore[call-arg]
        base_url=MODEL_URL,
        model="test-model",
        model_cache_dir=Path(STATE.name),
        job_workers=0,
        max_text_chars=5000,
    )
)
schema = schemathesis.openapi.from_asgi("/docs/openapi.json", APP)
generated: Counter[str] = Counter()
statuses: Counter[int] = Counter()


@pytest.fixture(scope="module")
def model_answers(request: pytest.FixtureRequest) -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=MODEL_URL, assert_all_mocked=True, assert_all_called=False) as model:
        model.post("/chat/completions").mock(side_effect=ModelServer())
        model.get("/models").mock(return_value=models_list())
        yield model
    if generated["POST /v1/summaries"] and not request.session.testsfailed:  # the run really was that large
        assert generated["POST /v1/summaries"] >= MINIMUM_SUMMARY_CASES, generated


def check(case: schemathesis.Case) -> None:
    generated[f"{case.method} {case.path}"] += 1
    if case.headers and "Idempotency-Key" in case.headers:
        # A generated key may repeat with another body, a 422 by design (tests/integration/test_replay.py).
        case.headers["Idempotency-Key"] = case.headers["Idempotency-Key"][:200] + uuid.uuid4().hex
    response = case.call()
    statuses[response.status_code // 100 * 100] += 1
    assert response.status_code < 500, response.text  # the mock answers every question: no 5xx is excusable
    # ninjs items are accepted loosely (any ninjs field), so a schema-valid item with no body text is a
    # documented 422 (`invalid-ninjs`); an iMatrics article becomes our article, with its rules (NUL, length);
    # a callback URL must also resolve to a public host (422 `callback-refused`). Every other check still
    # applies to those requests.
    has_callback = isinstance(case.body, dict) and case.body.get("callback_url") is not None
    loose = case.path.startswith(("/v1/ninjs/", "/v1/imatrics/")) or has_callback
    case.validate_response(response, excluded_checks=[positive_data_acceptance] if loose else None)


@schema.include(path="/v1/summaries", method="POST").parametrize()
@settings(max_examples=EXAMPLES_FOR_SUMMARIES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_summary_request_makes_a_server_error(
    case: schemathesis.Case, model_answers: respx.MockRouter
) -> None:
    check(case)


@schema.exclude(path="/v1/summaries", method="POST").parametrize()
@settings(max_examples=EXAMPLES_PER_OTHER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_to_the_other_operations_makes_a_server_error(
    case: schemathesis.Case, model_answers: respx.MockRouter
) -> None:
    check(case)
