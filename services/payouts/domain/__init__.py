"""Payouts domain layer."""
