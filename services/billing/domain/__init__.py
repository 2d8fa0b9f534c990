"""Billing domain layer."""
