"""Reading payments: the history of an account, one payment's confirmation."""

from __future__ import annotations

import uuid

from services.billing.adapters import repository as repo
from services.billing.service import access
from services.billing.service.context import ServiceContext
from services.billing.service.views import PaymentView, payment_view, payment_views
from shared.auth import Principal


async def history(app: ServiceContext, viewer: Principal, account_id: uuid.UUID, limit: int
                  ) -> list[PaymentView]:
    async with app.uow() as uow:
        account = await access.billing_account(uow.session, viewer, account_id)
        views = await payment_views(uow.session, await repo.payments(uow.session, account.id,
                                                                     limit))
        await uow.commit()  # a rollback would expire what we return
    return views


async def get_payment(app: ServiceContext, viewer: Principal, payment_id: uuid.UUID) -> PaymentView:
    async with app.uow() as uow:
        payment = await repo.payment(uow.session, payment_id)
        await access.billing_account(uow.session, viewer, payment.account_id)
        view = await payment_view(uow.session, payment)
        await uow.commit()
    return view
