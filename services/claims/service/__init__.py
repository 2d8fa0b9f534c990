"""Claims service layer."""
