"""``warranty-token``: mint a development bearer token.

    warranty-token --role agent --subject agent-1
    warranty-token --role customer --customer-id <uuid>
"""

from __future__ import annotations

import argparse
from datetime import timedelta

from shared.auth.tokens import Role, mint_token
from shared.settings import PlatformSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="warranty-token", description=__doc__.splitlines()[1])
    parser.add_argument(
        "--role", action="append", required=True, choices=[r.value for r in Role],
        help="repeat for several roles",
    )
    parser.add_argument("--subject", default=None, help="user id (default: the first role)")
    parser.add_argument("--customer-id", default=None, help="required with --role customer")
    parser.add_argument("--ttl-minutes", type=int, default=480)
    args = parser.parse_args(argv)
    if "customer" in args.role and not args.customer_id:
        parser.error("--role customer needs --customer-id")
    settings = PlatformSettings()
    if settings.environment == "production":
        parser.error("development tokens are not minted in production (ENVIRONMENT=production)")
    print(
        mint_token(
            secret=settings.jwt_secret,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            subject=args.subject or f"dev-{args.role[0]}",
            roles=args.role,
            customer_id=args.customer_id,
            ttl=timedelta(minutes=args.ttl_minutes),
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
