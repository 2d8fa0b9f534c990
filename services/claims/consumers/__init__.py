"""Claims consumers layer."""
