"""Issue 3 end to end through the real processes (claims, payouts, the provider sandbox):
BYOP paid to the customer by Concourse, BYOP paid to the service pro by Zelle, a Claim Credit
paid by check. The sandbox ledger must hold exactly one payment of the expected amount."""

from __future__ import annotations

from decimal import Decimal

from warranty_client.claims import (
    byop_concourse_to_customer,
    byop_zelle_to_service_pro,
    claim_credit_by_check,
)
from warranty_client.http import Urls


async def test_byop_is_reimbursed_to_the_customer_by_concourse(urls: Urls) -> None:
    lines: list[str] = []
    result = await byop_concourse_to_customer(urls, lines.append)
    assert result.claim["status"] == "paid"
    assert result.claim["kind"] == "byop_reimbursement"
    # min(invoice 862.37, authorized 900.00) less the 100.00 deductible
    assert result.expected == Decimal("762.37")
    [entry] = result.ledger_entries
    assert (entry["rail"], Decimal(entry["amount"]), entry["status"]) == (
        "concourse", Decimal("762.37"), "COMPLETED")
    assert result.claim["review"] is None  # the SS-Claim Credit Review completed with payment


async def test_byop_is_paid_to_the_service_pro_by_zelle(urls: Urls) -> None:
    result = await byop_zelle_to_service_pro(urls, lambda line: None)
    # min(invoice 655.00, authorized 610.50) less the 100.00 deductible
    [entry] = result.ledger_entries
    assert (entry["rail"], Decimal(entry["amount"])) == ("zelle", Decimal("510.50"))
    assert entry["payeeName"].startswith("Acme Plumbing")
    assert result.claim["payment"]["payee"] == "service_pro"


async def test_a_claim_credit_is_paid_by_check(urls: Urls) -> None:
    result = await claim_credit_by_check(urls, lambda line: None)
    [entry] = result.ledger_entries
    assert (entry["rail"], Decimal(entry["amount"])) == ("check", Decimal("187.65"))
    assert entry["payeeName"] == "Jane Doe"
    assert entry["payeeAddress"]["city"] == "Austin" and entry["payeeAddress"]["zip"] == "78701"
    assert result.claim["payment"]["terms_version"] and result.claim["payment"]["rail"] == "check"
