"""void cancelled job fees: invoices' void reason and time, fee cancellations

A void invoice now says when (``voided_at``, required exactly when the status is void; invoices
voided before this revision take their last update as that time) and why. A service-fee invoice
kept because something was paid on it says why in ``void_refused_reason``. ``fee_cancellations``
records each job claims cancelled before its visit, so a dispatch event delivered after the
cancellation raises no invoice.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 19:30:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('fee_cancellations',
    sa.Column('source_ref', sa.String(length=200), nullable=False),
    sa.Column('customer_id', sa.String(length=120), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('source_ref', name=op.f('pk_fee_cancellations'))
    )
    op.add_column('invoices', sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('invoices', sa.Column('void_reason', sa.String(length=200), nullable=True))
    op.add_column('invoices', sa.Column('void_refused_reason', sa.String(length=300), nullable=True))
    op.execute("UPDATE invoices SET voided_at = updated_at WHERE status = 'void'")
    op.create_check_constraint(op.f('ck_invoices_voided_at_iff_void'), 'invoices',
                               "(status = 'void') = (voided_at IS NOT NULL)")


def downgrade() -> None:
    op.drop_constraint(op.f('ck_invoices_voided_at_iff_void'), 'invoices', type_='check')
    op.drop_column('invoices', 'void_refused_reason')
    op.drop_column('invoices', 'void_reason')
    op.drop_column('invoices', 'voided_at')
    op.drop_table('fee_cancellations')
