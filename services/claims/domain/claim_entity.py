"""A claim's behaviour: the use cases' claim commands as methods of the claim itself.

Each checks ``CLAIM_MACHINE`` (``domain/claim.py``), changes the claim and returns the events
the change caused (timeline entries, and an approval's payout request); the unit of work writes
and publishes them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from services.claims.domain import terms
from services.claims.domain.claim import (
    CLAIM_MACHINE,
    Amounts,
    ClaimAction,
    ClaimFacts,
    ClaimKind,
    ClaimStatus,
)
from services.claims.domain.events import (
    PayoutRequested,
    Recorded,
    Transitioned,
    recorded,
    transitioned,
)
from services.claims.domain.payment import (
    PayeeRole,
    PaymentChoice,
    PaymentRail,
    choose_payment,
)
from services.claims.domain.payout import PayoutRecordState, payout_key
from shared.logging import mask_email, mask_tail
from shared.money import Money


class ClaimState(Protocol):
    """The attributes of a claim its behaviour reads and writes (``ClaimRow`` has them)."""

    id: uuid.UUID
    contract_id: uuid.UUID
    job_id: uuid.UUID
    kind: ClaimKind
    status: ClaimStatus
    payable: Decimal
    created_by: str
    updated_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    rejected_reason: str | None
    payout_sequence: int
    rail: PaymentRail | None
    payee_role: PayeeRole | None
    payee_name: str | None
    payee_email: str | None
    payee_mobile: str | None
    payee_zelle_token: str | None
    payee_address_line1: str | None
    payee_address_line2: str | None
    payee_address_city: str | None
    payee_address_state: str | None
    payee_address_zip: str | None
    terms_accepted_by: str | None
    terms_accepted_at: datetime | None
    terms_version: str | None
    payment_selected_by: str | None
    payment_selected_at: datetime | None


class Claim:
    """A claim's behaviour: each method checks ``CLAIM_MACHINE``, changes the claim and returns
    the events the change caused (the unit of work writes and publishes them).

    A mixin of methods only (no attributes, no annotations of its own), so ``ClaimRow`` takes
    it without SQLAlchemy's declarative mapping seeing anything."""

    def facts(self: ClaimState) -> ClaimFacts:
        """The facts of a transition that looks at nothing but the claim."""
        return ClaimFacts(payable=Money(self.payable), created_by=self.created_by)

    def open(self: ClaimState, amounts: Amounts, *, actor: str, at: datetime
             ) -> list[Transitioned]:
        """Created Saved and submitted at once: Under Review, or Rejected if nothing is
        payable."""
        created = transitioned(
            entity="claim", entity_id=self.id, job_id=self.job_id, action="create", actor=actor,
            at=at, to_status=ClaimStatus.SAVED, kind=self.kind.value, gross=str(amounts.gross),
            deductible=str(amounts.deductible), payable=str(amounts.payable),
        )
        before = self.status
        self.status = CLAIM_MACHINE.fire(
            before, ClaimAction.SUBMIT, ClaimFacts(payable=amounts.payable, created_by=actor))
        return [created, transitioned(
            entity="claim", entity_id=self.id, job_id=self.job_id, action="submit",
            actor=actor, at=at, from_status=before, to_status=self.status)]

    def approve(self: ClaimState, facts: ClaimFacts, *, actor: str, at: datetime
                ) -> list[PayoutRequested | Transitioned]:
        """Approved for payment by ``actor``: the claim's next payout (``payout_key`` of its
        new ``payout_sequence``) is requested, then the approval is on the timeline."""
        assert facts.approval is not None, "approve needs the approval facts"
        before = self.status
        self.status = CLAIM_MACHINE.fire(before, ClaimAction.APPROVE, facts)
        # Annotated where first written: mypy takes a mixin's writes as its own attributes.
        self.approved_by: str | None = actor
        self.approved_at: datetime | None = at
        self.updated_at = at
        self.payout_sequence += 1
        assert self.rail is not None  # the approve guard requires a selected payment option
        key = payout_key(self.id, self.payout_sequence)
        return [PayoutRequested(self, key, actor), transitioned(
            entity="claim", entity_id=self.id, job_id=self.job_id, action="approve",
            actor=actor, at=at, from_status=before, to_status=self.status,
            override=facts.approval.needs_override(facts.payable) or None,
            payout_key=key, amount=str(facts.payable), rail=self.rail.value,
        )]

    def reject(self: ClaimState, reason: str, *, actor: str, at: datetime
               ) -> list[Transitioned]:
        before = self.status
        self.status = CLAIM_MACHINE.fire(before, ClaimAction.REJECT, Claim.facts(self))
        self.rejected_reason: str | None = reason
        self.updated_at = at
        return [transitioned(
            entity="claim", entity_id=self.id, job_id=self.job_id, action="reject",
            actor=actor, at=at, from_status=before, to_status=self.status, reason=reason)]

    def ensure_may(self: ClaimState, action: ClaimAction, facts: ClaimFacts) -> None:
        """Refuse ``action`` now (before the caller gathers what it needs), as the machine
        would."""
        CLAIM_MACHINE.fire(self.status, action, facts)

    def select_payment(self: ClaimState, choice: PaymentChoice, facts: ClaimFacts, *,
                       actor: str, at: datetime) -> list[Recorded]:
        """The payee's rail and details (``choice``, checked against the rail's rules) replace
        what was selected, and the acceptance with them. Audited with the PII masked."""
        CLAIM_MACHINE.fire(self.status, ClaimAction.SELECT_PAYMENT, facts)
        choose_payment(choice, byop=self.kind is ClaimKind.BYOP_REIMBURSEMENT,
                       payable=Money(self.payable))
        replaced = Claim.payment_summary(self)
        _store_choice(self, choice, actor, at)
        return [recorded(
            entity="claim", entity_id=self.id, job_id=self.job_id, action="select_payment",
            actor=actor, at=at, rail=choice.rail.value, payee=choice.payee.value,
            email=mask_email(choice.email), mobile=mask_tail(choice.mobile),
            address=None if choice.address is None
            else f"{choice.address.city}, {choice.address.state}",
            terms_accepted=choice.terms_accepted, terms_version=choice.terms_version,
            replaced=replaced,
        )]

    def confirm_payment(self: ClaimState, facts: ClaimFacts, terms_version: str, *,
                        actor: str, at: datetime) -> list[Recorded]:
        """The customer accepts the payment confirmation of the selected details under the
        published terms ``terms_version``."""
        CLAIM_MACHINE.fire(self.status, ClaimAction.CONFIRM_PAYMENT, facts)
        accepted = terms.ensure_acceptable(terms_version)
        self.terms_accepted_by: str | None = actor
        self.terms_accepted_at: datetime | None = at
        self.terms_version: str | None = accepted.version
        self.updated_at = at
        return [recorded(
            entity="claim", entity_id=self.id, job_id=self.job_id, action="confirm_payment",
            actor=actor, at=at, terms_version=accepted.version,
            payment=Claim.payment_summary(self), amount=str(self.payable),
        )]

    def follow_payout(self: ClaimState, action: ClaimAction, payout: PayoutRecordState, *,
                      actor: str, at: datetime, final_status: str | None = None
                      ) -> list[Transitioned]:
        """The claim's payout moved (``payout`` is its record, already advanced)."""
        before = self.status
        self.status = CLAIM_MACHINE.fire(before, action, Claim.facts(self))
        self.updated_at = at
        return [transitioned(
            entity="claim", entity_id=self.id, job_id=self.job_id, action=action.value,
            actor=actor, at=at, from_status=before, to_status=self.status,
            payout_key=payout.payout_key, payout_id=payout.payout_id,
            provider_reference=payout.provider_reference, reason=payout.failure_reason,
            final_status=final_status,
        )]

    def payout_decided(self: ClaimState, decision: str, *, payout_key: str, payout_id: str,
                       decided_by: str, decided_at: datetime, reason: str | None,
                       at: datetime) -> list[Recorded]:
        """Who released (or rejected) its payout held for approval: on the timeline, the
        approver as its actor. Not a transition: a release changes nothing here, and a
        rejection's end arrives as its own payout_cancelled."""
        return [recorded(
            entity="claim", entity_id=self.id, job_id=self.job_id, action=f"payout_{decision}",
            actor=decided_by, at=at, payout_key=payout_key, payout_id=payout_id,
            decided_at=decided_at.isoformat(), reason=reason,
        )]

    def payment_summary(self: ClaimState) -> str | None:
        """What a change replaces, for the audit trail (no PII)."""
        if self.rail is None or self.payee_role is None:
            return None
        return f"{self.rail.value} to {self.payee_role.value}"


def _store_choice(claim: ClaimState, choice: PaymentChoice, actor: str, at: datetime) -> None:
    address = choice.address
    claim.rail, claim.payee_role, claim.payee_name = choice.rail, choice.payee, choice.payee_name
    claim.payee_email, claim.payee_mobile = choice.email, choice.mobile
    claim.payee_address_line1 = address.line1 if address else None
    claim.payee_address_line2 = address.line2 if address else None
    claim.payee_address_city = address.city if address else None
    claim.payee_address_state = address.state if address else None
    claim.payee_address_zip = address.zip if address else None
    claim.terms_accepted_by = actor if choice.terms_accepted else None
    claim.terms_accepted_at = at if choice.terms_accepted else None
    claim.terms_version = choice.terms_version if choice.terms_accepted else None
    claim.payee_zelle_token = choice.zelle_token if choice.rail is PaymentRail.ZELLE else None
    claim.payment_selected_by, claim.payment_selected_at = actor, at
    claim.updated_at = at
