"""`entrepot fraud ...` as a user types it: generate, analyze, train, build the references,
match, score and evaluate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner, Result

from entrepot.cli.fraud.commands import fraud_app
from entrepot.fraud.errors import EmptyFile, NoMatchingReference, NoReferences, NoTargetFound
from tests.support.apps import migrated_app

#: Budgets counted in steps: a training is the same on any load.
runner = CliRunner(env={"ENTREPOT_TRAINING_CLOCK": "steps"})


def test_domains_are_listed() -> None:
    result = runner.invoke(fraud_app, ["domains"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for name in ("card_payments", "p2p_lending", "crypto_gateway"):
        assert name in result.output


def test_generate_analyze_train(tmp_path: Path) -> None:
    data = tmp_path / "tx.csv"
    args = ["generate", str(data), "--domain", "mobile_money", "--rows", "4000"]
    result = runner.invoke(
        fraud_app, [*args, "--fraud-rate", "0.05", "--seed", "3", "--lang", "fr"]
    )
    assert result.exit_code == 0, result.output
    assert "200 frauds (5.00%)" in result.output
    assert data.read_bytes().startswith(b"\xef\xbb\xbf")

    result = runner.invoke(fraud_app, ["analyze", str(data)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "200 frauds (5.00%)" in result.output
    assert "label candidate" in result.output

    result = runner.invoke(fraud_app, ["analyze", str(data), "--json"])
    summary = json.loads(result.output)
    assert summary["fraud_rate"] == 0.05

    out = tmp_path / "models"
    result = runner.invoke(
        fraud_app,
        ["train", str(data), "--name", "mm-1", "--out", str(out / "mm-1"), "--time-budget", "2"],
        terminal_width=200,
    )
    assert result.exit_code == 0, result.output
    assert "test AUPRC" in result.output
    assert sorted(p.name for p in (out / "mm-1").iterdir()) == [
        "model.joblib",
        "performance.json",
        "schema.json",
        "signature.json",  # by the user's own key: no instance here (ADR 0082)
    ]


def test_analyze_says_an_identifier_is_not_used(tmp_path: Path) -> None:
    """The table writes the role as the web page does (``role.id``), not the bare code;
    ``--json`` keeps the code and says the column is not a feature."""
    data = tmp_path / "ids.csv"
    rows = [f"T{i:05d},{(i * 37) % 500 + 1}.5,{int(i % 20 == 0)}" for i in range(400)]
    data.write_text("transaction_id,amount,is_fraud\n" + "\n".join(rows) + "\n")

    result = runner.invoke(fraud_app, ["analyze", str(data)], terminal_width=200)
    assert result.exit_code == 0, result.output
    # whitespace removed: a table cell may wrap, whatever width the run's console has
    flat = "".join(result.output.split())
    assert "transaction_" in flat and "identifier" in flat and "(notused)" in flat

    result = runner.invoke(fraud_app, ["analyze", str(data), "--json"])
    columns = {c["name"]: c for c in json.loads(result.output)["columns"]}
    assert (columns["transaction_id"]["role"], columns["transaction_id"]["used"]) == ("id", False)
    assert (columns["amount"]["role"], columns["amount"]["used"]) == ("amount", True)


def test_errors_reach_the_main_cli_as_fraud_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    result = runner.invoke(fraud_app, ["analyze", str(empty)])
    assert isinstance(result.exception, EmptyFile)
    unlabelled = tmp_path / "u.csv"
    unlabelled.write_text("amount,country\n" + "\n".join(f"{i},FR" for i in range(200)))
    result = runner.invoke(
        fraud_app, ["train", str(unlabelled), "--name", "x", "--out", str(tmp_path)]
    )
    assert isinstance(result.exception, NoTargetFound)


@pytest.mark.parametrize("name", ["../up", "a/b", ""])
def test_unsafe_model_names_are_refused(tmp_path: Path, name: str) -> None:
    data = tmp_path / "d.csv"
    data.write_text("a\n1\n")
    result = runner.invoke(fraud_app, ["train", str(data), "--name", name, "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert not (tmp_path / "up").exists()


def test_references_match_score_and_evaluate(tmp_path: Path) -> None:
    instance = migrated_app(tmp_path / "instance")  # its key ring signs the library

    def fraud(args: list[str], **options: Any) -> Result:
        return runner.invoke(fraud_app, args, obj=instance, **options)

    library = tmp_path / "lib"
    build = ["build-references", "--into", str(library), "--count", "2", "--rows", "3000"]
    result = fraud([*build, "--time-budget", "1"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "2 reference models built, 0 already present" in result.output
    result = fraud([*build, "--time-budget", "1"], terminal_width=200)
    assert "0 reference models built, 2 already present" in result.output

    data = tmp_path / "cartes.csv"
    args = ["generate", str(data), "--domain", "card_payments", "--rows", "3000", "--seed", "31"]
    assert fraud([*args, "--lang", "fr", "--fraud-rate", "0.03"]).exit_code == 0
    lib = ["--library", str(library)]
    result = fraud(["match", str(data), *lib], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "ref-01-card-payments-en" in result.output
    assert "model input" in result.output
    found = json.loads(fraud(["match", str(data), *lib, "--json"]).output)
    assert found["candidates"][0]["reference"] == "ref-01-card-payments-en"
    assert found["candidates"][0]["columns"]

    scores, ensemble = tmp_path / "scores.csv", tmp_path / "ensemble"
    result = fraud(
        ["score", str(data), str(scores), "--ensemble", *lib, "--save-ensemble", str(ensemble)],
        terminal_width=200,
    )
    assert result.exit_code == 0, result.output
    assert "3,000 rows scored" in result.output
    first = pd.read_csv(scores)
    assert len(first) == 3000
    assert {"fraud_probability", "prediction", "risk_level", "anomaly_score"} <= set(first.columns)
    uses = (library / "usage.jsonl").read_text().splitlines()
    assert uses and json.loads(uses[0])["name"].startswith("ref-")

    # run on its own, `fraud` has no installation key: the saved (unsigned) ensemble's
    # pickles are never opened (issue 28; signed and scored again in test_scoring.py)
    again = tmp_path / "again.parquet"
    result = runner.invoke(fraud_app, ["score", str(data), str(again), "--model", str(ensemble)])
    assert result.exit_code != 0 and not again.exists()
    refused = f"{result.output}{result.exception}"
    assert "refusing to unpickle" in refused and "Traceback" not in result.output
    result = fraud(["evaluate", str(data), "--ensemble", *lib, "--json"])
    assert json.loads(result.output)["metrics"]["frauds"] == 90
    target = json.loads(result.output)["target"]
    label = pd.read_csv(data, sep=";", encoding="utf-8-sig", dtype=str)[target]

    # the estimate without labels, and the realised figures since the file holds its label
    scored = tmp_path / "estimated.csv"
    result = fraud(["score", str(data), str(scored), "--ensemble", *lib])
    assert "estimated precision" in result.output and "calibrated" in result.output
    assert f"rows of the label {target!r}" in result.output  # the realised figures' source
    result = fraud(["score", str(data), str(scored), "--ensemble", *lib, "--json"])
    assert result.exit_code == 0, result.output
    estimate = json.loads(result.output)["estimate"]
    written = pd.read_csv(scored)
    p = written["fraud_probability"].to_numpy()
    y = (label == label.value_counts().idxmin()).to_numpy(dtype=int)  # fraud: the rare class
    flagged = written["prediction"].to_numpy() == 1  # at the unrounded threshold
    assert estimate["flagged"] == int(flagged.sum())
    assert estimate["recall"]["value"] == pytest.approx(p[flagged].sum() / p.sum(), abs=1e-5)
    assert estimate["realised"]["recall"] == pytest.approx(y[flagged].sum() / y.sum(), abs=1e-5)
    assert estimate["realised"]["source"] == "label"
    assert estimate["realised"]["labelled_rows"] == len(y)
    if flagged.any():
        assert estimate["precision"]["value"] == pytest.approx(p[flagged].mean(), abs=1e-5)
        assert estimate["realised"]["precision"] == pytest.approx(y[flagged].mean(), abs=1e-5)
    else:  # nothing flagged: no precision to estimate
        assert estimate["precision"]["value"] is None

    weather = tmp_path / "weather.csv"
    weather.write_text("station;temperature\n" + "\n".join(f"s{i % 3};{i % 17}" for i in range(99)))
    result = fraud(["match", str(weather), *lib])
    assert isinstance(result.exception, NoMatchingReference)
    result = fraud(["score", str(data), str(scores), "--ensemble", "--model", "x"])
    assert result.exit_code == 2


def test_the_main_cli_can_provide_the_reference_library(tmp_path: Path) -> None:
    from entrepot.fraud.library.libraries import MemoryLibrary
    from tests.support.apps import app_with

    provided = MemoryLibrary()
    root = typer.Typer()

    @root.callback()
    def _root(ctx: typer.Context) -> None:
        ctx.obj = app_with(_reference_library=provided)

    root.add_typer(fraud_app, name="fraud")
    data = tmp_path / "d.csv"
    assert runner.invoke(fraud_app, ["generate", str(data), "--rows", "500"]).exit_code == 0
    result = runner.invoke(root, ["fraud", "match", str(data)])
    assert isinstance(result.exception, NoReferences)  # the provided, empty library
    assert not (Path.cwd() / "fraud-references").exists()


def test_every_domain_and_scenario_has_its_words_and_english_is_the_generators() -> None:
    """``fraud domains`` writes titles and scenarios from the catalogs (issue 44 item 3):
    each domain of the generator has an entry, the English one is the generator's own
    title, so that the two never drift apart."""
    from entrepot.cli.fraud.sources import local
    from entrepot.cli.value_words import DOMAIN_TITLES, SCENARIOS
    from entrepot.i18n import translator

    english, french = translator("en"), translator("fr")
    for domain in local(None).domains():
        assert english(DOMAIN_TITLES[domain.name]) == domain.title
        assert french(DOMAIN_TITLES[domain.name]) not in (domain.title, DOMAIN_TITLES[domain.name])
        for scenario, _ in domain.scenarios:
            assert english(SCENARIOS[scenario]) == scenario.replace("_", " ")
            assert french(SCENARIOS[scenario]) != SCENARIOS[scenario]
