"""The model server's HTTP client (`service.model.http`) on real sockets: requests arrive whole, answers are
read, connections are kept alive. respx replaces httpcore's connection pool, so the network layer under it is
tested here against a small HTTP/1.1 server of our own."""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from service.model.http import model_http_client
from service.settings import ModelSettings

ANSWER = json.dumps({"id": "chatcmpl-1", "object": "chat.completion", "choices": []}).encode()


@dataclass
class Server:
    url: str
    requests: list[bytes]
    connections: list[int]


@pytest.fixture
async def model_server_on_a_socket() -> AsyncIterator[Server]:
    """Reads each request whole (head, then Content-Length bytes of body) and answers a small JSON."""
    requests: list[bytes] = []
    connections: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
                requests.append(head + await reader.readexactly(length))
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
                    % (len(ANSWER), ANSWER)
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield Server(f"http://127.0.0.1:{port}/v1", requests, connections)


async def test_requests_arrive_whole_and_answers_are_read_on_one_kept_alive_connection(
    model_server_on_a_socket: Server,
) -> None:
    settings = ModelSettings(base_url=model_server_on_a_socket.url, model="test-model", max_connections=1)
    body = {"model": "test-model", "messages": [{"role": "user", "content": "Wer hat’s gesagt? " * 200}]}
    async with model_http_client(settings) as http:
        for _ in range(3):
            response = await http.post(f"{model_server_on_a_socket.url}/chat/completions", json=body)
            assert response.status_code == 200
            assert response.content == ANSWER
    assert len(model_server_on_a_socket.requests) == 3
    assert model_server_on_a_socket.connections == [1]
    sent = model_server_on_a_socket.requests[0]
    assert sent.startswith(b"POST /v1/chat/completions HTTP/1.1\r\n")
    assert json.loads(sent.split(b"\r\n\r\n", 1)[1]) == body
