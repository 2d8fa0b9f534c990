"""A small seeded chaos run (``chaos/``, the harness of ``make chaos``): 30 flows over the real
processes while the run's own RabbitMQ and PostgreSQL are restarted and SIGKILLed, every API and
worker and the provider sandbox are SIGKILLed once and the sandbox fails, rate-limits, answers
too late and repeats or reorders callbacks. Nothing may be lost, paid twice or mismatched.

It starts its own servers and stack (not the session's), on ports of its own; the machine's
servers are left alone (the session checks their start times: ``tests/conftest.py``).
"""

from __future__ import annotations

from chaos.run import Options, run

SEED = 20261122


async def test_a_small_chaos_run_loses_nothing_and_pays_nothing_twice() -> None:
    outcome = await run(Options(flows=30, seed=SEED, concurrency=6, stall_s=120,
                                quiesce_s=60, kills_each=1, mq_restarts=1, sandbox_each=1))

    summary = outcome.summary(SEED)
    findings = [f"{f.kind} {f.subject}: {f.detail}" for f in outcome.audit.findings]
    assert (summary["double_paid"], summary["lost"], summary["mismatched"]) == (0, 0, 0), findings
    assert summary["flows"] == 30
    assert outcome.pending.quiet, outcome.pending
    # Every fault of the plan happened: 7 kills (the sandbox's too); RabbitMQ and PostgreSQL
    # each restarted and killed once; 5 sandbox faults; 1 gateway fault.
    assert summary["faults_injected"] == 17, outcome.injected
    assert outcome.injected["kill sandbox"] == 1, outcome.injected
    assert not [k for k in outcome.injected if "failed to apply" in k], outcome.injected
    assert outcome.unexpected_exits == []
    # The provider's timeout after accepting met payouts in flight: the unknown path was taken.
    assert outcome.audit.counts["payouts through unknown"] > 0, outcome.audit.counts
    # Most flows got through the faults, and what they asked for was paid.
    approved = outcome.audit.counts["approved"]
    assert approved >= 18, [r.error for r in outcome.records if r.error]
    assert summary["paid"] >= approved
    assert all(p["reason"] != "unknown" for p in outcome.audit.parked), outcome.audit.parked
