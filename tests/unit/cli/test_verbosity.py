"""What ``-q`` / ``-v`` let through to stderr."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from entrepot.catalog.engine import make_engine
from entrepot.cli import verbosity


@pytest.fixture
def configured() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    verbosity.configure(quiet=False, verbose=False)
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("configured")
def test_psycopg_echo_of_a_reported_error_is_dropped(capsys: pytest.CaptureFixture[str]) -> None:
    # Regression: `db copy` into a full PostgreSQL printed psycopg's "error ignored
    # terminating <Pipeline …>: pipeline aborted" above the command's own error. The
    # filter comes with any PostgreSQL engine (no connection is made here).
    make_engine("postgresql+psycopg://postgres@127.0.0.1:5432/unused").dispose()
    logging.getLogger("psycopg").warning(
        "error ignored terminating %r: %s", "<psycopg.Pipeline>", "pipeline aborted"
    )
    logging.getLogger("psycopg").warning("server closed the connection unexpectedly")
    said = capsys.readouterr().err
    assert "error ignored" not in said
    assert "server closed the connection unexpectedly" in said
