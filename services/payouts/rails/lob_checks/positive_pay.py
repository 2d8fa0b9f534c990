"""The bank side of a check, modelled (J.P. Morgan publishes no positive-pay API in the vendored
specification): the issue file we upload before a check is printed, and the paid-items report
the bank gives back. Pure formatting and parsing; the format is ``docs/positive-pay.md``.

Why an issue file at all: with positive pay the bank pays only checks we told it about (account,
number, amount, payee), so a forged or altered check is refused at presentment. The record must
reach the bank before the check can reach anyone, hence before it goes to the printer.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from shared.money import Money

ISSUE_HEADER = ("account_number", "check_number", "amount", "issue_date", "payee_name", "void")
PAID_HEADER = ("account_number", "check_number", "amount", "paid_date")
MEDIA_TYPE = "text/csv"
PAYEE_NAME_MAX = 40  # the printed payee line is at most 40 characters (Lob's ``to.name``)


class PositivePayFormatError(ValueError):
    """A file or report that does not follow the documented format."""


@dataclass(frozen=True, slots=True)
class IssueRecord:
    """One issued (or voided) check as the bank's positive-pay file lists it."""

    account_number: str
    check_number: int
    amount: Money
    issue_date: date
    payee_name: str
    void: bool = False


@dataclass(frozen=True, slots=True)
class PaidItem:
    """One check the bank paid: presented, matched and debited."""

    account_number: str
    check_number: int
    amount: Money
    paid_date: date


def issue_file(records: list[IssueRecord]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ISSUE_HEADER)
    for record in records:
        writer.writerow((record.account_number, record.check_number, f"{record.amount.amount}",
                         record.issue_date.isoformat(), record.payee_name[:PAYEE_NAME_MAX],
                         "Y" if record.void else "N"))
    return out.getvalue()


def parse_issue_file(text: str) -> list[IssueRecord]:
    return [IssueRecord(row["account_number"], _number(row["check_number"]),
                        _money(row["amount"]), _date(row["issue_date"]), row["payee_name"],
                        _flag(row["void"]))
            for row in _rows(text, ISSUE_HEADER)]


def paid_items_report(items: list[PaidItem]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(PAID_HEADER)
    for item in items:
        writer.writerow((item.account_number, item.check_number, f"{item.amount.amount}",
                         item.paid_date.isoformat()))
    return out.getvalue()


def parse_paid_items(text: str) -> list[PaidItem]:
    return [PaidItem(row["account_number"], _number(row["check_number"]), _money(row["amount"]),
                     _date(row["paid_date"]))
            for row in _rows(text, PAID_HEADER)]


def _rows(text: str, header: tuple[str, ...]) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != header:
        raise PositivePayFormatError(f"expected the header {','.join(header)}")
    rows = list(reader)
    for row in rows:
        if None in row or any(value is None for value in row.values()):
            raise PositivePayFormatError(f"line {reader.line_num}: wrong number of fields")
    return rows


def _number(value: str) -> int:
    if not value.isdigit():
        raise PositivePayFormatError(f"check number {value!r} is not a positive integer")
    return int(value)


def _money(value: str) -> Money:
    try:
        amount = Decimal(value)
    except ArithmeticError as exc:
        raise PositivePayFormatError(f"amount {value!r} is not a decimal") from exc
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise PositivePayFormatError(f"amount {value!r} is not a positive amount in cents")
    return Money(amount)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise PositivePayFormatError(f"date {value!r} is not YYYY-MM-DD") from exc


def _flag(value: str) -> bool:
    if value not in ("Y", "N"):
        raise PositivePayFormatError(f"void flag {value!r} is not Y or N")
    return value == "Y"
