"""The paid claim's statements (approval, payout events, the audit trail), built once with bind
parameters: Core, not the ORM.

Through ORM queries and flushes they cost several times the CPU of a prebuilt Core statement,
and building a statement per call is costly too. All of them run in plain asyncpg on the
session's transaction: the reads compiled once with SQLAlchemy's own conversions (``prepared``),
the writes written with ``:name`` binds (``positional``). Writes that always go together are one
statement (data-modifying CTEs, arrays unnested into rows): one round trip instead of several.
Row locks keep the order of every other writer: contract, claim, payout, limit holds.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, bindparam, literal_column, select

from services.claims.adapters.orm import metadata
from services.claims.domain.limits import LIVE_HOLDS
from services.claims.domain.review import ExceptionStatus, ExceptionType
from shared.db.driver import positional, prepared

CONTRACTS = metadata.tables["contracts"]
CLAIMS = metadata.tables["claims"]
PAYOUTS = metadata.tables["claim_payouts"]
HOLDS = metadata.tables["limit_holds"]
EXCEPTIONS = metadata.tables["job_exceptions"]

# PostgreSQL locks a join's rows in the order of its FROM list: contract, then claim (then
# payout), as every other writer does, in one round trip.
LOCK_CLAIM = prepared(
    select(CONTRACTS, CLAIMS)
    .join_from(CONTRACTS, CLAIMS, CLAIMS.c.contract_id == CONTRACTS.c.id)
    .where(CLAIMS.c.id == bindparam("claim_id"))
    .with_for_update()
)
LOCK_PAYOUT = prepared(
    select(CLAIMS, PAYOUTS)
    .select_from(CONTRACTS)
    .join(CLAIMS, CLAIMS.c.contract_id == CONTRACTS.c.id)
    .join(PAYOUTS, PAYOUTS.c.claim_id == CLAIMS.c.id)
    .where(PAYOUTS.c.payout_key == bindparam("payout_key"))
    .with_for_update()
)

# Constants written into the text (an IN over a bound list is rendered anew on every call).
_LIVE: list[ColumnElement[Any]] = [
    literal_column(f"'{status.value}'") for status in sorted(LIVE_HOLDS)
]
# Read under the contract's row lock (taken by an earlier statement, so this one's snapshot
# sees every hold committed before the lock was granted).
LIVE_HOLDS_OF_CONTRACT = prepared(
    select(HOLDS.c.limit_kind, HOLDS.c.amount, HOLDS.c.status)
    .where(HOLDS.c.contract_id == bindparam("contract_id"), HOLDS.c.status.in_(_LIVE))
)
LOCK_CLAIM_HOLDS = prepared(
    select(HOLDS.c.id, HOLDS.c.limit_kind, HOLDS.c.amount, HOLDS.c.status)
    .where(HOLDS.c.claim_id == bindparam("claim_id"), HOLDS.c.status.in_(_LIVE))
    .order_by(HOLDS.c.created_at)
    .with_for_update()
)

# A job's open Support Services review (bound: ``job_id``); the ORM read uses the same criteria.
OPEN_REVIEW_CRITERIA = (
    EXCEPTIONS.c.job_id == bindparam("job_id"),
    EXCEPTIONS.c.type == ExceptionType.SS_CLAIM_CREDIT_REVIEW.value,
    EXCEPTIONS.c.status != ExceptionStatus.COMPLETE.value,
)
OPEN_REVIEW = prepared(select(EXCEPTIONS).where(*OPEN_REVIEW_CRITERIA))

# The writes below run in plain asyncpg on the session's transaction (``shared/db/driver.py``),
# numbered from their ``:name`` binds: less CPU each than through the session.

# An approval's writes: the payout, its limit holds and the claim's new status, in one statement.
APPROVE = positional(
    "WITH payout AS ("
    " INSERT INTO claim_payouts (payout_key, claim_id, amount, rail, status, requested_by,"
    " requested_at, updated_at)"
    " VALUES (:payout_key, :claim_id, :amount, :rail, :payout_status, :approver, :now, :now)),"
    " holds AS ("
    " INSERT INTO limit_holds (id, contract_id, claim_id, payout_key, limit_kind, amount, status,"
    " created_at, updated_at)"
    " SELECT h.id, CAST(:contract_id AS uuid), CAST(:claim_id AS uuid),"
    " CAST(:payout_key AS varchar), h.kind, h.amount, CAST(:hold_status AS varchar),"
    " CAST(:now AS timestamptz), CAST(:now AS timestamptz)"
    " FROM unnest(CAST(:hold_ids AS uuid[]), CAST(:hold_kinds AS varchar[]),"
    " CAST(:hold_amounts AS numeric[])) AS h (id, kind, amount))"
    " UPDATE claims SET status = :status, approved_by = :approver, approved_at = :now,"
    " updated_at = :now, payout_sequence = :sequence WHERE id = :claim_id"
)

# A payout's reported fields (the rail may have fallen back), as they are on its row object.
_UPDATE_PAYOUT = (
    "UPDATE claim_payouts SET rail = :rail, status = :payout_status, updated_at = :payout_at,"
    " payout_id = :payout_id, attempt_id = :attempt_id,"
    " provider_reference = :provider_reference, failure_reason = :failure_reason"
    " WHERE payout_key = :payout_key"
)
SAVE_PAYOUT = positional(_UPDATE_PAYOUT)
# A payout's progress and the claim's new status always go together: one statement.
SAVE_PAYOUT_AND_CLAIM = positional(
    f"WITH payout AS ({_UPDATE_PAYOUT})"  # noqa: S608 - two constants, no input
    " UPDATE claims SET status = :claim_status, updated_at = :claim_at WHERE id = :claim_id"
)
SETTLE_HOLDS = positional(
    "UPDATE limit_holds SET status = h.status, updated_at = :now"
    " FROM unnest(CAST(:ids AS uuid[]), CAST(:statuses AS varchar[])) AS h (id, status)"
    " WHERE limit_holds.id = h.id"
)
MOVE_EXCEPTION = positional(
    "UPDATE job_exceptions SET status = :status, updated_at = :now WHERE id = :id"
)

# The unit of work's audit rows, in recording order: the timeline orders by id. Plain asyncpg
# (``$n``) on the session's transaction: nearly every claims unit of work writes audit rows.
INSERT_AUDIT = (
    "INSERT INTO audit_events (job_id, entity, entity_id, action, actor, from_status, to_status,"
    " detail, at)"
    " SELECT a.job_id, a.entity, a.entity_id, a.action, a.actor, a.from_status, a.to_status,"
    " CAST(a.detail AS jsonb), a.at"
    " FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[],"
    " $6::varchar[], $7::varchar[], $8::text[], $9::timestamptz[]) WITH ORDINALITY"
    " AS a (job_id, entity, entity_id, action, actor, from_status, to_status, detail, at, n)"
    " ORDER BY a.n"
)
