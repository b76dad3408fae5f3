"""The fast scoring path gives exactly the general path's output, for every model family
and for inputs with missing values, unseen categories and timestamps of every kind."""

from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.isotonic import IsotonicRegression

from entrepot.fraud.match.description import describe
from entrepot.fraud.model.anomaly import AnomalyModel
from entrepot.fraud.model.calibration import Calibrator
from entrepot.fraud.model.entity_features import entity_codes
from entrepot.fraud.model.estimator import positive_scores
from entrepot.fraud.model.saved import FraudModel
from entrepot.fraud.score import bare_predict as fastpredict
from entrepot.fraud.score import column_reader as reader_module
from entrepot.fraud.score import numpy_path as fastpath
from entrepot.fraud.score.assemble import from_model
from entrepot.fraud.score.bare_predict import FEW, AnomalyTables, calibrated, scorer
from entrepot.fraud.score.column_reader import SMALL, ColumnReader
from entrepot.fraud.score.ensemble import Ensemble
from entrepot.fraud.score.numpy_path import compiled, first_codes
from entrepot.fraud.score.scoring import score
from entrepot.fraud.synth.generator import generate
from entrepot.fraud.tables.timeparse import EPOCH_MS, EPOCH_S, ISO, parse_times
from entrepot.fraud.tables.values import entity_keys, factorised_keys
from entrepot.fraud.train.search import KINDS
from tests.support.fraud import TEXT_FORMAT, trained, training_frame


def _ensemble(kind: str, frame: pd.DataFrame, *, history: bool = True) -> Ensemble:
    """One model applied to the columns of ``frame`` that have its input names."""
    model = trained(kind)
    ensemble = from_model(model, {}, {}, describe(frame), name=kind, version="1")
    mapping = {c: c for c in model.input_columns if c in frame.columns}
    assert model.features.spec.timestamp in mapping  # the behaviour features are made
    member = replace(ensemble.members[0], mapping=mapping, history=history)
    return Ensemble((member,), ensemble.models, ensemble.created)


