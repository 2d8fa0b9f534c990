"""Lob's webhook signature, which the check rail's callbacks carry.

Lob signs ``f"{timestamp}.".encode() + raw_body`` with HMAC-SHA256 under the webhook's secret
and sends ``Lob-Signature-Timestamp: <timestamp>`` and ``Lob-Signature: <hex digest>`` (Lob's
"Using webhooks" guide; the vendored OpenAPI document does not describe webhook security). The
timestamp is inside the signed bytes so a captured event cannot be replayed later with a fresh
timestamp; the receiver refuses timestamps outside a tolerance window. Lob's guide shows the
timestamp in milliseconds since the epoch; a value that reads as seconds is accepted too, since
freshness is all it is checked for.

Both functions are pure (the caller passes ``now``) so they are trivially testable, and they live
in ``shared`` because the sender (the sandbox) and the receiver (payouts) must agree byte for byte
without importing each other.
"""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "Lob-Signature-Timestamp"
SIGNATURE_HEADER = "Lob-Signature"
DEFAULT_TOLERANCE_S = 300
# Above this a timestamp is in milliseconds (1e11 s is the year 5138; 1e11 ms is 1973).
_MILLISECONDS_FROM = 10**11


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Lob-Signature`` header value for ``body`` sent at ``timestamp`` (as sent in
    ``Lob-Signature-Timestamp``: milliseconds since the epoch)."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def timestamp_now(now: float) -> int:
    """``Lob-Signature-Timestamp`` for ``now`` (unix seconds): milliseconds, as Lob sends it."""
    return int(now * 1000)


def verify(
    secret: str,
    timestamp_header: str | None,
    signature_header: str | None,
    body: bytes,
    now: float,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> bool:
    """True only if the signature matches the raw body and the timestamp is fresh (``now`` in
    unix seconds).

    Any malformed or missing header is simply ``False``: a receiver answers 401 and the sender
    retries, there is nothing to gain from telling an attacker which part was wrong.
    """
    if not timestamp_header or not signature_header:
        return False
    raw = timestamp_header.strip()
    try:
        timestamp = int(raw)
    except ValueError:
        return False
    sent_at = timestamp / 1000 if timestamp >= _MILLISECONDS_FROM else timestamp
    if abs(now - sent_at) > tolerance_s:
        return False
    expected = sign(secret, timestamp, body)
    # Constant-time: a byte-by-byte compare leaks how much of a forged signature was right.
    return hmac.compare_digest(expected.encode(), signature_header.strip().encode())
