"""Attempt identifiers: the attempt id is the provider's endToEndId (its idempotency key).

It is generated and committed before the provider is called, and every resend of the attempt
uses it again, so the provider sees one payment however often we ask.
"""

from __future__ import annotations

import re
import secrets
import string

from services.payouts.domain.errors import InvalidEndToEndIdError

END_TO_END_ID_LENGTH = 16  # the provider's limit: at most 16 alphanumerics
_ALPHABET = string.ascii_uppercase + string.digits
_PATTERN = re.compile(rf"^[A-Z0-9]{{{END_TO_END_ID_LENGTH}}}$")


def new_end_to_end_id() -> str:
    """16 uppercase alphanumerics from the OS CSPRNG (36**16 ~ 8e24: collisions are not a risk;
    the provider would answer one with a 409 anyway)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(END_TO_END_ID_LENGTH))


def is_end_to_end_id(value: str) -> bool:
    return _PATTERN.fullmatch(value) is not None


def require_end_to_end_id(value: str) -> str:
    if not is_end_to_end_id(value):
        raise InvalidEndToEndIdError(value)
    return value
