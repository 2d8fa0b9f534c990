"""``python -m services.payouts {api,worker,migrate,reconcile}``."""

import sys

from shared.cli import service_main

if sys.argv[1:2] == ["reconcile"]:
    # Not in the shared service CLI (it is this service's own report): handled here.
    from services.payouts.reconcile_cli import main

    sys.exit(main(sys.argv[2:]))

service_main(
    "payouts",
    settings_cls="services.payouts.settings:PayoutsSettings",
    app_factory="services.payouts.bootstrap:create_app",
    worker="services.payouts.bootstrap:run_payouts_worker",
    migrate="services.payouts.bootstrap:migrate",
)
