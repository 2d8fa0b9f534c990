"""The audit after quiescence: facts come from where they live (the claims, payouts and billing
databases, the provider sandbox's ledger of every payment made and the card gateway's charges),
never from the APIs' own summaries, so a service that lies about itself is still caught.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
from aio_pika.abc import AbstractRobustConnection

from chaos.flows import FlowRecord
from chaos.quiesce import fetch
from ops.parking import inspect_parked, list_parking

FINAL_PAYOUT = {"paid", "failed", "returned", "cancelled", "rejected", "expired",
                "unclaimed"}
# Final payout states the claims service is told about under the same name: all of them.
REPORTED_FINAL = FINAL_PAYOUT
Row = Mapping[str, Any]  # a database row (asyncpg.Record) or, in tests, a dict
# Ledger states in which no money moved and none can move any more.
# Ledger statuses of payments that will never pay. Concourse's failed invitations are dead too:
# the bank mails no check of its own; payouts' fallback rule starts a check payment instead.
DEAD_LEDGER = {"REJECTED", "RETURNED", "RETURNED_TO_SENDER", "VOIDED", "STOPPED",
               "INVITATION_EXPIRED", "INVITATION_BOUNCED", "CANCELLED"}


@dataclass
class Finding:
    kind: str  # lost | double_paid | mismatched
    subject: str
    detail: str


@dataclass
class Audit:
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)
    parked: list[dict[str, Any]] = field(default_factory=list)

    def add(self, kind: str, subject: str, detail: str) -> None:
        self.findings.append(Finding(kind, subject, detail))

    def total(self, kind: str) -> int:
        return sum(1 for f in self.findings if f.kind == kind)


def _payee_ok(claim: Row, entry: dict[str, Any]) -> bool:
    """The ledger's payee is the claim's: the rail's identifier and (checks) the name. The
    payment's own rail decides: a Concourse claim may end paid by its fallback check."""
    rail = entry.get("rail") or claim["rail"]
    if rail == "concourse":
        return bool(entry["payeeEmail"].lower() == (claim["payee_email"] or "").lower())
    if rail == "zelle":
        want = {(claim[c] or "").lower() for c in ("payee_zelle_token", "payee_email",
                                                    "payee_mobile")} - {""}
        got = {(entry.get(c) or "").lower() for c in ("payeeEmail", "payeeMobile")} - {""}
        return bool(want & got)
    address = entry.get("payeeAddress") or {}
    return bool(address.get("line1") == claim["payee_address_line1"]
                and entry["payeeName"] == claim["payee_name"])


CLAIMS_SQL = ("SELECT id::text AS id, status, kind, payable, rail, payee_role, payee_name, "
              "payee_email, payee_mobile, payee_zelle_token, payee_address_line1 FROM claims")
CLAIM_PAYOUTS_SQL = ("SELECT payout_key, claim_id::text AS claim_id, amount, status "
                     "FROM claim_payouts")
PAYOUTS_SQL = "SELECT id::text AS id, payout_key, claim_id, amount, rail, status FROM payouts"
ATTEMPTS_SQL = "SELECT id, payout_id::text AS payout_id FROM payout_attempts"
PAYMENTS_SQL = ("SELECT p.id::text AS id, p.amount, p.gateway_charge_id, "
                "coalesce(sum(a.amount) FILTER (WHERE a.kind = 'apply'), 0) AS applied "
                "FROM payments p LEFT JOIN payment_allocations a ON a.payment_id = p.id "
                "GROUP BY p.id")

# That the provider faults bit: payouts whose outcome was unknown for a while (a timeout after
# acceptance), attempts sent more than once with their same id (5xx, 429), callbacks refused
# as repeats are not stored, so duplicates show only as nothing paid twice.
EVIDENCE_SQL = {
    "payouts through unknown": "SELECT count(DISTINCT payout_id) FROM payout_status_history "
                               "WHERE to_status = 'unknown'",
    "attempts sent more than once": "SELECT count(*) FROM payout_attempts WHERE sends > 1",
}


async def _http_json(url: str) -> Any:
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.get(url)
        response.raise_for_status()
        return response.json()


async def audit(dbs: dict[str, str], sandbox_url: str, mq: AbstractRobustConnection,
                namespace: str, flows: list[FlowRecord]) -> Audit:
    result = Audit()
    claims = {r["id"]: r for r in await fetch(dbs["claims"], CLAIMS_SQL)}
    requested = await fetch(dbs["claims"], CLAIM_PAYOUTS_SQL)
    payouts = {r["payout_key"]: r for r in await fetch(dbs["payouts"], PAYOUTS_SQL)}
    attempt_payout = {r["id"]: r["payout_id"] for r in await fetch(dbs["payouts"], ATTEMPTS_SQL)}
    ledger = (await _http_json(sandbox_url + "/ledger"))["payments"]
    _audit_payouts(result, claims, requested, payouts, attempt_payout, ledger)
    _audit_flows(result, claims, requested, flows)
    await _audit_billing(result, dbs["billing"], sandbox_url)
    result.parked = await _parked(mq, namespace)
    for name, sql in EVIDENCE_SQL.items():
        result.counts[name] = (await fetch(dbs["payouts"], sql))[0][0]
    result.counts.update(
        flows=len(flows), approved=sum(f.status == "approved" for f in flows),
        billing_paid=sum(f.status == "paid" for f in flows),
        abandoned=sum(f.status == "abandoned" for f in flows),
        payouts=len(payouts), paid=sum(p["status"] == "paid" for p in payouts.values()),
        ledger_entries=len(ledger), settled=sum(bool(e["settled"]) for e in ledger),
    )
    return result


