"""The money path's statements, built once with bind parameters (Core, not the ORM).

Each paid claim runs these a handful of times; through ORM queries and flushes they cost about
five times the CPU of a prebuilt Core statement, and building a statement per call is costly
too. Where two statements always go together they are one (a data-modifying CTE): one round
trip instead of two. Those a paid claim runs are compiled once for plain asyncpg on the
session's transaction (``shared/db/driver.py: prepared``), with SQLAlchemy's own conversions:
less CPU each than through the session.
"""

from __future__ import annotations

from sqlalchemy import (
    ColumnElement,
    DateTime,
    String,
    bindparam,
    exists,
    literal_column,
    null,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert

from services.payouts.adapters.orm import metadata
from services.payouts.domain.model import ACTIVE_ATTEMPT_STATUSES, PayoutStatus
from services.payouts.domain.outcomes import RESEND
from shared.db.driver import prepared

PAYOUTS = metadata.tables["payouts"]
ATTEMPTS = metadata.tables["payout_attempts"]
HISTORY = metadata.tables["payout_status_history"]

# Plain asyncpg on the session's transaction (``shared/db/driver.py``): less CPU than through
# the session. A callback's event id, and a payee's first sighting; each returns a row
# only if it was new.
RECORD_EVENT = (
    "INSERT INTO provider_events (rail, event_id, attempt_id, status) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT DO NOTHING RETURNING event_id"
)
FIRST_SIGHTING = (
    "INSERT INTO payees (identity, details_hash, first_seen_at) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING RETURNING identity"
)

# The columns a new payout is inserted with; the others keep their server defaults.
_NEW_PAYOUT_COLUMNS = (
    "id", "payout_key", "source", "amount", "currency", "rail", "payee", "memo", "requested_by",
    "correlation_id", "status", "created_at", "updated_at", "requested_rail", "claim_id",
    "payee_key", "deadline_at",
)
_new_payout = (
    insert(PAYOUTS)
    .values({name: bindparam(name) for name in _NEW_PAYOUT_COLUMNS})
    .on_conflict_do_nothing(index_elements=[PAYOUTS.c.payout_key])
    .returning(*PAYOUTS.c)
    .cte("new_payout")
)
# Its first history entry goes with it, so a repeat (no row inserted) records none.
_received = (
    insert(HISTORY)
    .from_select(
        ["payout_id", "from_status", "to_status", "action", "actor", "occurred_at"],
        select(_new_payout.c.id, null(), _new_payout.c.status,
               bindparam("receive_action", "receive", type_=String()),
               _new_payout.c.requested_by, _new_payout.c.created_at),
    )
    .cte("received")
)
# The whole new row (as stored: amounts scaled, JSON round-tripped), or none for a repeat.
INSERT_PAYOUT = prepared(select(_new_payout).add_cte(_received))

# A status change: the payout's row and its history entry, in one statement. The history entry
# takes what the UPDATE stored, so the two cannot disagree. No bind is named like a column:
# SQLAlchemy would add that column to the SET of an UPDATE nested in a CTE.
_moved = (
    update(PAYOUTS)
    .where(PAYOUTS.c.id == bindparam("p_id"))
    .values(status=bindparam("p_status"), status_reason=bindparam("p_reason"),
            updated_at=bindparam("p_now"), rail=bindparam("p_rail"),
            reissue_on_cancel=bindparam("p_reissue"), approval_reasons=bindparam("p_reasons"))
    .returning(PAYOUTS.c.id, PAYOUTS.c.status, PAYOUTS.c.status_reason, PAYOUTS.c.updated_at)
    .cte("moved")
)
_RECORD_STATUS = insert(HISTORY).from_select(
    ["payout_id", "from_status", "to_status", "action", "reason", "attempt_id", "actor",
     "occurred_at"],
    select(_moved.c.id, bindparam("h_from", type_=String()), _moved.c.status,
           bindparam("h_action", type_=String()), _moved.c.status_reason,
           bindparam("h_attempt", type_=String()), bindparam("h_actor", type_=String()),
           _moved.c.updated_at),
)

# An attempt's outcome fields. Its bind names are its own: it also runs inside RECORD_OUTCOME.
_SAVE_ATTEMPT = (
    update(ATTEMPTS)
    .where(ATTEMPTS.c.id == bindparam("a_id"))
    .values(status=bindparam("a_status"), provider_reference=bindparam("a_reference"),
            provider_status=bindparam("a_said"), status_reason=bindparam("a_reason"),
            lease_until=bindparam("a_lease"), updated_at=bindparam("a_now"))
)
RECORD_STATUS = prepared(_RECORD_STATUS)
SAVE_ATTEMPT = prepared(_SAVE_ATTEMPT)
# An attempt's outcome and the status change it causes (the usual pair): one round trip.
RECORD_OUTCOME = prepared(_RECORD_STATUS.add_cte(_SAVE_ATTEMPT.cte("saved_attempt")))

# The payout and one of its attempts, locked in the order of every other path: payout first
# (PostgreSQL locks a join's rows in the order of the OF list; a waiting LOCK_PAIR was seen to
# hold the payout while queued on the attempt).
LOCK_PAIR = prepared(
    select(PAYOUTS, ATTEMPTS)
    .join_from(PAYOUTS, ATTEMPTS, ATTEMPTS.c.payout_id == PAYOUTS.c.id)
    .where(ATTEMPTS.c.id == bindparam("attempt_id"))
    .with_for_update(of=[PAYOUTS, ATTEMPTS])
)


def _written(value: str) -> ColumnElement[str]:
    """A constant written into the statement's text rather than bound: a plan can use a partial
    index only when the query's own constants prove the index's condition, and the plan cached
    for a prepared statement is made without the bound values."""
    return literal_column(f"'{value}'")


_active = exists().where(
    ATTEMPTS.c.payout_id == PAYOUTS.c.id,
    ATTEMPTS.c.status.in_([_written(s.value) for s in sorted(ACTIVE_ATTEMPT_STATUSES)]),
)
# The statuses are written (``_written``), so that the plan reads the partial indexes of approved
# payouts (``ix_payouts_dispatchable``) and of active attempts (``uq_payout_attempts_one_active``)
# whatever the tables' statistics. With bound statuses, the plan cached for this prepared statement
# walked every payout in ``created_at`` order looking for approved ones (its cost grew with the
# table: ``bench/RESULTS.md``), and on an empty database it scanned every attempt for each payout.
# An attempt that never reached the provider (``unsent``) is sent again, with its own id, once
# its backoff (``lease_until``) has passed; until then its payout is not dispatchable.
_UNSENT = [_written(s.value) for s in sorted(RESEND)]
_unsent = (
    select(ATTEMPTS.c.id)
    .where(ATTEMPTS.c.payout_id == PAYOUTS.c.id, ATTEMPTS.c.status.in_(_UNSENT))
    .limit(1)
    .scalar_subquery()
)
_unsent_waiting = exists().where(
    ATTEMPTS.c.payout_id == PAYOUTS.c.id, ATTEMPTS.c.status.in_(_UNSENT),
    ATTEMPTS.c.lease_until > bindparam("now", type_=DateTime(timezone=True)),
)
LOCK_DISPATCHABLE = (
    select(PAYOUTS.c.id, PAYOUTS.c.rail, PAYOUTS.c.amount, PAYOUTS.c.payee, PAYOUTS.c.memo,
           PAYOUTS.c.correlation_id, _unsent)
    .where(PAYOUTS.c.status == _written(PayoutStatus.APPROVED.value),
           PAYOUTS.c.rail.in_(bindparam("rails", expanding=True)), ~_active, ~_unsent_waiting)
    .order_by(PAYOUTS.c.created_at)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)

# New attempts, one per payout, numbered after the payout's last one. Every attempt is created
# here and only under its payout's row lock, taken before this statement began: its snapshot
# sees every attempt the payout has, so the number is the one a separate max() read would give.
# A payout that already has an active attempt gets none (ON CONFLICT on the one-active index):
# LOCK_DISPATCHABLE looks for active attempts in its own snapshot, so a payout another
# dispatcher gave an attempt and committed between that snapshot and the lock still comes back
# to it (seen with four concurrent dispatchers). Only the attempts created are returned.
_ACTIVE_LIST = ", ".join(f"'{s.value}'" for s in sorted(ACTIVE_ATTEMPT_STATUSES))
CREATE_ATTEMPTS = prepared(text(
    "INSERT INTO payout_attempts (id, payout_id, number, rail, amount, status, lease_until, "  # noqa: S608 (constants only)
    "sends, checks, created_at, updated_at) "
    "SELECT new.id, new.payout_id, (SELECT coalesce(max(a.number), 0) + 1 FROM payout_attempts a "
    "WHERE a.payout_id = new.payout_id), new.rail, new.amount, :status, :lease_until, 1, 0, "
    ":now, :now "
    "FROM unnest(CAST(:ids AS varchar[]), CAST(:payout_ids AS uuid[]), "
    "CAST(:rails AS varchar[]), CAST(:amounts AS numeric[])) AS new (id, payout_id, rail, amount)"
    f" ON CONFLICT (payout_id) WHERE status IN ({_ACTIVE_LIST}) DO NOTHING"
    " RETURNING id"
).bindparams(
    bindparam("status", type_=String()),
    bindparam("lease_until", type_=DateTime(timezone=True)),
    bindparam("now", type_=DateTime(timezone=True)),
))

# Unsent attempts taken again for sending (their payouts locked by the caller, as for
# CREATE_ATTEMPTS); only those still unsent are returned. The status moves by ``RESEND``. Run
# through the session, not prepared: only a provider outage leaves attempts unsent.
[(_FROM_UNSENT, _TO_SENDING)] = RESEND.items()
RESEND_ATTEMPTS = (
    update(ATTEMPTS)
    .where(ATTEMPTS.c.id.in_(bindparam("ids", expanding=True)),
           ATTEMPTS.c.status == _written(_FROM_UNSENT.value))
    .values(status=_TO_SENDING.value, lease_until=bindparam("lease_until"),
            sends=ATTEMPTS.c.sends + 1, updated_at=bindparam("now"))
    .returning(ATTEMPTS.c.id)
)
