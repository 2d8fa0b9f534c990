"""What every service's domain shares: the named-error base and the transition-table type.

Pure rules: imports no fastapi, sqlalchemy or aio_pika (the API maps errors to HTTP).
"""
