"""Prometheus metrics of the payouts service (served by the API's /metrics; the worker's on
``PAYOUTS_WORKER_METRICS_PORT`` when set)."""

from __future__ import annotations

from prometheus_client import Counter

PAYOUT_STATUS = Counter(
    "payouts_status_total",
    "Payouts entering a status (counted after the change committed)",
    ["rail", "status"],
)
PROVIDER_ERRORS = Counter(
    "payouts_provider_errors_total",
    "Provider calls that did not give a usable answer, and provider answers we refused",
    ["rail", "kind"],
)
CALLBACKS = Counter(
    "payouts_callbacks_total", "Provider callbacks received, by result", ["rail", "result"]
)
CONTRADICTIONS = Counter(
    "payouts_provider_contradictions_total",
    "Provider reports that money moved or is moving on an attempt this service had ended "
    "without payment (withdrawn, failed, cancelled): an operator must reconcile each one",
    ["rail", "attempt_status"],
)
SLA_BREACHES = Counter(
    "payouts_sla_breaches_total",
    "Promised payouts (Zelle to service pros: 24 h) not paid by their deadline",
    ["rail"],
)

PAID_AMOUNT = Counter(
    "payouts_paid_amount_usd_total",
    "USD paid out, by rail (a gauge of money moved; the ledger of record is the database)",
    ["rail"],
)
