"""``make bench``'s load client (``bench/load.py``) against a loopback server: JSON answers are
parsed, other bodies kept as text, a wrong status is an error, and a refused connection is one of
the transport errors the bench retries."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from bench.load import TRANSPORT_ERRORS, LoadClient, LoadFailed, expect
from harness.ports import free_port


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Echoes a POST's JSON body back with 201; a GET of /text answers 200 in plain text."""
    while True:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            break
        lines = head.decode().split("\r\n")
        length = next((int(line.split(":")[1]) for line in lines
                       if line.lower().startswith("content-length:")), 0)
        body = await reader.readexactly(length) if length else b""
        if lines[0].startswith("POST"):
            status, kind, payload = "201 Created", "application/json", body
        else:
            status, kind, payload = "200 OK", "text/plain", b"plain words"
        writer.write(f"HTTP/1.1 {status}\r\ncontent-type: {kind}\r\n"
                     f"content-length: {len(payload)}\r\n\r\n".encode() + payload)
        await writer.drain()
    writer.close()


@pytest.fixture
async def server() -> AsyncIterator[str]:
    listening = await asyncio.start_server(_answer, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    listening.close()
    await listening.wait_closed()


async def test_json_is_parsed_and_text_kept(server: str) -> None:
    async with LoadClient() as http:
        sent = {"amount": "25.00", "lines": [1, 2]}
        answer = await http.post(f"{server}/pay", headers={"Idempotency-Key": "k"},
                                 json_body=sent)
        assert answer.status == 201 and answer.body == sent
        assert json.loads(answer.text) == sent
        assert expect(answer, 201, "POST /pay") == sent
        plain = await http.get(f"{server}/text", headers={})
        assert plain.status == 200 and plain.body == "plain words"


async def test_a_wrong_status_is_an_error_naming_the_request(server: str) -> None:
    async with LoadClient() as http:
        answer = await http.get(f"{server}/text", headers={})
    with pytest.raises(LoadFailed, match="GET /text answered 200, expected 201"):
        expect(answer, 201, "GET /text")


async def test_a_refused_connection_is_a_transport_error() -> None:
    port = free_port()  # nothing listens there
    async with LoadClient(timeout_s=5) as http:
        with pytest.raises(TRANSPORT_ERRORS):
            await http.get(f"http://127.0.0.1:{port}/", headers={})
