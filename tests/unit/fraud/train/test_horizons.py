"""Issue 41 item 1: the card by label horizon, and what it promises of a scored file.

The expected values are computed here from the documented definitions, with plain loops
over rows, numpy and scikit-learn, never with the code under test."""

from __future__ import annotations

import math
from typing import cast

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score

from entrepot.fraud.model.behaviour import DAY, counterparty_features
from entrepot.fraud.model.estimator import positive_scores
from entrepot.fraud.score.promise import file_promise, promised, row_horizons
from entrepot.fraud.synth.generator import GeneratedDataset, generate
from entrepot.fraud.train.horizons import between_periods, horizons_of
from entrepot.fraud.train.result import TrainingResult
from entrepot.fraud.train.training import train
from tests.support.clock import TickingClock

WINDOWS = (1, 7, 30)


def _risk_by_loop(
    codes: np.ndarray,
    seconds: np.ndarray,
    labels: np.ndarray,
    window: int,
    delay: int,
    horizon: int,
) -> np.ndarray:
    """A counterparty's fraud rate over ``[t - delay - window, t - delay)`` read from the
    labels of rows at least ``max(delay, horizon)`` days older than the row, row by row."""
    out = np.full(len(codes), np.nan)
    for i in range(len(codes)):
        same = codes == codes[i]
        inside = (seconds > seconds[i] - (delay + window) * DAY) & (
            seconds <= seconds[i] - delay * DAY
        )
        readable = seconds <= seconds[i] - max(delay, horizon) * DAY
        rows = same & inside & readable & ~np.isnan(labels)
        if rows.any():
            out[i] = labels[rows].mean()
    return out


@pytest.mark.parametrize("horizon", [7, 10, 21, 40])
def test_a_row_at_a_horizon_reads_only_the_labels_that_old(horizon: int) -> None:
    rng = np.random.default_rng(horizon)
    n = 700
    codes = rng.integers(0, 12, n)
    seconds = 1_700_000_000 + rng.integers(0, 80 * DAY, n)
    labels = rng.choice([0.0, 1.0, np.nan], n, p=[0.7, 0.2, 0.1])
    made = counterparty_features(codes, seconds, labels, WINDOWS, 7, "t", horizon)
    for w in WINDOWS:
        expected = _risk_by_loop(codes, seconds, labels, w, 7, horizon)
        np.testing.assert_allclose(made[f"t_risk_{w}d"], expected, rtol=1e-12, equal_nan=True)


def test_no_horizon_is_the_label_delay_bit_for_bit() -> None:
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 30, 3000)
    seconds = 1_700_000_000 + rng.integers(0, 60 * DAY, 3000)
    labels = rng.choice([0.0, 1.0, np.nan], 3000, p=[0.8, 0.1, 0.1])
    plain = counterparty_features(codes, seconds, labels, WINDOWS, 7, "t")
    at_delay = counterparty_features(codes, seconds, labels, WINDOWS, 7, "t", 7)
    for name, values in plain.items():
        assert values.tobytes() == at_delay[name].tobytes(), name


def test_a_rows_horizon_is_the_age_of_the_newest_label_it_can_read() -> None:
    labels = np.asarray([0, 10, 20], dtype=np.int64) * DAY
    rows = np.asarray([5, 27, 40, 3], dtype=np.int64) * DAY
    # 5 days: nothing 7 days older; 27: the label at 20 (7 days); 40: still 20 (20 days)
    assert row_horizons(rows, labels, 7).tolist() == [np.inf, 7.0, 20.0, np.inf]


