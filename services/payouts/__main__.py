"""``python -m services.payouts {api,worker,migrate}``."""

from shared.cli import service_main

service_main(
    "payouts",
    settings_cls="services.payouts.settings:PayoutsSettings",
    app_factory="services.payouts.bootstrap:create_app",
    worker="services.payouts.bootstrap:run_payouts_worker",
    migrate="services.payouts.bootstrap:migrate",
)
