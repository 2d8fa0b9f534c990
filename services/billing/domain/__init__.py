"""Billing's pure rules: invoice and payment statuses, portal access, oldest-first allocation."""
