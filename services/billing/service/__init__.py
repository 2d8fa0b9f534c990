"""Billing service layer."""
