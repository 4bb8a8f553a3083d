"""The job model's statuses, as the API spells them."""

from typing import Any, get_args

from pydantic import BaseModel

from schemas.jobs import CallbackState, JobRef, JobView
from service.jobs.model import CallbackStatus, JobStatus


def _literal_values(annotation: Any) -> set[str]:
    """The strings a `status` annotation allows: Literal[...], or Literal[...] | None."""
    if isinstance(annotation, str):
        return {annotation}
    return {value for arg in get_args(annotation) for value in _literal_values(arg)}


def test_the_api_spells_the_statuses_of_the_job_model() -> None:
    def allowed(model: type[BaseModel]) -> set[str]:
        return _literal_values(model.model_fields["status"].annotation)

    assert allowed(JobView) == {status.value for status in JobStatus}
    assert allowed(CallbackState) == {status.value for status in CallbackStatus}
    assert allowed(JobRef) == {JobStatus.queued.value}


def test_only_succeeded_and_failed_are_finished() -> None:
    assert {status for status in JobStatus if status.finished} == {JobStatus.succeeded, JobStatus.failed}
    assert JobStatus.of_outcome(None) == JobStatus.succeeded
    assert JobStatus.of_outcome({"type": "x"}) == JobStatus.failed
