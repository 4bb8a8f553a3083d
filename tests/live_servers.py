"""Real HTTP servers on loopback for the tests that need real sockets: concurrency, streaming request
bodies, signals. The model server here is a plain ASGI app that answers like an OpenAI-compatible server
(the same scripted answers as the respx mock), after an optional delay.

    python -m tests.live_servers --port 9100 --delay 1.0     # a mock model server, for trying things by hand
"""

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import httpx
import pytest
import uvicorn

from tests.factories import ModelServer, models_list

Scope = dict[str, Any]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def read_body(receive: Any) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


async def lifespan_answered(scope: Any, receive: Any, send: Any) -> bool:
    """Answer an ASGI lifespan (startup and shutdown complete at once); False for any other scope."""
    if scope["type"] != "lifespan":
        return False
    while (await receive())["type"] != "lifespan.shutdown":
        await send({"type": "lifespan.startup.complete"})
    await send({"type": "lifespan.shutdown.complete"})
    return True


def mock_model_app(delay_s: float = 0.0, server: ModelServer | None = None) -> Any:
    """An ASGI OpenAI-compatible server: POST /v1/chat/completions, GET /v1/models."""
    answers = server or ModelServer()

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        if await lifespan_answered(scope, receive, send):
            return
        body = await read_body(receive)
        if scope["path"].endswith("/models"):
            reply = models_list()
        else:
            await asyncio.sleep(delay_s)
            reply = answers(httpx.Request("POST", "http://model/v1/chat/completions", content=body))
        await send(
            {
                "type": "http.response.start",
                "status": reply.status_code,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": reply.content})

    return app


class Receiver:
    """A webhook receiver: records every POST (headers, raw body) and answers from a script of statuses
    (the last one repeats); a status of 302 redirects to `redirect_to`."""

    def __init__(self, statuses: list[int] | None = None, redirect_to: str = "http://127.0.0.1:9/") -> None:
        self.statuses = statuses or [200]
        self.redirect_to = redirect_to
        self.received: list[tuple[dict[str, str], bytes]] = []

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = await read_body(receive)
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.received.append((headers, body))
        status = self.statuses[min(len(self.received), len(self.statuses)) - 1]
        extra = [(b"location", self.redirect_to.encode())] if status == 302 else []
        await send({"type": "http.response.start", "status": status, "headers": extra})
        await send({"type": "http.response.body", "body": b""})


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Run an ASGI app under uvicorn in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="auto"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def answered(url: str, process: "subprocess.Popen[bytes]", log_file: Path, within_s: float) -> None:
    """Wait until GET `url` answers 200; the end of `log_file` in the error when `process` exits or is late."""
    deadline = time.monotonic() + within_s
    while True:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(f"the server did not start:\n{log_file.read_text()[-2000:]}")
        time.sleep(0.1)


@contextmanager
def api_process(env: dict[str, str], log_file: Path) -> Iterator[tuple["subprocess.Popen[bytes]", str]]:
    """`summarise serve` in a process of its own, with `env` over ours and its logs in `log_file`; yields the
    process and its URL once /health answers, and kills it if it is still running at the end."""
    port = free_port()
    with log_file.open("w") as log_output:
        process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=log_output,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        answered(f"{url}/health", process, log_file, within_s=60)  # imports and start-up on a loaded machine
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


class RedisServer:
    """A real redis-server on a loopback port, with its files in `directory`: it can be killed (SIGKILL) and
    started again on the same port from what it persisted. `.ci/run` installs redis-server; elsewhere the
    test is skipped if it is missing (unless SUMMARISE_TESTS_NEED_REDIS is set, as in CI)."""

    def __init__(self, directory: Path | None = None, *options: str) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            if os.environ.get("SUMMARISE_TESTS_NEED_REDIS"):
                raise RuntimeError("redis-server is not installed; .ci/run installs it with apt-get")
            pytest.skip("redis-server is not installed (`apt-get install redis-server`; .ci/run does)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        place = ["--dir", str(directory)] if directory else []
        persistence = list(options) or ["--save", "", "--appendonly", "no"]
        self.arguments = [binary, "--port", str(self.port), "--bind", "127.0.0.1", *place, *persistence]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe:
                    probe.sendall(b"PING\r\n")
                    if probe.recv(16).startswith(b"+PONG"):  # not -LOADING: its files are read
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@contextmanager
def redis_server(directory: Path | None = None, *options: str) -> Iterator[str]:
    """A real, throw-away Redis on a free loopback port (by default persisting nothing); yields its URL."""
    server = RedisServer(directory, *options)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@contextmanager
def llama_cpp_python_server(python: str, model: Path, log_file: Path) -> Iterator[str]:
    """llama-cpp-python's own OpenAI-compatible server (`python -m llama_cpp.server`) on a free loopback port,
    run by the interpreter `python` (where llama-cpp-python[server] is installed) on the GGUF `model`, its
    logs in `log_file`; yields its /v1 URL once the model is loaded, and stops it at the end."""
    port = free_port()
    arguments = [python, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1", "--port", str(port)]
    with log_file.open("w") as log_output:
        process = subprocess.Popen(arguments, stdout=log_output, stderr=subprocess.STDOUT)  # noqa: S603
    url = f"http://127.0.0.1:{port}/v1"
    try:
        answered(f"{url}/models", process, log_file, within_s=120)  # the model is loaded before it listens
        yield url
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@click.command()
@click.option("--port", type=int, default=9100)
@click.option("--delay", type=float, default=0.0, help="Seconds before each answer.")
def main(port: int, delay: float) -> None:
    print(json.dumps({"mock_model_server": f"http://127.0.0.1:{port}/v1", "delay_s": delay}))
    uvicorn.run(mock_model_app(delay), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
