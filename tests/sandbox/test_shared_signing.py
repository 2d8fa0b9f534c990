"""``shared.signing``: Lob's webhook signature, which the sandbox sends and payouts checks."""

from __future__ import annotations

import hashlib
import hmac

from shared.signing import sign, timestamp_now, verify

SECRET = "test-webhook-secret-abcdefghijklmnop"
BODY = b'{"id":"evt_1","event_type":{"id":"check.mailed"}}'
NOW = 1_760_000_000
NOW_MS = NOW * 1000


def test_sign_is_hex_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), b"1760000000000." + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, NOW_MS, BODY) == expected
    assert timestamp_now(NOW + 0.25) == NOW_MS + 250  # Lob's timestamps are milliseconds


def test_verify_accepts_a_fresh_valid_signature_in_milliseconds_or_seconds() -> None:
    assert verify(SECRET, str(NOW_MS), sign(SECRET, NOW_MS, BODY), BODY, now=NOW + 10)
    assert verify(SECRET, str(NOW), sign(SECRET, NOW, BODY), BODY, now=NOW + 10)


def test_verify_rejects_tampering_and_wrong_secret() -> None:
    signature = sign(SECRET, NOW_MS, BODY)
    assert not verify(SECRET, str(NOW_MS), signature, BODY + b" ", now=NOW)
    assert not verify(SECRET, str(NOW_MS + 1), signature, BODY, now=NOW)  # the time is signed
    assert not verify("other-secret-abcdefghijklmnop", str(NOW_MS), signature, BODY, now=NOW)


def test_verify_rejects_stale_or_future_timestamps() -> None:
    signature = sign(SECRET, NOW_MS, BODY)
    assert verify(SECRET, str(NOW_MS), signature, BODY, now=NOW + 300)
    assert not verify(SECRET, str(NOW_MS), signature, BODY, now=NOW + 301)
    assert not verify(SECRET, str(NOW_MS), signature, BODY, now=NOW - 301)
    assert not verify(SECRET, str(NOW_MS), signature, BODY, now=NOW + 31, tolerance_s=30)


def test_verify_rejects_missing_or_malformed_headers() -> None:
    signature = sign(SECRET, NOW_MS, BODY)
    assert not verify(SECRET, None, signature, BODY, now=NOW)
    assert not verify(SECRET, str(NOW_MS), None, BODY, now=NOW)
    assert not verify(SECRET, "yesterday", signature, BODY, now=NOW)
    assert not verify(SECRET, str(NOW_MS), "sha256=" + signature, BODY, now=NOW)
    assert not verify(SECRET, str(NOW_MS), "", BODY, now=NOW)
    assert not verify(SECRET, str(NOW_MS), "é", BODY, now=NOW)
