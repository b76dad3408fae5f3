"""Ensemble scoring of unlabelled data with real reference models, and its refusals."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score

from entrepot.fraud.errors import (
    FraudError,
    NoMatchingReference,
    NoReferences,
    NoUsableColumns,
    SingleClass,
)
from entrepot.fraud.library.libraries import MemoryLibrary
from entrepot.fraud.match.description import describe
from entrepot.fraud.model.trust import sign_folder
from entrepot.fraud.score.assemble import from_folder, from_library
from entrepot.fraud.score.ensemble import Ensemble
from entrepot.fraud.score.scoring import (
    OUTPUT_COLUMNS,
    RISK_LEVELS,
    evaluate_frame,
    member_frame,
    risk_levels,
    score,
)
from entrepot.fraud.score.words import value_text
from entrepot.fraud.score.written import write_scores
from entrepot.fraud.synth.generator import GeneratedDataset, generate
from entrepot.fraud.train.training import train
from entrepot.registry.keyring import KeyRing
from tests.support.clock import TickingClock
from tests.support.fraud import small_library

RING = KeyRing.of("scoring-tests-" + "s" * 40)


@cache
def unseen() -> GeneratedDataset:
    """Mobile money with French names and a seed no reference was built from."""
    return generate("mobile_money", 5000, fraud_rate=0.03, seed=4242, lang="fr")


@cache
def scored() -> tuple[Ensemble, pd.DataFrame, pd.DataFrame]:
    data = unseen()
    rng = np.random.default_rng(0)
    frame = data.frame.drop(columns=[data.target]).iloc[rng.permutation(len(data.frame))]
    ensemble, _ = from_library(describe(frame), small_library())
    return ensemble, frame, score(frame, ensemble)


def test_one_row_per_input_row_in_input_order() -> None:
    ensemble, frame, out = scored()
    assert len(out) == len(frame)
    ids = describe(frame).id_columns
    assert ids
    for col in ids:
        np.testing.assert_array_equal(out[col].to_numpy(), frame[col].to_numpy())
    members = [m.column for m in ensemble.members]
    assert list(out.columns) == ["row", *ids, *OUTPUT_COLUMNS, *members, "explanation"]
    assert out["row"].tolist() == list(range(1, len(frame) + 1))
    proba = out["fraud_probability"].to_numpy()
    assert np.all((proba >= 0) & (proba <= 1))
    weighted = sum(m.weight * out[m.column].to_numpy() for m in ensemble.members)
    np.testing.assert_allclose(proba, weighted)
    np.testing.assert_array_equal(out["prediction"], (proba >= ensemble.threshold).astype(int))
    assert set(out["risk_level"]) <= set(RISK_LEVELS)
    assert out["anomaly_score"].between(0, 1).all()


def test_the_ensemble_finds_fraud_in_unlabelled_data() -> None:
    ensemble, frame, out = scored()
    assert 1 <= len(ensemble.members) <= 3
    assert ensemble.members[0].name.endswith("mobile-money-en")
    assert sum(m.weight for m in ensemble.members) == pytest.approx(1.0)
    labels = unseen().labels[frame.index.to_numpy()]
    auprc = average_precision_score(labels, out["fraud_probability"])
    assert auprc > 5 * labels.mean()


def test_a_saved_ensemble_gives_the_same_scores(tmp_path: Path) -> None:
    ensemble, frame, out = scored()
    ensemble.save(tmp_path / "ensemble", RING)
    again = Ensemble.load(tmp_path / "ensemble", RING)
    assert again.members == ensemble.members
    pd.testing.assert_frame_equal(score(frame, again), out)
    from_disk = from_folder(tmp_path / "ensemble", describe(frame), RING)
    assert from_disk.members == ensemble.members


def test_a_missing_input_is_missing_not_zero() -> None:
    data = unseen()
    amount = data.columns["amount"]
    frame = data.frame.drop(columns=[data.target, amount])
    upload = describe(frame)
    ensemble, _ = from_library(upload, small_library())
    member, model = ensemble.members[0], ensemble.models[0]
    assert model.features.spec.amount not in member.mapping.values()
    assert member.coverage < 1.0
    x = model.feature_matrix(member_frame(frame, member, model, upload), history=member.history)
    names = model.features.feature_names_
    sources = model.features.sources()
    affected = [names.index(f) for f in names if model.features.spec.amount in sources[f]]
    assert "amount" in [names[i] for i in affected]
    assert np.isnan(x[:, affected]).all()
    out = score(frame, ensemble, explain=False)
    np.testing.assert_allclose(out[member.column], model.proba_of_features(x))


@pytest.mark.slow  # a training over 15 s (make unit leaves it out)
def test_no_share_of_rows_is_forced_to_be_fraud() -> None:
    data = unseen()
    frame = data.frame.drop(columns=[data.target])
    ensemble, _ = from_library(describe(frame), small_library())
    legitimate = score(frame[data.labels == 0], ensemble, explain=False)
    frauds = frame[data.labels == 1]
    enriched = pd.concat([frauds, frame[data.labels == 0].head(len(frauds))]).sort_index()
    half_fraud = score(enriched, ensemble, explain=False)
    # The probabilities follow the rows: nothing rescales them to flag a fixed share.
    assert legitimate["prediction"].mean() < 0.01
    assert half_fraud["prediction"].mean() >= legitimate["prediction"].mean()
    mean_legit = legitimate["fraud_probability"].mean()
    assert half_fraud["fraud_probability"].mean() > 5 * mean_legit


def test_risky_rows_are_explained_by_upload_columns() -> None:
    _, frame, out = scored()
    risky = out["risk_level"] != "low"
    assert risky.any()
    assert (out.loc[risky, "explanation"] != "").mean() > 0.9
    assert (out.loc[~risky, "explanation"] == "").all()
    said = []
    for row in np.flatnonzero(risky.to_numpy()):
        for part in filter(None, out["explanation"].iloc[row].split("; ")):
            # "amount 2,340, 6.9 × this customer's 30-day mean", "hour 3"
            column = next(c for c in frame.columns if part.startswith(f"{c} "))
            assert part.startswith(f"{column} {value_text(frame[column].iloc[row])}")
            said.append(part)
    assert any("× this customer's" in part for part in said)


def test_risk_levels_follow_the_threshold() -> None:
    levels = risk_levels(np.asarray([0.01, 0.06, 0.1, 0.3, 0.5, 0.9]), 0.1)
    assert list(levels) == ["low", "medium", "high", "high", "critical", "critical"]
    assert list(risk_levels(np.asarray([0.6, 0.8]), 0.7)) == ["medium", "critical"]


def test_a_schema_that_matches_nothing_is_refused() -> None:
    rng = np.random.default_rng(5)
    weather = pd.DataFrame(
        {"station": rng.choice(["n", "s", "e"], 300), "temperature_c": rng.normal(12, 5, 300)}
    )
    with pytest.raises(NoMatchingReference, match="closest score under the threshold") as err:
        from_library(describe(weather), small_library(), what="weather.csv")
    assert "weather.csv" in str(err.value)
    assert "entrepot fraud train" in str(err.value)


def test_refusals_for_empty_inputs() -> None:
    with pytest.raises(NoUsableColumns, match="no column can be matched"):
        describe(pd.DataFrame({"a": [np.nan] * 50, "b": [None] * 50}))
    data = unseen()
    with pytest.raises(NoReferences, match="build-references"):
        from_library(describe(data.frame), MemoryLibrary())


def test_evaluate_a_labelled_file() -> None:
    data = unseen()
    ensemble, _ = from_library(describe(data.frame.drop(columns=[data.target])), small_library())
    found = evaluate_frame(data.frame, ensemble)
    assert found["target"] == data.target
    assert found["metrics"]["frauds"] == int(data.labels.sum())
    assert found["metrics"]["auprc"] > 5 * data.labels.mean()
    assert set(found["member_auprc"]) == {m.name for m in ensemble.members}
    legit = data.frame[data.labels == 0]
    with pytest.raises(SingleClass, match="single class"):
        evaluate_frame(legit, ensemble, target=data.target)


def test_one_trained_model_scores_a_renamed_file(tmp_path: Path) -> None:
    data = generate("ecommerce", 4000, fraud_rate=0.04, seed=77, variety=False)
    train(data.frame, time_budget=1, models=("lightgbm",), clock=TickingClock()).save(
        tmp_path / "shop"
    )
    sign_folder(tmp_path / "shop", ["model.joblib"], RING)
    later = generate("ecommerce", 2000, fraud_rate=0.04, seed=78, lang="fr", variety=False)
    frame = later.frame.drop(columns=[later.target])
    upload = describe(frame)
    ensemble = from_folder(tmp_path / "shop", upload, RING)
    (member,) = ensemble.members
    assert member.mapping["montant"] == "amount"
    assert member.history is False  # another source: its customers are not the training data's
    out = score(frame, ensemble, upload=upload)
    assert "score_shop" in out.columns
    assert average_precision_score(later.labels, out["fraud_probability"]) > 5 * 0.04
    same_names = from_folder(
        tmp_path / "shop", describe(data.frame.drop(columns=[data.target])), RING
    )
    assert same_names.members[0].history is True
    path = write_scores(out, tmp_path / "scores.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(path), out)


def test_a_tampered_ensemble_file_is_refused(tmp_path: Path) -> None:
    ensemble, _, _ = scored()
    folder = ensemble.save(tmp_path / "ensemble", RING)
    path = folder / "ensemble.json"
    raw = path.read_text().replace('"file": "members/00-', '"file": "../../00-')
    path.write_text(raw)
    with pytest.raises(FraudError, match="unexpected member file"):
        Ensemble.load(folder, RING)


def test_a_one_row_file_feeds_every_input_it_names() -> None:
    """Regression: in a file of one row every column looks constant to the analysis, and
    the timestamp and ids were left out of the mapping (no time or behaviour features)."""
    from entrepot.fraud.score.assemble import from_model
    from tests.support.fraud import trained, training_frame

    model = trained("lightgbm")
    frame, target = training_frame()
    row = frame.drop(columns=[target]).iloc[[5]]
    (member,) = from_model(model, {}, {}, describe(row), name="m", version="1").members
    assert model.features.spec.timestamp in member.mapping
    assert set(member.mapping) == set(model.input_columns)
    assert member.coverage == 1.0


def test_a_category_codes_explanation_shows_its_digits() -> None:
    """Regression: a number the file's description reads as a category (a merchant category
    code) was cited with a thousands separator (``mcc 7,995``); it is cited as the file
    writes it, where a number keeps its grouping."""
    from entrepot.fraud.score.assemble import from_model
    from entrepot.fraud.score.scoring import score
    from tests.support.fraud import trained, training_frame

    frame, target = training_frame()
    frame = frame.drop(columns=[target])
    upload = describe(frame)
    codes = [
        c
        for c in upload.analysis.with_role("categorical")
        if pd.api.types.is_integer_dtype(frame[c]) and frame[c].max() >= 1000
    ]
    assert codes  # the generated payments' merchant category codes
    ensemble = from_model(trained("lightgbm"), {}, {}, upload, name="m", version="1")
    out = score(frame, ensemble)
    cited = 0
    for row, text in enumerate(out["explanation"].tolist()):
        for part in filter(None, text.split("; ")):
            column = next((c for c in codes if part.startswith(f"{c} ")), None)
            if column is not None:
                assert part == f"{column} {frame[column].iloc[row]}"
                cited += 1
    assert cited
