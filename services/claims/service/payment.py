"""Use cases: the payee's side selects how the claim is paid (Select Payment Option), and the
customer accepts the payment confirmation.

Available only while the claim is Under Review with its review exception open. A customer payee
chooses and accepts the terms (their version and time are kept) themselves; a BYOP service pro's
payment is recorded by the BYOP team from the pro's payment form, and the customer then accepts
the payment confirmation (the terms) before it can go to payables (seed 001, stage 3). A new
selection replaces the acceptance: the customer confirms the details that will be paid. Every
change goes through here and is audited (with the PII masked, and what it replaced); none is
possible while a payout on the claim is in flight or paid.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.claims.adapters import repository as repo
from services.claims.adapters.orm import ClaimRow
from services.claims.adapters.orm.base import utcnow
from services.claims.domain import terms
from services.claims.domain.claim import CLAIM_MACHINE, ClaimAction, ClaimFacts, ClaimKind
from services.claims.domain.errors import PayeeMustConfirm
from services.claims.domain.payment import (
    CURRENT_TERMS_VERSION,
    MailingAddress,
    PayeeRole,
    PaymentChoice,
    PaymentRail,
    choose_payment,
    ensure_changeable,
)
from services.claims.domain.payout import DEAD_PAYOUT_STATUSES
from services.claims.service import audit
from services.claims.service.claim_views import ClaimView, claim_view
from services.claims.service.context import Claims, ensure_visible, is_staff
from shared.auth import Principal, Role
from shared.logging import mask_email, mask_tail
from shared.money import Money


@dataclass(frozen=True)
class PaymentSelection:
    rail: PaymentRail
    payee: PayeeRole
    accept_terms: bool
    # None: keep what is on file (the contract's, or the BYOP pro's).
    email: str | None = None
    mobile: str | None = None
    address: MailingAddress | None = None
    terms_version: str = CURRENT_TERMS_VERSION


async def select_payment_option(
    app: Claims, actor: Principal, claim_id: uuid.UUID, selection: PaymentSelection
) -> ClaimView:
    async with app.uow(correlation_id=str(claim_id)) as uow:
        session = uow.session
        claim = await repo.claim(session, claim_id, lock=True)
        ensure_visible(actor, claim.customer_id, "claim", claim_id)
        _ensure_chooser(actor, selection.payee)
        payouts = await repo.payouts(session, claim.id)
        ensure_changeable(any(p.status not in DEAD_PAYOUT_STATUSES for p in payouts))
        review = await repo.open_review(session, claim.job_id)
        facts = ClaimFacts(payable=Money(claim.payable), created_by=claim.created_by,
                           review_open=review is not None)
        CLAIM_MACHINE.fire(claim.status, ClaimAction.SELECT_PAYMENT, facts)
        choice = await _resolve(session, claim, selection)
        choose_payment(choice, byop=claim.kind is ClaimKind.BYOP_REIMBURSEMENT,
                       payable=Money(claim.payable))
        replaced = _current(claim)
        _store(claim, choice, actor.subject)
        audit.record(
            session, entity="claim", entity_id=claim.id, job_id=claim.job_id,
            action="select_payment", actor=actor.subject, rail=choice.rail.value,
            payee=choice.payee.value, email=mask_email(choice.email),
            mobile=mask_tail(choice.mobile),
            address=None if choice.address is None
            else f"{choice.address.city}, {choice.address.state}",
            terms_accepted=choice.terms_accepted, terms_version=choice.terms_version,
            replaced=replaced,
        )
        view = await claim_view(session, claim)
        await uow.commit()
    return view


async def confirm_payment(
    app: Claims, actor: Principal, claim_id: uuid.UUID, terms_version: str
) -> ClaimView:
    """The customer accepts the payment confirmation: the selected payee, rail and amount,
    under the published terms ``terms_version``."""
    async with app.uow(correlation_id=str(claim_id)) as uow:
        session = uow.session
        claim = await repo.claim(session, claim_id, lock=True)
        ensure_visible(actor, claim.customer_id, "claim", claim_id)
        if is_staff(actor):
            raise PayeeMustConfirm("the customer accepts the payment confirmation themselves")
        review = await repo.open_review(session, claim.job_id)
        facts = ClaimFacts(payable=Money(claim.payable), created_by=claim.created_by,
                           review_open=review is not None,
                           payment_selected=claim.rail is not None)
        CLAIM_MACHINE.fire(claim.status, ClaimAction.CONFIRM_PAYMENT, facts)
        accepted = terms.ensure_acceptable(terms_version)
        claim.terms_accepted_by, claim.terms_accepted_at = actor.subject, utcnow()
        claim.terms_version, claim.updated_at = accepted.version, claim.terms_accepted_at
        audit.record(
            session, entity="claim", entity_id=claim.id, job_id=claim.job_id,
            action="confirm_payment", actor=actor.subject, terms_version=accepted.version,
            payment=_current(claim), amount=str(claim.payable),
        )
        view = await claim_view(session, claim)
        await uow.commit()
    return view


def _current(claim: ClaimRow) -> str | None:
    """What a change replaces, for the audit trail (no PII)."""
    if claim.rail is None or claim.payee_role is None:
        return None
    return f"{claim.rail.value} to {claim.payee_role.value}"


def _ensure_chooser(actor: Principal, payee: PayeeRole) -> None:
    if payee is PayeeRole.CUSTOMER and is_staff(actor):
        raise PayeeMustConfirm("the customer selects their payment and accepts the terms")
    if payee is PayeeRole.SERVICE_PRO and not actor.has_any(Role.BYOP_AGENT):
        raise PayeeMustConfirm("the BYOP team records a service pro's payment form")


async def _resolve(
    session: AsyncSession, claim: ClaimRow, selection: PaymentSelection
) -> PaymentChoice:
    if selection.payee is PayeeRole.CUSTOMER:
        contract = await repo.contract(session, claim.contract_id)
        name, email, mobile = contract.holder_name, contract.email, contract.mobile
        token = None
        address = _address(contract.address_line1, contract.address_line2,
                           contract.address_city, contract.address_state, contract.address_zip)
    else:
        case = await repo.byop_case(session, claim.job_id)
        name, email, mobile = case.pro_name or "", case.pro_email, case.pro_mobile
        token = case.pro_zelle_token
        address = _address(case.pro_address_line1, case.pro_address_line2,
                           case.pro_address_city, case.pro_address_state, case.pro_address_zip)
    return PaymentChoice(
        rail=selection.rail, payee=selection.payee, payee_name=name,
        email=selection.email or email, mobile=selection.mobile or mobile,
        address=selection.address or address, terms_accepted=selection.accept_terms,
        zelle_token=token,
        terms_version=selection.terms_version if selection.accept_terms else None,
    )


def _address(
    line1: str | None, line2: str | None, city: str | None, state: str | None, zip_: str | None
) -> MailingAddress | None:
    """An address on file counts only when complete: a check cannot go to half an address."""
    if not (line1 and city and state and zip_):
        return None
    return MailingAddress(line1=line1, line2=line2, city=city, state=state, zip=zip_)


def _store(claim: ClaimRow, choice: PaymentChoice, actor: str) -> None:
    now = utcnow()
    address = choice.address
    claim.rail, claim.payee_role, claim.payee_name = choice.rail, choice.payee, choice.payee_name
    claim.payee_email, claim.payee_mobile = choice.email, choice.mobile
    claim.payee_address_line1 = address.line1 if address else None
    claim.payee_address_line2 = address.line2 if address else None
    claim.payee_address_city = address.city if address else None
    claim.payee_address_state = address.state if address else None
    claim.payee_address_zip = address.zip if address else None
    claim.terms_accepted_by = actor if choice.terms_accepted else None
    claim.terms_accepted_at = now if choice.terms_accepted else None
    claim.terms_version = choice.terms_version if choice.terms_accepted else None
    claim.payee_zelle_token = choice.zelle_token if choice.rail is PaymentRail.ZELLE else None
    claim.payment_selected_by, claim.payment_selected_at = actor, now
    claim.updated_at = now
