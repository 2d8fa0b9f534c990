"""A payout changes itself, through its transition table, and returns the events the change
caused (``domain.events``); the use case records them in its unit of work, which writes them
in the same commit. Its attempts' own changes are ``domain.attempts.Attempt``'s.

``Payout`` is behaviour only: the attributes are those of ``domain.state``, held by the ORM row
that inherits it (or by any object with those attributes, in a test).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from services.payouts.domain.approvals import require_other_approver
from services.payouts.domain.attempts import Attempt
from services.payouts.domain.events import (
    AttemptAnswered,
    PayoutDecided,
    PayoutTransitioned,
    SlaBreached,
)
from services.payouts.domain.model import ACTIVE_ATTEMPT_STATUSES, AttemptStatus, PayoutStatus
from services.payouts.domain.outcomes import (
    WITHDRAW,
    Effect,
    ObservationRules,
    Policy,
    Reading,
    event_for,
    resolve,
)
from services.payouts.domain.state import AttemptState, PayoutState
from services.payouts.domain.transitions import (
    NO_FACTS,
    PAYOUT_MACHINE,
    PayoutAction,
    PayoutFacts,
)


@dataclass(frozen=True, slots=True)
class Observed:
    """What an observation did (``effect``) and what it announces (``events``)."""

    effect: Effect
    events: Sequence[PayoutTransitioned | AttemptAnswered]


PayoutChange = PayoutTransitioned | AttemptAnswered | PayoutDecided


class Payout:
    """The payout's behaviour: every status change goes through ``PAYOUT_MACHINE``."""

    def decide(self: PayoutState, facts: PayoutFacts, *, actor: str,
               at: datetime) -> list[PayoutTransitioned]:
        """A received payout: refused if invalid, held if a rule asks a person, else approved."""
        self.approval_reasons = list(facts.approval_reasons) or None
        reason: str | None = None
        if facts.validation_errors:
            action, reason = PayoutAction.REJECT_INVALID, "; ".join(facts.validation_errors)
        elif facts.approval_reasons:
            action, reason = PayoutAction.HOLD_FOR_APPROVAL, "; ".join(facts.approval_reasons)
        else:
            action = PayoutAction.APPROVE_AUTOMATICALLY
        to = PAYOUT_MACHINE.fire(PayoutStatus(self.status), action, facts)
        return [_move(self, action, to, actor=actor, at=at, reason=reason)]

    def approve(self: PayoutState, *, actor: str, reason: str,
                at: datetime) -> list[PayoutChange]:
        """An approver releases a held payout (never the one who asked for it)."""
        return _decide(self, PayoutAction.APPROVE, actor=actor, reason=reason, at=at)

    def reject(self: PayoutState, *, actor: str, reason: str,
               at: datetime) -> list[PayoutChange]:
        return _decide(self, PayoutAction.REJECT, actor=actor, reason=reason, at=at)

    def cancel(self: PayoutState, attempts: Sequence[AttemptState], *, actor: str, reason: str,
               at: datetime) -> list[PayoutChange]:
        """Cancelled with its attempts that never reached a provider (withdrawn, so nothing
        sends them afterwards); refused while one may be at a provider."""
        facts = PayoutFacts(has_active_attempt=any(
            AttemptStatus(a.status) in ACTIVE_ATTEMPT_STATUSES for a in attempts))
        to = PAYOUT_MACHINE.fire(PayoutStatus(self.status), PayoutAction.CANCEL, facts)
        changes: list[PayoutChange] = [
            Attempt.withdraw(a, at) for a in attempts if AttemptStatus(a.status) in WITHDRAW]
        changes.append(_move(self, PayoutAction.CANCEL, to, actor=actor, at=at,
                             reason=_by(PayoutAction.CANCEL, actor, reason)))
        return changes

    def revoke(self: PayoutState, *, reissue: bool) -> None:
        """A void or stop payment is asked of the provider: once it confirms, the payout gets a
        new check (``reissue``) or is cancelled."""
        self.reissue_on_cancel = reissue

    def breach_sla(self: PayoutState, at: datetime) -> list[SlaBreached]:
        """Past its deadline and not paid: marked once, announced once."""
        return [_breached(self, at)]

    def observe(self: PayoutState, attempt: AttemptState, reading: Reading, policy: Policy,
                rules: ObservationRules, *, actor: str, at: datetime) -> Observed:
        """Apply a provider's observation of ``attempt`` (both locked, payout first) through
        ``domain.outcomes.resolve``: the only way a provider's word changes our state."""
        effect = resolve(PayoutStatus(self.status), AttemptStatus(attempt.status),
                         reading.observation, policy)
        if effect.attempt_to is None:
            return Observed(effect, Attempt.progress(attempt, reading, at))
        Attempt.answer(attempt, effect.attempt_to, reading, rules, at)
        payout_to = effect.payout_to
        if payout_to is None:
            # The provider moved a payment whose payout can no longer follow (it is final).
            return Observed(effect, [AttemptAnswered(attempt)])
        reason = _reason(self, effect, reading, rules)
        if effect.action is PayoutAction.FALL_BACK:
            assert rules.fallback is not None  # the policy said there is one
            self.rail = rules.fallback.value
        if effect.action is PayoutAction.REISSUE:
            self.reissue_on_cancel = False  # asked for once, done once
        return Observed(effect, [_move(self, effect.action, payout_to, actor=actor, at=at,
                                       reason=reason, attempt=attempt)])


def _move(payout: PayoutState, action: PayoutAction, to: PayoutStatus, *, actor: str,
          at: datetime, reason: str | None,
          attempt: AttemptState | None = None) -> PayoutTransitioned:
    before = payout.status
    payout.status, payout.status_reason, payout.updated_at = to.value, reason, at
    return PayoutTransitioned(payout, before, to, action, actor, at, reason, attempt,
                              event_for(to))


def _breached(payout: PayoutState, at: datetime) -> SlaBreached:
    # Not in the method: mypy would take the mixin's assignment as the attribute's type
    # (``datetime``), which the row's ``datetime | None`` then contradicts.
    payout.sla_breached_at = at
    return SlaBreached(payout)


def _by(action: PayoutAction, actor: str, reason: str) -> str:
    return f"{action.value} by {actor}: {reason}"


def _decide(payout: PayoutState, action: PayoutAction, *, actor: str, reason: str,
            at: datetime) -> list[PayoutChange]:
    to = PAYOUT_MACHINE.fire(PayoutStatus(payout.status), action, NO_FACTS)
    require_other_approver(payout.requested_by, actor)
    payout.decided_by = actor
    # The decision first: a rejection's payout_cancelled (its end) follows it.
    return [PayoutDecided(payout, action, actor, at, reason),
            _move(payout, action, to, actor=actor, at=at, reason=_by(action, actor, reason))]


def _reason(payout: PayoutState, effect: Effect, reading: Reading,
            rules: ObservationRules) -> str | None:
    said = reading.reason or reading.reason_code
    if effect.action is PayoutAction.FALL_BACK:
        return f"{payout.rail} rejected ({said}); falling back to {rules.fallback}"
    if effect.action is PayoutAction.REISSUE:
        return f"reissuing: {said}"
    if effect.action is PayoutAction.UNCLAIM:
        return (f"unclaimed: {said}; no check cashed and no more may be issued (at most "
                f"{rules.check_max_issues}, none after {rules.check_expiry_days} days): "
                "report it as unclaimed property")
    return reading.reason

