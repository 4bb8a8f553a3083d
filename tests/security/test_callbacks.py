"""Issue 15, rows 2-5 (and issue 16's Standard Webhooks): a callback URL is read once, by the parser that
sends it, and refused with a 422 problem when it is malformed or not what would be sent; nothing the HTTP
client raises leaves a callback pending; the address vetted is the address connected to, for every attempt
(DNS rebinding); IPv6 forms that embed or map a refused IPv4 address are refused too."""

import ipaddress
import socket
import sqlite3
import time
from typing import Any

import pytest
import respx
import standardwebhooks
from click.testing import CliRunner

from service.api.access import hash_key, key_id
from service.cli import main
from service.jobs.webhooks import refusal, whsec
from service.settings import Settings
from tests.callbacks import SECRET, client_for, finished, job_settings, receiver_factory, verified

__all__ = ["job_settings", "receiver_factory"]  # fixtures, used by name


@pytest.fixture
def backend() -> None:
    """These tests run on the SQLite store: what they check happens before any job store is involved, or
    in the one deliverer both stores share."""
    return None


@pytest.fixture
def strict(job_settings: Settings) -> Settings:
    """The default: callbacks only to public addresses."""
    return job_settings.model_copy(update={"webhook_allow_private": False})


async def submit(settings: Settings, model_server: respx.MockRouter, article: dict[str, Any], url: str) -> Any:
    async with client_for(settings, model_server) as client:
        return await client.post("/v1/jobs", json={"articles": [article], "callback_url": url})


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:99999/cb",
        "http://127.0.0.1:-1/cb",
        "http://[::1/cb",
        "http://example.com:0/cb",
        "http://xn--/cb",
        f"http://{'a' * 64}.example/cb",  # a label the IDNA codec refuses to encode
    ],
)
async def test_row2_a_malformed_callback_url_is_a_422_problem_not_a_500(
    strict: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any], url: str
) -> None:
    response = await submit(strict, model_server, seed_article, url)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("/callback-refused")


@pytest.mark.parametrize(
    "url",
    [
        " http://127.0.0.1:9/cb",  # urlsplit strips it; httpx reads a relative URL
        "http://127.0.0.1:9/c\tb",  # urlsplit drops it; httpx refuses the URL (InvalidURL)
        "http://127.0.0.1:9/cb\r\nX-Injected: 1",
        "http://127.0.0.1:9/cb ",
    ],
)
async def test_row3_a_callback_url_is_checked_as_it_would_be_sent(
    job_settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any], url: str
) -> None:
    # Private addresses allowed: the only thing wrong with these URLs is how they are written.
    response = await submit(job_settings, model_server, seed_article, url)

    assert response.status_code == 422, response.text
    assert response.json()["type"].endswith("/callback-refused")
    assert "space or control character" in response.json()["detail"]


async def test_row3_nothing_the_http_client_raises_leaves_a_callback_pending(
    job_settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any]
) -> None:
    """A URL stored before today's check (a tab in it: httpx raises InvalidURL, not an HTTPError) ends
    failed, its error recorded, instead of staying pending and retried every minute forever."""
    no_workers = job_settings.model_copy(update={"job_workers": 0})
    async with client_for(no_workers, model_server) as api:
        accepted = await api.post("/v1/jobs", json={"articles": [seed_article], "callback_url": "http://127.0.0.1:9/"})
        job_id = accepted.json()["jobs"][0]["id"]
    with sqlite3.connect(job_settings.jobs_path) as db:
        db.execute("UPDATE jobs SET callback_url = ? WHERE id = ?", ("http://127.0.0.1:9/c\tb", job_id))
    async with client_for(job_settings, model_server) as with_worker:
        view = await finished(with_worker, job_id)

    assert view["status"] == "succeeded"
    assert view["callback"]["status"] == "failed"
    assert view["callback"]["attempts"] == 1
    assert "space or control character" in view["callback"]["last_error"]


PUBLIC = "93.184.215.14"  # a public address: the first answer of a rebinding DNS server


