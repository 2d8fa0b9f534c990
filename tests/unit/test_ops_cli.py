import pytest

from ops.cli import main


@pytest.mark.parametrize(
    "argv",
    [[], ["parking"], ["parking", "list"], ["parking", "inspect"], ["parking", "replay"],
     ["outbox"], ["outbox", "backlog"], ["payouts"], ["payouts", "at-risk"],
     ["payouts", "reconcile"], ["demo"], ["token"]],
)
def test_help_everywhere(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    assert exit_.value.code == 0
    assert "usage:" in capsys.readouterr().out


def test_unknown_queue_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["parking", "replay", "no.such.queue"])
    assert exit_.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
