"""The sandbox's clock applies each payment's due steps, in creation order, and a tick looks only
at the payments with steps to come (the store keeps every payment ever made)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from services.sandbox.state import Payment, PaymentStatus, PaymentStore, Step

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def payment(n: int, steps: list[Step] | None = None) -> Payment:
    return Payment(end_to_end_id=f"e2e-{n}", payment_id=f"CNC-{n}", amount=Decimal("10.00"),
                   currency="USD", payee_name="Jane Doe", payee_email=f"j{n}@example.com",
                   payee_mobile=None, callback_url=None, memo=None, created_at=T0,
                   steps=steps or [])


async def test_due_steps_are_applied_in_creation_order_and_once() -> None:
    store = PaymentStore()
    paid = Step(T0 + timedelta(seconds=1), PaymentStatus.COMPLETED)
    for n in range(5):
        await store.create_or_get(payment(n, [paid] if n in (1, 3) else None))
    await store.plan("e2e-0", [paid])  # planned after creation: still first in line

    assert await store.take_due_steps(T0) == []
    due = await store.take_due_steps(T0 + timedelta(seconds=2))
    assert [p.end_to_end_id for p in due] == ["e2e-0", "e2e-1", "e2e-3"]
    assert all(p.status is PaymentStatus.COMPLETED for p in due)
    assert await store.take_due_steps(T0 + timedelta(seconds=3)) == []


async def test_a_tick_only_looks_at_payments_with_steps_to_come() -> None:
    store = PaymentStore()
    for n in range(1000):
        await store.create_or_get(payment(n))
    later = Step(T0 + timedelta(hours=1), PaymentStatus.COMPLETED)
    await store.create_or_get(payment(1000, [later]))
    assert store._scheduled == {"e2e-1000"}
    await store.take_due_steps(T0 + timedelta(hours=2))
    assert store._scheduled == set()
