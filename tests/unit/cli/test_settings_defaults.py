"""``entrepot fraud build-references`` and ``fraud train`` read the ``reference_*`` and
``training_budget`` settings when no option names a size or a budget, as the service's
builds and trainings do (regression: the commands kept their own constants, so
``ENTREPOT_REFERENCE_ROWS``, ``ENTREPOT_TRAINING_BUDGET`` and their kin were ignored
there)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from entrepot.cli.fraud.commands import fraud_app
from entrepot.fraud.library import build
from entrepot.fraud.library.build import BuildReport
from entrepot.fraud_service.local_files import LocalFraud


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The sizes each build was asked for (nothing is trained)."""
    calls: list[dict[str, Any]] = []

    def record(library: Any, **kwargs: Any) -> BuildReport:
        calls.append(kwargs)
        return BuildReport()

    monkeypatch.setattr(build, "build_references", record)
    return calls


def run(args: list[str], env: dict[str, str]) -> None:
    result = CliRunner(env=env).invoke(fraud_app, ["build-references", *args])
    assert result.exit_code == 0, result.output


def test_the_settings_size_a_build_that_names_no_size(
    tmp_path: Path, asked: list[dict[str, Any]]
) -> None:
    env = {
        "ENTREPOT_REFERENCE_ROWS": "4000",
        "ENTREPOT_REFERENCE_MIN_FRAUDS": "120",
        "ENTREPOT_REFERENCE_BUDGET": "2.5",
    }
    run(["--into", str(tmp_path / "lib"), "--count", "1"], env)
    assert [(c["rows"], c["min_frauds"], c["time_budget"]) for c in asked] == [(4000, 120, 2.5)]


def test_an_option_wins_over_the_setting(tmp_path: Path, asked: list[dict[str, Any]]) -> None:
    env = {"ENTREPOT_REFERENCE_ROWS": "4000", "ENTREPOT_REFERENCE_BUDGET": "2.5"}
    args = ["--into", str(tmp_path / "lib"), "--count", "1", "--rows", "6000"]
    run([*args, "--time-budget", "3", "--min-frauds", "150"], env)
    assert [(c["rows"], c["min_frauds"], c["time_budget"]) for c in asked] == [(6000, 150, 3.0)]


def test_without_settings_the_built_in_sizes(
    tmp_path: Path, asked: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (
        "ENTREPOT_REFERENCE_ROWS",
        "ENTREPOT_REFERENCE_MIN_FRAUDS",
        "ENTREPOT_REFERENCE_BUDGET",
    ):
        monkeypatch.delenv(name, raising=False)
    run(["--into", str(tmp_path / "lib"), "--count", "1"], {})
    assert [(c["rows"], c["min_frauds"], c["time_budget"]) for c in asked] == [(20_000, 400, 9.0)]


class Asked(Exception):
    """Raised by the stand-in training once it has seen its budget."""


@pytest.fixture
def budgets(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The budget each training was asked for (nothing is trained)."""
    seen: list[float] = []

    def record(self: LocalFraud, file: Path, name: str, **kwargs: Any) -> Any:
        seen.append(kwargs["time_budget"])
        raise Asked

    monkeypatch.setattr(LocalFraud, "train", record)
    return seen


def train(tmp_path: Path, extra: list[str], env: dict[str, str | None]) -> None:
    data = tmp_path / "tx.csv"
    data.write_text("amount,is_fraud\n1,0\n")
    out = ["--out", str(tmp_path / "model")]
    result = CliRunner(env=env).invoke(fraud_app, ["train", str(data), "--name", "m", *out, *extra])
    assert isinstance(result.exception, Asked), result.output


def test_the_training_budget_setting_budgets_a_training_that_names_none(
    tmp_path: Path, budgets: list[float]
) -> None:
    train(tmp_path, [], {"ENTREPOT_TRAINING_BUDGET": "12"})
    train(tmp_path, ["--time-budget", "5"], {"ENTREPOT_TRAINING_BUDGET": "12"})
    train(tmp_path, [], {"ENTREPOT_TRAINING_BUDGET": None})
    assert budgets == [12.0, 5.0, 60.0]
