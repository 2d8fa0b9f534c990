"""The development key pairs of the J.P. Morgan integration, shared by payouts and the provider
sandbox: the client assertion's (RFC 7523; payouts signs, the sandbox verifies) and the bank's
callback notification key (the sandbox signs, payouts verifies with the public key it reads
from the bank's ``/public-keys``).

Like the messaging development keys (``shared/messaging/signatures.py``) it is derived from a
public seed, so ``make run``, the dev stack and the tests need no key file and no manual step;
being public knowledge, production refuses it for a rail that is not the sandbox.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Literal

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

DEV_CLIENT_ID = "warranty-dev-client"
DEV_KEY_ID = "warranty-dev-2026"
DEV_SCOPE = "payments"
DEV_NOTIFICATION_KEY_ID = "jpm-notifications-dev-2026"
DEV_ALG: Literal["ES256"] = "ES256"
# The order of P-256: a private scalar must lie in [1, n - 1].
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def _derived(seed_text: bytes) -> ec.EllipticCurvePrivateKey:
    seed = int.from_bytes(hashlib.sha256(seed_text).digest())
    return ec.derive_private_key(seed % (_P256_ORDER - 1) + 1, ec.SECP256R1())


@functools.cache
def _dev_private_key() -> ec.EllipticCurvePrivateKey:
    return _derived(b"warranty-dev-bank-client-key")


@functools.cache
def dev_notification_key() -> ec.EllipticCurvePrivateKey:
    """The sandbox bank's callback signing key (development only, like the one above)."""
    return _derived(b"warranty-dev-bank-notification-key")


def dev_private_key_pem() -> bytes:
    return _dev_private_key().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


def dev_public_key_pem() -> bytes:
    return _dev_private_key().public_key().public_bytes(
        Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
