"""Contracts and their covered items."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.claims.adapters.orm.base import Base, new_id, utcnow
from services.claims.domain.contract import (
    Brand,
    Contract,
    ContractStatus,
    CookType,
    InstallType,
    ItemKind,
)
from shared.db.columns import MONEY, enum_of


class ContractRow(Base, Contract):
    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint("service_fee >= 0", name="service_fee_not_negative"),
        CheckConstraint("per_claim_cap > 0", name="per_claim_cap_positive"),
        CheckConstraint("annual_aggregate > 0", name="annual_aggregate_positive"),
        CheckConstraint("replacement_credit IS NULL OR replacement_credit > 0",
                        name="replacement_credit_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    brand: Mapped[Brand] = mapped_column(enum_of(Brand))
    status: Mapped[ContractStatus] = mapped_column(enum_of(ContractStatus))
    holder_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    mobile: Mapped[str | None] = mapped_column(String(16))
    address_line1: Mapped[str | None] = mapped_column(String(64))
    address_line2: Mapped[str | None] = mapped_column(String(64))
    address_city: Mapped[str | None] = mapped_column(String(64))
    address_state: Mapped[str | None] = mapped_column(String(2))
    address_zip: Mapped[str | None] = mapped_column(String(10))
    service_fee: Mapped[Decimal] = mapped_column(MONEY)
    per_claim_cap: Mapped[Decimal] = mapped_column(MONEY)
    annual_aggregate: Mapped[Decimal] = mapped_column(MONEY)
    replacement_credit: Mapped[Decimal | None] = mapped_column(MONEY)
    # {trade: "150.00"}: deductibles that differ from service_fee (amounts as strings).
    trade_deductibles: Mapped[dict[str, str]] = mapped_column(
        JSONB, default=dict, server_default="{}"
    )
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    items: Mapped[list[CoveredItemRow]] = relationship(
        back_populates="contract", lazy="raise", order_by="CoveredItemRow.position"
    )


class CoveredItemRow(Base):
    __tablename__ = "covered_items"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contracts.id"), index=True)
    position: Mapped[int]
    kind: Mapped[ItemKind] = mapped_column(enum_of(ItemKind))
    description: Mapped[str] = mapped_column(String(200))
    model: Mapped[str | None] = mapped_column(String(64))
    serial: Mapped[str | None] = mapped_column(String(64))
    install_type: Mapped[InstallType | None] = mapped_column(enum_of(InstallType))
    cook_type: Mapped[CookType | None] = mapped_column(enum_of(CookType))

    contract: Mapped[ContractRow] = relationship(back_populates="items", lazy="raise")
