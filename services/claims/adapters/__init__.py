"""Claims adapters layer."""
