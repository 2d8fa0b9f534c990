"""The sandbox's payment store on its own PostgreSQL database: due steps applied in creation
order and once, a tick that reads only the payments with a step to come, and one payment per
end-to-end id however many callers race for it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from services.sandbox.state import DuplicateEndToEndIdError, Payment, PaymentStatus, Step
from services.sandbox.store import PaymentStore
from shared.db.engine import create_engine

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def payment(n: int, steps: list[Step] | None = None, amount: str = "10.00") -> Payment:
    return Payment(end_to_end_id=f"e2e-{n}", payment_id=f"CNC-{n}", amount=Decimal(amount),
                   currency="USD", payee_name="Jane Doe", payee_email=f"j{n}@example.com",
                   payee_mobile=None, callback_url=None, memo=None, created_at=T0,
                   steps=steps or [])


@pytest.fixture
async def engine(sandbox_db: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(sandbox_db, pool_size=5)
    yield engine
    await engine.dispose()


async def test_due_steps_are_applied_in_creation_order_and_once(engine: AsyncEngine) -> None:
    store = PaymentStore(engine)
    paid = Step(T0 + timedelta(seconds=1), PaymentStatus.COMPLETED)
    for n in range(5):
        await store.create_or_get(payment(n, [paid] if n in (1, 3) else None))
    await store.plan("e2e-0", [paid])  # planned after creation: still first in line

    assert await store.take_due_steps(T0) == []
    due = await store.take_due_steps(T0 + timedelta(seconds=2))
    assert [p.end_to_end_id for p in due] == ["e2e-0", "e2e-1", "e2e-3"]
    assert all(p.status is PaymentStatus.COMPLETED and p.paid_at == paid.at for p in due)
    assert await store.take_due_steps(T0 + timedelta(seconds=3)) == []
    assert (await store.get("e2e-1")) == due[1]  # what the tick answered is what was saved


async def test_a_tick_reads_only_the_payments_with_a_step_due(engine: AsyncEngine) -> None:
    store = PaymentStore(engine)
    for n in range(200):
        await store.create_or_get(payment(n))
    later = Step(T0 + timedelta(hours=1), PaymentStatus.COMPLETED)
    await store.create_or_get(payment(200, [later]))
    async with engine.connect() as conn:
        await conn.execute(sa.text("SET enable_seqscan = off"))  # as on a large ledger
        plan = "\n".join((await conn.execute(sa.text(
            "EXPLAIN SELECT * FROM payments WHERE next_step_at <= now()"))).scalars())
    assert "ix_payments_next_step_at" in plan
    assert [p.end_to_end_id for p in await store.take_due_steps(T0 + timedelta(hours=2))] \
        == ["e2e-200"]
    async with engine.connect() as conn:
        waiting = await conn.scalar(sa.text(
            "SELECT count(*) FROM payments WHERE next_step_at IS NOT NULL"))
    assert waiting == 0


async def test_racing_requests_for_one_id_record_one_payment(engine: AsyncEngine) -> None:
    store = PaymentStore(engine)
    outcomes = await asyncio.gather(*(store.create_or_get(payment(1)) for _ in range(8)))
    assert sorted(created for _, created in outcomes) == [False] * 7 + [True]
    assert len({p.payment_id for p, _ in outcomes}) == 1
    with pytest.raises(DuplicateEndToEndIdError):
        await store.create_or_get(payment(1, amount="10.01"))  # same id, other money
    assert len(await store.all()) == 1


async def test_a_second_store_on_the_same_database_sees_every_payment(
    engine: AsyncEngine, sandbox_db: str,
) -> None:
    """What a restarted sandbox finds: the payment with its amount to the cent and its plan."""
    step = Step(T0 + timedelta(days=3), PaymentStatus.MAILED, reason="mailed")
    recorded, _ = await PaymentStore(engine).create_or_get(payment(7, [step], amount="1234.50"))
    other = create_engine(sandbox_db, pool_size=1)
    try:
        found = await PaymentStore(other).get("e2e-7")
    finally:
        await other.dispose()
    assert found == recorded
    assert found is not None and found.amount == Decimal("1234.50") and found.steps == [step]
