"""The bank side of checks, modelled (no published API in the vendored specifications): the
positive-pay issue file, stop payments with their expiry, and the paid-items report. Formats:
``docs/positive-pay.md``. The bank pays a presented check (the ledger's CASHED) and lists it in
the paid-items report; a stopped or voided check is never paid.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field

from shared.problems import ProblemError

from .bank_records import Issue, StopPayment
from .intake import take_fault
from .runtime import SandboxDep
from .state import Payment, PaymentStatus, Rail, Step

router = APIRouter(prefix="/positive-pay/v1", tags=["bank (modelled)"])

ISSUE_HEADER = ["account_number", "check_number", "amount", "issue_date", "payee_name", "void"]
PAID_HEADER = ["account_number", "check_number", "amount", "paid_date"]
EXCEPTION_HEADER = ["account_number", "check_number", "amount", "presented_date", "reason"]
STOP_VALID_DAYS = 180  # a stop payment lapses after about six months unless renewed
S = PaymentStatus
STOPPABLE = frozenset({S.CREATED, S.MAILED, S.IN_TRANSIT, S.DELIVERED})


class IssueAck(BaseModel):
    file_id: str
    accepted: int


class StopRequest(BaseModel):
    account_number: str = Field(pattern=r"^\d{4,17}$")
    check_number: int = Field(ge=1)
    amount: str


def _bad(detail: str) -> ProblemError:
    return ProblemError(422, "validation-error", "Request is not valid", detail)


def parse_issue_file(text: str) -> dict[tuple[str, int], Issue]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != ISSUE_HEADER:
        raise _bad(f"an issue file starts with the header {','.join(ISSUE_HEADER)}")
    records: dict[tuple[str, int], Issue] = {}
    for row in reader:
        try:
            key = (row["account_number"], int(row["check_number"]))
            records[key] = Issue(Decimal(row["amount"]), date.fromisoformat(row["issue_date"]),
                                 row["payee_name"], row["void"] == "Y")
        except (ValueError, InvalidOperation, TypeError) as exc:
            raise _bad(f"line {reader.line_num}: {exc}") from exc
    return records


@router.post("/issues", summary="Upload a positive-pay issue file (text/csv)",
             response_model=IssueAck)
async def upload_issues(request: Request, sandbox: SandboxDep) -> IssueAck:
    await take_fault(sandbox)
    records = parse_issue_file((await request.body()).decode())
    await sandbox.bank.record_issues(records)
    return IssueAck(file_id="ppf_" + uuid.uuid4().hex[:12], accepted=len(records))


async def _check_by_number(sandbox: SandboxDep, number: int) -> Payment | None:
    await sandbox.ticker.tick()
    return await sandbox.store.find(Rail.CHECK, check_number=number)


@router.post("/stop-payments", summary="Place a stop payment on an issued check",
             response_model=StopPayment)
async def stop_payment(body: StopRequest, sandbox: SandboxDep) -> StopPayment | JSONResponse:
    key = (body.account_number, body.check_number)
    if (placed := await sandbox.bank.stop_of(key)) is not None:
        return placed  # a repeat: the same stop
    payment = await _check_by_number(sandbox, body.check_number)
    if body.check_number not in await sandbox.bank.issued(body.account_number) \
            or payment is None:
        raise ProblemError(404, "check-not-issued", "Check not issued",
                           f"no issued check {body.check_number} on this account")
    today = sandbox.clock.now().date()
    if payment.status is S.CASHED:
        return StopPayment(stop_id="stp_none", check_number=body.check_number,
                           amount=body.amount, status="already_paid", expires_on=today)
    step = Step(sandbox.clock.now(), S.STOPPED, "stop payment placed by the issuer")
    stopped, _ = await sandbox.store.interrupt(payment.end_to_end_id, STOPPABLE, step)
    assert stopped is not None
    if stopped.status is not S.STOPPED:
        raise ProblemError(409, "check-state-conflict", "Not possible in the check's state",
                           f"check {body.check_number} is {stopped.status.value}")
    stop = StopPayment(stop_id="stp_" + uuid.uuid4().hex[:12], check_number=body.check_number,
                       amount=body.amount, status="placed",
                       expires_on=today + timedelta(days=STOP_VALID_DAYS))
    return await sandbox.bank.place_stop(body.account_number, stop)


@router.post("/stop-payments/{stop_id}/renewals", summary="Renew a stop payment before it lapses",
             response_model=StopPayment)
async def renew_stop(stop_id: str, sandbox: SandboxDep) -> StopPayment:
    expires_on = sandbox.clock.now().date() + timedelta(days=STOP_VALID_DAYS)
    if (renewed := await sandbox.bank.renew_stop(stop_id, expires_on)) is not None:
        return renewed
    raise ProblemError(404, "stop-not-found", "No such stop payment", f"no stop {stop_id}")


@router.get("/paid-items", summary="The paid-items report (text/csv)",
            response_class=PlainTextResponse)
async def paid_items(sandbox: SandboxDep,
                     account_number: Annotated[str, Query(pattern=r"^\d{4,17}$")],
                     since: Annotated[date, Query()]) -> PlainTextResponse:
    await sandbox.ticker.tick()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(PAID_HEADER)
    issued = await sandbox.bank.issued(account_number)
    for payment in await sandbox.store.cashed_checks(since):
        paid = payment.paid_at
        if paid is not None and (payment.check_number or 0) in issued:
            writer.writerow((account_number, payment.check_number, f"{payment.amount}",
                             paid.date().isoformat()))
    return PlainTextResponse(out.getvalue(), media_type="text/csv")


@router.get("/exception-items", summary="Presented checks returned unpaid (text/csv)",
            description="Positive pay's exceptions: a presented check with no live issue "
            "record (never issued, or voided) or another amount is returned unpaid and listed "
            "here; no money moves. Format: docs/positive-pay.md.",
            response_class=PlainTextResponse)
async def exception_items(sandbox: SandboxDep,
                          account_number: Annotated[str, Query(pattern=r"^\d{4,17}$")],
                          ) -> PlainTextResponse:
    await sandbox.ticker.tick()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXCEPTION_HEADER)
    for item in await sandbox.bank.exceptions():
        writer.writerow((account_number, item.check_number, f"{item.amount}",
                         item.presented_date.isoformat(), item.reason))
    return PlainTextResponse(out.getvalue(), media_type="text/csv")
