"""``warranty-ops``: the operators' command line (parking queues, outbox backlog, tokens)."""
