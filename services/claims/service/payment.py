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

from services.claims.adapters.orm import ClaimRow
from services.claims.adapters.orm.base import utcnow
from services.claims.adapters.unit_of_work import ClaimsUnitOfWork
from services.claims.domain.claim import ClaimAction, ClaimFacts
from services.claims.domain.errors import PayeeMustConfirm
from services.claims.domain.payment import (
    CURRENT_TERMS_VERSION,
    MailingAddress,
    PayeeRole,
    PaymentChoice,
    PaymentRail,
    ensure_changeable,
)
from services.claims.domain.payout import DEAD_PAYOUT_STATUSES
from services.claims.service.claim_views import ClaimView, claim_view
from services.claims.service.context import ServiceContext, ensure_visible, is_staff
from shared.auth import Principal, Role
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
    app: ServiceContext, actor: Principal, claim_id: uuid.UUID, selection: PaymentSelection
) -> ClaimView:
    async with app.uow(correlation_id=str(claim_id)) as uow:
        claim = await uow.claims.get(claim_id, lock=True)
        ensure_visible(actor, claim.customer_id, "claim", claim_id)
        _ensure_chooser(actor, selection.payee)
        payouts = await uow.claims.payouts(claim.id)
        ensure_changeable(any(p.status not in DEAD_PAYOUT_STATUSES for p in payouts))
        review = await uow.exceptions.open_review(claim.job_id)
        facts = ClaimFacts(payable=Money(claim.payable), created_by=claim.created_by,
                           review_open=review is not None)
        # Refused before the payee's details on file are read, as the claim's state decides.
        claim.ensure_may(ClaimAction.SELECT_PAYMENT, facts)
        choice = await _resolve(uow, claim, selection)
        uow.record(*claim.select_payment(choice, facts, actor=actor.subject, at=utcnow()))
        view = await claim_view(uow, claim)
        await uow.commit()
    return view


async def confirm_payment(
    app: ServiceContext, actor: Principal, claim_id: uuid.UUID, terms_version: str
) -> ClaimView:
    """The customer accepts the payment confirmation: the selected payee, rail and amount,
    under the published terms ``terms_version``."""
    async with app.uow(correlation_id=str(claim_id)) as uow:
        claim = await uow.claims.get(claim_id, lock=True)
        ensure_visible(actor, claim.customer_id, "claim", claim_id)
        if is_staff(actor):
            raise PayeeMustConfirm("the customer accepts the payment confirmation themselves")
        review = await uow.exceptions.open_review(claim.job_id)
        facts = ClaimFacts(payable=Money(claim.payable), created_by=claim.created_by,
                           review_open=review is not None,
                           payment_selected=claim.rail is not None)
        uow.record(*claim.confirm_payment(facts, terms_version, actor=actor.subject,
                                          at=utcnow()))
        view = await claim_view(uow, claim)
        await uow.commit()
    return view


def _ensure_chooser(actor: Principal, payee: PayeeRole) -> None:
    if payee is PayeeRole.CUSTOMER and is_staff(actor):
        raise PayeeMustConfirm("the customer selects their payment and accepts the terms")
    if payee is PayeeRole.SERVICE_PRO and not actor.has_any(Role.BYOP_AGENT):
        raise PayeeMustConfirm("the BYOP team records a service pro's payment form")


async def _resolve(
    uow: ClaimsUnitOfWork, claim: ClaimRow, selection: PaymentSelection
) -> PaymentChoice:
    if selection.payee is PayeeRole.CUSTOMER:
        contract = await uow.contracts.get(claim.contract_id)
        name, email, mobile = contract.holder_name, contract.email, contract.mobile
        token = None
        address = _address(contract.address_line1, contract.address_line2,
                           contract.address_city, contract.address_state, contract.address_zip)
    else:
        case = await uow.byop.get(claim.job_id)
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
