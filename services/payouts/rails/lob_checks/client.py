"""The check rail's outgoing client: the bank's positive-pay issue record first, then Lob's
``POST /v1/checks``; status by Lob's list filtered on our metadata; cancel by Lob's ``DELETE``
before the send date (plus a void record at the bank); stop payment at the bank after it.

The shared HTTP discipline (retries keep the same key, a timeout is unknown) is
``ProviderClient``'s. Lob's own idempotency (``Idempotency-Key``: our end-to-end id) makes a
repeat of the create answer the same check, so a retry can never print a second one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from services.payouts.adapters.provider_http import ProviderClient, ProviderError
from services.payouts.domain.model import Rail
from services.payouts.domain.outcomes import Observation
from services.payouts.rails.lob_checks import positive_pay as pp
from services.payouts.rails.lob_checks.wire import (
    END_TO_END_ID_KEY,
    PAYOUT_ID_KEY,
    LobCheck,
    LobCheckList,
    amount_of,
)
from services.payouts.service.ports import (
    Accepted,
    ActionResult,
    NotFound,
    NotSent,
    PaymentInstruction,
    ProviderPayment,
    Rejected,
    SendResult,
    Status,
    StatusResult,
    Unknown,
)
from shared.money import json_number

log = logging.getLogger(__name__)

MEMO_MAX = 40  # Lob: ``memo`` maxLength 40
NAME_MAX = 40  # Lob: ``to.name`` maxLength 40


@dataclass(frozen=True, slots=True)
class LobAccount:
    """Our side of Lob's contract: the API key (HTTP basic username, empty password, Lob's
    documented auth), the verified bank account checks are drawn on, our return address."""

    api_key: str
    bank_account_id: str
    return_address: dict[str, str]


@dataclass(frozen=True, slots=True)
class BankAccount:
    """Our account number at the bank, as its positive-pay records carry it."""

    account_number: str


class BankService(ProviderClient):
    """The bank's positive-pay service (modelled, ``docs/positive-pay.md``), called as the bank
    is called: J.P. Morgan's bearer token and its client certificate, on a connection of its
    own (Lob is another host, with another trust store and no client certificate). Retries and
    timeouts are ``ProviderClient``'s."""

    RAIL = Rail.CHECK
    CREATE_PATH = "issues"
    STATUS_PATH = "paid-items"

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self._call(method, self._url(path), **kwargs)


class StopAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    stop_id: str
    check_number: int
    amount: str
    status: str  # placed | already_paid
    expires_on: date


def check_body(instruction: PaymentInstruction, account: LobAccount) -> dict[str, Any]:
    """Lob's ``check_editable`` (the "words at check bottom" form: ``message``)."""
    check = instruction.check
    address = instruction.payee.address
    assert check is not None and address is not None  # dispatch and validation ensure both
    to: dict[str, Any] = {"name": instruction.payee.name[:NAME_MAX],
                          "address_line1": address.line1, "address_city": address.city,
                          "address_state": address.state, "address_zip": address.zip}
    if address.line2:
        to["address_line2"] = address.line2
    metadata = {END_TO_END_ID_KEY: instruction.end_to_end_id}
    if instruction.payout_id is not None:
        metadata[PAYOUT_ID_KEY] = instruction.payout_id
    body: dict[str, Any] = {
        "to": to,
        "from": dict(account.return_address),
        "bank_account": account.bank_account_id,
        "amount": json_number(instruction.amount.amount),  # Lob's type: dollars
        "check_number": check.check_number,
        "send_date": check.send_date.isoformat(),
        "use_type": "operational",
        "message": f"Payment {instruction.end_to_end_id}",
        "metadata": metadata,
    }
    if instruction.memo:
        body["memo"] = instruction.memo[:MEMO_MAX]
    return body


