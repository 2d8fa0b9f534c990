"""Instants a caller sends (query parameters such as ``created_from``, callback timestamps).

An ISO 8601 string can be valid and still not be an instant the platform can compare or store:
``0001-01-01T00:00:00+14:00`` is before year 1 in UTC, and converting it raised
``OverflowError`` (a 500). ``Instant`` takes only aware date-times that stay within years
1..9999 once in UTC, and gives them in UTC; anything else is a validation error (a 422).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime


def _in_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("date-time is outside years 1..9999 once converted to UTC") from exc


Instant = Annotated[AwareDatetime, AfterValidator(_in_utc)]
INSTANT_DESCRIPTION = ("ISO 8601 date-time with a UTC offset (e.g. 2026-01-05T10:00:00Z), "
                       "within years 1..9999 once in UTC.")
