"""Payouts service: pays what claims owe, exactly once, on a rail (JP Morgan Concourse first)."""
