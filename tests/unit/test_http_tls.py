"""Mutual TLS in the services' outgoing client (``shared/http.py``), with real handshakes on
loopback against a server that requires a client certificate signed by its CA. A handshake the
server refuses must be a ``ConnectError`` with no request byte delivered: callers read that
as "nothing was sent" (a payment may be sent again or cancelled)."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from shared import http
from shared.http import DEFAULT_TLS, ClientTls, TlsConfigError
from tests.tls import Certificates, issue_certificates
from tests.unit.test_http_client import Server


@pytest.fixture
def certs(tmp_path: Path) -> Certificates:
    return issue_certificates(tmp_path)


@dataclass
class TlsServer:
    served: Server  # records every request its handler read

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.served.port}"


def requiring_client_certificates(certs: Certificates) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(certs.ca))
    context.load_cert_chain(str(certs.server_cert), str(certs.server_key))
    context.verify_mode = ssl.CERT_REQUIRED
    return context


@pytest.fixture
async def server(certs: Certificates) -> AsyncIterator[TlsServer]:
    tls = TlsServer(Server())
    listener = await asyncio.start_server(tls.served.handle, "127.0.0.1", 0,
                                          ssl=requiring_client_certificates(certs))
    tls.served.port = listener.sockets[0].getsockname()[1]
    async with listener:
        yield tls


async def test_the_client_certificate_opens_the_connection(server: TlsServer,
                                                           certs: Certificates) -> None:
    async with http.client(5, certs.client) as client:
        response = await client.post(f"{server.url}/echo", json={"amount": "25.00"})
    assert response.status_code == 201
    assert response.json()["target"] == "/echo"
    assert len(server.served.received) == 1


async def test_without_a_client_certificate_nothing_is_sent(server: TlsServer,
                                                            certs: Certificates) -> None:
    async with http.client(5, ClientTls(ca_file=certs.ca)) as client:
        with pytest.raises(httpx.ConnectError):
            await client.post(f"{server.url}/echo", json={"amount": "25.00"})
    assert server.served.received == []  # the server's handler never ran


async def test_a_server_certificate_from_another_ca_is_refused(server: TlsServer,
                                                               certs: Certificates) -> None:
    wrong_trust = ClientTls(certs.client_cert, certs.client_key, certs.other_ca)
    async with http.client(5, wrong_trust) as client:
        with pytest.raises(httpx.ConnectError, match="certificate verify failed"):
            await client.post(f"{server.url}/echo", json={})
    assert server.served.received == []


async def test_the_default_does_not_trust_a_private_ca(server: TlsServer) -> None:
    async with http.client(5) as client:
        with pytest.raises(httpx.ConnectError, match="certificate verify failed"):
            await client.get(f"{server.url}/echo")


def test_one_context_per_configuration(certs: Certificates) -> None:
    same = ClientTls(Path(str(certs.client_cert)), certs.client_key, certs.ca)
    assert http.ssl_context(certs.client) is http.ssl_context(same)
    assert http.ssl_context(certs.client) is not http.ssl_context(DEFAULT_TLS)
    first, second = http.AiohttpTransport(tls=certs.client), http.AiohttpTransport(tls=same)
    assert first._ssl is second._ssl


def test_the_default_trusts_certifi_and_keeps_tls_1_3() -> None:
    context = http.ssl_context()
    assert context is http.ssl_context(DEFAULT_TLS)
    assert context.cert_store_stats()["x509_ca"] > 100  # certifi's bundle
    assert context.maximum_version == ssl.TLSVersion.MAXIMUM_SUPPORTED


def test_a_client_certificate_holds_to_tls_1_2(certs: Certificates) -> None:
    assert http.ssl_context(certs.client).maximum_version == ssl.TLSVersion.TLSv1_2


@pytest.mark.parametrize(("broken", "complaint"), [
    ("missing_cert", r"client certificate .*missing\.pem: no such file"),
    ("missing_key", r"client key .*missing\.pem: no such file"),
    ("missing_ca", r"CA bundle .*missing\.pem: no such file"),
    ("wrong_key", r"client key .*other-key\.pem is not the key of the certificate"),
    ("no_key", "needs both its certificate and its key file"),
    ("garbage_ca", r"CA bundle .*garbage\.pem: no PEM certificate"),
    ("garbage_cert", r"client certificate .*garbage\.pem .*not a PEM certificate"),
])
def test_an_unusable_file_is_named_with_what_is_wrong(certs: Certificates, tmp_path: Path,
                                                     broken: str, complaint: str) -> None:
    missing, garbage = tmp_path / "missing.pem", tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    tls = {
        "missing_cert": ClientTls(missing, certs.client_key),
        "missing_key": ClientTls(certs.client_cert, missing),
        "missing_ca": ClientTls(ca_file=missing),
        "wrong_key": ClientTls(certs.client_cert, certs.other_key),
        "no_key": ClientTls(cert_file=certs.client_cert),
        "garbage_ca": ClientTls(ca_file=garbage),
        "garbage_cert": ClientTls(garbage, certs.client_key),
    }[broken]
    with pytest.raises(TlsConfigError, match=complaint):
        http.ssl_context(tls)
