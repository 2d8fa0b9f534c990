"""``python -m services.claims {api,worker,migrate}``."""

from shared.cli import service_main

service_main(
    "claims",
    settings_cls="services.claims.settings:ClaimsSettings",
    app_factory="services.claims.bootstrap:create_app",
    worker="services.claims.bootstrap:run_claims_worker",
    migrate="services.claims.bootstrap:migrate",
)
