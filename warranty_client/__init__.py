"""The platform's flows as its users drive them over HTTP: the demo (``make demo``), the bench,
the chaos run and the end-to-end tests all take these steps against a running stack.

Modules build on each other in one direction only: ``http`` (URLs, the status check) and
``actors`` (their bearer tokens) under ``claim_credit`` (seed 000), under ``claims`` (BYOP and
checks), under ``payout_rails``; ``portal`` (billing, seed 002) beside them; ``demo`` on top.
"""
