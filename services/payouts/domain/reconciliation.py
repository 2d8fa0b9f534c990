"""Our attempts against the provider's ledger: every difference, none hidden.

Pure: the caller gathers both sides. An attempt the provider acknowledged must be in its ledger
(else *missing*); every ledger entry must be one of our attempts (else *extra*); both must name
the same money and payee (*amount*, *payee*); money moved must be money we recorded as paid
(*status*); and one payout is settled at most once (*paid_twice*).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class MismatchKind(StrEnum):
    MISSING = "missing"  # we hold an acknowledged attempt the provider does not
    EXTRA = "extra"  # the provider holds a payment that is none of our attempts
    AMOUNT = "amount_different"
    PAYEE = "payee_different"
    STATUS = "status_different"  # paid on one side only
    PAID_TWICE = "paid_twice"


# Attempt statuses the provider confirmed it holds: they must appear in its ledger.
ACKNOWLEDGED = frozenset({"submitted", "paid", "returned", "cancelled"})
PAID_ON_OUR_SIDE = frozenset({"paid", "returned"})  # returned: it was paid, then came back


@dataclass(frozen=True, slots=True)
class OurAttempt:
    attempt_id: str
    payout_id: str
    rail: str
    amount: Decimal
    payee: str  # the identifier the rail pays, normalised
    status: str


@dataclass(frozen=True, slots=True)
class LedgerItem:
    end_to_end_id: str
    rail: str
    amount: Decimal
    payee: str
    settled: bool
    status: str


@dataclass(frozen=True, slots=True)
class Mismatch:
    kind: MismatchKind
    end_to_end_id: str
    rail: str
    detail: str
    payout_id: str | None = None


def reconcile(ours: list[OurAttempt], theirs: list[LedgerItem]) -> list[Mismatch]:
    ledger = {item.end_to_end_id: item for item in theirs}
    attempts = {attempt.attempt_id: attempt for attempt in ours}
    found: list[Mismatch] = []
    settled_per_payout: dict[str, list[str]] = defaultdict(list)
    for attempt in ours:
        item = ledger.get(attempt.attempt_id)
        if item is None:
            if attempt.status in ACKNOWLEDGED:
                found.append(_of(MismatchKind.MISSING, attempt, "acknowledged attempt "
                                 f"({attempt.status}) is not in the provider's ledger"))
            continue
        found += _compare(attempt, item)
        if item.settled:
            settled_per_payout[attempt.payout_id].append(attempt.attempt_id)
    for item in theirs:
        if item.end_to_end_id not in attempts:
            found.append(Mismatch(MismatchKind.EXTRA, item.end_to_end_id, item.rail,
                                  f"{item.status} {item.amount} is none of our attempts"))
    for payout_id, ids in settled_per_payout.items():
        if len(ids) > 1:
            found.append(Mismatch(MismatchKind.PAID_TWICE, ",".join(ids), attempts[ids[0]].rail,
                                  f"{len(ids)} settled payments for one payout", payout_id))
    return found


def _of(kind: MismatchKind, attempt: OurAttempt, detail: str) -> Mismatch:
    return Mismatch(kind, attempt.attempt_id, attempt.rail, detail, attempt.payout_id)


def _compare(attempt: OurAttempt, item: LedgerItem) -> list[Mismatch]:
    found = []
    if item.amount != attempt.amount:
        found.append(_of(MismatchKind.AMOUNT, attempt,
                         f"ours {attempt.amount}, provider's {item.amount}"))
    if item.payee != attempt.payee:
        # The identifiers themselves are PII: the report says only that they differ.
        found.append(_of(MismatchKind.PAYEE, attempt, "the provider pays another payee"))
    if item.rail != attempt.rail:
        found.append(_of(MismatchKind.STATUS, attempt,
                         f"ours on {attempt.rail}, provider's on {item.rail}"))
    ours_paid = attempt.status in PAID_ON_OUR_SIDE
    if item.settled and not ours_paid:
        found.append(_of(MismatchKind.STATUS, attempt,
                         f"provider settled it ({item.status}); ours is {attempt.status}"))
    elif ours_paid and not item.settled and item.status not in ("RETURNED",
                                                                   "RETURNED_TO_SENDER"):
        found.append(_of(MismatchKind.STATUS, attempt,
                         f"ours is {attempt.status}; provider's is {item.status}"))
    return found
