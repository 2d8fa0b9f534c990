"""The sandbox bank's notification signatures, as J.P. Morgan signs its callbacks: every
callback carries ``Signature`` (base64 SHA256withECDSA of the raw body), ``Key-ID`` and
``Signing-Algorithm: EC``, and ``GET /public-keys`` publishes the key as a JSON Web Key Set whose
``exp`` is 365 days after the key's creation (here: the sandbox's start)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import APIRouter
from jwt.algorithms import ECAlgorithm

from shared.bank_keys import DEV_NOTIFICATION_KEY_ID, dev_notification_key

router = APIRouter(tags=["bank notifications"])

KEY_LIFETIME = timedelta(days=365)
_CREATED = datetime.now(UTC)


def notification_headers(body: bytes) -> dict[str, str]:
    signature = dev_notification_key().sign(body, ec.ECDSA(hashes.SHA256()))
    return {"Signature": base64.b64encode(signature).decode(),
            "Key-ID": DEV_NOTIFICATION_KEY_ID, "Signing-Algorithm": "EC"}


@router.get("/public-keys", summary="The bank's notification public keys (JWKS)")
async def public_keys() -> dict[str, Any]:
    jwk = ECAlgorithm.to_jwk(dev_notification_key().public_key(), as_dict=True)
    expires = (_CREATED + KEY_LIFETIME).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {"keys": [{**jwk, "kid": DEV_NOTIFICATION_KEY_ID, "use": "sig", "exp": expires}]}
