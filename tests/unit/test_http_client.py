"""The services' outgoing client (``shared/http.py``): httpx over aiohttp, against a real loopback
server. What callers decide retries on must hold: an error before anything was sent is a
``ConnectError``, one after it never is. Idle connections must also be let go before the server
on the other side drops them, or a request can leave on a connection the server is closing (it
failed a portal payment under load with a 503)."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from harness.ports import free_port
from shared import http


@dataclass
class Server:
    """HTTP/1.1 on loopback, by path: ``/echo`` answers what it received, ``/gzip`` a compressed
    body, ``/drop`` closes the connection once it has the request, ``/mute`` never answers."""

    port: int = 0
    connections: int = 0
    received: list[bytes] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ")
                headers = {k.strip().lower(): v.strip()
                           for k, _, v in (line.partition(":") for line in lines[1:] if line)}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.received.append(head + body)
                if target == "/drop":
                    break
                if target == "/mute":
                    await asyncio.sleep(30)
                writer.write(self._answer(method, target, headers, body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    @staticmethod
    def _answer(method: str, target: str, headers: dict[str, str], body: bytes) -> bytes:
        echoed = json.dumps({"method": method, "target": target, "headers": headers,
                             "body": body.decode()}).encode()
        extra = b""
        if target == "/gzip":
            echoed, extra = gzip.compress(echoed), b"content-encoding: gzip\r\n"
        return (b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\nx-served-by: test\r\n"
                + extra + b"content-length: %d\r\n\r\n" % len(echoed) + echoed)


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    served = Server()
    listener = await asyncio.start_server(served.handle, "127.0.0.1", 0)
    served.port = listener.sockets[0].getsockname()[1]
    async with listener:
        yield served


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with http.client(5) as outgoing:
        yield outgoing


async def test_a_request_and_its_answer_cross_intact(server: Server,
                                                    client: httpx.AsyncClient) -> None:
    response = await client.post(f"{server.url}/echo?x=1", json={"amount": "25.00"},
                                 headers={"Idempotency-Key": "pay-1"})
    assert response.status_code == 201
    assert response.headers["x-served-by"] == "test"
    echoed = response.json()
    assert (echoed["method"], echoed["target"]) == ("POST", "/echo?x=1")
    assert echoed["headers"]["idempotency-key"] == "pay-1"
    assert echoed["headers"]["content-type"] == "application/json"
    assert echoed["headers"]["accept-encoding"] == "gzip, deflate"  # what aiohttp decodes
    assert json.loads(echoed["body"]) == {"amount": "25.00"}
    # Each header once: the transport does not add its own beside httpx's.
    head = server.received[0].split(b"\r\n\r\n")[0].lower().split(b"\r\n")[1:]
    names = [line.split(b":")[0] for line in head]
    assert len(names) == len(set(names)), names


async def test_consecutive_requests_share_one_connection(server: Server,
                                                         client: httpx.AsyncClient) -> None:
    for _ in range(3):
        assert (await client.get(f"{server.url}/echo")).status_code == 201
    assert server.connections == 1


async def test_a_compressed_answer_arrives_decoded(server: Server,
                                                  client: httpx.AsyncClient) -> None:
    response = await client.get(f"{server.url}/gzip")
    assert response.json()["target"] == "/gzip"
    assert "content-encoding" not in response.headers


async def test_a_refused_connection_is_a_connect_error(client: httpx.AsyncClient) -> None:
    with pytest.raises(httpx.ConnectError):  # nothing was sent: callers may retry
        await client.post(f"http://127.0.0.1:{free_port()}/charges", json={})


async def test_a_connection_dropped_after_the_request_is_not_a_connect_error(
    server: Server, client: httpx.AsyncClient
) -> None:
    with pytest.raises(httpx.TransportError) as caught:
        await client.post(f"{server.url}/drop", json={"amount": "25.00"})
    assert server.received  # the request arrived: the outcome is unknown
    assert not isinstance(caught.value, httpx.ConnectError | httpx.ConnectTimeout)


async def test_no_answer_in_time_is_a_read_timeout(server: Server) -> None:
    async with http.client(0.3) as impatient:
        with pytest.raises(httpx.ReadTimeout):
            await impatient.post(f"{server.url}/mute", json={})
    assert server.received


async def test_idle_connections_expire_before_uvicorn_closes_them() -> None:
    async with http.client(5) as outgoing:
        transport = outgoing._transport
        assert isinstance(transport, http.AiohttpTransport)
        server_keep_alive = uvicorn.Config(FastAPI()).timeout_keep_alive
        assert transport.keepalive_expiry < server_keep_alive
