"""The platform's own shared package: configuration, database, messaging, money, auth, HTTP.

It imports no service; services import it.
"""
