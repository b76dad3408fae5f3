"""A library that breaks while Ctrl-C unwinds through it is an interruption (exit 130),
not an "unexpected failure" (exit 70)."""

from __future__ import annotations

import pytest
import typer

from entrepot.cli.runner import UNEXPECTED, run_command


def _command(fails: type[Exception] | None) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    def go() -> None:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            if fails is not None:  # a driver left half-way by the signal
                raise fails("list index out of range") from None
            raise

    return app


def test_an_error_raised_while_ctrl_c_unwinds_exits_130(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_command(_command(IndexError), []) == 130
    assert "unexpected" not in capsys.readouterr().err


def test_a_plain_ctrl_c_exits_130() -> None:
    assert run_command(_command(None), []) == 130


def test_an_error_with_no_ctrl_c_behind_it_stays_unexpected() -> None:
    app = typer.Typer()

    @app.command()
    def go() -> None:
        raise IndexError("list index out of range")

    assert run_command(app, []) == UNEXPECTED
