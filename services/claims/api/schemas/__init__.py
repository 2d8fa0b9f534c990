"""Request and response bodies of the claims API."""
