"""Rail knowledge, one package per provider contract: its outgoing client, its callback parsing
and its status mapping together (``registry`` binds each rail to them)."""
