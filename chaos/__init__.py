"""``make chaos``: the real stack under seeded faults, audited for lost and doubled money."""
