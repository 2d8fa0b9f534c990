"""Reading payments: the history of an account, one payment's confirmation."""

from __future__ import annotations

import uuid

from services.billing.service import access
from services.billing.service.context import ServiceContext
from services.billing.service.views import PaymentView, payment_view, payment_views
from shared.auth import Principal


async def history(app: ServiceContext, viewer: Principal, account_id: uuid.UUID, limit: int
                  ) -> list[PaymentView]:
    async with app.uow() as uow:
        account = await access.billing_account(uow.accounts, viewer, account_id)
        views = await payment_views(uow.payments, await uow.payments.of_account(account.id,
                                                                                limit))
        await uow.commit()  # a rollback would expire what we return
    return views


async def get_payment(app: ServiceContext, viewer: Principal, payment_id: uuid.UUID) -> PaymentView:
    async with app.uow() as uow:
        payment = await uow.payments.get(payment_id)
        await access.billing_account(uow.accounts, viewer, payment.account_id)
        view = await payment_view(uow.payments, payment)
        await uow.commit()
    return view