async def test_row4_dns_rebinding_the_address_vetted_is_the_one_connected_to(
    strict: Settings,
    model_server: respx.MockRouter,
    seed_article: dict[str, Any],
    receiver_factory: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A name that resolves to a public address twice (the check at submission, the check of the first
    attempt), then to loopback (what the HTTP client would resolve again before connecting): the loopback
    receiver must get nothing; the delivery connects to the public address it vetted (which pytest-socket
    refuses, as there is no network here) and says so."""
    receiver, url = receiver_factory([200])
    port = int(url.split(":")[2].split("/")[0])
    real_getaddrinfo = socket.getaddrinfo
    answers: list[str] = []

    def rebinding(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("rebind.test", b"rebind.test"):  # anyio asks with the IDNA-encoded bytes
            return real_getaddrinfo(host, *args, **kwargs)
        answers.append(PUBLIC if len(answers) < 2 else "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[-1], port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    model_server.route(host="rebind.test").pass_through()
    async with client_for(strict, model_server) as client:
        accepted = await client.post(
            "/v1/jobs", json={"articles": [seed_article], "callback_url": f"http://rebind.test:{port}/hook"}
        )
        assert accepted.status_code == 202, accepted.text
        view = await finished(client, accepted.json()["jobs"][0]["id"])

    assert receiver.received == []
    assert view["callback"]["status"] == "failed"
    assert PUBLIC in view["callback"]["last_error"]
    assert answers[:2] == [PUBLIC, PUBLIC]


@pytest.mark.parametrize(
    ("host", "maps_to"),
    [
        ("64:ff9b::a00:1", "10.0.0.1"),  # NAT64 (RFC 6052)
        ("64:ff9b::7f00:1", "127.0.0.1"),
        ("64:ff9b::a9fe:a9fe", "169.254.169.254"),
        ("64:ff9b:1::a00:1", "local-use NAT64"),  # RFC 8215
        ("::127.0.0.1", "IPv4-compatible"),
        ("::a00:1", "IPv4-compatible"),
        ("::ffff:127.0.0.1", "127.0.0.1"),  # IPv4-mapped
        ("::ffff:10.0.0.1", "10.0.0.1"),
        ("fec0::1", "site-local"),
        ("2002:7f00:1::1", "127.0.0.1"),  # 6to4 of a refused IPv4 address
        ("2002:a00:1::1", "10.0.0.1"),
        ("2002:c0a8:101::1", "192.168.1.1"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),
    ],
)
async def test_row5_ipv6_forms_of_refused_ipv4_addresses_are_refused(
    strict: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any], host: str, maps_to: str
) -> None:
    response = await submit(strict, model_server, seed_article, f"http://[{host}]/hook")

    assert response.status_code == 422, response.text
    assert response.json()["type"].endswith("/callback-refused")
    assert maps_to in response.json()["detail"]


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "2606:4700::1111", "64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8"]
)
def test_row5_public_addresses_and_their_ipv6_forms_are_allowed(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


async def test_callbacks_follow_standard_webhooks_and_the_reference_verifier_accepts_them(
    job_settings: Settings, model_server: respx.MockRouter, seed_article: dict[str, Any], receiver_factory: Any
) -> None:
    """Issue 16: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`, the secret per API key
    as `summarise webhook-secret` prints it (whsec_...); a changed body or an old timestamp is refused."""
    receiver, url = receiver_factory([200])
    keyed = job_settings.model_copy(update={"api_key_hashes": [hash_key("key-a")]})
    async with client_for(keyed, model_server) as client:
        accepted = await client.post(
            "/v1/jobs", json={"articles": [seed_article], "callback_url": url}, headers={"X-API-Key": "key-a"}
        )
        job_id = accepted.json()["jobs"][0]["id"]
        await finished(client, job_id, {"X-API-Key": "key-a"})

    ((headers, body),) = receiver.received
    printed = CliRunner().invoke(main, ["webhook-secret", "--key", "key-a"], env={"SUMMARISE_WEBHOOK_SECRET": SECRET})
    secret = printed.output.strip()
    assert secret.startswith("whsec_")
    assert secret == whsec(SECRET, f"key:{key_id('key-a')}")
    assert verified(secret, headers, body)["job"]["status"] == "succeeded"
    assert headers["webhook-signature"].startswith("v1,")
    assert headers["webhook-id"] == f"msg_{job_id}"
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 300
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        verified(secret, headers, body.replace(b"succeeded", b"failed"))
    with pytest.raises(standardwebhooks.WebhookVerificationError):  # replayed later: too old
        verified(secret, {**headers, "webhook-timestamp": str(int(time.time()) - 600)}, body)
