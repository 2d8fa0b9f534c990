"""The chaos run's table: flows, faults, the audit's counts and every finding with its reason."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from chaos.audit import Audit
from chaos.flows import FlowRecord
from chaos.quiesce import Pending


def _rows(title: str, rows: Sequence[tuple[str, object]]) -> list[str]:
    width = max([len(k) for k, _ in rows] + [10])
    return [f"== {title}", *(f"  {key:<{width}}  {value}" for key, value in rows)]


def render(records: list[FlowRecord], result: Audit, state: Pending, injected: dict[str, int],
           unexpected_exits: list[str], elapsed_s: float) -> str:
    kinds = Counter((r.kind, r.status) for r in records)
    lines = _rows("flows (kind: status)", [(f"{k}: {s}", n) for (k, s), n in sorted(kinds.items())]
                  + [("client retries", sum(r.retries for r in records))])
    abandoned = Counter((r.error or "")[:110] for r in records if r.status == "abandoned")
    if abandoned:
        lines += _rows("abandoned flows (the client gave up)",
                       [(f"x{n}", why) for why, n in abandoned.most_common(10)])
    lines += _rows("faults injected", sorted(injected.items()))
    lines += _rows("quiescence", [
        ("reached", state.quiet), ("outbox unsent", state.outbox), ("queued", state.queued),
        ("open payouts", state.open_payouts or 0), ("unrequested", state.unrequested)])
    counts = list(result.counts.items())
    counts += [(kind, result.total(kind)) for kind in ("lost", "double_paid", "mismatched")]
    counts += [("processes that died on their own", len(unexpected_exits)),
               ("elapsed s", round(elapsed_s, 1))]
    lines += _rows("audit", counts)
    for finding in result.findings[:50]:
        lines.append(f"  ! {finding.kind}: {finding.subject}: {finding.detail}")
    for exit_ in unexpected_exits:
        lines.append(f"  ! {exit_}")
    parked = Counter((p["queue"], p["type"], p["reason"][:90]) for p in result.parked)
    lines += _rows("parked messages (queue, type, reason)",
                   [(f"x{n}", f"{q} {t}: {why}") for (q, t, why), n in parked.items()]
                   or [("none", "")])
    return "\n".join(lines)
