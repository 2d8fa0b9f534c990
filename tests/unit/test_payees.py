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


# Regression (issue 17, item 2g): placeholders spelled with Unicode lookalikes passed the check
# (Cyrillic a e o p c x, Greek omicron, fullwidth letters, compatibility forms), and the payout then
# waited for a mailed-check fallback. Each name below is a placeholder with some letters swapped.
LOOKALIKES = {
    "cyrillic-o-in-noemail": "n\u043eemail@sears.com",
    "cyrillic-e-in-noemail": "no\u0435mail@gmail.com",
    "cyrillic-a-in-na": "n\u0430@aol.com",
    "cyrillic-c-x-in-xxx": "\u0445x\u0445@gmail.com",
    "cyrillic-p-in-placeholder": "\u0440la\u0441eholder@gmail.com",
    "cyrillic-in-domain": "jane@\u0435x\u0430mple.com",
    "greek-omicron": "n\u03bfemail@x.com",
    "fullwidth-noemail": "\uff4e\uff4f\uff45\uff4d\uff41\uff49\uff4c@gmail.com",
    "fullwidth-domain": "jane@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com",
    "math-bold-test": "\U0001d42d\U0001d41e\U0001d42c\U0001d42d@gmail.com",
    "fullwidth-at": "noemail\uff20sears.com",
}


@pytest.mark.parametrize("email", LOOKALIKES.values(), ids=LOOKALIKES.keys())
def test_placeholders_in_lookalike_letters_are_recognised(email: str) -> None:
    assert is_placeholder_email(email)


def test_real_addresses_in_other_scripts_are_not_placeholders() -> None:
    ivan_at_pochta_rf = "\u0438\u0432\u0430\u043d@\u043f\u043e\u0447\u0442\u0430.\u0440\u0444"
    assert not is_placeholder_email(ivan_at_pochta_rf)
    assert not is_placeholder_email("jos\u00e9@gmail.com")
