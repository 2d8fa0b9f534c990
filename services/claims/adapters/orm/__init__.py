"""Claims' tables (SQLAlchemy 2 typed models); ``metadata`` is what migrations compare to."""

from services.claims.adapters.orm.base import Base
from services.claims.adapters.orm.claims import (
    AuditEventRow,
    ClaimPayoutRow,
    ClaimRow,
    IdempotencyKeyRow,
    LimitHoldRow,
)
from services.claims.adapters.orm.contracts import ContractRow, CoveredItemRow
from services.claims.adapters.orm.work import (
    ByopCaseRow,
    JobExceptionRow,
    JobNoteRow,
    OptionRow,
    ServiceJobRow,
    ServiceOrderRow,
    ServiceRequestRow,
)

metadata = Base.metadata

__all__ = [
    "AuditEventRow",
    "Base",
    "ByopCaseRow",
    "ClaimPayoutRow",
    "ClaimRow",
    "ContractRow",
    "CoveredItemRow",
    "IdempotencyKeyRow",
    "JobExceptionRow",
    "JobNoteRow",
    "LimitHoldRow",
    "OptionRow",
    "ServiceJobRow",
    "ServiceOrderRow",
    "ServiceRequestRow",
    "metadata",
]
