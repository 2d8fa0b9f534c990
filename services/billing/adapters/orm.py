"""Billing's tables. Accounts, invoices and payments arrive with the billing capability."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


metadata = Base.metadata
