"""Production refuses every development default: secrets, keys and infrastructure URLs without
real credentials (the broker's ``guest``, a database URL without a password)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from services.claims.settings import ClaimsSettings
from services.payouts.settings import PayoutsSettings
from shared.messaging.signatures import generate_private_key, public_key_of
from shared.settings import PlatformSettings, ServiceSettings
from tests.tls import issue_certificates

PRIVATE = {s: generate_private_key() for s in ("claims", "payouts", "billing")}


def production_environment(monkeypatch: pytest.MonkeyPatch, service: str) -> None:
    """A configuration production accepts, for ``service``."""
    import base64

    prefix = service.upper()
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("JWT_SECRET", "j" * 48)
    monkeypatch.setenv("PROVIDER_WEBHOOK_SECRET", "w" * 48)
    monkeypatch.setenv("AMQP_URL", "amqp://ops:0ps-Pa55@mq.internal:5672/warranty")
    monkeypatch.setenv(f"{prefix}_AMQP_URL",
                       f"amqp://{service}:S3cret-{service}@mq.internal:5672/warranty")
    monkeypatch.setenv(f"{prefix}_DATABASE_URL",
                       f"postgresql+asyncpg://{service}:Db-Pa55@db.internal:5432/{service}")
    monkeypatch.setenv(f"{prefix}_SIGNING_KEY", PRIVATE[service])
    monkeypatch.setenv(f"{prefix}_SIGNING_KEY_ID", f"{service}:2026-12")
    monkeypatch.setenv("MESSAGE_TRUSTED_KEYS", json.dumps(
        {f"{s}:2026-12": public_key_of(base64.b64decode(k)) for s, k in PRIVATE.items()}))


def test_a_complete_production_configuration_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    production_environment(monkeypatch, "claims")
    ClaimsSettings().assert_fit_for_environment()


@pytest.mark.parametrize(("variable", "value", "complaint"), [
    ("CLAIMS_AMQP_URL", "amqp://guest:guest@mq.internal:5672/warranty", "'guest'"),
    ("CLAIMS_AMQP_URL", "amqp://mq.internal:5672/warranty", "no credentials"),
    ("CLAIMS_AMQP_URL", "amqp://claims@mq.internal:5672/warranty", "no credentials"),
    ("CLAIMS_AMQP_URL", "amqp://claims:claims-dev-broker-password@mq:5672/warranty",
     "development password"),
    ("CLAIMS_DATABASE_URL", "postgresql+asyncpg://postgres@db.internal:5432/claims",
     "no credentials"),
    ("CLAIMS_SIGNING_KEY", "", "SIGNING_KEY is the development key"),
    ("MESSAGE_TRUSTED_KEYS", "", "trusts the development key claims:dev"),
    ("JWT_SECRET", "", "jwt_secret"),
])
def test_production_refuses_a_development_default(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, complaint: str
) -> None:
    production_environment(monkeypatch, "claims")
    if value:
        monkeypatch.setenv(variable, value)
    else:
        monkeypatch.delenv(variable)
    if variable == "CLAIMS_SIGNING_KEY":
        monkeypatch.delenv("CLAIMS_SIGNING_KEY_ID")
    with pytest.raises(SystemExit, match=complaint):
        ClaimsSettings().assert_fit_for_environment()


def test_the_operators_account_is_checked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    production_environment(monkeypatch, "claims")
    monkeypatch.setenv("AMQP_URL", "amqp://guest:guest@mq.internal:5672/")
    with pytest.raises(SystemExit, match="'guest'"):
        PlatformSettings().assert_fit_for_environment()


def test_development_runs_with_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    PayoutsSettings().assert_fit_for_environment()


def test_each_service_has_its_own_development_account_and_key() -> None:
    claims, payouts = ClaimsSettings(), PayoutsSettings()
    assert claims.amqp_url.startswith("amqp://claims:")
    assert payouts.amqp_url.startswith("amqp://payouts:")
    assert (claims.signing_key_id, payouts.signing_key_id) == ("claims:dev", "payouts:dev")
    assert claims.signing_key != payouts.signing_key


def test_a_signing_key_id_must_name_its_service() -> None:
    with pytest.raises(ValueError, match="does not name"):
        ServiceSettings(service_name="claims", signing_key_id="payouts:k1")


LIVE_BANK = "https://apigateway.jpmorgan.com/tsapi/v1"
BANK_CREDENTIALS = {
    "PAYOUTS_BANK_TOKEN_URL": "https://id.payments.jpmorgan.com/am/oauth2/alpha/access_token",
    "PAYOUTS_BANK_CLIENT_ID": "warranty-prod",
    "PAYOUTS_BANK_PRIVATE_KEY_FILE": "/run/secrets/jpm-client-key.pem",
    "PAYOUTS_BANK_KEY_ID": "warranty-2026-12",
    "PAYOUTS_BANK_SCOPE": "jpm:payments:sandbox",
}


def test_payouts_against_the_sandbox_needs_no_bank_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    production_environment(monkeypatch, "payouts")
    monkeypatch.setenv("PAYOUTS_CONCOURSE_BASE_URL", "http://sandbox:8009/tsapi/v1/concourse")
    PayoutsSettings().assert_fit_for_environment()


# J.P. Morgan's hosts accept only mutual TLS: the client certificate is a credential too.
CLIENT_CERTIFICATE = ("PAYOUTS_BANK_CLIENT_CERT_FILE", "PAYOUTS_BANK_CLIENT_KEY_FILE")


@pytest.fixture
def bank_configuration(tmp_path: Path) -> dict[str, str]:
    """Every bank credential, the certificate files real (they are checked at start)."""
    certs = issue_certificates(tmp_path)
    return {**BANK_CREDENTIALS, "PAYOUTS_BANK_CLIENT_CERT_FILE": str(certs.client_cert),
            "PAYOUTS_BANK_CLIENT_KEY_FILE": str(certs.client_key)}


def test_a_live_bank_rail_with_its_credentials_starts(
    monkeypatch: pytest.MonkeyPatch, bank_configuration: dict[str, str]
) -> None:
    production_environment(monkeypatch, "payouts")
    monkeypatch.setenv("PAYOUTS_ZELLE_BASE_URL", LIVE_BANK)
    for name, value in bank_configuration.items():
        monkeypatch.setenv(name, value)
    PayoutsSettings().assert_fit_for_environment()


@pytest.mark.parametrize("missing", sorted([*BANK_CREDENTIALS, *CLIENT_CERTIFICATE]))
@pytest.mark.parametrize("rail", ["PAYOUTS_ZELLE_BASE_URL", "PAYOUTS_CONCOURSE_BASE_URL"])
def test_a_live_bank_rail_refuses_to_start_without_a_credential(
    monkeypatch: pytest.MonkeyPatch, bank_configuration: dict[str, str], missing: str,
    rail: str,
) -> None:
    production_environment(monkeypatch, "payouts")
    monkeypatch.setenv(rail, LIVE_BANK)
    for name, value in bank_configuration.items():
        if name != missing:
            monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit, match=f"{missing} is unset for the live J.P. Morgan rail"):
        PayoutsSettings().assert_fit_for_environment()


@pytest.mark.parametrize(("variable", "pick", "complaint"), [
    ("PAYOUTS_BANK_CLIENT_KEY_FILE", "other_key", "is not the key of the certificate"),
    ("PAYOUTS_BANK_CLIENT_CERT_FILE", "missing", r"client certificate .*missing\.pem: no such"),
    ("PAYOUTS_BANK_CA_FILE", "missing", r"CA bundle .*missing\.pem: no such file"),
])
@pytest.mark.parametrize("environment", ["development", "production"])
def test_unusable_bank_certificate_files_refuse_to_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bank_configuration: dict[str, str],
    environment: str, variable: str, pick: str, complaint: str,
) -> None:
    production_environment(monkeypatch, "payouts")
    monkeypatch.setenv("ENVIRONMENT", environment)
    for name, value in bank_configuration.items():
        monkeypatch.setenv(name, value)
    files = {"other_key": tmp_path / "other-key.pem", "missing": tmp_path / "missing.pem"}
    monkeypatch.setenv(variable, str(files[pick]))
    with pytest.raises(SystemExit, match=f"refusing to start: .*{complaint}"):
        PayoutsSettings().assert_fit_for_environment()


def test_a_mismatched_bank_key_stops_the_service_with_one_clear_line(
    tmp_path: Path, bank_configuration: dict[str, str],
) -> None:
    environment = {**os.environ, "ENVIRONMENT": "development",
                   "PAYOUTS_BANK_CLIENT_CERT_FILE": bank_configuration[CLIENT_CERTIFICATE[0]],
                   "PAYOUTS_BANK_CLIENT_KEY_FILE": str(tmp_path / "other-key.pem")}
    # "migrate" is enough: every command checks the settings before it does anything.
    done = subprocess.run([sys.executable, "-m", "services.payouts", "migrate"],
                          env=environment, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "other-key.pem is not the key of the certificate" in done.stderr
