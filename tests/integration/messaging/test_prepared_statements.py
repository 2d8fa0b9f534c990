"""A Core statement compiled once for plain asyncpg (``shared/db/driver.py: prepared``) reads and
writes what the same statement does through the session: enums, JSON, amounts and UUIDs come
back as the session gives them, its constants are sent, and it runs in the session's
transaction."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from enum import StrEnum

import pytest
from sqlalchemy import (
    Column,
    Enum,
    MetaData,
    Numeric,
    String,
    Table,
    Uuid,
    bindparam,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db.driver import fetch, fetch_one, prepared, run
from shared.uow import UnitOfWork


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


metadata = MetaData()
things = Table(
    "prepared_things", metadata,
    Column("id", Uuid, primary_key=True),
    Column("colour", Enum(Colour, native_enum=False, length=16,
                          values_callable=lambda members: [m.value for m in members])),
    Column("amount", Numeric(12, 2)),
    Column("detail", JSONB),
    Column("label", String(32)),
)

READ = prepared(select(things).where(things.c.id == bindparam("id")))
# ``colour == RED`` is a bind the statement carries itself.
RED_ONES = prepared(select(things.c.id).where(things.c.colour == Colour.RED)
                    .order_by(things.c.label))
RECOLOUR = prepared(update(things).where(things.c.id == bindparam("t_id"))
                    .values(colour=bindparam("t_colour"), detail=bindparam("t_detail")))
COUNT = prepared(text("SELECT count(*) FROM prepared_things WHERE label = :label"))


@pytest.fixture
async def table(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[None]:
    async with sessionmaker() as session, session.begin():
        await session.run_sync(lambda s: metadata.create_all(s.connection()))
    yield
    async with sessionmaker() as session, session.begin():
        await session.run_sync(lambda s: metadata.drop_all(s.connection()))


@pytest.fixture
async def uow(table: None, sessionmaker: async_sessionmaker[AsyncSession],
              ) -> AsyncIterator[UnitOfWork]:
    """A unit of work over the fresh table; the test does not commit it."""
    async with UnitOfWork(sessionmaker, "test") as unit:
        yield unit


async def add(session: AsyncSession, colour: Colour, label: str) -> uuid.UUID:
    ident = uuid.uuid4()
    await session.execute(insert(things).values(
        id=ident, colour=colour, amount=Decimal("862.37"), detail={"trade": "hvac", "n": [1]},
        label=label))
    return ident


async def test_rows_come_back_as_the_session_gives_them(uow: UnitOfWork) -> None:
    ident = await add(uow.session, Colour.BLUE, "a")
    through_session = (await uow.session.execute(
        select(things).where(things.c.id == ident))).one()
    plain = await fetch_one(uow.session, READ, {"id": ident})
    assert plain == tuple(through_session)
    assert plain is not None
    assert plain[1] is Colour.BLUE  # the enum, not its value
    assert plain[2] == Decimal("862.37") and plain[3] == {"trade": "hvac", "n": [1]}
    assert isinstance(plain[0], uuid.UUID)
    assert await fetch_one(uow.session, READ, {"id": uuid.uuid4()}) is None


async def test_binds_are_converted_and_constants_sent(uow: UnitOfWork) -> None:
    first = await add(uow.session, Colour.RED, "a")
    second = await add(uow.session, Colour.BLUE, "b")
    assert await fetch(uow.session, RED_ONES, {}) == [(first,)]
    status = await run(uow.session, RECOLOUR, {
        "t_id": second, "t_colour": Colour.RED, "t_detail": {"why": "repaint"}})
    assert status == "UPDATE 1"
    assert await fetch(uow.session, RED_ONES, {}) == [(first,), (second,)]
    row = await fetch_one(uow.session, READ, {"id": second})
    assert row is not None and row[3] == {"why": "repaint"}
    assert await fetch(uow.session, COUNT, {"label": "b"}) == [(1,)]  # text: rows as is


@pytest.mark.usefixtures("table")
async def test_a_prepared_write_rolls_back_with_its_unit_of_work(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with UnitOfWork(sessionmaker, "test") as uow:
        ident = await add(uow.session, Colour.BLUE, "a")
        await uow.commit()
    async with UnitOfWork(sessionmaker, "test") as uow:
        await run(uow.session, RECOLOUR, {"t_id": ident, "t_colour": Colour.RED,
                                          "t_detail": None})
        # no commit: leaving the block rolls back
    async with UnitOfWork(sessionmaker, "test") as uow:
        row = await fetch_one(uow.session, READ, {"id": ident})
        assert row is not None and row[1] is Colour.BLUE


def test_an_in_over_a_bound_list_is_refused() -> None:
    with pytest.raises(ValueError, match="expanding IN"):
        prepared(select(things.c.id).where(things.c.colour.in_([Colour.RED, Colour.BLUE])))


async def test_none_is_bound_as_the_session_binds_it(uow: UnitOfWork) -> None:
    # JSON's bind processor writes None as the JSON null, not SQL NULL: both ways agree.
    plain, through_session = (await add(uow.session, Colour.RED, "p"),
                              await add(uow.session, Colour.RED, "s"))
    await run(uow.session, RECOLOUR, {"t_id": plain, "t_colour": Colour.RED,
                                      "t_detail": None})
    await uow.session.execute(update(things).where(things.c.id == through_session)
                              .values(detail=None))
    stored = await uow.session.execute(text(
        "SELECT label, jsonb_typeof(detail) FROM prepared_things ORDER BY label"))
    assert stored.all() == [("p", "null"), ("s", "null")]
