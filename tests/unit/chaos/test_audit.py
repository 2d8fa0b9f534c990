"""The chaos audit catches what it is there to catch: a payment made twice, a payout lost, a
wrong amount or payee, a claim that does not reflect its payout; and the fault plan is seeded."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from chaos.audit import Audit, Row, _audit_payouts
from chaos.faults import FaultPlan

CLAIM = {"id": "c1", "status": "paid", "kind": "claim_credit", "payable": Decimal("250.00"),
         "rail": "concourse", "payee_role": "customer", "payee_name": "Jane Doe",
         "payee_email": "jane@mail.example.net", "payee_mobile": None, "payee_zelle_token": None,
         "payee_address_line1": None}
KEY = "claim:c1:payout:1"


def entry(e2e: str, *, amount: str = "250.00", status: str = "COMPLETED",
          email: str = "jane@mail.example.net") -> dict[str, Any]:
    return {"endToEndId": e2e, "amount": amount, "status": status, "payeeEmail": email,
            "payeeName": "Jane Doe", "settled": status in ("COMPLETED", "CASHED")}


def audit(ledger: list[dict[str, Any]], *, payout_status: str = "paid",
          claim_payout_status: str = "paid", claim_status: str = "paid",
          with_payout: bool = True) -> Audit:
    result = Audit()
    claims: dict[str, Row] = {"c1": {**CLAIM, "status": claim_status}}
    requested: list[Row] = [{"payout_key": KEY, "claim_id": "c1", "amount": Decimal("250.00"),
                  "status": claim_payout_status}]
    payouts: dict[str, Row] = {KEY: {"id": "p1", "payout_key": KEY, "claim_id": "c1",
                     "amount": Decimal("250.00"), "rail": "concourse",
                     "status": payout_status}} if with_payout else {}
    _audit_payouts(result, claims, requested, payouts, {"a1": "p1", "a2": "p1"}, ledger)
    return result


def totals(result: Audit) -> tuple[int, int, int]:
    return result.total("lost"), result.total("double_paid"), result.total("mismatched")


def test_one_payment_of_the_claims_amount_to_its_payee_is_clean() -> None:
    assert totals(audit([entry("a1")])) == (0, 0, 0)


def test_a_failed_first_attempt_and_a_paid_second_one_is_clean() -> None:
    assert totals(audit([entry("a1", status="REJECTED"), entry("a2")])) == (0, 0, 0)


def fallback_check(e2e: str, status: str = "CASHED") -> dict[str, Any]:
    """The check payouts' fallback rule sends after a failed Concourse invitation."""
    return {**entry(e2e, status=status, email=""), "rail": "check",
            "payeeAddress": {"line1": "12 Elm St"}}


def fallback_audit(ledger: list[dict[str, Any]]) -> Audit:
    """A Concourse claim whose payout ended paid on its fallback rail (a check)."""
    result = Audit()
    requested: list[Row] = [{"payout_key": KEY, "claim_id": "c1", "amount": Decimal("250.00"),
                             "status": "paid"}]
    payouts: dict[str, Row] = {KEY: {"id": "p1", "payout_key": KEY, "claim_id": "c1",
                                     "amount": Decimal("250.00"), "rail": "check",
                                     "status": "paid"}}
    _audit_payouts(result, {"c1": {**CLAIM, "payee_address_line1": "12 Elm St"}}, requested,
                   payouts, {"a1": "p1", "a2": "p1", "a3": "p1"}, ledger)
    return result


def test_an_expired_invitation_then_our_fallback_check_is_paid_once() -> None:
    expired = {**entry("a1", status="INVITATION_EXPIRED"), "rail": "concourse"}
    assert totals(fallback_audit([expired, fallback_check("a2")])) == (0, 0, 0)
    # Exactly once: a second check for the same payout is a double payment.
    twice = fallback_audit([expired, fallback_check("a2"), fallback_check("a3")])
    assert twice.total("double_paid") >= 1


@pytest.mark.parametrize("dead", ["INVITATION_EXPIRED", "INVITATION_BOUNCED", "CANCELLED"])
def test_a_dead_invitation_is_not_a_live_payment(dead: str) -> None:
    assert totals(audit([entry("a1", status=dead), entry("a2")])) == (0, 0, 0)


def test_two_settled_attempts_are_a_double_payment() -> None:
    assert audit([entry("a1"), entry("a2")]).total("double_paid") >= 1


def test_an_approved_claim_whose_payout_never_arrived_is_lost() -> None:
    result = audit([], with_payout=False, claim_payout_status="requested",
                   claim_status="approved")
    assert result.total("lost") == 1


def test_a_payout_stuck_before_a_final_state_is_lost() -> None:
    result = audit([entry("a1", status="PENDING")], payout_status="submitted",
                   claim_payout_status="submitted", claim_status="transferred")
    assert result.total("lost") == 1


def test_wrong_amount_wrong_payee_and_a_claim_not_marked_paid_are_mismatches() -> None:
    assert audit([entry("a1", amount="205.00")]).total("mismatched") == 1
    assert audit([entry("a1", email="someone@else.example.net")]).total("mismatched") == 1
    assert audit([entry("a1")], claim_payout_status="submitted",
                 claim_status="transferred").total("mismatched") == 2


def test_a_ledger_payment_of_no_known_attempt_is_a_mismatch() -> None:
    assert audit([entry("a1"), entry("zz")]).total("mismatched") == 1


def test_the_fault_plan_is_the_same_for_the_same_seed_and_covers_every_fault() -> None:
    plan = FaultPlan.build(7, 300, kills_each=3, mq_restarts=2, sandbox_each=3)
    assert plan == FaultPlan.build(7, 300, kills_each=3, mq_restarts=2, sandbox_each=3)
    assert plan != FaultPlan.build(8, 300, kills_each=3, mq_restarts=2, sandbox_each=3)
    kinds = [fault.kind for _, fault in plan.schedule]
    assert kinds.count("kill") == 21 and kinds.count("postgres_restart") == 1  # 7 targets x 3
    assert [f.target for _, f in plan.schedule if f.kind == "kill"].count("sandbox") == 3
    assert kinds.count("rabbitmq_restart") == 2 and kinds.count("sandbox_timeout") == 3
    assert all(0 < at < 270 for at, _ in plan.schedule)
