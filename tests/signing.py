"""Signing as the platform's services do in development: tests that publish messages by hand
sign them as the service that owns the contract, or deliberately do not."""

from __future__ import annotations

from shared.messaging.signatures import (
    Signer,
    Verifier,
    dev_key_id,
    dev_seed,
    dev_trusted_keys,
    encode_private,
)
from shared.messaging.topology import SERVICES


def signer(service: str) -> Signer:
    """``service``'s development signing key (the one its processes use by default)."""
    return Signer(dev_key_id(service), encode_private(dev_seed(service)))


def verifier() -> Verifier:
    """What every process trusts by default: the three services' development keys."""
    return Verifier(dev_trusted_keys(SERVICES))
