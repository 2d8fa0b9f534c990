"""Payouts consumers layer."""
