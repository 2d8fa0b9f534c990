import pytest

from shared.payees import is_placeholder_email


@pytest.mark.parametrize(
    "email",
    [
        None, "", "not-an-email", "noemail@sears.com", "NoEmail@gmail.com", "no-email@cinch.com",
        "no.email@x.com", "noemail123@yahoo.com", "none@gmail.com", "test@gmail.com",
        "na@aol.com", "unknown@outlook.com", "donotreply@x.com", "jane@example.com",
        "jane.doe@mail.example.org", "jane@noemail.com", "jane@test.com", "jane@host.invalid",
        "test+1@gmail.com",
    ],
)
def test_placeholders_are_recognised(email: str | None) -> None:
    assert is_placeholder_email(email)


@pytest.mark.parametrize(
    "email",
    ["jane.doe@gmail.com", "j.smith@cinch.com", "testa@gmail.com", "nona@yahoo.com",
     "anne@examples.io", "nora@x.com", "anna@none-such.com", "noel@x.org"],
)
def test_real_addresses_are_not_placeholders(email: str) -> None:
    assert not is_placeholder_email(email)