def _same(frame: pd.DataFrame, ensemble: Ensemble) -> None:
    """Fast and general paths agree on ``frame``: row by row, on a slice, on all of it."""
    upload = describe(frame)
    parts = [frame.iloc[[i]] for i in (0, 7, len(frame) - 1)]
    parts += [frame.iloc[10 : 10 + SMALL // 2], frame]
    for part in parts:
        fast = score(part, ensemble, upload=upload)
        general = score(part, ensemble, upload=upload, fast=False)
        pd.testing.assert_frame_equal(fast, general, check_exact=True)


def _scoring_frame() -> tuple[pd.DataFrame, dict[str, str]]:
    """Fresh rows of the training schema (later in time: the history continues)."""
    frame, target = training_frame()
    data = generate("card_payments", 4000, fraud_rate=0.05, seed=3)
    return frame.drop(columns=[target]).iloc[3000:].reset_index(drop=True), data.columns


def _messy(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Missing values in every column, unseen categories and customers, bad timestamps."""
    out = frame.copy()
    rng = np.random.default_rng(1)
    for col in out.columns:
        holes = rng.random(len(out)) < 0.1
        holes[0] = True  # the first row misses everything
        out[col] = out[col].where(~holes)
    text = [c for c in out.columns if pd.api.types.is_string_dtype(out[c])]
    for col in text:
        out.loc[rng.random(len(out)) < 0.1, col] = " never-seen "
    out.loc[5, columns["timestamp"]] = "not a time"
    out.loc[6, columns["customer"]] = 10**9
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_every_family_scores_the_same_on_both_paths(kind: str) -> None:
    frame, _ = _scoring_frame()
    _same(frame, _ensemble(kind, frame))
    _same(frame, _ensemble(kind, frame, history=False))


@pytest.mark.parametrize("kind", KINDS)
def test_missing_values_unseen_categories_and_bad_times(kind: str) -> None:
    frame, columns = _scoring_frame()
    messy = _messy(frame, columns)
    _same(messy, _ensemble(kind, messy))
    absent = messy.drop(columns=[columns["amount"], columns["country"]])
    _same(absent, _ensemble(kind, absent))


@pytest.mark.parametrize(
    "write",
    [
        lambda t: t,  # the model's own text format
        lambda t: pd.to_datetime(t).astype("datetime64[s]"),
        lambda t: pd.to_datetime(t).dt.strftime("%d/%m/%Y %H:%M"),
        lambda t: pd.to_datetime(t).dt.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        lambda t: pd.to_datetime(t).astype("datetime64[s]").astype("int64"),
        lambda t: pd.to_datetime(t).astype("datetime64[s]").astype("int64") * 1000,
        lambda t: pd.to_datetime(t).dt.strftime("%Y%m%d%H%M%S").fillna("0").astype("int64"),
    ],
    ids=["model-text", "datetime", "day-first", "iso", "epoch-s", "epoch-ms", "digits"],
)
def test_timestamps_of_every_kind(write: object) -> None:
    frame, columns = _scoring_frame()
    stamp = columns["timestamp"]
    frame[stamp] = write(frame[stamp])  # type: ignore[operator]
    _same(frame, _ensemble("lightgbm", frame))


def test_members_that_share_columns_share_work_and_scores() -> None:
    frame, columns = _scoring_frame()
    messy = _messy(frame, columns)
    rng = np.random.default_rng(2)
    for role in ("customer", "counterparty"):  # other columns for the same model inputs
        messy[f"other_{role}"] = rng.permutation(messy[columns[role]].to_numpy())
    singles = [_ensemble(kind, messy, history=False) for kind in (*KINDS, "lightgbm")]
    swapped = {messy.columns[-2]: columns["customer"], messy.columns[-1]: columns["counterparty"]}
    kept = {k: v for k, v in singles[-1].members[0].mapping.items() if v not in swapped.values()}
    last = replace(singles[-1].members[0], mapping={**kept, **swapped}, name="swapped")
    members = [replace(e.members[0], weight=1 / len(singles)) for e in singles[:-1]]
    members.append(replace(last, weight=1 / len(singles)))
    ensemble = Ensemble(tuple(members), tuple(e.models[0] for e in singles))
    _same(messy, ensemble)


@pytest.mark.parametrize("few", [0, 10**9], ids=["all-vectorised", "all-row-by-row"])
@pytest.mark.slow  # a training over 15 s (make unit leaves it out)
def test_the_size_thresholds_change_the_method_not_the_scores(
    few: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module, name in [
        (reader_module, "SMALL"),
        (fastpredict, "FEW"),
        (fastpath, "_FEW_ENTITIES"),
        (fastpath, "_FEW_KEYS"),
    ]:
        monkeypatch.setattr(module, name, few)
    frame, columns = _scoring_frame()
    messy = _messy(frame, columns)
    for kind in ("hist_gradient_boosting", "xgboost"):
        _same(messy, _ensemble(kind, messy))


def test_scoring_again_gives_the_same_result_and_nothing_new_is_saved(tmp_path: Path) -> None:
    frame, _ = _scoring_frame()
    ensemble = _ensemble("xgboost", frame)
    first = score(frame, ensemble)
    pd.testing.assert_frame_equal(score(frame, ensemble), first, check_exact=True)
    model = ensemble.models[0]
    assert "_fast" in model.__dict__  # built on first use, kept on the instance
    path = model.save(tmp_path / "model.joblib")
    loaded = FraudModel.load(path)
    assert "_fast" not in loaded.__dict__
    assert "_fast" not in pickle.loads(pickle.dumps(model)).__dict__
    again = Ensemble(ensemble.members, (loaded,), ensemble.created)
    pd.testing.assert_frame_equal(score(frame, again), first, check_exact=True)


def test_a_replaced_part_rebuilds_the_fast_model() -> None:
    model = trained("logistic_regression")
    fast = compiled(model)
    assert compiled(model) is fast
    other = replace(model, calibrator=trained("lightgbm").calibrator)
    assert compiled(other) is not fast


# -- the pieces, against the functions they stand for ---------------------------------------
COLUMNS = {
    "ints": pd.Series([5411, 42, 5411, -3], dtype="int64"),
    "whole floats": pd.Series([5411.0, np.nan, 42.0, 0.0]),
    "floats": pd.Series([1.5, np.nan, 42.0, -0.25]),
    "negative zero": pd.Series([1.5, -0.0, 0.0, np.nan]),
    "infinite": pd.Series([np.inf, 2.0, np.nan, 1.0]),
    "booleans": pd.Series([True, False, True, True]),
    "text": pd.Series([" a ", "b", None, "a"], dtype="str"),
    "objects": pd.Series([1, "1", None, 2.0], dtype=object),
    "nullable ints": pd.Series([1, None, 3, 1], dtype="Int64"),
    "category": pd.Series(["x", "y", None, "x"], dtype="category"),
    "numbers as text": pd.Series(["1", "2.5", "x", None], dtype="str"),
}


def _per_row(positions: np.ndarray, keys: list[str]) -> list[str | None]:
    return [keys[p] if p >= 0 else None for p in positions]


@pytest.mark.parametrize("name", list(COLUMNS))
@pytest.mark.parametrize("rows", [1, 4, SMALL + 1])
def test_the_reader_reads_as_pandas_does(name: str, rows: int) -> None:
    series = pd.concat([COLUMNS[name]] * (rows // 4 + 1), ignore_index=True).iloc[:rows]
    reader = ColumnReader(pd.DataFrame({"c": series}))
    expected = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    np.testing.assert_array_equal(reader.numbers("c"), expected)
    assert _per_row(*reader.keys("c")) == _per_row(*factorised_keys(series))
    assert reader.entities("c").tolist() == entity_keys(series).tolist()
    assert np.isnan(reader.numbers(None)).all()
    assert reader.entities(None).tolist() == [None] * rows


@pytest.mark.parametrize(
    ("values", "fmt"),
    [
        (["2024-01-02 03:04:05", " 2024-01-02 03:04:06 ", "bad", None], TEXT_FORMAT),
        (["2024-01-02T03:04:05", "2024-01-02T03:04:05+02:00", None, "x"], ISO),
        ([20240102030405, 20241302030405, 19990101000000, 0], "%Y%m%d%H%M%S"),
        ([1_700_000_000, 1_700_000_001.7, np.nan, -5], EPOCH_S),
        ([1_700_000_000_000, np.nan, 1_700_000_000_999, 0], EPOCH_MS),
        (
            pd.to_datetime(
                ["2024-01-02 00:00:00", None, "2024-05-06 07:08:09", "2024-01-01 00:00:01"]
            ),
            ISO,
        ),
    ],
)
@pytest.mark.parametrize("rows", [1, 4, SMALL + 1])
def test_the_reader_parses_times_as_parse_times(values: list[object], fmt: str, rows: int) -> None:
    series = pd.Series(values)
    if pd.api.types.is_datetime64_dtype(series):
        series = series.astype("datetime64[s]")
    series = pd.concat([series] * (rows // 4 + 1), ignore_index=True).iloc[:rows]
    reader = ColumnReader(pd.DataFrame({"c": series}))
    expected = parse_times(series, fmt).to_numpy(dtype="datetime64[s]")
    np.testing.assert_array_equal(reader.instants("c", fmt), expected)
    absent = parse_times(pd.Series(np.nan, index=range(rows)), fmt)
    np.testing.assert_array_equal(reader.instants(None, fmt), absent.to_numpy("datetime64[s]"))


def test_entity_codes_in_python_follow_pandas() -> None:
    keys = np.asarray(["b", None, "a", "b", np.nan, "c", "a"], dtype=object)
    np.testing.assert_array_equal(first_codes(keys), entity_codes(keys))
    mixed = np.asarray(["1", 1, None], dtype=object)
    np.testing.assert_array_equal(first_codes(mixed), entity_codes(mixed))


# Platt scaling; a bare isotonic step function (as models saved before the tie-break hold);
# isotonic regression with its ties broken by the Platt map (1,000 frauds and more).
@pytest.mark.parametrize("positives", [5, 150, 1200])
def test_calibration_is_the_calibrators_own(positives: int) -> None:
    rng = np.random.default_rng(0)
    y = np.zeros(4000, dtype=int)
    y[:positives] = 1
    scores = np.clip(rng.normal(0.2, 0.1, 4000) + 0.4 * y, 0, 1)
    calibrator = Calibrator.fit(scores, y)
    assert calibrator.method == ("isotonic" if positives >= 1000 else "sigmoid")
    if positives == 150:
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(scores, y)
        calibrator = Calibrator("isotonic", iso, positives, len(y))
    probe = np.concatenate([[0.0, 1.0, -1.0, 2.0], rng.random(100)])
    for part in (probe[:1], probe[1:2], probe):
        np.testing.assert_array_equal(calibrated(calibrator)(part), calibrator(part))


def test_anomaly_scores_are_the_models_own() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3000, 5))
    x[:, 1] = np.round(x[:, 1])  # few distinct values
    x[:, 2] = np.nan  # never seen: the feature is skipped
    x[:, 3] = 7.0  # constant
    x[rng.random(x.shape) < 0.05] = np.nan
    model = AnomalyModel.fit(x)
    probe = rng.normal(scale=3, size=(FEW + 50, 5))
    probe[0] = [np.inf, -np.inf, 1.0, 7.0, np.nan]
    probe[rng.random(probe.shape) < 0.1] = np.nan
    tables = AnomalyTables(model)
    for part in (probe[:1], probe[:FEW], probe):
        np.testing.assert_array_equal(tables.surprises(part), model.surprises(part))
        np.testing.assert_array_equal(tables.score(part), model.score(part))


@pytest.mark.parametrize("kind", KINDS)
def test_estimator_scores_are_positive_scores(kind: str) -> None:
    model = trained(kind)
    frame, columns = _scoring_frame()
    x = model.feature_matrix(_messy(frame, columns))
    x[3] = np.nan  # a row of missing features only
    fast = scorer(model.estimator)
    for part in (x[:1], x[:FEW], x):
        np.testing.assert_array_equal(fast(part, 1), positive_scores(model.estimator, part))
    np.testing.assert_array_equal(fast(x, 2), positive_scores(model.estimator, x, threads=2))


def test_a_block_of_features_is_kept_for_the_next_member_alone() -> None:
    frame = pd.DataFrame({"c": [1.0, 2.0]})
    made: list[int] = []

    def make() -> np.ndarray:
        made.append(1)
        return np.zeros(2)

    alone = ColumnReader(frame, shared=False)
    alone.made("block", make)
    alone.made("block", make)
    assert len(made) == 2  # one member: made where asked, never held beside its matrix
    shared = ColumnReader(frame)
    first = shared.made("block", make)
    assert shared.made("block", make) is first and len(made) == 3


def test_the_matrix_is_written_block_by_block_in_the_names_order() -> None:
    matrix = fastpath._Matrix(["a", "b", "c"], 2)
    matrix.put({"c": np.array([5.0, 6.0]), "unused": np.array([9.0, 9.0])})
    matrix.put({"a": np.array([1.0, 2.0]), "b": np.array([3.0, 4.0])})
    matrix.put({"b": np.array([7.0, 8.0])})  # a later block's feature wins, as in a dict
    done = matrix.done()
    assert done.tolist() == [[1.0, 7.0, 5.0], [2.0, 8.0, 6.0]]
    assert done.flags.f_contiguous
    unfinished = fastpath._Matrix(["a", "b"], 1)
    unfinished.put({"a": np.array([1.0])})
    with pytest.raises(KeyError, match="b"):
        unfinished.done()
