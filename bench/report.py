"""The chart: latency (p50, p99, approval to Paid) against offered load, per flow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: render straight to PNG
import matplotlib.pyplot as plt


def write_chart(figures: dict[str, Any], path: Path) -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    open_loop = figures["open_loop"]
    rates = [float(r["offered"].removesuffix("/s")) for r in open_loop]
    styles = {"claim_credit": "tab:blue", "byop": "tab:orange"}
    for kind, color in styles.items():
        for key, dash in (("p50_ms", "-"), ("p99_ms", "--")):
            values = [r["by_kind"].get(kind, {}).get(key, float("nan")) for r in open_loop]
            left.plot(rates, values, dash, marker="o", color=color,
                      label=f"{kind.replace('_', ' ')} {key.removesuffix('_ms')}")
    left.axhline(100, color="grey", linewidth=0.8, linestyle=":", label="100 ms")
    left.set(title="Approval to claim Paid (open loop)", xlabel="offered flows/s",
             ylabel="ms (log scale)", yscale="log")
    left.legend(fontsize=8)
    left.grid(alpha=0.3)
    closed = figures["closed_loop"]
    conc = [int(r["offered"].split()[-1]) for r in closed]
    right.bar([str(c) for c in conc], [r["flows_per_s"] for r in closed])
    right.set(title="Throughput (closed loop)", xlabel="concurrent approvers",
              ylabel="flows paid per second")
    right.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
