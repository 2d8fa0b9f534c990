"""Translations between stored rows and domain values (the messages a payout's events become
are ``adapters/messages.py``'s)."""

from __future__ import annotations

from typing import Any

from services.payouts.adapters.orm import PayoutRow
from services.payouts.domain.model import MailingAddress, Payee, PayoutDetails, PayoutStatus, Rail
from shared.money import Money


def payee_from_json(data: dict[str, Any]) -> Payee:
    address = data.get("address")
    return Payee(
        kind=str(data.get("kind", "customer")),
        name=str(data["name"]),
        email=data.get("email"),
        mobile=data.get("mobile"),
        address=MailingAddress(**address) if address else None,
        zelle_token=data.get("zelle_token"),
    )


def to_domain(row: PayoutRow) -> PayoutDetails:
    return PayoutDetails(
        id=row.id,
        payout_key=row.payout_key,
        amount=Money(row.amount),
        rail=Rail(row.rail),
        payee=payee_from_json(row.payee),
        memo=row.memo,
        status=PayoutStatus(row.status),
        created_at=row.created_at,
    )
