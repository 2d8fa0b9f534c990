"""J.P. Morgan's callback notification signatures, verified as J.P. Morgan documents them.

Every notification carries three headers: ``Signature`` (base64 of the signature of the raw
body), ``Key-ID`` (which of the bank's keys signed it) and ``Signing-Algorithm`` (``EC``:
SHA256withECDSA; ``RSA``: SHA256withRSA). The bank publishes its public keys at
``GET /public-keys`` as a JSON Web Key Set whose keys carry an ``exp`` (a key lives 365 days
from its creation). We keep the set in memory, fetch it again when a notification names a key
we do not hold (the bank rotated) at most once per ``refresh_interval_s`` (an attacker's made-up
key ids must not turn into a flood of fetches), and never accept a key past its ``exp``.

The Global Payments specification itself documents no callback authentication; this is J.P.
Morgan's notification scheme (developer.payments.jpmorgan.com, "Public keys"). The signature
has no timestamp: a replayed notification is a repeat of a status already applied, which the
callback handling answers as a duplicate or ignores as out of order.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from services.payouts.adapters.bank_auth import BankAuthError, TokenSource

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "Signature"
KEY_ID_HEADER = "Key-ID"
ALGORITHM_HEADER = "Signing-Algorithm"
_KEY_TYPES = {"EC": "EC", "RSA": "RSA"}  # Signing-Algorithm -> the JWK's kty


@dataclass(frozen=True, slots=True)
class _PublicKey:
    key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey
    kty: str
    expires: datetime | None


class NotificationKeys:
    """The bank's notification public keys, and the check of a notification against them."""

    def __init__(self, url: str, client: httpx.AsyncClient, *, auth: TokenSource | None = None,
                 refresh_interval_s: float = 30.0,
                 monotonic: Callable[[], float] = time.monotonic,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._url = url
        self._client = client
        self._auth = auth
        self._refresh_interval_s = refresh_interval_s
        self._monotonic = monotonic
        self._now = now
        self._keys: dict[str, _PublicKey] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        """Does ``body`` carry a valid signature by one of the bank's live keys?"""
        signature = _decoded(headers.get(SIGNATURE_HEADER))
        kid, algorithm = headers.get(KEY_ID_HEADER), headers.get(ALGORITHM_HEADER)
        if signature is None or not kid or algorithm not in _KEY_TYPES:
            return False
        key = await self._key(kid)
        if key is None or key.kty != _KEY_TYPES[algorithm]:
            return False
        if key.expires is not None and key.expires <= self._now():
            log.warning("notification signed with expired key %s refused", kid)
            return False
        return _valid(key, signature, body)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _key(self, kid: str) -> _PublicKey | None:
        if kid in self._keys:
            return self._keys[kid]
        async with self._lock:  # one fetch for every caller waiting on the same rotation
            if kid not in self._keys and self._may_fetch():
                await self._fetch()
        return self._keys.get(kid)

    def _may_fetch(self) -> bool:
        return self._fetched_at is None or \
            self._monotonic() - self._fetched_at >= self._refresh_interval_s

    async def _fetch(self) -> None:
        self._fetched_at = self._monotonic()
        headers = {}
        try:
            if self._auth is not None:
                headers["Authorization"] = f"Bearer {await self._auth.token()}"
            answer = await self._client.get(self._url, headers=headers)
            answer.raise_for_status()
            keys = _key_set(answer.json())
        except (httpx.HTTPError, BankAuthError, ValueError) as exc:
            log.warning("fetching the bank's notification keys failed: %r", exc)
            return
        self._keys = keys  # keys the bank no longer lists are dropped too


def _decoded(value: str | None) -> bytes | None:
    if not value:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def _valid(key: _PublicKey, signature: bytes, body: bytes) -> bool:
    try:
        if isinstance(key.key, ec.EllipticCurvePublicKey):
            key.key.verify(signature, body, ec.ECDSA(hashes.SHA256()))
        else:
            key.key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def _key_set(document: Any) -> dict[str, _PublicKey]:
    """The signing keys of a JWKS (``{"keys": [...]}``), by ``kid``."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JSON Web Key Set")
    keys = {}
    for entry in document["keys"]:
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig" or not entry.get("kid"):
            continue
        try:
            public = jwt.PyJWK(entry).key
        except jwt.PyJWKError:
            log.warning("the bank's key %s cannot be read; skipped", entry.get("kid"))
            continue
        if not isinstance(public, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
            continue
        expires = entry.get("exp")
        keys[str(entry["kid"])] = _PublicKey(
            public, str(entry.get("kty")),
            None if expires is None else _instant(expires))
    return keys


def _instant(value: Any) -> datetime:
    """``exp`` as J.P. Morgan writes it (``2025-10-23T11:30:25.477Z``), or Unix seconds."""
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
