"""Lob's print-and-mail check API at Lob's paths (``/v1/checks``), on the sandbox clock:
create (idempotent by ``Idempotency-Key``), retrieve, list by metadata, cancel (``DELETE``,
only before the send date); Lob's check object and error envelope; Lob's ``event`` webhooks.
Whether a check is *paid* is the bank's (``bank``), never Lob's.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.problems import ProblemError

from .intake import found, intake
from .lob_objects import check_object, stamp
from .runtime import Sandbox, SandboxDep
from .state import DuplicateEndToEndIdError, Payment, PaymentStatus, Rail, Step
from .timeline import check_plan

router = APIRouter(prefix="/v1/checks", tags=["lob checks"])

S = PaymentStatus
CANCELLABLE = frozenset({S.CREATED})


class LobAddress(BaseModel):
    """Lob's ``inline_address_us_chk`` (``to``) / ``inline_address_us`` (``from``)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=40)
    company: str | None = Field(default=None, max_length=40)
    address_line1: str = Field(max_length=50)
    address_line2: str | None = Field(default=None, max_length=50)
    address_city: str = Field(max_length=200)
    address_state: str = Field(pattern=r"^[a-zA-Z]{2}$")
    address_zip: str = Field(pattern=r"^\d{5}(-\d{4})?$")
    address_country: Literal["US"] = "US"


class LobCheckRequest(BaseModel):
    """The fields of Lob's ``check_editable`` the sandbox accepts (others are refused)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    to: LobAddress
    from_: LobAddress = Field(alias="from")
    bank_account: str = Field(pattern=r"^bank_[a-zA-Z0-9]+$")
    amount: float = Field(gt=0, le=999999.99)
    memo: str | None = Field(default=None, max_length=40)
    check_number: int | None = Field(default=None, ge=1, le=500_000_000)
    send_date: date | datetime | None = None
    message: str | None = Field(default=None, max_length=400)
    use_type: Literal["marketing", "operational"] | None = None
    metadata: dict[str, str] = Field(default_factory=dict, max_length=20)
    description: str | None = Field(default=None, max_length=255)
    mail_type: Literal["usps_first_class"] = "usps_first_class"


def lob_error(status: int, code: str, message: str) -> JSONResponse:
    """Lob's error envelope."""
    return JSONResponse({"error": {"message": message, "status_code": status, "code": code}},
                        status_code=status)


def _send_date(requested: date | datetime | None, now: datetime) -> datetime | None:
    if requested is None:
        return None
    if isinstance(requested, datetime):
        return requested if requested.tzinfo else requested.replace(tzinfo=UTC)
    return datetime.combine(requested, time(), tzinfo=UTC) if requested > now.date() else now


def _candidate(body: LobCheckRequest, key: str, sandbox: Sandbox) -> Payment:
    now = sandbox.clock.now()
    send_at = _send_date(body.send_date, now)
    to = body.to.model_dump(mode="json")
    return Payment(
        end_to_end_id=key, payment_id="chk_" + uuid.uuid4().hex[:16],
        amount=Decimal(str(body.amount)).quantize(Decimal("0.01")), currency="USD",
        payee_name=body.to.name or body.to.company or "", payee_email="", payee_mobile=None,
        callback_url=sandbox.settings.lob_webhook_url, memo=body.memo, created_at=now,
        status=S.CREATED, rail=Rail.CHECK,
        # The ledger's view of where the check went (Lob's fields, in the ledger's names).
        payee_address={"line1": to["address_line1"], "line2": to.get("address_line2"),
                       "city": to.get("address_city"), "state": to.get("address_state"),
                       "zip": to["address_zip"]},
        check_number=body.check_number,
        lob={"to": to, "from": body.from_.model_dump(mode="json"),
             "bank_account": body.bank_account,
             "send_date": stamp(send_at or now), "metadata": body.metadata,
             "message": body.message, "use_type": body.use_type})


