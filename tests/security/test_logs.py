"""Issue 15, row 1: an unhandled error's traceback in the JSON log carries no local variable, so no key,
secret or article text that a frame happened to hold."""

import json
import logging

import pytest

from service.logs import configure_logging
from service.settings import Settings

KEY = "sk-sum-a-caller-key-7f3a"
SECRET = "whsec-per-key-signing-secret"
ARTICLE = "Special Envoy Steve Witkoff said the talks would resume"


def handler_that_fails(authorization: str, secret: str, text: str) -> None:
    headers = {"authorization": f"Bearer {authorization}"}
    raise RuntimeError(f"failed after reading {len(headers)} header and {len(text)} characters")


def test_a_traceback_in_the_log_shows_where_but_not_the_local_values(capfd: pytest.CaptureFixture[str]) -> None:
    configure_logging(Settings(log_json=True))
    try:
        handler_that_fails(KEY, SECRET, ARTICLE)
    except RuntimeError:
        logging.getLogger("summarise.test").exception("unhandled error on POST /v1/jobs")
    logging.getLogger().handlers[-1].flush()

    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    logged = next(line for line in lines if line["event"] == "unhandled error on POST /v1/jobs")
    frames = logged["exception"][0]["frames"]
    assert any(frame["name"] == "handler_that_fails" for frame in frames)  # the traceback is still there
    everything = json.dumps(lines)
    for leaked in (KEY, SECRET, ARTICLE):
        assert leaked not in everything
