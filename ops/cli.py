"""``warranty-ops``: one entry point for operators. ``--json`` on every listing for scripts.

    warranty-ops parking list
    warranty-ops parking inspect payouts.commands --limit 5
    warranty-ops parking replay payouts.commands [--message-id ID]
    warranty-ops outbox backlog
    warranty-ops broker provision [--print]
    warranty-ops broker keygen claims
    warranty-ops payouts reconcile [--json]
    warranty-ops payouts at-risk [--within-hours 4]
    warranty-ops demo
    warranty-ops token --role ops
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from aiormq.exceptions import AMQPError

from ops import broker, outbox, parking, payouts
from ops.output import emit
from shared.auth.mint import main as mint_main
from shared.messaging.signatures import generate_private_key, public_key_of
from shared.messaging.topology import QUEUES, SERVICES
from shared.settings import PlatformSettings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="warranty-ops", description="Operate the platform.")
    sub = parser.add_subparsers(dest="area", required=True)

    park = sub.add_parser("parking", help="parked (dead-lettered) messages")
    park_sub = park.add_subparsers(dest="action", required=True)
    listing = park_sub.add_parser("list", help="parking queues and how many messages each holds")
    listing.add_argument("--json", action="store_true")
    for action, text in (("inspect", "show parked messages and why (leaves them parked)"),
                         ("replay", "move parked messages back to their queue")):
        cmd = park_sub.add_parser(action, help=text)
        cmd.add_argument("queue", choices=sorted(QUEUES), help="the consumer queue")
        cmd.add_argument("--limit", type=int, default=20 if action == "inspect" else 10_000)
        cmd.add_argument("--json", action="store_true")
        if action == "replay":
            cmd.add_argument("--message-id", help="replay only this message")

    box = sub.add_parser("outbox", help="transactional outboxes")
    box_sub = box.add_subparsers(dest="action", required=True)
    backlog = box_sub.add_parser("backlog", help="unpublished messages per service")
    backlog.add_argument("--json", action="store_true")

    mq = sub.add_parser("broker", help="RabbitMQ: virtual host, users, permissions, topology")
    mq_sub = mq.add_subparsers(dest="action", required=True)
    prov = mq_sub.add_parser(
        "provision", help="create or update the platform's virtual host, users, permissions and "
        "topology (BROKER_MANAGEMENT_URL: over the management API; else rabbitmqctl)")
    prov.add_argument("--print", action="store_true",
                      help="print the definitions document instead of importing it")
    keygen = mq_sub.add_parser("keygen", help="a new message signing key for a service")
    keygen.add_argument("service", choices=SERVICES)
    keygen.add_argument("--name", default="k1", help="the key's name in its id <service>:<name>")

    pay = sub.add_parser("payouts", help="payouts: reconciliation, the Zelle 24-hour promise")
    pay_sub = pay.add_subparsers(dest="action", required=True)
    pay_sub.add_parser("reconcile", add_help=False,
                       help="compare payouts with the provider ledger (exit 1 on a mismatch)")
    risk = pay_sub.add_parser("at-risk", help="Zelle payouts near or past their deadline")
    risk.add_argument("--within-hours", type=float, default=None)
    risk.add_argument("--limit", type=int, default=100)
    risk.add_argument("--json", action="store_true")

    sub.add_parser("demo", help="create demo data: run every flow against the running stack")
    sub.add_parser("token", help="mint a development token (see `warranty-ops token --help`)",
                   add_help=False)
    return parser


def _broker(args: argparse.Namespace) -> int:
    if args.action == "keygen":
        private = generate_private_key()
        key_id = f"{args.service}:{args.name}"
        public = public_key_of(base64.b64decode(private))
        print(f"{args.service.upper()}_SIGNING_KEY_ID={key_id}")
        print(f"{args.service.upper()}_SIGNING_KEY={private}")
        print(f"# add to MESSAGE_TRUSTED_KEYS of every service: {json.dumps({key_id: public})}")
        return 0
    if args.print:
        print(json.dumps(broker.platform_definitions(), indent=2))
        return 0
    try:
        print(broker.provision())
    except broker.ProvisionError as exc:
        print(f"warranty-ops: {exc}", file=sys.stderr)
        return 1
    return 0


async def _run(args: argparse.Namespace) -> int:
    settings = PlatformSettings()
    if args.area == "payouts":
        emit(await payouts.at_risk(args.within_hours, args.limit), as_json=args.json,
             columns=["id", "rail", "status", "deadline_at", "hours_left", "breached"])
        return 0
    if args.area == "outbox":
        emit(await outbox.backlog(), as_json=args.json,
             columns=["service", "unpublished", "oldest_age_s", "with_failed_publishes"])
        return 0
    connection = await parking.connect(settings.amqp_url)
    try:
        ns = settings.mq_namespace
        if args.action == "list":
            rows: list[dict[str, Any]] = [asdict(q) for q in
                                          await parking.list_parking(connection, ns)]
            emit(rows, as_json=args.json, columns=["queue", "parking", "parked"])
        elif args.action == "inspect":
            rows = await parking.inspect_parked(connection, ns, args.queue, args.limit)
            emit(rows, as_json=args.json,
                 columns=["message_id", "type", "correlation_id", "retries", "reason"])
        else:
            replayed = await parking.replay_parked(connection, ns, args.queue, limit=args.limit,
                                                   message_id=args.message_id)
            emit([{"replayed": m} for m in replayed], as_json=args.json, columns=["replayed"])
        return 0
    finally:
        await connection.close()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["token"]:
        return mint_main(argv[1:])
    if argv[:2] == ["payouts", "reconcile"]:
        from services.payouts.reconcile_cli import main as reconcile_main

        return reconcile_main(argv[2:])
    if argv[:1] == ["demo"] and "--help" not in argv:
        from warranty_client.demo import main as demo_main

        return demo_main()
    args = _parser().parse_args(argv)
    if args.area == "broker":
        return _broker(args)
    try:
        return asyncio.run(_run(args))
    except (ConnectionError, OSError, AMQPError) as exc:
        print(f"warranty-ops: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
