"""Payouts adapters layer."""
