"""How the simulated payees behave: enrolled in Zelle or not, whether they register with
Concourse, what they do with a check. Tests set it per payee over HTTP (``PUT
/sandbox/payees``); a payee nobody configured behaves well (enrolled, registers, cashes)."""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from .tables import payee_behaviours


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
    """Behaviours by identifier, in the sandbox's database (a restart keeps them)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def set(self, behaviour: PayeeBehaviour) -> PayeeBehaviour:
        add = insert(payee_behaviours).values(identifier_key=behaviour_key(behaviour.identifier),
                                              behaviour=behaviour.model_dump(mode="json"))
        add = add.on_conflict_do_update(index_elements=[payee_behaviours.c.identifier_key],
                                        set_={"behaviour": add.excluded.behaviour})
        async with self._engine.begin() as conn:
            await conn.execute(add)
        return behaviour

    async def of(self, *identifiers: str | None) -> PayeeBehaviour:
        """The first configured behaviour among ``identifiers``, else the default."""
        keys = [behaviour_key(i) for i in identifiers if i]
        query = sa.select(payee_behaviours.c.identifier_key, payee_behaviours.c.behaviour
                          ).where(payee_behaviours.c.identifier_key.in_(keys))
        async with self._engine.connect() as conn:
            known = {key: raw for key, raw in (await conn.execute(query)).all()}
        for key in keys:
            if key in known:
                return PayeeBehaviour.model_validate(known[key])
        return PayeeBehaviour(identifier=next((i for i in identifiers if i), "default"))

    async def all(self) -> list[PayeeBehaviour]:
        query = sa.select(payee_behaviours.c.behaviour).order_by(payee_behaviours.c.seq)
        async with self._engine.connect() as conn:
            return [PayeeBehaviour.model_validate(raw)
                    for raw in (await conn.execute(query)).scalars()]
