"""Messaging: the envelope and contracts, topology, publisher, outbox, inbox and consumer."""