@router.post("", summary="Create a check (Lob)", description="Lob's `POST /v1/checks`: "
             "idempotent by the `Idempotency-Key` header (or `idempotency_key` query): a repeat "
             "answers the same check. Invalid: 422 with Lob's error envelope.")
async def create_check(
    request: Request, response: Response, sandbox: SandboxDep,
    idempotency_header: Annotated[str | None, Header(alias="Idempotency-Key",
                                                     max_length=256)] = None,
    idempotency_query: Annotated[str | None, Query(alias="idempotency_key",
                                                   max_length=256)] = None,
) -> Any:
    try:
        body = LobCheckRequest.model_validate_json(await request.body())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return lob_error(422, "invalid", f"{where}: {first['msg']}")
    key = idempotency_header or idempotency_query or body.metadata.get("end_to_end_id")
    if not key:
        return lob_error(422, "invalid", "an Idempotency-Key is required by this sandbox")

    send_at = _send_date(body.send_date, sandbox.clock.now())

    async def plan(payment: Payment) -> list[Step]:
        behaviour = await sandbox.payees.of(payment.payee_name)
        return check_plan(payment.created_at, behaviour, sandbox.settings, send_at)

    try:
        payment = await intake(sandbox, _candidate(body, key, sandbox), response, plan)
    except ProblemError as exc:
        if exc.status == 409:  # Lob: an idempotency key reused with another request
            return lob_error(422, "invalid", "the idempotency key was used for another check")
        raise
    except DuplicateEndToEndIdError:  # pragma: no cover - intake maps it to a 409 problem
        raise
    response.status_code = 200  # Lob answers 200 for a new check and for a repeat alike
    return check_object(payment)


@router.get("", summary="List checks (Lob), filtered by metadata")
async def list_checks(request: Request, sandbox: SandboxDep) -> Any:
    wanted = {key[len("metadata["):-1]: value for key, value in request.query_params.items()
              if key.startswith("metadata[") and key.endswith("]")}
    end_to_end_id = wanted.get("end_to_end_id")
    if end_to_end_id is not None:
        await found_or_none(sandbox, end_to_end_id)  # the status-fault and the clock's present
    checks = [check_object(p) for p in await sandbox.store.checks_with_metadata(wanted)]
    return {"data": checks, "object": "list", "count": len(checks),
            "next_url": None, "previous_url": None}


async def found_or_none(sandbox: Sandbox, end_to_end_id: str) -> None:
    try:
        await found(sandbox, end_to_end_id, Rail.CHECK)
    except ProblemError as exc:
        if exc.status != 404:
            raise


async def _by_id(sandbox: Sandbox, chk_id: str) -> Payment | None:
    await sandbox.ticker.tick()
    return await sandbox.store.find(Rail.CHECK, payment_id=chk_id)


@router.get("/{chk_id}", summary="Retrieve a check (Lob)")
async def get_check(chk_id: str, sandbox: SandboxDep) -> Any:
    payment = await _by_id(sandbox, chk_id)
    if payment is None:
        return lob_error(404, "not_found", "check not found")
    return check_object(payment)


@router.delete("/{chk_id}", summary="Cancel a check (Lob), only before its send date")
async def cancel_check(chk_id: str, sandbox: SandboxDep) -> Any:
    payment = await _by_id(sandbox, chk_id)
    if payment is None:
        return lob_error(404, "not_found", "check not found")
    step = Step(sandbox.clock.now(), S.VOIDED, "cancelled at the sender's request")
    cancelled, changed = await sandbox.store.interrupt(payment.end_to_end_id, CANCELLABLE, step)
    assert cancelled is not None
    if cancelled.status is not S.VOIDED:
        return lob_error(422, "not_deletable", "the check is past its send date: it cannot "
                         "be cancelled (place a stop payment with the bank)")
    if changed:
        sandbox.settler.notify_in_order([cancelled])
    return {"id": chk_id, "deleted": True}
