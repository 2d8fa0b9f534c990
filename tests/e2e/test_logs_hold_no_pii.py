"""After a full flow, the logs of every process hold no payee PII and no secrets."""

from __future__ import annotations

from scripts.demo import Urls, claim_credit_flow
from tests.e2e.stack import LOG_DIR, Stack


async def test_logs_hold_no_payee_pii_and_no_secrets(urls: Urls, stack: Stack) -> None:
    result = await claim_credit_flow(urls, lambda _: None, amount="42.42")
    logs = {path.name: path.read_text(errors="replace") for path in LOG_DIR.glob("*.log")}
    assert logs, "the processes wrote no logs"
    local_part = result.customer_email.split("@")[0]
    secrets = [stack.env["PROVIDER_WEBHOOK_SECRET"], "dev-only-secret-change-me"]
    for name, text in logs.items():
        assert local_part not in text, f"{name} logs the payee's email"
        assert "5125550123" not in text, f"{name} logs the payee's phone"
        assert "Bearer " not in text, f"{name} logs a bearer token"
        for secret in secrets:
            assert secret not in text, f"{name} logs a secret"
