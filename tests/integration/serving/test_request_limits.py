"""Issue 17, item 3: resource limits come before authentication and before the body is read,
against the real process (``python -m services.payouts api``: uvicorn as shared/serve.py runs
it), driven over raw sockets so nothing on the client side limits or buffers the request.

Before: an unsigned 50 MB callback was read in full (the payouts API grew by ~240 MB) before its
signature was checked, and a 60 KB header was not answered with a problem."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import pytest

from harness.ports import free_port
from shared.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER

REPO = Path(__file__).resolve().parents[3]
MB = 1024 * 1024
CHUNK = b"x" * (64 * 1024)
SIGNED = {TIMESTAMP_HEADER: str(int(time.time())), SIGNATURE_HEADER: "0" * 64}


@dataclass
class Server:
    port: int
    proc: subprocess.Popen[bytes]

    @property
    def rss(self) -> int:
        return int(psutil.Process(self.proc.pid).memory_info().rss)


# The payouts API with uvicorn's h11 parser instead of httptools (what uvicorn picks where
# httptools is not installed), with the options shared/serve.py gives it.
H11_SERVER = """
import uvicorn
from services.payouts.bootstrap import create_app
from services.payouts.settings import PayoutsSettings
from shared.serve import uvicorn_options
settings = PayoutsSettings()
uvicorn.run(create_app(settings), **uvicorn_options(settings), http="h11")
"""
COMMANDS = {"httptools": ["-m", "services.payouts", "api"], "h11": ["-c", H11_SERVER]}


@pytest.fixture(scope="module", params=sorted(COMMANDS))
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    port = free_port()
    env = dict(os.environ, PAYOUTS_PORT=str(port), LOG_LEVEL="WARNING",
               PAYOUTS_DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    proc = subprocess.Popen([sys.executable, *COMMANDS[request.param]], cwd=REPO,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("the payouts API did not start")
        yield Server(port, proc)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float
    sent: int = 0
    errors: list[str] = field(default_factory=list)

    def problem(self) -> dict[str, object]:
        assert self.headers.get("content-type") == "application/problem+json", self
        document: dict[str, object] = json.loads(self.body)
        return document


def exchange(server: Server, head: str, body: Iterable[bytes] = ()) -> Answer:
    """Send ``head`` (request line and headers), then ``body`` from a thread until the server
    stops reading; read the answer meanwhile."""
    started = time.monotonic()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=15)
    sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n")
    sent = [0]
    errors: list[str] = []

    def pump() -> None:
        try:
            for chunk in body:
                sock.sendall(chunk)
                sent[0] += len(chunk)
        except OSError as exc:  # the server answered and closed: what we want
            errors.append(type(exc).__name__)

    writer = threading.Thread(target=pump, daemon=True)
    writer.start()
    received = b""
    while b"\r\n\r\n" not in received:
        data = sock.recv(65536)
        if not data:
            break
        received += data
    seconds = time.monotonic() - started
    head_bytes, _, rest = received.partition(b"\r\n\r\n")
    lines = head_bytes.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":")
                                                            for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        data = sock.recv(65536)
        if not data:
            break
        rest += data
    writer.join(timeout=15)
    sock.close()
    status = int(lines[0].split()[1]) if lines[0] else 0
    return Answer(status, headers, rest[:length], seconds, sent[0], errors)


def request_head(method: str, path: str, headers: dict[str, str]) -> str:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return "\n".join(lines) + "\n"


def chunked(total: int) -> Iterator[bytes]:
    for _ in range(total // len(CHUNK)):
        yield b"%x\r\n" % len(CHUNK) + CHUNK + b"\r\n"
    yield b"0\r\n\r\n"


def test_a_declared_50_mb_callback_is_refused_with_413_unread(server: Server) -> None:
    before = server.rss
    head = request_head("POST", "/v1/callbacks/concourse/status", {
        **SIGNED, "Content-Type": "application/json", "Content-Length": str(50 * MB)})
    answer = exchange(server, head, (CHUNK for _ in range(50 * MB // len(CHUNK))))
    assert answer.status == 413, answer
    assert answer.problem()["type"] == "urn:warranty:problem:payload-too-large"
    assert answer.seconds < 2, answer.seconds
    assert server.rss - before < 8 * MB, (server.rss - before) / MB


def test_a_chunked_50_mb_callback_stops_being_read_at_the_cap(server: Server) -> None:
    before = server.rss
    head = request_head("POST", "/v1/callbacks/jpm/status", {
        **SIGNED, "Content-Type": "application/json", "Transfer-Encoding": "chunked"})
    answer = exchange(server, head, chunked(50 * MB))
    assert answer.status == 413, answer
    assert answer.problem()["type"] == "urn:warranty:problem:payload-too-large"
    assert answer.seconds < 5, answer.seconds
    assert server.rss - before < 8 * MB, (server.rss - before) / MB
    assert answer.sent < 50 * MB, "the server read the whole body"


@pytest.mark.parametrize("path", ["/v1/callbacks/concourse/status",
                                  f"/v1/payouts/{uuid.uuid4()}/cancel"])
def test_an_unauthenticated_100_mb_post_is_a_401_without_the_body_read(
    server: Server, path: str,
) -> None:
    before = server.rss
    head = request_head("POST", path, {"Content-Type": "application/json",
                                       "Content-Length": str(100 * MB)})
    answer = exchange(server, head, (CHUNK for _ in range(100 * MB // len(CHUNK))))
    assert answer.status == 401, answer
    assert answer.problem()["status"] == 401
    assert answer.seconds < 2, answer.seconds
    assert server.rss - before < 8 * MB, (server.rss - before) / MB


def test_a_malformed_token_is_a_401_before_the_body(server: Server) -> None:
    head = request_head("POST", f"/v1/payouts/{uuid.uuid4()}/cancel", {
        "Authorization": "Bearer not-a-jwt", "Content-Type": "application/json",
        "Content-Length": str(10 * MB)})
    answer = exchange(server, head)
    assert answer.status == 401, answer
    assert answer.problem()["type"] == "urn:warranty:problem:unauthenticated"


@pytest.mark.parametrize("size", [20_000, 60_000, 100_000])
def test_a_huge_authorization_header_is_answered_with_a_problem(
    server: Server, size: int,
) -> None:
    head = request_head("GET", "/v1/payouts", {"Authorization": "Bearer " + "a" * size})
    answer = exchange(server, head)
    assert answer.status == 431, answer
    assert answer.problem()["type"] == "urn:warranty:problem:request-header-too-large"
    healthy = exchange(server, request_head("GET", "/healthz", {"Connection": "close"}))
    assert healthy.status == 200
