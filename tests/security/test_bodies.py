"""Issue 15, "Also": bodies as careless or hostile clients send them. A client that sends the whole body
before reading the answer gets the 413 problem, not a reset connection; an empty body, a text of nothing but
(Unicode) blanks and NUL characters in `title` or `id` are clear problems before the model; a body that
does not arrive in time is a 408, and idle connections are closed."""

import http.client
import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import respx
from litestar.testing import AsyncTestClient

from tests.live_servers import api_process

Client = AsyncTestClient[Any]
ELEVEN_MB = b'{"text": "' + b"x" * 11_000_000 + b'"}'


@pytest.fixture(scope="module")
def live_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`summarise serve` in its own process, on loopback; no model is asked."""
    cache = tmp_path_factory.mktemp("cache")
    env = {
        "SUMMARISE_BASE_URL": "http://127.0.0.1:9/v1",
        "SUMMARISE_MODEL": "test-model",
        "SUMMARISE_MODEL_CACHE_DIR": str(cache),
        "SUMMARISE_JOB_WORKERS": "0",
        "SUMMARISE_BODY_TIMEOUT_S": "1",
        "SUMMARISE_KEEP_ALIVE_TIMEOUT_S": "1",
    }
    with api_process(env, cache / "server.log") as (_, url):
        yield url


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def test_also_a_client_sending_11_mb_before_reading_gets_the_413_problem(live_api: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port_of(live_api), timeout=30)
    try:
        connection.request("POST", "/v1/summaries", body=ELEVEN_MB, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        problem = json.loads(response.read())
    finally:
        connection.close()

    assert response.status == 413
    assert response.getheader("content-type", "").startswith("application/problem+json")
    assert "larger than the limit of 1,000,000 bytes" in problem["detail"]


def test_also_urllib_sending_11_mb_gets_the_413_problem(live_api: str) -> None:
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{live_api}/v1/summaries", data=ELEVEN_MB, headers={"Content-Type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)  # noqa: S310

    assert refused.value.code == 413
    assert json.loads(refused.value.read())["type"].endswith("/body-too-large")


def test_also_a_body_that_does_not_arrive_in_time_is_a_408(live_api: str) -> None:
    with socket.create_connection(("127.0.0.1", port_of(live_api)), timeout=10) as connection:
        connection.sendall(
            b"POST /v1/summaries HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"text": "only the'
        )
        started = time.monotonic()
        reply = b""
        while not reply.endswith(b"}"):
            reply += connection.recv(65536)
        waited = time.monotonic() - started

    assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
    assert b"application/problem+json" in reply
    assert b"the body did not arrive within 1 s" in reply
    assert waited < 3  # SUMMARISE_BODY_TIMEOUT_S=1


def test_also_an_idle_connection_is_closed(live_api: str) -> None:
    with socket.create_connection(("127.0.0.1", port_of(live_api)), timeout=10) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        reply = b""
        while not reply.endswith(b'{"status":"ok"}'):
            reply += connection.recv(65536)
        assert reply.startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        closed = connection.recv(65536)  # nothing more is sent: the server closes the idle connection

    assert closed == b""
    assert time.monotonic() - started < 3  # SUMMARISE_KEEP_ALIVE_TIMEOUT_S=1 (uvicorn's own default: 5 s)


async def test_also_an_empty_body_says_the_body_is_empty(api: Client, model_server: respx.MockRouter) -> None:
    route = model_server.post("/chat/completions")

    response = await api.post("/v1/summaries", content=b"", headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "the body is empty: send the article as a JSON object"
    assert not route.called


@pytest.mark.parametrize("blank", ["\u00a0", "\u00a0\n\u2003\u3000", "\u200b\ufeff", " \u2028\u202f\u205f "])
async def test_also_a_text_of_unicode_blanks_is_refused_before_the_model(
    api: Client, model_server: respx.MockRouter, blank: str
) -> None:
    route = model_server.post("/chat/completions")

    response = await api.post("/v1/summaries", json={"text": blank})

    assert response.status_code == 422, response.text
    assert "text is empty" in response.json()["detail"]
    assert not route.called


@pytest.mark.parametrize("field", ["title", "id"])
async def test_also_nul_is_refused_in_title_and_id(
    api: Client, model_server: respx.MockRouter, seed_article: dict[str, Any], field: str
) -> None:
    route = model_server.post("/chat/completions")

    response = await api.post("/v1/summaries", json={**seed_article, field: "cms\u0000-42"})

    assert response.status_code == 422, response.text
    assert field in response.json()["detail"]
    assert "NUL" in response.json()["detail"]
    assert not route.called


def test_also_the_server_bounds_header_size_and_idle_time() -> None:
    from service.cli import server_options
    from service.settings import Settings

    options = server_options(Settings(_env_file=None, keep_alive_timeout_s=7))  # type: ignore[call-arg]

    assert options["timeout_keep_alive"] == 7
    assert options["h11_max_incomplete_event_size"] == 16 * 1024
    assert options["proxy_headers"] is False
