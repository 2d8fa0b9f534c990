from datetime import UTC, datetime, timedelta

import jwt
import pytest

from shared.auth import Role, TokenError, decode_token, mint_token
from shared.auth.mint import main as mint_main

SECRET = "s" * 40
ISS, AUD = "warranty-platform", "warranty-api"


def token(**overrides: object) -> str:
    args: dict[str, object] = dict(
        secret=SECRET, issuer=ISS, audience=AUD, subject="agent-1", roles=[Role.AGENT]
    )
    args.update(overrides)
    return mint_token(**args)  # type: ignore[arg-type]


def decode(raw: str) -> object:
    return decode_token(raw, secret=SECRET, issuer=ISS, audience=AUD)


def test_round_trip_carries_roles_and_customer() -> None:
    principal = decode_token(
        token(roles=[Role.CUSTOMER], customer_id="c-1", subject="u-1"),
        secret=SECRET, issuer=ISS, audience=AUD,
    )
    assert principal.roles == {Role.CUSTOMER}
    assert principal.customer_id == "c-1"
    assert principal.is_customer_only


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(lambda: token(secret="x" * 40), id="wrong-secret"),
        pytest.param(lambda: token(issuer="someone-else"), id="wrong-issuer"),
        pytest.param(lambda: token(audience="another-api"), id="wrong-audience"),
        pytest.param(
            lambda: token(now=datetime.now(UTC) - timedelta(days=2), ttl=timedelta(hours=1)),
            id="expired",
        ),
        pytest.param(
            lambda: jwt.encode(
                {"sub": "a", "iss": ISS, "aud": AUD, "exp": 9999999999, "roles": ["ops"]},
                key="", algorithm="none",
            ),
            id="alg-none",
        ),
        pytest.param(lambda: token(roles=[]), id="no-roles"),
        pytest.param(lambda: token(roles=[Role.CUSTOMER]), id="customer-without-customer-id"),
    ],
)
def test_bad_tokens_are_refused(bad: object) -> None:
    with pytest.raises(TokenError):
        decode(bad())  # type: ignore[operator]


def test_mint_command_prints_a_valid_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JWT_SECRET", SECRET)
    assert mint_main(["--role", "support_services", "--subject", "ss-1"]) == 0
    principal = decode(capsys.readouterr().out.strip())
    assert principal.subject == "ss-1"  # type: ignore[attr-defined]


def test_mint_command_requires_customer_id_for_customers() -> None:
    with pytest.raises(SystemExit):
        mint_main(["--role", "customer"])


def test_production_refuses_default_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    from services.payouts.settings import PayoutsSettings
    from tests.unit.test_production_settings import production_environment

    production_environment(monkeypatch, "payouts")
    monkeypatch.delenv("JWT_SECRET")
    with pytest.raises(SystemExit, match="jwt_secret"):
        PayoutsSettings().assert_fit_for_environment()
    monkeypatch.setenv("JWT_SECRET", "p" * 48)
    monkeypatch.delenv("PROVIDER_WEBHOOK_SECRET")
    with pytest.raises(SystemExit, match="webhook_secret"):
        PayoutsSettings().assert_fit_for_environment()
    monkeypatch.setenv("PROVIDER_WEBHOOK_SECRET", "w" * 48)
    PayoutsSettings().assert_fit_for_environment()


def test_production_mints_no_development_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    with pytest.raises(SystemExit):
        mint_main(["--role", "ops"])