class LobChecksClient(ProviderClient):
    RAIL = Rail.CHECK
    CREATE_PATH = "checks"
    STATUS_PATH = "checks"

    def __init__(self, base_url: str, *, account: LobAccount, bank: BankAccount,
                 bank_service: BankService, **options: Any) -> None:
        super().__init__(base_url, **options)
        self._account = account
        self._bank = bank
        self._bank_service = bank_service
        # Lob: the API key as the HTTP basic username (``basicAuth`` in its securitySchemes).
        self._lob_auth = httpx.BasicAuth(account.api_key, "")

    async def aclose(self) -> None:
        await self._bank_service.aclose()
        await super().aclose()

    def body(self, instruction: PaymentInstruction) -> dict[str, Any]:
        return check_body(instruction, self._account)

    def read(self, content: bytes) -> ProviderPayment:
        return LobCheck.model_validate_json(content).payment()

    def issue_record(self, instruction: PaymentInstruction, *, void: bool = False,
                     ) -> pp.IssueRecord:
        assert instruction.check is not None
        return pp.IssueRecord(self._bank.account_number, instruction.check.check_number,
                              instruction.amount, instruction.check.send_date,
                              instruction.payee.name, void)

    async def send(self, instruction: PaymentInstruction) -> SendResult:
        """Issue record acknowledged by the bank, then the check to the printer. Without the
        acknowledgement nothing is printed, so any failure of the first step is ``NotSent``."""
        refused = await self.upload_issues([self.issue_record(instruction)],
                                           instruction.end_to_end_id)
        if refused is not None:
            return NotSent(f"positive-pay issue record not acknowledged: {refused}")
        return await self._create_check(instruction)

    async def _create_check(self, instruction: PaymentInstruction) -> SendResult:
        extra = {"attempt_id": instruction.end_to_end_id}
        try:
            response = await self._call(
                "POST", self._url(self.CREATE_PATH), json=self.body(instruction),
                auth=self._lob_auth, headers={"Idempotency-Key": instruction.end_to_end_id})
            if response.status_code == 200:
                # Lob answers 200 for a new check and for an idempotent repeat alike.
                return Accepted(self._payment(response, instruction.end_to_end_id),
                                created=True)
        except ProviderError as exc:
            if exc.nothing_created:
                return NotSent(f"{type(exc).__name__}: {exc}")
            log.warning("create check: outcome unknown: %s", exc, extra=extra)
            return Unknown(f"{type(exc).__name__}: {exc}")
        detail = _lob_error(response)
        if response.status_code in (400, 422):
            self._count("rejected")
            return Rejected(response.status_code, detail)
        self._count("unexpected_status")
        return Unknown(f"Lob answered {response.status_code}: {detail}")

    async def upload_issues(self, records: list[pp.IssueRecord], attempt_id: str) -> str | None:
        """None once the bank acknowledged the records; why not otherwise. A repeat of the same
        record is harmless: the bank keys records by account and check number."""
        try:
            response = await self._bank_service.request(
                "POST", "issues",
                content=pp.issue_file(records).encode(),
                headers={"Content-Type": pp.MEDIA_TYPE})
        except ProviderError as exc:
            log.warning("positive-pay upload failed: %s", exc, extra={"attempt_id": attempt_id})
            return f"{type(exc).__name__}: {exc}"
        if response.status_code != 200:
            return f"bank answered {response.status_code}"
        return None

    async def find(self, end_to_end_id: str) -> LobCheck | None:
        """Lob's list of checks filtered by our metadata (a deepObject query parameter)."""
        response = await self._call("GET", self._url(self.STATUS_PATH), auth=self._lob_auth,
                                    params={f"metadata[{END_TO_END_ID_KEY}]": end_to_end_id})
        if response.status_code != 200:
            raise _Unexpected(response.status_code, _lob_error(response))
        try:
            found = LobCheckList.model_validate_json(response.content).data
        except ValidationError as exc:
            self._count("protocol")
            raise _Unexpected(200, f"unreadable check list: {exc}") from exc
        return found[0] if found else None

    async def status(self, end_to_end_id: str) -> StatusResult:
        try:
            check = await self.find(end_to_end_id)
            if check is None:
                return NotFound(end_to_end_id)
            return Status(check.payment())
        except (ProviderError, _Unexpected) as exc:
            log.warning("check status failed: %s", exc, extra={"attempt_id": end_to_end_id})
            return Unknown(f"{type(exc).__name__}: {exc}")

    async def void(self, end_to_end_id: str) -> ActionResult:
        """Lob's cancel (``DELETE /v1/checks/{chk_id}``, only before the send date), then a
        void record to the bank so that the check is refused should it ever be presented."""
        try:
            check = await self.find(end_to_end_id)
            if check is None:
                return Rejected(404, "Lob has no such check")
            response = await self._call("DELETE", self._url(f"checks/{check.id}"),
                                        auth=self._lob_auth)
        except (ProviderError, _Unexpected) as exc:
            return Unknown(f"{type(exc).__name__}: {exc}")
        if response.status_code in (404, 409, 422):
            return Rejected(response.status_code, _lob_error(response))
        if response.status_code != 200:
            return Unknown(f"Lob answered {response.status_code}")
        void = pp.IssueRecord(self._bank.account_number, check.check_number or 0,
                              amount_of(check.amount), _send_day(check), "VOID", void=True)
        refused = await self.upload_issues([void], end_to_end_id)
        if refused is not None:
            # Lob will not print it; the bank's list still has it until the void lands.
            log.error("void record not acknowledged: %s", refused,
                      extra={"attempt_id": end_to_end_id})
        return Status(_ended(check, Observation.CANCELLED, "deleted", "cancelled before the "
                                                                       "send date"))

    async def stop_payment(self, end_to_end_id: str,
                           ) -> tuple[ProviderPayment, str, date] | Rejected | Unknown:
        """A stop payment at the bank on a mailed check (modelled API): the check ended, the
        stop's id and the day it expires (a stop lapses, typically after six months)."""
        try:
            check = await self.find(end_to_end_id)
            if check is None or check.check_number is None:
                return Rejected(404, "Lob has no such check")
            response = await self._bank_service.request(
                "POST", "stop-payments",
                json={"account_number": self._bank.account_number,
                      "check_number": check.check_number,
                      "amount": f"{amount_of(check.amount).amount}"})
        except (ProviderError, _Unexpected) as exc:
            return Unknown(f"{type(exc).__name__}: {exc}")
        if response.status_code in (404, 409, 422):
            return Rejected(response.status_code, self._detail(response))
        if response.status_code != 200:
            return Unknown(f"bank answered {response.status_code}")
        try:
            answer = StopAnswer.model_validate_json(response.content)
        except ValidationError as exc:
            return Unknown(f"unreadable stop payment answer: {exc}")
        if answer.status == "already_paid":
            return Rejected(409, f"check {answer.check_number} was already paid")
        ended = _ended(check, Observation.CANCELLED, "stopped",
                       f"stop payment {answer.stop_id} placed, expires "
                       f"{answer.expires_on.isoformat()}")
        return ended, answer.stop_id, answer.expires_on

    async def renew_stop(self, stop_id: str) -> date | None:
        """The stop's new expiry once the bank renewed it; None if it did not (tried again on
        the next pass, well before the old expiry)."""
        try:
            response = await self._bank_service.request(
                "POST", f"stop-payments/{stop_id}/renewals")
        except ProviderError as exc:
            log.warning("stop renewal failed: %s", exc, extra={"stop_id": stop_id})
            return None
        if response.status_code != 200:
            log.warning("stop renewal answered %d", response.status_code,
                        extra={"stop_id": stop_id})
            return None
        try:
            return StopAnswer.model_validate_json(response.content).expires_on
        except ValidationError as exc:
            log.error("unreadable stop renewal answer: %s", exc, extra={"stop_id": stop_id})
            return None

    async def stop(self, end_to_end_id: str) -> ActionResult:
        """An operator's stop (see ``stop_mailed``), as the rail-neutral answer."""
        result = await self.stop_mailed(end_to_end_id)
        return Status(result[0]) if isinstance(result, tuple) else result

    async def stop_mailed(self, end_to_end_id: str,
                          ) -> tuple[ProviderPayment, str, date] | Rejected | Unknown:
        """A stop payment on a check in the mail, with the stop's id and expiry (which the
        caller records, so the stop is renewed before it lapses). Before the check is mailed
        Lob can still cancel it (``void``), which leaves no check that could ever be
        presented."""
        try:
            check = await self.find(end_to_end_id)
        except (ProviderError, _Unexpected) as exc:
            return Unknown(f"{type(exc).__name__}: {exc}")
        if check is not None and not check.in_the_mail:
            return Rejected(409, "the check is not in the mail yet: void it (Lob cancels it "
                            "before its send date)")
        return await self.stop_payment(end_to_end_id)

    async def paid_items(self, since: date) -> list[pp.PaidItem] | None:
        """The bank's paid-items report for our account since ``since``; None if the bank
        did not answer (or not in the documented format)."""
        try:
            response = await self._bank_service.request(
                "GET", "paid-items",
                params={"account_number": self._bank.account_number,
                        "since": since.isoformat()})
        except ProviderError as exc:
            log.warning("paid-items report failed: %s", exc)
            return None
        if response.status_code != 200:
            log.warning("paid-items report answered %d", response.status_code)
            return None
        try:
            return pp.parse_paid_items(response.text)
        except pp.PositivePayFormatError as exc:
            self._count("protocol")
            log.error("paid-items report unreadable: %s", exc)
            return None


class _Unexpected(Exception):
    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(f"answered {status_code}: {detail}")


def _ended(check: LobCheck, observation: Observation, status: str, reason: str,
           ) -> ProviderPayment:
    return ProviderPayment(end_to_end_id=check.end_to_end_id, provider_reference=check.reference,
                           observation=observation, amount=amount_of(check.amount),
                           reason=reason, provider_status=status)


def _send_day(check: LobCheck) -> date:
    sent = check.send_date
    if sent is None:
        return date.today()
    return sent.date() if isinstance(sent, datetime) else sent


def _lob_error(response: httpx.Response) -> str:
    """Lob's error envelope: ``{"error": {"message", "status_code", "code"}}``."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return f"{error.get('code')}: {error.get('message')}"[:500]
    return str(body)[:500]

