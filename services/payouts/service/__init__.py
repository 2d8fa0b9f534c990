"""Payouts service layer."""
