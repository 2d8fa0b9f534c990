"""J.P. Morgan's notification signatures: verified with the bank's published keys (JWKS),
refused for another key, another body, an expired key or a key id the bank never published,
with at most one key fetch per refresh interval."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from services.payouts.rails.jpm_payments.notifications import NotificationKeys

BODY = b'{"callbacks": [{"endToEndId": "K3V9Q2M7X1B4C8D5", "paymentStatus": "COMPLETED"}]}'
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


class Bank:
    """A bank with one EC and one RSA key; counts the key-set fetches."""

    def __init__(self, expires: datetime = NOW + timedelta(days=300)) -> None:
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.expires = expires
        self.fetches = 0

    def key_set(self) -> dict[str, Any]:
        exp = self.expires.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return {"keys": [
            {**ECAlgorithm.to_jwk(self.ec.public_key(), as_dict=True), "kid": "ec-1",
             "use": "sig", "exp": exp},
            {**RSAAlgorithm.to_jwk(self.rsa.public_key(), as_dict=True), "kid": "rsa-1",
             "use": "sig", "exp": exp},
        ]}

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.fetches += 1
        return httpx.Response(200, json=self.key_set())

    def keys(self, clock: list[float]) -> NotificationKeys:
        return NotificationKeys("https://bank.test/public-keys",
                                httpx.AsyncClient(transport=httpx.MockTransport(self.handle)),
                                refresh_interval_s=30, monotonic=lambda: clock[0],
                                now=lambda: NOW)

    def ec_headers(self, body: bytes = BODY) -> dict[str, str]:
        signature = self.ec.sign(body, ec.ECDSA(hashes.SHA256()))
        return {"Signature": base64.b64encode(signature).decode(), "Key-ID": "ec-1",
                "Signing-Algorithm": "EC"}

    def rsa_headers(self) -> dict[str, str]:
        signature = self.rsa.sign(BODY, padding.PKCS1v15(), hashes.SHA256())
        return {"Signature": base64.b64encode(signature).decode(), "Key-ID": "rsa-1",
                "Signing-Algorithm": "RSA"}


async def test_an_ec_or_rsa_signature_by_a_published_key_verifies() -> None:
    bank = Bank()
    keys = bank.keys([0.0])
    assert await keys.verify(bank.ec_headers(), BODY)
    assert await keys.verify(bank.rsa_headers(), BODY)
    assert bank.fetches == 1  # the set is kept


async def test_another_body_key_or_algorithm_is_refused() -> None:
    bank, stranger = Bank(), ec.generate_private_key(ec.SECP256R1())
    keys = bank.keys([0.0])
    assert not await keys.verify(bank.ec_headers(), BODY + b" ")
    forged = base64.b64encode(stranger.sign(BODY, ec.ECDSA(hashes.SHA256()))).decode()
    assert not await keys.verify({**bank.ec_headers(), "Signature": forged}, BODY)
    assert not await keys.verify({**bank.ec_headers(), "Signing-Algorithm": "RSA"}, BODY)
    assert not await keys.verify({**bank.rsa_headers(), "Key-ID": "ec-1"}, BODY)
    assert not await keys.verify({**bank.ec_headers(), "Signature": "%%%"}, BODY)
    assert not await keys.verify({}, BODY)


async def test_an_expired_key_is_refused() -> None:
    bank = Bank(expires=NOW - timedelta(seconds=1))
    assert not await bank.keys([0.0]).verify(bank.ec_headers(), BODY)


async def test_unknown_key_ids_fetch_the_set_at_most_once_per_interval() -> None:
    bank, clock = Bank(), [0.0]
    keys = bank.keys(clock)
    for n in range(5):
        assert not await keys.verify({**bank.ec_headers(), "Key-ID": f"made-up-{n}"}, BODY)
    assert bank.fetches == 1
    clock[0] += 31
    assert not await keys.verify({**bank.ec_headers(), "Key-ID": "made-up-again"}, BODY)
    assert bank.fetches == 2


async def test_a_rotated_key_is_fetched_when_a_notification_names_it() -> None:
    bank, clock = Bank(), [0.0]
    keys = bank.keys(clock)
    assert await keys.verify(bank.ec_headers(), BODY)
    bank.ec = ec.generate_private_key(ec.SECP256R1())  # the bank rotated: new key, same id...
    rotated = {**bank.ec_headers(), "Key-ID": "ec-2"}   # ...published under a new id
    original = bank.key_set

    def with_new_id() -> dict[str, Any]:
        document = original()
        document["keys"][0]["kid"] = "ec-2"
        return document

    bank.key_set = with_new_id  # type: ignore[method-assign]
    clock[0] += 31
    assert await keys.verify(rotated, BODY)
