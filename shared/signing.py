"""HMAC signatures of provider callbacks (webhooks).

The provider signs ``f"{timestamp}.".encode() + raw_body`` with HMAC-SHA256 under a shared secret
and sends ``X-Signature-Timestamp: <unix seconds>`` and ``X-Signature: sha256=<hex>``. The
timestamp is inside the signed bytes so a captured callback cannot be replayed later with a fresh
timestamp; the receiver refuses timestamps outside a tolerance window.

Both functions are pure (the caller passes ``now``) so they are trivially testable, and they live
in ``shared`` because the sender (the sandbox) and the receiver (payouts) must agree byte for byte
without importing each other.
"""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "X-Signature-Timestamp"
SIGNATURE_HEADER = "X-Signature"
SCHEME = "sha256="
DEFAULT_TOLERANCE_S = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Signature`` header value for ``body`` sent at ``timestamp`` (unix seconds)."""
    digest = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return SCHEME + digest


def verify(
    secret: str,
    timestamp_header: str | None,
    signature_header: str | None,
    body: bytes,
    now: float,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> bool:
    """True only if the signature matches the raw body and the timestamp is fresh.

    Any malformed or missing header is simply ``False``: a receiver answers 401 and the sender
    retries, there is nothing to gain from telling an attacker which part was wrong.
    """
    if not timestamp_header or not signature_header:
        return False
    try:
        timestamp = int(timestamp_header.strip())
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = sign(secret, timestamp, body)
    # Constant-time: a byte-by-byte compare leaks how much of a forged signature was right.
    return hmac.compare_digest(expected.encode(), signature_header.strip().encode())
