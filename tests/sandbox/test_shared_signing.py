"""``shared.signing``: the callback signature both the sandbox and payouts rely on."""

from __future__ import annotations

import hashlib
import hmac

from shared.signing import sign, verify

SECRET = "test-webhook-secret-abcdefghijklmnop"
BODY = b'{"eventId":"e1","amount":"125.00"}'
NOW = 1_760_000_000


def test_sign_is_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), b"1760000000." + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, NOW, BODY) == "sha256=" + expected


def test_verify_accepts_a_fresh_valid_signature() -> None:
    assert verify(SECRET, str(NOW), sign(SECRET, NOW, BODY), BODY, now=NOW + 10)


def test_verify_rejects_tampering_and_wrong_secret() -> None:
    signature = sign(SECRET, NOW, BODY)
    assert not verify(SECRET, str(NOW), signature, BODY + b" ", now=NOW)
    assert not verify(SECRET, str(NOW + 1), signature, BODY, now=NOW)  # timestamp is signed
    assert not verify("other-secret-abcdefghijklmnop", str(NOW), signature, BODY, now=NOW)


def test_verify_rejects_stale_or_future_timestamps() -> None:
    signature = sign(SECRET, NOW, BODY)
    assert verify(SECRET, str(NOW), signature, BODY, now=NOW + 300)
    assert not verify(SECRET, str(NOW), signature, BODY, now=NOW + 301)
    assert not verify(SECRET, str(NOW), signature, BODY, now=NOW - 301)
    assert not verify(SECRET, str(NOW), signature, BODY, now=NOW + 31, tolerance_s=30)


def test_verify_rejects_missing_or_malformed_headers() -> None:
    signature = sign(SECRET, NOW, BODY)
    assert not verify(SECRET, None, signature, BODY, now=NOW)
    assert not verify(SECRET, str(NOW), None, BODY, now=NOW)
    assert not verify(SECRET, "yesterday", signature, BODY, now=NOW)
    assert not verify(SECRET, str(NOW), signature.removeprefix("sha256="), BODY, now=NOW)
    assert not verify(SECRET, str(NOW), "sha256=", BODY, now=NOW)
    assert not verify(SECRET, str(NOW), "sha256=é", BODY, now=NOW)
