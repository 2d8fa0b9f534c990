"""Reconciliation rules, and how the Zelle and check clients read and write the providers."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.payouts.domain.model import MailingAddress, Payee
from services.payouts.domain.reconciliation import (
    LedgerItem,
    MismatchKind,
    OurAttempt,
    reconcile,
)
from services.payouts.rails.jpm_payments.client import Debtor, ZelleClient
from services.payouts.service.ports import PaymentInstruction
from shared.money import Money


def ours(attempt_id: str, payout: str = "p1", status: str = "paid",
         amount: str = "10.00") -> OurAttempt:
    return OurAttempt(attempt_id, payout, "zelle", Decimal(amount), "pat@x.net", status)


def theirs(eid: str, *, settled: bool = True, amount: str = "10.00",
           payee: str = "pat@x.net") -> LedgerItem:
    return LedgerItem(eid, "zelle", Decimal(amount), payee, settled,
                      "COMPLETED" if settled else "PENDING")


def test_every_kind_of_mismatch_is_reported() -> None:
    found = reconcile(
        [ours("A"), ours("B", status="submitted"), ours("C", amount="11.00"),
         ours("D", payout="p4", status="failed"), ours("E", payout="p5", status="paid"),
         ours("F", payout="p6"), ours("G", payout="p6", status="failed")],
        [theirs("C"), theirs("D"), theirs("E", settled=False, payee="other@x.net"),
         theirs("F"), theirs("G"), theirs("X")],
    )
    kinds = sorted((m.kind.value, m.end_to_end_id) for m in found)
    assert kinds == [
        ("amount_different", "C"), ("extra", "X"), ("missing", "A"), ("missing", "B"),
        ("paid_twice", "F,G"), ("payee_different", "E"), ("status_different", "D"),
        ("status_different", "E"), ("status_different", "G"),
    ]
    assert all("@" not in m.detail for m in found)  # no payee identifiers in the report


def test_attempts_the_provider_never_acknowledged_need_not_be_in_the_ledger() -> None:
    assert reconcile([ours("A", status="sending"), ours("B", status="unknown"),
                      ours("C", status="failed")], []) == []


@given(st.lists(st.tuples(st.sampled_from(["paid", "submitted", "returned", "cancelled"]),
                          st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"),
                                      places=2)), max_size=20))
def test_a_ledger_that_mirrors_our_attempts_reconciles_clean(
    rows: list[tuple[str, Decimal]],
) -> None:
    attempts = [OurAttempt(f"E{i}", f"p{i}", "zelle", amount, "pat@x.net", status)
                for i, (status, amount) in enumerate(rows)]
    ledger = [LedgerItem(a.attempt_id, "zelle", a.amount, a.payee, a.status == "paid",
                         {"paid": "COMPLETED", "submitted": "PENDING", "returned": "RETURNED",
                          "cancelled": "STOPPED"}[a.status])
              for a in attempts]
    assert reconcile(attempts, ledger) == []
    if attempts:  # and one change is always seen
        changed = [*ledger[:-1], LedgerItem(ledger[-1].end_to_end_id, "zelle",
                                            ledger[-1].amount + Decimal("0.01"),
                                            ledger[-1].payee, ledger[-1].settled,
                                            ledger[-1].status)]
        assert [m.kind for m in reconcile(attempts, changed)] == [MismatchKind.AMOUNT]


def test_zelle_pays_the_token_first_and_check_mails_the_address() -> None:
    payee = Payee(kind="service_pro", name="Pat Pro", email="pat@x.net", mobile="+15555550123",
                  zelle_token="+15555550199",
                  address=MailingAddress(line1="1 A St", city="B", state="IL", zip="62701"))
    instruction = PaymentInstruction("ABCDEFGH12345678", Money.of("10.00"), payee, "memo")
    zelle = ZelleClient("http://x", debtor=Debtor("000009102574986")).body(instruction)
    assert zelle["payments"]["creditor"] == {"creditorName": "Pat Pro", "creditorAccount": {
        "alternateAccountIdentifier": "+15555550199", "accountType": "ZELLE",
        "schemeName": {"proprietary": "TELI"}}}
