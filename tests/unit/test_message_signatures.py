"""Envelope signatures: Ed25519 per service, a key id naming its service, rotation by trusting
several keys at once."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.messaging.signatures import (
    KEY_HEADER,
    SIGNATURE_HEADER,
    Refusal,
    SignatureError,
    Signer,
    Verifier,
    dev_trusted_keys,
    generate_private_key,
    parse_trusted_keys,
    public_key_of,
)
from shared.messaging.topology import SERVICES
from tests.signing import signer, verifier

VERIFIER = verifier()


@given(st.binary(max_size=2000))
def test_what_a_service_signs_verifies_as_that_service(body: bytes) -> None:
    verdict = VERIFIER.check(body, signer("claims").headers(body))
    assert verdict.authentic and verdict.producer == "claims"


@given(st.binary(min_size=1, max_size=500), st.integers(min_value=0))
def test_any_changed_byte_breaks_the_signature(body: bytes, position: int) -> None:
    headers = signer("payouts").headers(body)
    index = position % len(body)
    tampered = body[:index] + bytes([body[index] ^ 0x01]) + body[index + 1:]
    assert VERIFIER.check(tampered, headers).refusal is Refusal.BAD_SIGNATURE


def test_unsigned_unknown_and_mislabelled_messages_are_refused() -> None:
    body = b'{"type": "payouts.payout_paid"}'
    assert VERIFIER.check(body, {}).refusal is Refusal.UNSIGNED
    headers = signer("billing").headers(body)
    assert VERIFIER.check(body, {**headers, KEY_HEADER: "billing:other"}).refusal \
        is Refusal.UNKNOWN_KEY
    # billing's signature presented under payouts' key id
    assert VERIFIER.check(body, {**headers, KEY_HEADER: "payouts:dev"}).refusal \
        is Refusal.BAD_SIGNATURE
    assert VERIFIER.check(body, {**headers, SIGNATURE_HEADER: "not base64!"}).refusal \
        is Refusal.BAD_SIGNATURE


def test_a_key_is_rotated_by_trusting_old_and_new_at_once() -> None:
    new_private = generate_private_key()
    new_public = public_key_of(base64.b64decode(new_private))
    both = Verifier({**dev_trusted_keys(("claims",)), "claims:k2": new_public})
    body = b"payload"
    assert both.check(body, signer("claims").headers(body)).producer == "claims"
    assert both.check(body, Signer("claims:k2", new_private).headers(body)).producer == "claims"
    only_new = Verifier({"claims:k2": new_public})
    assert only_new.check(body, signer("claims").headers(body)).refusal \
        is Refusal.UNKNOWN_KEY


def test_every_service_has_its_own_development_key() -> None:
    assert len(set(dev_trusted_keys(SERVICES).values())) == 3


@pytest.mark.parametrize("text", ["[]", '{"claims": "AAAA"}', '{"claims:k1": 3}', "not json",
                                  '{"claims:k1": "AAAA"}'])
def test_malformed_trusted_keys_are_refused(text: str) -> None:
    with pytest.raises(SignatureError):
        parse_trusted_keys(text)


def test_a_private_key_must_be_a_32_byte_seed() -> None:
    with pytest.raises(SignatureError):
        Signer("claims:k1", base64.b64encode(b"short").decode())
