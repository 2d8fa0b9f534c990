"""deploy/docker-compose.yml and the Dockerfile agree with scripts/devstack.py's process table.

Compose and ``make run`` must start the same processes with the same commands; these checks read
the files only (no Docker, no network).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.unit.devstack_script import devstack

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "deploy" / "docker-compose.yml"
PROCESSES: dict[str, list[str]] = dict(devstack.stack_processes("python"))
MIGRATIONS: dict[str, list[str]] = dict(devstack.migrate_processes("python"))
APP_SERVICES = {**PROCESSES, **MIGRATIONS}
HTTP_PORTS: dict[str, int] = {p.name: p.http[1] for p in devstack.STACK if p.http}
EXPECTED = {
    "postgres", "rabbitmq", "broker-setup", "claims-migrate", "payouts-migrate", "billing-migrate",
    "sandbox-migrate",
    "claims-api", "claims-worker", "payouts-api", "payouts-worker",
    "billing-api", "billing-worker", "sandbox", "prometheus", "grafana",
}
OBSERVABILITY = {"prometheus", "grafana"}


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    compose = yaml.safe_load(COMPOSE.read_text())
    assert "version" not in compose  # the compose spec needs none
    result: dict[str, dict[str, Any]] = compose["services"]
    return result


@pytest.fixture
def service(services: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    """The compose service the test is parametrized with (``name``)."""
    return services[name]


def test_every_service_of_the_stack_is_there(services: dict[str, dict[str, Any]]) -> None:
    assert set(services) == EXPECTED
    assert set(APP_SERVICES) == EXPECTED - {"postgres", "rabbitmq"} - OBSERVABILITY


@pytest.mark.parametrize("name", sorted(OBSERVABILITY))
def test_observability_containers_are_kept_alive_and_bounded(service: dict[str, Any]) -> None:
    assert service["restart"] == "unless-stopped"
    assert "healthcheck" in service
    assert service["deploy"]["resources"]["limits"]["memory"]


def test_prometheus_scrapes_every_api_and_worker(services: dict[str, dict[str, Any]]) -> None:
    config = yaml.safe_load((REPO / "deploy" / "prometheus" / "prometheus.yml").read_text())
    targets = {t.split(":")[0] for job in config["scrape_configs"]
               for static in job["static_configs"] for t in static["targets"]}
    assert targets == {n for n in PROCESSES}


def test_grafana_dashboard_is_provisioned_from_json() -> None:
    import json

    dashboard = json.loads((REPO / "deploy" / "grafana" / "dashboards" / "warranty.json")
                           .read_text())
    assert dashboard["panels"] and all(p["targets"] for p in dashboard["panels"])


def test_commands_equal_the_devstack_table(services: dict[str, dict[str, Any]]) -> None:
    for name, argv in APP_SERVICES.items():
        assert services[name]["command"] == argv, name


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_app_services_build_the_shared_dockerfile(service: dict[str, Any]) -> None:
    assert service["build"] == {"context": "..", "dockerfile": "Dockerfile"}
    assert (COMPOSE.parent / service["build"]["context"] / "Dockerfile").resolve() == (
        REPO / "Dockerfile")
    assert service["deploy"]["resources"]["limits"]["memory"]
    assert service["deploy"]["resources"]["limits"]["cpus"]


@pytest.mark.parametrize("name", sorted(PROCESSES))
def test_long_running_services_are_supervised(service: dict[str, Any], name: str) -> None:
    assert service["restart"] == "unless-stopped"
    test = service["healthcheck"]["test"]
    assert test[0] == "CMD" and test[1] == "python"
    if name in HTTP_PORTS:
        assert f"http://127.0.0.1:{HTTP_PORTS[name]}/readyz" in test[-1]
        published = [p.rsplit(":", 2)[-2:] for p in service["ports"]]
        assert published == [[str(HTTP_PORTS[name])] * 2]


@pytest.mark.parametrize("name", sorted(MIGRATIONS))
def test_setup_steps_run_once_after_their_server(service: dict[str, Any], name: str) -> None:
    assert service["restart"] == "no"
    server = "rabbitmq" if name == "broker-setup" else "postgres"
    assert service["depends_on"] == {server: {"condition": "service_healthy"}}


def test_the_sandbox_starts_after_its_own_migration(
    services: dict[str, dict[str, Any]]
) -> None:
    assert services["sandbox"]["depends_on"] == {
        "sandbox-migrate": {"condition": "service_completed_successfully"}}
    for name in ("sandbox", "sandbox-migrate"):
        url = services[name]["environment"]["SANDBOX_DATABASE_URL"]
        assert "@postgres:5432/" in url and url.endswith("/sandbox")


@pytest.mark.parametrize("name", sorted(n for n in PROCESSES if n != "sandbox"))
def test_services_start_after_their_migration_and_the_broker_setup(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    depends = services[name]["depends_on"]
    migrate = name.split("-")[0] + "-migrate"
    assert depends[migrate] == {"condition": "service_completed_successfully"}
    assert depends["broker-setup"] == {"condition": "service_completed_successfully"}
    assert "rabbitmq" not in depends  # only through broker-setup: provisioned first


def test_broker_setup_provisions_every_account_over_the_management_api(
    services: dict[str, dict[str, Any]]
) -> None:
    env = services["broker-setup"]["environment"]
    assert "@rabbitmq:15672" in env["BROKER_MANAGEMENT_URL"]
    for account in ("AMQP_URL", "CLAIMS_AMQP_URL", "PAYOUTS_AMQP_URL", "BILLING_AMQP_URL"):
        assert env[account].endswith("@rabbitmq:5672/warranty"), account
    rabbitmq = services["rabbitmq"]["environment"]
    assert rabbitmq["RABBITMQ_DEFAULT_USER"] != "guest"  # no default account exists


@pytest.mark.parametrize("name", sorted(n for n in PROCESSES if n != "sandbox"))
def test_each_service_uses_its_own_broker_account_and_key(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    env = services[name]["environment"]
    prefix = name.split("-")[0].upper()
    assert env[f"{prefix}_AMQP_URL"].startswith(f"amqp://{prefix.lower()}:${{{prefix}_BROKER_")
    assert env[f"{prefix}_SIGNING_KEY"] == f"${{{prefix}_SIGNING_KEY:-}}"
    assert env["MESSAGE_TRUSTED_KEYS"] == "${MESSAGE_TRUSTED_KEYS:-}"


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_settings_point_at_the_containers(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    env = services[name]["environment"]
    prefix = name.split("-")[0].upper()
    if name in HTTP_PORTS:
        assert env[f"{prefix}_HOST"] == "0.0.0.0"
        assert env[f"{prefix}_PORT"] == str(HTTP_PORTS[name])
    if name in ("sandbox", "sandbox-migrate", "broker-setup"):
        return
    assert "@postgres:5432/" in env[f"{prefix}_DATABASE_URL"]
    assert env[f"{prefix}_DATABASE_URL"].endswith(f"/{prefix.lower()}")
    assert "@rabbitmq:5672/warranty" in env[f"{prefix}_AMQP_URL"]
    # Secrets come from the caller's environment; the fallback is the dev default only.
    assert env["JWT_SECRET"].startswith("${JWT_SECRET:-")


def test_payouts_and_the_sandbox_share_the_webhook_secret(
    services: dict[str, dict[str, Any]]
) -> None:
    secrets = {services[n]["environment"]["PROVIDER_WEBHOOK_SECRET"]
               for n in ("payouts-api", "payouts-worker", "sandbox")}
    assert len(secrets) == 1
    assert secrets.pop().startswith("${PROVIDER_WEBHOOK_SECRET:-")
    assert services["payouts-worker"]["environment"]["PAYOUTS_CONCOURSE_BASE_URL"] == (
        "http://sandbox:8009/tsapi/v1/concourse")


def test_dependencies(services: dict[str, dict[str, Any]]) -> None:
    postgres, rabbitmq = services["postgres"], services["rabbitmq"]
    assert postgres["image"] == "postgres:15"
    assert "pg_isready" in postgres["healthcheck"]["test"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    assert rabbitmq["image"] == "rabbitmq:3.10-management"
    assert "rabbitmq-diagnostics" in rabbitmq["healthcheck"]["test"]
    assert {p.rsplit(":", 1)[-1] for p in rabbitmq["ports"]} == {"5672", "15672"}
    for volume in rabbitmq["volumes"]:
        source = volume.split(":")[0]
        if source.startswith("."):
            assert (COMPOSE.parent / source).is_file(), volume


def test_dockerfile_builds_one_unprivileged_image_without_secrets() -> None:
    text = (REPO / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.M)
    assert "-r /tmp/requirements.lock" in text
    assert re.search(r"pip install .*--no-deps", text)
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and not users[-1].startswith(("root", "0"))
    instructions = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert not re.search(r"SECRET|PASSWORD|TOKEN", instructions, re.I)
    ignore = [line for line in (REPO / ".dockerignore").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    assert ignore[0] == "*"  # an allow-list: nothing reaches the build context unless named
    assert "!.env" not in ignore


def test_docker_compose_accepts_the_file() -> None:
    """The real tool's verdict (Debian's docker-compose; no engine needed for `config`)."""
    import shutil
    import subprocess

    binary = shutil.which("docker-compose")
    assert binary, "docker-compose is missing: `make tools` installs it"
    result = subprocess.run(
        [binary, "-f", str(REPO / "deploy" / "docker-compose.yml"), "config", "-q"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr


BANK_OVERLAY = REPO / "deploy" / "docker-compose.bank.yml"


def test_the_bank_overlay_mounts_the_certificate_where_payouts_reads_it() -> None:
    overlay = yaml.safe_load(BANK_OVERLAY.read_text())
    declared = overlay["secrets"]
    calling_the_bank = {"payouts-api", "payouts-worker"}
    assert set(overlay["services"]) == calling_the_bank
    for name in calling_the_bank:
        service = overlay["services"][name]
        mounted = {f"/run/secrets/{secret}" for secret in service["secrets"]}
        assert set(service["secrets"]) == set(declared)
        files = {service["environment"][f"PAYOUTS_BANK_{v}_FILE"] for v in ("CLIENT_CERT",
                                                                           "CLIENT_KEY", "CA")}
        assert files == mounted  # every variable names a mounted file, and every file is named
    assert all(s["file"].startswith("${BANK_CERTS_DIR:?") for s in declared.values())
