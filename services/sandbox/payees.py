"""How the simulated payees behave: enrolled in Zelle or not, whether they register with
Concourse, what they do with a check. Tests set it per payee over HTTP (``PUT
/sandbox/payees``); a payee nobody configured behaves well (enrolled, registers, cashes)."""

from __future__ import annotations

import asyncio
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ConcourseBehaviour(StrEnum):
    REGISTER = "register"  # registers and is paid by ACH after the settle delay
    NEVER_REGISTER = "never_register"  # the invitation expires after N days (sandbox clock)
    BOUNCE = "bounce"  # the invitation email bounces


class CheckBehaviour(StrEnum):
    CASH = "cash"
    RETURN_TO_SENDER = "return_to_sender"  # undeliverable: the check comes back
    NEVER_CASH = "never_cash"  # delivered, never cashed: stale after N days


class PayeeBehaviour(BaseModel):
    model_config = ConfigDict(extra="forbid")

    identifier: str = Field(
        min_length=1, max_length=200,
        description="Email, +1 mobile or Zelle token (Zelle, Concourse) or payee name (check).",
        examples=["pat.pro@fixit-pros.net"],
    )
    zelle_enrolled: bool = True
    zelle_reject_code: str | None = Field(
        default=None, pattern=r"^[A-Z0-9]{4}$",
        description="Reject payments to this enrolled recipient with this ISO code (e.g. AM04).")
    concourse: ConcourseBehaviour = ConcourseBehaviour.REGISTER
    check: CheckBehaviour = CheckBehaviour.CASH


def behaviour_key(identifier: str) -> str:
    return identifier.strip().casefold()


class PayeeDirectory:
    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._behaviours: dict[str, PayeeBehaviour] = {}

    async def set(self, behaviour: PayeeBehaviour) -> PayeeBehaviour:
        async with self._lock:
            self._behaviours[behaviour_key(behaviour.identifier)] = behaviour
            return behaviour

    async def of(self, *identifiers: str | None) -> PayeeBehaviour:
        """The first configured behaviour among ``identifiers``, else the default."""
        async with self._lock:
            for identifier in identifiers:
                if identifier and behaviour_key(identifier) in self._behaviours:
                    return self._behaviours[behaviour_key(identifier)]
        return PayeeBehaviour(identifier=next((i for i in identifiers if i), "default"))

    async def all(self) -> list[PayeeBehaviour]:
        async with self._lock:
            return list(self._behaviours.values())

    async def clear(self) -> None:
        async with self._lock:
            self._behaviours.clear()
