"""The sandbox's database: migrating it, emptying it for a test, and the saved clock."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.migrate import upgrade_head

from .settings import SandboxSettings
from .state import Clock
from .tables import ALL_TABLES, sandbox_clock

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


async def migrate(settings: SandboxSettings | None = None) -> None:
    """Create the sandbox's database if missing and migrate it to head."""
    await upgrade_head(MIGRATIONS, (settings or SandboxSettings()).database_url)


async def forget_everything(engine: AsyncEngine) -> None:
    """``POST /sandbox/reset``: every payment, bank record, payee behaviour, the card
    gateway's methods, charges and refunds, and the clock."""
    names = ", ".join(table.name for table in ALL_TABLES)
    async with engine.begin() as conn:
        await conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY"))


async def load_clock(engine: AsyncEngine, clock: Clock) -> None:
    """Stand ``clock`` where the saved one stood; with none saved, save ``clock``."""
    query = sa.select(sandbox_clock.c.frozen_at, sandbox_clock.c.offset_s)
    async with engine.connect() as conn:
        saved = (await conn.execute(query)).first()
    if saved is None:
        await save_clock(engine, clock)
    else:
        clock.restore(saved.frozen_at, timedelta(seconds=saved.offset_s))


async def save_clock(engine: AsyncEngine, clock: Clock) -> None:
    values = {"frozen_at": clock.frozen_at, "offset_s": clock.offset.total_seconds()}
    add = insert(sandbox_clock).values(id=1, **values)
    async with engine.begin() as conn:
        await conn.execute(add.on_conflict_do_update(index_elements=[sandbox_clock.c.id],
                                                     set_=values))
