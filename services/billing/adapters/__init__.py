"""Billing adapters layer."""
