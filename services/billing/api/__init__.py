"""Billing api layer."""
