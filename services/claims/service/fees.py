"""A network job's service fee, undone: a dispatched job cancelled before any technician went
out tells billing (``claims.service_job_cancelled``), which voids the fee invoice its dispatch
raised (``claims.service_job_dispatched``, ``requests._dispatch``).

Called wherever a job is cancelled (its request cancelled, its order closed, the job itself
cancelled), in that cancellation's transaction, so the event commits with it through the outbox.
"""

from __future__ import annotations

from services.claims.adapters.orm import ServiceJobRow, ServiceOrderRow, ServiceRequestRow
from services.claims.adapters.unit_of_work import ClaimsUnitOfWork
from services.claims.domain.work import JobStatus, cancel_releases_fee
from shared.messaging.contracts import ServiceJobCancelledV1


async def release_cancelled_fee(uow: ClaimsUnitOfWork, job: ServiceJobRow, order: ServiceOrderRow,
                                request: ServiceRequestRow) -> None:
    """Emit the cancellation of ``job`` (just cancelled) if its dispatch billed a fee."""
    if job.status is not JobStatus.CANCELLED:
        raise RuntimeError(f"service job {job.id} is {job.status}, not cancelled")
    if not cancel_releases_fee(job.kind, job.technician_out_at is not None):
        return
    fee = await uow.timeline.dispatched_fee(job.id)
    if fee is None or fee.is_zero():
        return  # its dispatch billed nothing, so there is nothing to void
    uow.emit(
        ServiceJobCancelledV1(
            job_id=str(job.id), service_order_id=str(order.id),
            service_request_id=str(request.id), contract_id=str(request.contract_id),
            customer_id=request.customer_id, reason=job.cancel_reason or "cancelled",
            cancelled_at=job.status_changed_at,
        ),
        correlation_id=str(job.id),  # the dispatch's, so the fee's two events go together
    )
