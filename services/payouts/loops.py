"""The worker's timers: dispatch approved payouts, recover and poll unfinished attempts,
announce missed deadlines."""

from __future__ import annotations

from services.payouts.service.checks import checks_once
from services.payouts.service.context import ServiceContext
from services.payouts.service.dispatch import dispatch_once
from services.payouts.service.recovery import recover_once
from services.payouts.service.sla import sla_once
from shared.clock import adjustable, follow
from shared.loops import Loop, periodic


def payout_loops(app: ServiceContext) -> list[Loop]:
    settings = app.settings
    batch = settings.dispatch_batch  # what each pass takes at most
    return [
        periodic("dispatcher", lambda: dispatch_once(app), settings.dispatch_interval_s,
                 batch=batch, wake=app.dispatch_wake),
        periodic("recovery", lambda: recover_once(app), settings.recovery_interval_s,
                 batch=batch),
        periodic("sla", lambda: sla_once(app), settings.sla_interval_s, batch=batch),
        # The bank's paid-items report and the no-cash rule (stop, then reissue).
        periodic("checks", lambda: checks_once(app), settings.checks_interval_s, batch=batch),
        # Follows the clock the API moves (never in production, where it does not move).
        *([follow(app.clock, app.sessions)] if adjustable(settings) else []),
    ]
