"""Billing service: customer-portal payments by company contacts, applied oldest invoice first."""
