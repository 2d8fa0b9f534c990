"""Authenticated envelopes: each service signs what it publishes with its own Ed25519 key.

The signature covers the exact bytes of the message body (the serialised envelope, which names
its ``producer``) and travels in two AMQP headers: ``x-signature-key`` (the key id,
``<service>:<name>``) and ``x-signature`` (base64). Consumers hold the public keys they trust; a
message is authentic when its key is trusted, its signature verifies, the key belongs to the
service the envelope names as producer, and that service owns the contract (``PRODUCER``).

Ed25519 rather than a shared HMAC key: a consumer that can verify a producer's messages cannot
forge them, so a compromised payouts service still cannot send ``payouts.request_payout`` as
claims. Keys rotate without downtime: trust the new public key everywhere, switch the
producer's signing key, and drop the old one once no message signed with it is still queued or
parked (docs/runbook.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

KEY_HEADER = "x-signature-key"
SIGNATURE_HEADER = "x-signature"
DEV_KEY_NAME = "dev"


class SignatureError(ValueError):
    """A signing key or a trusted key that cannot be used (bad encoding, bad id)."""


class Refusal(StrEnum):
    """Why a consumer would not take a message (the ``reason`` label of the metric)."""

    UNSIGNED = "unsigned"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    WRONG_PRODUCER = "wrong_producer"  # signed by one service, naming another as producer
    NOT_OWNER = "not_owner"  # the producer does not own the contract


def _b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureError("not valid base64") from exc


def key_service(key_id: str) -> str:
    service, sep, name = key_id.partition(":")
    if not sep or not service or not name:
        raise SignatureError(f"key id {key_id!r} is not '<service>:<name>'")
    return service


def dev_seed(service: str) -> bytes:
    """The development key of ``service``: public knowledge, refused in production."""
    return hashlib.sha256(f"warranty-dev-message-key:{service}".encode()).digest()


def dev_key_id(service: str) -> str:
    return f"{service}:{DEV_KEY_NAME}"


def encode_private(seed: bytes) -> str:
    return base64.b64encode(seed).decode()


def public_key_of(seed: bytes) -> str:
    """The base64 raw public key of a 32-byte private key seed."""
    raw = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def dev_trusted_keys(services: tuple[str, ...]) -> dict[str, str]:
    return {dev_key_id(s): public_key_of(dev_seed(s)) for s in services}


class Signer:
    """Signs with one service's private key."""

    def __init__(self, key_id: str, private_key_b64: str) -> None:
        seed = _b64decode(private_key_b64)
        if len(seed) != 32:
            raise SignatureError("an Ed25519 private key is 32 bytes (base64 of the raw seed)")
        self.key_id = key_id
        self.service = key_service(key_id)
        self._key = Ed25519PrivateKey.from_private_bytes(seed)

    def headers(self, body: bytes) -> dict[str, str]:
        signature = base64.b64encode(self._key.sign(body)).decode()
        return {KEY_HEADER: self.key_id, SIGNATURE_HEADER: signature}


@dataclass(frozen=True)
class Verdict:
    producer: str | None  # the service whose key signed it (None when no trusted key did)
    refusal: Refusal | None

    @property
    def authentic(self) -> bool:
        return self.refusal is None


class Verifier:
    """Checks signatures against the public keys this process trusts."""

    def __init__(self, trusted: Mapping[str, str]) -> None:
        self._keys: dict[str, tuple[str, Ed25519PublicKey]] = {}
        for key_id, public in trusted.items():
            raw = _b64decode(public)
            if len(raw) != 32:
                raise SignatureError(f"trusted key {key_id!r} is not a raw Ed25519 public key")
            self._keys[key_id] = (key_service(key_id), Ed25519PublicKey.from_public_bytes(raw))

    def check(self, body: bytes, headers: Mapping[str, object]) -> Verdict:
        """Who signed ``body``, or why nobody trusted did."""
        key_id, signature = headers.get(KEY_HEADER), headers.get(SIGNATURE_HEADER)
        if not isinstance(key_id, str | bytes) or not isinstance(signature, str | bytes):
            return Verdict(None, Refusal.UNSIGNED)
        key_id = key_id.decode(errors="replace") if isinstance(key_id, bytes) else key_id
        if (entry := self._keys.get(key_id)) is None:
            return Verdict(None, Refusal.UNKNOWN_KEY)
        service, key = entry
        try:
            raw = base64.b64decode(signature, validate=True)
            key.verify(raw, body)
        except (binascii.Error, ValueError, InvalidSignature):
            return Verdict(None, Refusal.BAD_SIGNATURE)
        return Verdict(service, None)


def parse_trusted_keys(text: str) -> dict[str, str]:
    """``MESSAGE_TRUSTED_KEYS``: a JSON object ``{"<service>:<name>": "<base64 public key>"}``."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise SignatureError("trusted keys must be a JSON object") from exc
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise SignatureError("trusted keys must map key ids to base64 public keys")
    Verifier(value)  # every id names a service, every key is a raw Ed25519 public key
    return value


def generate_private_key() -> str:
    """A new random private key, base64 (``warranty-ops broker keygen``)."""
    return encode_private(Ed25519PrivateKey.generate().private_bytes_raw())
