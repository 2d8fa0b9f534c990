"""The platform's services: claims, payouts, billing, and the provider sandbox (dev/test)."""
