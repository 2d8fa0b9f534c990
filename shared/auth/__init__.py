"""JWT bearer auth with roles."""

from shared.auth.tokens import Principal, Role, TokenError, decode_token, mint_token

__all__ = ["Principal", "Role", "TokenError", "decode_token", "mint_token"]
