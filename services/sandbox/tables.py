"""The sandbox's own database: what a bank and a printer would never forget.

Payments (every rail's, one row shape, with the steps still to come on the sandbox clock),
the bank's check records (positive-pay issues, stop payments, exception items), the card
gateway's payment methods, charges, refunds and idempotency keys, the payee behaviours tests
configured and the sandbox clock. Injected faults are not here: they are a
test's controls for one process life, and a restart that clears them is what a test expects.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

metadata = sa.MetaData()
TZ = sa.DateTime(timezone=True)

payments = sa.Table(
    "payments", metadata,
    # Creation order: the ledger's order and the order due steps are applied in.
    sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
    sa.Column("end_to_end_id", sa.String(128), primary_key=True),
    sa.Column("payment_id", sa.String(64), nullable=False),
    sa.Column("rail", sa.String(16), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("amount", sa.Numeric, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("payee_name", sa.String(200), nullable=False),
    sa.Column("payee_email", sa.String(320), nullable=False),
    sa.Column("payee_mobile", sa.String(64)),
    sa.Column("payee_address", JSONB),
    sa.Column("callback_url", sa.Text),
    sa.Column("memo", sa.Text),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("paid_at", TZ),
    sa.Column("mailed_at", TZ),
    sa.Column("status_reason", sa.Text),
    sa.Column("reason_code", sa.String(8)),
    sa.Column("method", sa.String(16)),
    sa.Column("check_number", sa.BigInteger),
    sa.Column("lob", JSONB),
    sa.Column("steps", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    # The first step's time; NULL when nothing is to come. A tick reads only these rows.
    sa.Column("next_step_at", TZ),
    sa.Index("ix_payments_next_step_at", "next_step_at",
             postgresql_where=sa.text("next_step_at IS NOT NULL")),
    sa.Index("ix_payments_payment_id", "payment_id"),
    sa.Index("ix_payments_check_number", "check_number",
             postgresql_where=sa.text("check_number IS NOT NULL")),
)

check_issues = sa.Table(
    "check_issues", metadata,
    sa.Column("account_number", sa.String(17), primary_key=True),
    sa.Column("check_number", sa.BigInteger, primary_key=True),
    sa.Column("amount", sa.Numeric, nullable=False),
    sa.Column("issue_date", sa.Date, nullable=False),
    sa.Column("payee_name", sa.String(200), nullable=False),
    sa.Column("void", sa.Boolean, nullable=False),
)

stop_payments = sa.Table(
    "stop_payments", metadata,
    sa.Column("account_number", sa.String(17), primary_key=True),
    sa.Column("check_number", sa.BigInteger, primary_key=True),
    sa.Column("stop_id", sa.String(32), nullable=False, unique=True),
    sa.Column("amount", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("expires_on", sa.Date, nullable=False),
)

exception_items = sa.Table(
    "exception_items", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("check_number", sa.BigInteger, nullable=False),
    sa.Column("amount", sa.Numeric, nullable=False),
    sa.Column("presented_date", sa.Date, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)

payee_behaviours = sa.Table(
    "payee_behaviours", metadata,
    sa.Column("identifier_key", sa.String(200), primary_key=True),
    sa.Column("behaviour", JSONB, nullable=False),
    sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False),
)

# One row (id 1): where the sandbox clock stands, so an advanced clock survives a restart.
sandbox_clock = sa.Table(
    "sandbox_clock", metadata,
    sa.Column("id", sa.SmallInteger, primary_key=True),
    sa.Column("frozen_at", TZ),
    sa.Column("offset_s", sa.Float, nullable=False),
    sa.CheckConstraint("id = 1", name="one_clock"),
)

# The card/ACH gateway (``gateway_store``): tokenized payment methods (never a card or account
# number, only its last four), charges, refunds, and the Idempotency-Keys that made them.
gateway_payment_methods = sa.Table(
    "gateway_payment_methods", metadata,
    sa.Column("token", sa.String(32), primary_key=True),
    sa.Column("type", sa.String(8), nullable=False),
    sa.Column("last4", sa.String(4), nullable=False),
    # Set for the test numbers that decline: every charge of the method is declined with it.
    sa.Column("decline_reason", sa.String(32)),
)

gateway_charges = sa.Table(
    "gateway_charges", metadata,
    # Creation order: GET /gateway/v1/charges lists the ledger oldest first.
    sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("amount", sa.Numeric, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("payment_method", sa.String(32),
              sa.ForeignKey("gateway_payment_methods.token"), nullable=False),
    sa.Column("decline_reason", sa.String(32)),
    # The sum of the charge's refunds, kept on the row its refunds lock (FOR UPDATE).
    sa.Column("refunded", sa.Numeric, nullable=False),
    sa.Column("created_at", TZ, nullable=False),
)

gateway_refunds = sa.Table(
    "gateway_refunds", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("charge_id", sa.String(32), sa.ForeignKey("gateway_charges.id"), nullable=False),
    sa.Column("amount", sa.Numeric, nullable=False),
    sa.Column("created_at", TZ, nullable=False),
)

# (operation, Idempotency-Key) -> the request's fingerprint and the id of what it made. Written
# first in the request's transaction: a concurrent request with the same key waits on the row.
gateway_idempotency_keys = sa.Table(
    "gateway_idempotency_keys", metadata,
    sa.Column("operation", sa.String(16), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("result_id", sa.String(32), nullable=False),
)

ALL_TABLES = (payments, check_issues, stop_payments, exception_items, payee_behaviours,
              sandbox_clock, gateway_payment_methods, gateway_charges, gateway_refunds,
              gateway_idempotency_keys)
