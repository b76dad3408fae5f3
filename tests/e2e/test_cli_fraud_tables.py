"""Tables as people hold them (issue 41), through the installed ``entrepot``: a sample
whose legitimate rows all fall on its first day trains (its split says why it is random)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from tests.support.cli import Cli
from tests.support.fraud_tables import claims

ONE_CLASS_KEY = "fraud.card.random_reason.one_class"


def _first_day_legitimate(path: Path, *, seed: int = 7) -> None:
    """A card sample as some public extracts are: every legitimate row on the first day,
    the frauds (over-sampled, as such extracts are) on that day and the following weeks:
    a time cut leaves validation and test with frauds alone."""
    rng = np.random.default_rng(seed)
    legit, early, late = 150, 50, 200
    day_one = pd.Timestamp("2024-03-01") + pd.to_timedelta(
        rng.integers(0, 86_400, legit + early), unit="s"
    )
    later = pd.Timestamp("2024-03-02") + pd.to_timedelta(
        rng.integers(0, 30 * 86_400, late), unit="s"
    )
    rows = legit + early + late
    frame = pd.DataFrame(
        {
            "trans_date_trans_time": [*day_one, *later],
            "cc_num": rng.integers(0, 40, rows) + 4_000_000_000,
            "amt": np.round(
                np.concatenate([rng.gamma(2, 30, legit), rng.gamma(2, 120, early + late)]), 2
            ),
            "category": rng.choice(["grocery", "travel", "shopping"], rows),
            "is_fraud": [0] * legit + [1] * (early + late),
        }
    )
    frame.sample(frac=1, random_state=seed).to_csv(path, index=False)


def test_legitimate_rows_all_on_day_one_train_with_a_random_split_that_says_why(
    cli: Cli, tmp_path: Path
) -> None:
    _first_day_legitimate(tmp_path / "cards.csv")
    trained = cli(
        "fraud", "train", "cards.csv", "--name", "cards", "--out", "models/cards",
        "--time-budget", "2",
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    assert "Traceback" not in trained.stderr
    card = json.loads((tmp_path / "models" / "cards" / "performance.json").read_text())
    said = [m for m in card["warning_messages"] if m["key"] == "fraud.card.random_split"]
    assert said == [
        {"key": "fraud.card.random_split", "params": {"reason": {"word": ONE_CLASS_KEY}}}
    ]
    assert "fewer than 5 legitimate rows" in trained.stdout


def test_analyze_shows_a_cardholders_personal_data_as_not_used(cli: Cli, tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    card = rng.integers(0, 60, 400)
    pd.DataFrame(
        {
            "trans_date_trans_time": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(np.sort(rng.integers(0, 40 * 86_400, 400)), unit="s"),
            "cc_num": card + 4_000_000_000,
            "amt": rng.gamma(2, 30, 400).round(2),
            "first": [f"Ann{c}" for c in card],
            "last": [f"Smith{c}" for c in card],
            "street": [f"{100 + c} Oak Street" for c in card],
            "job": [f"Engineer, grade {c}" for c in card],
            "zip": card * 37 + 10_000,
            "is_fraud": (rng.random(400) < 0.05).astype(int),
        }
    ).to_csv(tmp_path / "cards.csv", index=False)
    shown = cli("fraud", "analyze", "cards.csv")
    assert shown.returncode == 0, shown.stderr
    rows = [line for line in shown.stdout.splitlines() if "personal data (not used)" in line]
    assert {line.split("│")[1].strip() for line in rows} == {
        "first",
        "last",
        "street",
        "job",
        "zip",
    }
    found = cli("fraud", "analyze", "cards.csv", "--json")
    roles = {c["name"]: (c["role"], c["used"]) for c in json.loads(found.stdout)["columns"]}
    assert roles["street"] == ("personal", False) and roles["amt"] == ("amount", True)


def test_claims_are_ordered_by_the_incident_not_the_policy_start(cli: Cli, tmp_path: Path) -> None:
    claims(tmp_path / "claims.csv")
    found = cli("fraud", "analyze", "claims.csv", "--json")
    assert found.returncode == 0, found.stderr
    analysis = json.loads(found.stdout)
    assert analysis["time_column"] == "incident_date"
    assert analysis["warning_messages"][0] == {
        "key": "warning.time_order_event",
        "params": {"column": "incident_date", "others": "policy_bind_date"},
    }
    roles = {c["name"]: c["role"] for c in analysis["columns"]}
    assert roles["months_as_customer"] == "numeric"  # a tenure, not a customer id


def test_the_time_and_entity_columns_are_the_users_word(cli: Cli, tmp_path: Path) -> None:
    claims(tmp_path / "claims.csv")
    chosen = cli(
        "fraud", "analyze", "claims.csv", "--json",
        "--time-column", "policy_bind_date", "--entity-column", "policy_state",
    )  # fmt: skip
    assert chosen.returncode == 0, chosen.stderr
    analysis = json.loads(chosen.stdout)
    assert analysis["time_column"] == "policy_bind_date"
    assert "as chosen" in analysis["warnings"][0]
    state = next(c for c in analysis["columns"] if c["name"] == "policy_state")
    assert state["role"] == "entity" and state["used"]
    for wrong, said in (("age", "does not hold dates"), ("nope", "no column 'nope'")):
        refused = cli("fraud", "analyze", "claims.csv", "--time-column", wrong)
        assert refused.returncode == 65 and said in refused.stderr
        assert "Traceback" not in refused.stderr
    trained = cli(
        "fraud", "train", "claims.csv", "--name", "claims", "--out", "models/claims",
        "--time-budget", "2", "--time-column", "policy_bind_date",
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    card = json.loads((tmp_path / "models" / "claims" / "performance.json").read_text())
    keys = [m["key"] for m in card["warning_messages"]]
    assert "warning.time_order_chosen" in keys