def _audit_payouts(result: Audit, claims: dict[str, Row],
                   requested: list[Row], payouts: dict[str, Row],
                   attempt_payout: dict[str, str], ledger: list[dict[str, Any]]) -> None:
    by_payout: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in ledger:
        payout_id = attempt_payout.get(entry["endToEndId"])
        if payout_id is None:
            result.add("mismatched", entry["endToEndId"], "ledger payment of no known attempt")
        else:
            by_payout[payout_id].append(entry)
    money_per_claim: dict[str, int] = defaultdict(int)
    for row in requested:
        key, claim = row["payout_key"], claims[row["claim_id"]]
        payout = payouts.get(key)
        if payout is None:
            result.add("lost", key, "approved claim's payout never reached the payouts service")
            continue
        if payout["status"] not in FINAL_PAYOUT:
            result.add("lost", key, f"payout still {payout['status']} after quiescence")
        entries = by_payout[payout["id"]]
        alive = [e for e in entries if e["settled"] or e["status"] not in DEAD_LEDGER]
        money_per_claim[row["claim_id"]] += len(alive)
        if len(alive) > 1:
            result.add("double_paid", key, f"{len(alive)} live/settled provider payments: "
                       + ", ".join(f"{e['endToEndId']} {e['status']}" for e in alive))
        settled = [e for e in entries if e["settled"]]
        if payout["status"] == "paid" and not settled:
            result.add("mismatched", key, "payout paid but no settled provider payment")
        if settled and payout["status"] != "paid":
            result.add("mismatched", key, f"provider settled but payout {payout['status']}")
        for entry in settled:
            if Decimal(entry["amount"]) != claim["payable"] or payout["amount"] != claim["payable"]:
                result.add("mismatched", key, f"paid {entry['amount']}, claim payable "
                           f"{claim['payable']}")
            if not _payee_ok(claim, entry):
                result.add("mismatched", key, "paid to another payee than the claim's")
        if (payout["status"] == "paid") != (row["status"] == "paid") or (
                payout["status"] in REPORTED_FINAL and row["status"] != payout["status"]):
            result.add("mismatched", key, f"claims sees its payout {row['status']}, payouts "
                       f"{payout['status']}")
    for claim_id, count in money_per_claim.items():
        if count > 1:
            result.add("double_paid", claim_id, f"{count} live/settled payments for one claim")
    _audit_claim_status(result, claims, requested, payouts)


def _audit_claim_status(result: Audit, claims: dict[str, Row],
                        requested: list[Row],
                        payouts: dict[str, Row]) -> None:
    latest: dict[str, Row] = {}
    for request in requested:  # keys end with the payout sequence; the last one decides
        if request["claim_id"] not in latest or request["payout_key"] > latest[
                request["claim_id"]]["payout_key"]:
            latest[request["claim_id"]] = request
    for claim_id, claim in claims.items():
        last = latest.get(claim_id)
        found = payouts.get(last["payout_key"]) if last is not None else None
        paid = found is not None and found["status"] == "paid"
        if (claim["status"] == "paid") != paid:
            result.add("mismatched", claim_id, f"claim {claim['status']} but its payout is "
                       f"{found['status'] if found is not None else 'none'}")


def _audit_flows(result: Audit, claims: dict[str, Row],
                 requested: list[Row], flows: list[FlowRecord]) -> None:
    with_payout = {r["claim_id"] for r in requested}
    for flow in flows:
        if flow.status != "approved" or flow.claim_id is None:
            continue
        claim = claims.get(flow.claim_id)
        if claim is None or flow.claim_id not in with_payout:
            result.add("lost", flow.claim_id, f"flow {flow.index} approved, no payout requested")
        elif claim["payable"] != flow.expected:
            result.add("mismatched", flow.claim_id, f"flow {flow.index} expected "
                       f"{flow.expected}, claim payable {claim['payable']}")


async def _audit_billing(result: Audit, billing_db: str, sandbox_url: str) -> None:
    payments = await fetch(billing_db, PAYMENTS_SQL)
    by_charge: dict[str, list[Row]] = defaultdict(list)
    for payment in payments:
        by_charge[payment["gateway_charge_id"]].append(payment)
        if payment["applied"] != payment["amount"]:
            result.add("mismatched", payment["id"], f"payment {payment['amount']} but "
                       f"allocations sum to {payment['applied']}")
    charges = await _http_json(sandbox_url + "/gateway/v1/charges")
    for charge in charges:
        if charge["status"] != "succeeded":
            continue
        mine = by_charge.get(charge["id"], [])
        if not mine:
            result.add("lost", charge["id"], f"card charged {charge['amount']}, no payment "
                       "recorded by billing")
        elif len(mine) > 1:
            result.add("double_paid", charge["id"], "one charge recorded as several payments")
        elif Decimal(charge["amount"]) != mine[0]["amount"]:
            result.add("mismatched", charge["id"], "charge and payment amounts differ")
    result.counts["billing_payments"] = len(payments)
    result.counts["gateway_charges"] = len(charges)


async def _parked(mq: AbstractRobustConnection, namespace: str) -> list[dict[str, Any]]:
    """Every parked message with the reason recorded on it (``unknown`` = no explanation)."""
    parked: list[dict[str, Any]] = []
    for queue in await list_parking(mq, namespace):
        if isinstance(queue.parked, int) and queue.parked:
            name = queue.queue.removeprefix(namespace)
            for message in await inspect_parked(mq, namespace, name, limit=queue.parked):
                parked.append({"queue": name, "type": message["type"],
                               "reason": message["reason"], "message_id": message["message_id"]})
    return parked
