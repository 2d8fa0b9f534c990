"""The provider ledger reconciliation reads (the sandbox's ``GET /ledger`` in development),
normalised to the identifiers each rail pays."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from services.payouts.domain.reconciliation import LedgerItem
from shared import http as outgoing

OUR_RAILS = frozenset({"concourse", "zelle", "check"})


def check_payee_id(name: str, zip_code: str | None) -> str:
    return f"{name.strip().casefold()}|{zip_code or ''}"


def _payee(entry: dict[str, Any]) -> str:
    if entry["rail"] == "check":
        return check_payee_id(entry["payeeName"], (entry.get("payeeAddress") or {}).get("zip"))
    return str(entry.get("payeeEmail") or entry.get("payeeMobile") or "").casefold()


def to_items(entries: list[dict[str, Any]]) -> list[LedgerItem]:
    return [
        LedgerItem(
            end_to_end_id=entry["endToEndId"], rail=entry["rail"],
            amount=Decimal(entry["amount"]), payee=_payee(entry),
            settled=bool(entry.get("settled", entry["status"] == "COMPLETED")),
            status=entry["status"],
        )
        for entry in entries
        if entry["rail"] in OUR_RAILS  # the card gateway's entries are billing's
    ]


async def fetch_ledger(url: str, client: httpx.AsyncClient | None = None,
                       timeout_s: float = 10) -> list[LedgerItem]:
    owned = client is None
    http = client or outgoing.client(timeout_s)
    try:
        response = await http.get(url)
        response.raise_for_status()
        return to_items(response.json()["payments"])
    finally:
        if owned:
            await http.aclose()