def test_horizons_found_a_slice_at_a_time_are_the_whole_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Regression (issue 40 item 3): the horizons' temporaries were the file's, the peak of
    a 5M-row scoring's last steps; found a slice at a time, each row's is the same."""
    rng = np.random.default_rng(8)
    labels = np.sort(rng.integers(0, 90 * DAY, 500))
    rows = rng.integers(0, 120 * DAY, 2000)
    rows[::97] = np.iinfo(np.int64).min  # no time
    reach = rows - 7 * DAY
    at = np.searchsorted(labels, reach, side="right") - 1
    whole = np.where((at < 0) | (rows == rows[0]), np.inf, (rows - labels[at.clip(0)]) / DAY)
    monkeypatch.setattr("entrepot.fraud.score.promise.SLICE_ROWS", 33)
    np.testing.assert_array_equal(row_horizons(rows, labels, 7), whole)


def _card(delay: int = 7) -> dict[str, object]:
    figures = []
    for days, auprc in zip(horizons_of(delay), (0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2), strict=False):
        figures.append(
            {
                "days": days,
                **{f: auprc for f in ("auprc", "precision", "recall")},
                **{f"{f}_low": auprc - 0.05 for f in ("auprc", "precision", "recall")},
                **{f"{f}_high": auprc + 0.05 for f in ("auprc", "precision", "recall")},
            }
        )
    return {"level": 0.95, "delay_days": delay, "rows": 1000, "frauds": 100, "figures": figures}


def test_the_promise_interpolates_between_horizons_weighted_by_expected_frauds() -> None:
    card = _card()
    days = [f["days"] for f in card["figures"]]  # type: ignore[attr-defined]
    values = [f["auprc"] for f in card["figures"]]  # type: ignore[attr-defined]
    horizons = np.asarray([7.0, 8.5, 12.0, 100.0])
    proba = np.asarray([0.1, 0.3, 0.2, 0.4])
    found = promised(card, horizons, proba)
    # each row's figure by np.interp, clipped to the ends; weighted by its probability
    figure = np.interp(horizons, days, values)
    expected = float((figure * proba).sum() / proba.sum())
    assert found["auprc"]["value"] == pytest.approx(expected, abs=1e-4)
    # the interval: 0.05 each side, the file's own sampling 0.05 * sqrt(100 / max(expected
    # frauds, 1)), or the largest a mean over one fraud can have if that is wider
    bound = 1.959964 * np.sqrt(expected * (1 - expected) / 1.0)
    half = np.hypot(0.05, max(0.05 * np.sqrt(100 / 1.0), bound))
    assert found["auprc"]["low"] == pytest.approx(max(0, expected - half), abs=1e-4)
    assert found["beyond_rows"] == 1
    assert found["covered_days"] == days[-1]


@pytest.fixture(scope="module")
def dataset() -> GeneratedDataset:
    return generate("card_payments", 14_000, seed=7, variety=False, fraud_rate=0.05)


def _trained(dataset: GeneratedDataset) -> TrainingResult:
    return train(
        dataset.frame.iloc[:10_000],
        dataset.target,
        time_budget=2,
        models=("lightgbm",),
        seed=1,
        clock=TickingClock(),
    )


@pytest.fixture(scope="module")
def result(dataset: GeneratedDataset) -> TrainingResult:
    return _trained(dataset)


def test_the_card_holds_a_figure_per_horizon_the_delay_first(
    dataset: GeneratedDataset, result: TrainingResult
) -> None:
    card = result.performance["card"]["horizons"]
    assert card is not None and result.splits is not None
    assert [f["days"] for f in card["figures"]] == list(horizons_of(7))
    assert card["rows"] == len(result.splits.test)
    assert card["frauds"] == int(dataset.labels[:10_000][result.splits.test].sum())
    for figure in card["figures"]:
        assert figure["auprc_low"] <= figure["auprc"] <= figure["auprc_high"]
    assert result.model.horizons == card


def test_the_horizon_figure_is_scikit_learns_on_the_replayed_rows(
    dataset: GeneratedDataset, result: TrainingResult
) -> None:
    """At 60 days no label is in reach of a 30-day window 7 days back: the test rows score
    as with every label unknown; scikit-learn's AUPRC of that is the card's figure."""
    splits = result.splits
    assert splits is not None
    data = dataset.frame.iloc[:10_000].reset_index(drop=True)
    y = dataset.labels[:10_000]
    builder = result.model.features
    unknown = np.full(len(data), np.nan)
    x = builder.transform_labelled(data, unknown).to_numpy(dtype=float)[splits.test]
    model = result.model
    proba = model.calibrator(positive_scores(model.estimator, x))
    last = result.performance["card"]["horizons"]["figures"][-1]
    assert last["days"] == 60
    assert last["auprc"] == pytest.approx(average_precision_score(y[splits.test], proba), abs=1e-6)


def test_scoring_a_later_file_promises_by_its_rows_horizons(
    dataset: GeneratedDataset, result: TrainingResult
) -> None:
    later = dataset.frame.iloc[10_000:].drop(columns=[dataset.target]).reset_index(drop=True)
    proba = result.model.predict_proba(later)
    found = file_promise(result.model, later, None, proba)
    assert found is not None
    times = pd.to_datetime(later["timestamp"]).to_numpy(dtype="datetime64[s]").astype(np.int64)
    tail = result.model.features.history_
    assert tail is not None
    newest = tail["__seconds"][np.isfinite(tail["__label"])].max()
    # every scored row is later than the training file: its newest readable label is the
    # training file's newest, or 7 days before itself, whichever is older
    ages = (times - np.minimum(newest, times - 7 * DAY)) / DAY
    assert found["horizon_days"]["max"] == pytest.approx(ages.max(), abs=0.05)
    assert found["horizon_days"]["min"] == pytest.approx(ages.min(), abs=0.05)
    # the card's observed period: its validation and test rows' span and the test's middle
    observed = result.model.horizons["observed"]  # type: ignore[index]
    splits = result.splits
    assert splits is not None
    train_times = pd.to_datetime(dataset.frame["timestamp"].iloc[:10_000])
    seen = train_times.to_numpy(dtype="datetime64[s]").astype(np.int64)
    tested = seen[splits.test]
    span = seen[np.concatenate([splits.validation, splits.test])]
    assert observed["days"] == pytest.approx((span.max() - span.min()) / DAY, abs=1e-3)
    assert observed["test_center"] == pytest.approx((tested.min() + tested.max()) / 2, abs=1)
    # the rows' fraud-weighted mean distance after it, a second computation
    after = np.maximum(0.0, (times - observed["test_center"]) / DAY)
    assert found["elapsed_days"] == pytest.approx((after * proba).sum() / proba.sum(), abs=0.01)
    assert found["auprc"]["low"] <= found["auprc"]["value"] <= found["auprc"]["high"]


def test_periods_that_differ_show_a_spread_and_alike_ones_none() -> None:
    rng = np.random.default_rng(11)
    n = 40_000
    y = (rng.random(n) < 0.05).astype(int)
    when = np.arange(n, dtype=float)
    alike = np.clip(0.3 * y + rng.random(n) * 0.7, 0, 1)  # one ranking all along
    # every other quarter ranks at random: a period effect far above sampling
    moving = alike.copy()
    for quarter in (1, 3):
        rows = slice(quarter * n // 4, (quarter + 1) * n // 4)
        moving[rows] = rng.random(n // 4)
    still = between_periods(y, alike, when, 0.5, seed=1)
    moved = between_periods(y, moving, when, 0.5, seed=1)
    assert still["chunks"] == moved["chunks"] >= 2
    # the chunks' AUPRC by scikit-learn: their spread is what the estimate reads
    chunks = np.array_split(np.arange(n), int(moved["chunks"]))
    spread = np.std([average_precision_score(y[c], moving[c]) for c in chunks], ddof=1)
    assert moved["auprc"] > 0.5 * spread > 0.1
    assert still["auprc"] < 0.25 * moved["auprc"]


def test_the_promise_adds_the_period_spread_to_its_interval() -> None:
    card = {**_card(), "between": {"auprc": 0.1, "precision": 0.0, "recall": 0.0}}
    horizons = np.full(50, 7.0)
    proba = np.full(50, 2.0)  # 100 expected frauds, as many as the test period's
    found = promised(card, horizons, proba)
    bound = 1.959964 * np.sqrt(0.8 * 0.2 / 100)  # 100 frauds' largest spread (over 0.05)
    half = math.hypot(0.05, bound, 1.959964 * 0.1)
    assert found["auprc"]["low"] == pytest.approx(0.8 - half, abs=1e-3)
    assert found["precision"]["low"] == pytest.approx(0.8 - 0.05 * np.sqrt(2.0), abs=1e-3)


def test_a_file_of_few_frauds_is_promised_no_narrower_than_a_mean_over_them_can_vary() -> None:
    """A week of three frauds (the fetched e-commerce table's last weeks): its AUPRC is a
    mean of three precisions in [0, 1], whose standard deviation may reach
    sqrt(c (1 - c) / 3) whatever the test period's bootstrap said (Bhatia-Davis); where
    the test period's own spread, scaled to the file, is wider, it is kept."""
    card = _card()
    few = promised(card, np.full(60, 7.0), np.full(60, 0.05))  # 3 expected frauds
    c = few["auprc"]["value"]
    bound = 1.959964 * np.sqrt(c * (1 - c) / 3.0)
    assert bound > 0.05 * np.sqrt(100 / 3.0)  # the bound is the wider here
    assert few["auprc"]["high"] == pytest.approx(min(1.0, c + np.hypot(0.05, bound)), abs=1e-4)
    wide = _card()  # a test period whose bootstrap spread was wider than the bound
    for figure in wide["figures"]:  # type: ignore[attr-defined]
        figure["auprc_high"] = figure["auprc"] + 0.2
    many = promised(wide, np.full(4000, 7.0), np.full(4000, 0.1))  # 400 frauds
    assert many["auprc"]["high"] == pytest.approx(
        min(1.0, 0.8 + np.hypot(0.2, 0.2 * np.sqrt(100 / 400))), abs=1e-4
    )


def test_a_model_reading_no_label_is_promised_its_figure_whatever_the_labels_age() -> None:
    card = {**_card(), "reads_labels": False}
    found = promised(card, np.asarray([np.inf, 100.0, 7.0]), np.asarray([0.2, 0.3, 0.5]))
    assert found["beyond_rows"] == 0
    assert found["auprc"]["value"] == pytest.approx(0.8)


def test_a_file_later_than_the_test_period_widens_the_promise_below_by_its_age() -> None:
    """ADR 0096: the test half-width (0.05) again per span the card observed (10 days),
    as a random walk: ``0.05 sqrt(e / 10)`` with ``e`` the rows' mean distance in days
    after the test period's middle weighted by their probabilities, in quadrature with
    the file-widened half-width, below only."""
    card = {**_card(), "observed": {"days": 10.0, "test_center": 100.0 * DAY}}
    proba = np.asarray([1.0, 3.0, 2.0, 4.0]) * 10  # 100 expected frauds: widen sqrt(2)
    days_after = np.asarray([-5.0, 20.0, 40.0, 30.0])  # the first lies before: 0
    seconds = (100.0 * DAY + days_after * DAY).astype(np.int64)
    found = promised(card, np.full(4, 7.0), proba, seconds)
    elapsed = (0 * 10 + 20 * 30 + 40 * 20 + 30 * 40) / 100  # 26 days
    assert found["elapsed_days"] == pytest.approx(elapsed)
    aged = 0.05 * np.sqrt(elapsed / 10.0)
    # the file's sampling: the test's 0.05 scaled to 100 frauds, or for the figures over
    # frauds the largest spread of a mean over 100 of them (the wider; Bhatia-Davis)
    over_frauds = math.hypot(0.05, 1.959964 * np.sqrt(0.8 * 0.2 / 100))
    for name in ("auprc", "precision", "recall"):
        sampled = 0.05 * np.sqrt(2.0) if name == "precision" else over_frauds
        assert found[name]["low"] == pytest.approx(0.8 - np.sqrt(sampled**2 + aged**2), abs=1e-4)
        assert found[name]["high"] == pytest.approx(0.8 + sampled, abs=1e-4)
    # within the test period, and on a card saved before the observed period: as before
    within = promised(card, np.full(4, 7.0), proba, np.full(4, int(90 * DAY), dtype=np.int64))
    before = promised(_card(), np.full(4, 7.0), proba, seconds)
    assert within["elapsed_days"] == 0.0 and before["elapsed_days"] is None
    for found_before in (within, before):
        assert found_before["auprc"]["low"] == pytest.approx(0.8 - over_frauds, abs=1e-4)


def test_a_horizon_scores_again_only_the_rows_whose_features_moved(
    dataset: GeneratedDataset, result: TrainingResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 40 item 4: from one horizon to the next only the test rows whose
    label-reading features changed are scored again; the card is the one scoring every
    row at every horizon gives, value for value."""
    from entrepot.fraud.model.estimator import scores_at as real
    from entrepot.fraud.train import horizons

    scored: list[int] = []

    def counted(estimator: object, x: np.ndarray, rows: np.ndarray, **kw: int) -> np.ndarray:
        scored.append(len(rows))
        return real(estimator, x, rows, **kw)

    monkeypatch.setattr(horizons, "scores_at", counted)

    def again() -> dict[str, object]:
        found: dict[str, object] = _trained(dataset).performance["card"]["horizons"]
        return found

    assert again() == result.performance["card"]["horizons"]
    assert result.splits is not None
    tested = len(result.splits.test)
    assert len(scored) == len(horizons_of(7)) - 1 and sum(scored) < tested * len(scored)
    # every row scored at every horizon: the same card
    monkeypatch.setattr(
        horizons, "_moved_rows", lambda before, after: np.arange(len(before), dtype=np.int64)
    )
    scored.clear()
    assert again() == result.performance["card"]["horizons"]
    assert scored == [tested] * (len(horizons_of(7)) - 1)


def test_a_feature_moved_in_any_bit_is_a_moved_row() -> None:
    from entrepot.fraud.train.horizons import _moved_rows

    before = np.asarray([[0.0, np.nan], [1.0, 2.0], [0.5, np.nan], [3.0, 4.0]])
    after = np.asarray([[-0.0, np.nan], [1.0, 2.0], [0.5, 0.0], [3.0, np.nextafter(4.0, 5)]])
    assert _moved_rows(before, after).tolist() == [0, 2, 3]


@pytest.mark.parametrize("rows", [2_001, 2_002])
def test_a_promise_counted_a_slice_at_a_time_is_the_whole_files(
    monkeypatch: pytest.MonkeyPatch, rows: int
) -> None:
    """Regression (issue 40 item 3): the promise's temporaries were the file's (about 60
    bytes a row, the peak of a 20M-row scoring); counted in slices of 33 rows, with rows
    beyond every label, rows without a time and an odd or even count of finite horizons,
    every figure is the one computed here over the whole file with plain numpy."""
    rng = np.random.default_rng(rows)
    card = {**_card(), "observed": {"days": 10.0, "test_center": 100.0 * DAY}}
    figures = cast("list[dict[str, float]]", card["figures"])
    days = np.asarray([f["days"] for f in figures], dtype=np.float64)
    horizons = rng.uniform(0.0, 90.0, rows)
    horizons[::11] = np.inf
    proba = rng.beta(0.3, 6.0, rows)
    seconds = (rng.uniform(80.0, 160.0, rows) * DAY).astype(np.int64)
    seconds[::13] = np.iinfo(np.int64).min
    whole = promised(card, horizons, proba, seconds)
    monkeypatch.setattr("entrepot.fraud.score.promise_rows.SLICE_ROWS", 33)
    sliced = promised(card, horizons, proba, seconds)
    finite = horizons[np.isfinite(horizons)]
    assert sliced["horizon_days"] == {
        "min": round(float(finite.min()), 2),
        "median": round(float(np.median(finite)), 2),
        "max": round(float(finite.max()), 2),
    }
    bucket = np.clip(np.searchsorted(days, horizons, side="right") - 1, 0, len(days) - 1)
    assert [r["rows"] for r in sliced["rows_by_horizon"]] == np.bincount(bucket).tolist()
    assert sliced["beyond_rows"] == int((horizons > days[-1]).sum())
    known = seconds != np.iinfo(np.int64).min
    after = np.maximum(0.0, seconds[known] / DAY - 100.0)
    elapsed = float((after * proba[known]).sum() / proba[known].sum())
    assert sliced["elapsed_days"] == pytest.approx(round(elapsed, 2), abs=0.006)
    figure = np.interp(np.minimum(horizons, days[-1]), days, [f["auprc"] for f in figures])
    assert sliced["auprc"]["value"] == pytest.approx(
        float((figure * proba).sum() / proba.sum()), abs=1e-4
    )
    assert sliced == whole


def test_rows_of_no_weight_are_aged_by_their_plain_mean_in_slices(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where the timed rows expect no fraud (every probability on the rows without a time),
    the file's age is their plain mean distance, counted over every slice."""
    card = {**_card(), "observed": {"days": 10.0, "test_center": 100.0 * DAY}}
    after = np.arange(100, dtype=float)
    seconds = ((100.0 + after) * DAY).astype(np.int64)
    seconds[-1] = np.iinfo(np.int64).min
    proba = np.zeros(100)
    proba[-1] = 0.5
    monkeypatch.setattr("entrepot.fraud.score.promise_rows.SLICE_ROWS", 33)
    found = promised(card, np.full(100, 7.0), proba, seconds)
    assert found["elapsed_days"] == pytest.approx(after[:-1].mean())


def test_a_promise_finds_each_slices_horizons_alone_and_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Regression (issue 40 item 3): a scoring's promise held every row's horizon at once
    (8 bytes a row, the peak of a 20M-row scoring's last steps); found a slice at a time as
    they are counted, no array of the file's rows is asked for, and the promise is the
    one the whole array gives, bit for bit."""
    from entrepot.fraud.score import promise, promise_rows

    rng = np.random.default_rng(3)
    labels = np.sort(rng.integers(0, 90 * DAY, 400))
    seconds = rng.integers(0, 120 * DAY, 5000)
    seconds[::89] = np.iinfo(np.int64).min
    proba = rng.random(5000) * 0.2
    card = {**_card(), "observed": {"days": 14, "test_center": 60 * DAY}}
    whole = promised(card, row_horizons(seconds, labels, 7), proba, seconds)
    monkeypatch.setattr(promise_rows, "SLICE_ROWS", 700)
    whole_sliced = promised(card, row_horizons(seconds, labels, 7), proba, seconds)
    asked: list[int] = []
    real = promise._horizons

    def spied(some: np.ndarray, known: np.ndarray, delay: float) -> np.ndarray:
        asked.append(len(some))
        return real(some, known, delay)

    monkeypatch.setattr(promise, "_horizons", spied)
    found = promise.promise_of(promise.RowTimes(card, seconds, labels), proba)
    assert asked and max(asked) <= 700  # a slice's horizons at a time, never the file's
    assert found == whole_sliced
    assert found["horizon_days"] == whole["horizon_days"]
