"""The J.P. Morgan rail clients, wired as payouts wires them (``rail_clients``), against the
sandbox served over mutual TLS: uvicorn on loopback requiring a client certificate from its CA,
as J.P. Morgan's hosts do. With the configured certificate and CA the payment is made; without
the certificate, or trusting another CA, the handshake fails before any request byte and the
result is ``NotSent`` with nothing at the bank (not even a token request)."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest

from harness.ports import free_port
from services.payouts.bootstrap import bank_token_source, close_rails
from services.payouts.domain.model import Payee, Rail
from services.payouts.rails.jpm_payments.client import Debtor, ZelleClient
from services.payouts.rails.lob_checks import positive_pay as pp
from services.payouts.rails.lob_checks.client import LobChecksClient
from services.payouts.rails.registry import rail_clients
from services.payouts.service.ports import Accepted, NotSent, PaymentInstruction, SendResult
from services.payouts.settings import PayoutsSettings
from services.sandbox.app import create_app
from services.sandbox.bank_records import Bank as BankRecords
from services.sandbox.runtime import Sandbox
from services.sandbox.settings import SandboxSettings
from shared import http
from shared.db.engine import create_engine
from shared.http import ClientTls
from shared.money import Money
from tests.threaded_server import served_in_thread
from tests.tls import Certificates, issue_certificates

from .conftest import SECRET, e2e_id

ACCOUNT_NUMBER = PayoutsSettings().check_account_number
PAYEE = Payee(kind="service_pro", name="Pat Pro", email="pat@fixit-pros.net",
              mobile="+15555550123")


@dataclass
class Bank:
    url: str
    sandbox: Sandbox
    certs: Certificates

    def settings(self, **overrides: Any) -> PayoutsSettings:
        values: dict[str, Any] = {
            "concourse_base_url": f"{self.url}/tsapi/v1/concourse",
            "bank_client_cert_file": self.certs.client_cert,
            "bank_client_key_file": self.certs.client_key,
            "bank_ca_file": self.certs.ca,
            "provider_retries": 1, "provider_backoff_s": 0.01, "provider_timeout_s": 5,
        }
        return PayoutsSettings(**{**values, **overrides})

    async def ledger(self) -> list[dict[str, Any]]:
        async with http.client(5, self.certs.client) as client:
            answer = await client.get(f"{self.url}/ledger")
        payments: list[dict[str, Any]] = answer.raise_for_status().json()["payments"]
        return payments


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory, module_sandbox_db: str) -> Iterator[Bank]:
    """The sandbox behind uvicorn's TLS, client certificates required, in a thread."""
    certs = issue_certificates(tmp_path_factory.mktemp("certs"))
    callbacks = httpx.AsyncClient(transport=httpx.MockTransport(lambda _: httpx.Response(200)))
    app = create_app(SandboxSettings(webhook_secret=SECRET, settle_delay_ms=10,
                                     database_url=module_sandbox_db),
                     callback_client=callbacks)
    port = free_port()
    with served_in_thread(app, port, ssl_certfile=str(certs.server_cert),
                          ssl_keyfile=str(certs.server_key), ssl_ca_certs=str(certs.ca),
                          ssl_cert_reqs=ssl.CERT_REQUIRED):
        yield Bank(f"https://127.0.0.1:{port}", app.state.sandbox, certs)


async def send_on(settings: PayoutsSettings, rail: Rail) -> SendResult:
    rails = rail_clients(settings, bank=bank_token_source(settings))
    try:
        return await rails[rail].send(
            PaymentInstruction(e2e_id(), Money.of("42.00"), PAYEE, "claim C-1"))
    finally:
        await close_rails(rails)


@pytest.fixture
async def before(bank: Bank) -> AsyncIterator[tuple[int, int]]:
    """The ledger's length and the tokens issued, before the test."""
    yield len(await bank.ledger()), bank.sandbox.authority.issued


@pytest.mark.parametrize("rail", [Rail.ZELLE, Rail.CONCOURSE])
async def test_the_client_certificate_pays_on_a_jpm_rail(bank: Bank, rail: Rail,
                                                         before: tuple[int, int]) -> None:
    result = await send_on(bank.settings(), rail)
    assert isinstance(result, Accepted) and result.created
    assert len(await bank.ledger()) == before[0] + 1
    assert bank.sandbox.authority.issued == before[1] + 1  # the token call went over mTLS too


async def test_without_the_client_certificate_nothing_is_sent(
    bank: Bank, before: tuple[int, int]
) -> None:
    settings = bank.settings(bank_client_cert_file=None, bank_client_key_file=None)
    result = await send_on(settings, Rail.ZELLE)
    assert isinstance(result, NotSent), result
    assert len(await bank.ledger()) == before[0]
    assert bank.sandbox.authority.issued == before[1]  # refused at the token request


async def test_a_refused_handshake_on_the_payment_call_is_not_sent(
    bank: Bank, before: tuple[int, int]
) -> None:
    # No token source: the payment request itself meets the handshake refusal.
    settings = PayoutsSettings()
    debtor = Debtor(account_id=settings.jpm_debtor_account_id,
                    bank_bic=settings.jpm_debtor_bank_id, name=settings.jpm_debtor_name)
    client = ZelleClient(f"{bank.url}/tsapi/v1", debtor=debtor, retries=1, backoff_s=0.01,
                         tls=ClientTls(ca_file=bank.certs.ca))
    try:
        result = await client.send(
            PaymentInstruction(e2e_id(), Money.of("42.00"), PAYEE, None))
    finally:
        await client.aclose()
    assert isinstance(result, NotSent), result
    assert "ConnectError" in result.reason
    assert len(await bank.ledger()) == before[0]


async def test_a_bank_certificate_from_another_ca_is_refused(
    bank: Bank, before: tuple[int, int]
) -> None:
    result = await send_on(bank.settings(bank_ca_file=bank.certs.other_ca), Rail.ZELLE)
    assert isinstance(result, NotSent), result
    assert "certificate verify failed" in result.reason
    assert len(await bank.ledger()) == before[0]
    assert bank.sandbox.authority.issued == before[1]


def test_the_development_settings_present_no_certificate() -> None:
    # make run and compose call the sandbox over plain HTTP: certifi, no client certificate.
    assert PayoutsSettings().bank_tls == http.DEFAULT_TLS


async def test_the_check_rails_positive_pay_goes_to_the_bank_over_mtls_with_its_token(
    bank: Bank, before: tuple[int, int], module_sandbox_db: str,
) -> None:
    """The check rail calls two hosts: Lob with its API key, and the bank's positive pay as
    the bank is called (its token, its client certificate)."""
    number = 30000 + before[0]
    record = pp.IssueRecord(ACCOUNT_NUMBER, number, Money.of("42.00"), date.today(),
                            "Pat Pro", False)
    for settings, expected in ((bank.settings(), None),
                               (bank.settings(bank_client_cert_file=None,
                                              bank_client_key_file=None), "refused")):
        rails = rail_clients(settings, bank=bank_token_source(settings))
        check_rail = rails[Rail.CHECK]
        assert isinstance(check_rail, LobChecksClient)
        try:
            refused = await check_rail.upload_issues([record], "A1")
        finally:
            await close_rails(rails)
        if expected is None:
            assert refused is None
        else:
            assert refused is not None and "ConnectError" in refused
    engine = create_engine(module_sandbox_db, pool_size=1)  # the server's loop owns its own
    try:
        assert number in await BankRecords(engine).issued(ACCOUNT_NUMBER)
    finally:
        await engine.dispose()
    assert bank.sandbox.authority.issued == before[1] + 1  # one token, for the good call
