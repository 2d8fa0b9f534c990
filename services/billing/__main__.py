"""``python -m services.billing {api,worker,migrate}``."""

from shared.cli import service_main

service_main(
    "billing",
    settings_cls="services.billing.settings:BillingSettings",
    app_factory="services.billing.bootstrap:create_app",
    worker="services.billing.bootstrap:run_billing_worker",
    migrate="services.billing.bootstrap:migrate",
)
