"""Issue 15, row 6: a model server URL is shown without its userinfo or query, in `/ready`, in the 503
problems that name the server and in the logs (the open `/ready` showed `http://user:secret@...`)."""

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from litestar.testing import AsyncTestClient

from service.api.app import create_app
from service.logs import shown_url
from service.settings import Settings

SECRET_URL = "http://user:secret@model.test/v1?key=x"
SHOWN = "http://model.test/v1"


@pytest.fixture
def unreachable_model() -> Iterator[respx.MockRouter]:
    """The model server at SECRET_URL refuses every connection."""
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        router.route(host="model.test").mock(side_effect=httpx.ConnectError("connection refused"))
        yield router


@pytest.fixture
def secret_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"base_url": SECRET_URL, "transient_attempts": 1, "log_level": "DEBUG", "log_json": True}
    )


def assert_redacted(text: str) -> None:
    for leaked in ("secret", "user:", "key=x"):
        assert leaked not in text


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (SECRET_URL, SHOWN),
        ("https://token@api.example.com:8443/v1/", "https://api.example.com:8443/v1/"),
        ("http://[::1]:8080/v1?api-key=1#frag", "http://[::1]:8080/v1"),
        ("http://localhost:11434/v1", "http://localhost:11434/v1"),
        ("not a url", "not a url"),
    ],
)
def test_row6_a_shown_url_has_no_userinfo_query_or_fragment(url: str, shown: str) -> None:
    assert shown_url(url) == shown


async def test_row6_ready_names_the_model_server_without_its_credentials(
    secret_settings: Settings, unreachable_model: respx.MockRouter, capfd: pytest.CaptureFixture[str]
) -> None:
    async with AsyncTestClient(app=create_app(secret_settings)) as client:
        response = await client.get("/ready")
    logging.getLogger().handlers[-1].flush()

    assert response.status_code == 503
    assert response.json()["detail"] == f"model server at {SHOWN} is not answering"
    assert unreachable_model.calls  # the server was asked, at its real address
    assert_redacted(capfd.readouterr().err)


async def test_row6_model_unavailable_names_the_model_server_without_its_credentials(
    secret_settings: Settings,
    unreachable_model: respx.MockRouter,
    seed_article: dict[str, Any],
    capfd: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    async with AsyncTestClient(app=create_app(secret_settings)) as client:
        response = await client.post("/v1/summaries", json=seed_article)
    logging.getLogger().handlers[-1].flush()

    assert response.status_code == 503, response.text
    problem = response.json()
    assert problem["type"].endswith("/model-unavailable")
    assert f"cannot connect to the model server at {SHOWN}" in problem["detail"]
    assert_redacted(response.text)
    assert_redacted(capfd.readouterr().err)  # the debug lines of the HTTP clients included


def test_row6_a_url_in_any_log_line_is_shown_redacted(capfd: pytest.CaptureFixture[str]) -> None:
    from service.logs import configure_logging

    configure_logging(Settings(_env_file=None, log_json=True))  # type: ignore[call-arg]
    logging.getLogger("some.library").warning("retrying %s after %s", SECRET_URL, "a timeout")
    logging.getLogger().handlers[-1].flush()

    err = capfd.readouterr().err
    assert f"retrying {SHOWN} after a timeout" in err
    assert_redacted(err)
