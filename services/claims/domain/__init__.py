"""Claims domain layer."""
