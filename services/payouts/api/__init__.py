"""Payouts api layer."""
