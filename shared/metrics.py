"""Prometheus series every service shares (messaging); services add their business series."""

from prometheus_client import Counter, Histogram

MESSAGES_CONSUMED = Counter(
    "messages_consumed_total", "Messages taken from a queue, by outcome",
    ["queue", "outcome"],  # outcome: ok, retried, parked
)
MESSAGES_REDELIVERED = Counter(
    "messages_redelivered_total", "Deliveries the broker flagged as redelivered", ["queue"]
)
OUTBOX_PUBLISHED = Counter(
    "outbox_published_total", "Outbox rows confirmed by the broker", ["exchange"]
)
OUTBOX_PUBLISH_FAILURES = Counter(
    "outbox_publish_failures_total", "Outbox publishes not confirmed (kept for retry)", ["exchange"]
)
OUTBOX_LAG = Histogram(
    "outbox_lag_seconds", "From the commit of an outbox row to the broker's confirm",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
MESSAGES_REFUSED = Counter(
    "messages_refused_total", "Messages parked because they are not authentic",
    # reason: unsigned, unknown_key, bad_signature, wrong_producer, not_owner
    ["queue", "reason"],
)
