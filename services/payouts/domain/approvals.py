"""When a person must approve a payout before money moves, and who may.

The claim was already approved by Support Services; these rules are the payables controls on
top: large amounts, a payee never paid before, a payee whose payment details changed recently
(the classic account-takeover pattern). Each rule is configured; each answers a reason.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from services.payouts.domain.errors import SelfApprovalError
from services.payouts.domain.model import Payee, PayoutDetails


@dataclass(frozen=True, slots=True)
class ApprovalPolicy:
    threshold: Decimal
    first_payout: bool = False
    changed_within: timedelta | None = None


@dataclass(frozen=True, slots=True)
class PayeeHistory:
    """What we knew of the payee before this payout."""

    known: bool
    details_changed_at: datetime | None = None


def payee_identity(payee: Payee, contract_id: str | None) -> str:
    """Who the payee is, independent of where the money goes: kind, name and the contract
    (customers of two contracts with one name are two payees)."""
    return f"{payee.kind}:{payee.name.strip().casefold()}:{contract_id or '-'}"


def payee_fingerprint(payee: Payee) -> str:
    """Where the money goes; a change of any of these is a change of payment details."""
    address = payee.address
    details = {
        "email": (payee.email or "").casefold(), "mobile": payee.mobile or "",
        "token": (payee.zelle_token or "").casefold(),
        "address": [address.line1, address.line2, address.city, address.state, address.zip]
        if address else None,
    }
    return hashlib.sha256(json.dumps(details, sort_keys=True).encode()).hexdigest()


def payee_search_key(payee: Payee) -> str:
    """The one identifier the payouts list filters by (the first the rail would pay)."""
    return (payee.zelle_token or payee.email or payee.mobile or payee.name).strip().casefold()


def approval_reasons(payout: PayoutDetails, policy: ApprovalPolicy, history: PayeeHistory,
                     now: datetime) -> list[str]:
    reasons = []
    if payout.amount.amount > policy.threshold:
        reasons.append(f"amount {payout.amount} is over the approval threshold "
                       f"{policy.threshold}")
    if policy.first_payout and not history.known:
        reasons.append("first payout to this payee")
    changed = history.details_changed_at
    if policy.changed_within is not None and changed is not None \
            and now - changed <= policy.changed_within:
        reasons.append("the payee's payment details changed recently")
    return reasons


def require_other_approver(requested_by: str, approver: str) -> None:
    """Four eyes: whoever asked for the money does not also release it."""
    if requested_by.strip().casefold() == approver.strip().casefold():
        raise SelfApprovalError(approver)
