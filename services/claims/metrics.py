"""Claims' business series (served by the claims worker's metrics port)."""

from prometheus_client import Counter, Histogram

CLAIMS_PAID = Counter("claims_paid_total", "Claims that reached Paid", ["kind"])
APPROVAL_TO_PAID = Histogram(
    "claims_approval_to_paid_seconds",
    "From the claim's approval to the payout's paid event being applied",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400, 7 * 86400),
)
