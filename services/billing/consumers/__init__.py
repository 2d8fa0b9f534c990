"""Billing consumers layer."""
