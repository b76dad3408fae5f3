"""Features from roles: exact behaviour windows, no look-ahead, encodings reused at scoring."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from entrepot.fraud.model.features import FeatureBuilder, FeatureSpec
from entrepot.fraud.schema.analysis import analyze
from entrepot.fraud.schema.target import label_vector
from entrepot.fraud.synth.generator import generate
from entrepot.fraud.tables.timeparse import parse_times

SPEC = FeatureSpec(
    timestamp="ts",
    time_format="%Y-%m-%d %H:%M:%S",
    amount="amount",
    customers=("customer",),
    counterparties=("terminal",),
    categoricals=("channel",),
)


def _tiny() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ts": [
                "2024-01-01 10:00:00",  # Monday
                "2024-01-01 12:00:00",
                "2024-01-03 09:00:00",
                "2024-01-09 02:30:00",
                "2024-01-20 10:00:00",  # Saturday
            ],
            "amount": [10.0, 30.0, 20.0, 100.0, 40.0],
            "customer": ["c1", "c1", "c1", "c1", "c2"],
            "terminal": [1, 1, 2, 1, 1],
            "channel": ["web", "app", "web", None, "web"],
        }
    )


def test_customer_windows_are_exact() -> None:
    frame, y = _tiny(), np.zeros(5)
    out = FeatureBuilder(SPEC).fit(frame, y).transform_labelled(frame, y)
    assert out["customer0_count_1d"].tolist() == [1, 2, 1, 1, 1]
    assert out["customer0_count_7d"].tolist() == [1, 2, 3, 2, 1]
    assert out["customer0_count_30d"].tolist() == [1, 2, 3, 4, 1]
    assert out["customer0_mean_amount_7d"].tolist() == [10, 20, 20, 60, 40]
    assert out["customer0_mean_amount_30d"].iloc[3] == pytest.approx(40.0)
    assert out["customer0_amount_ratio_30d"].iloc[3] == pytest.approx(2.5)
    gaps = out["customer0_seconds_since_previous"].tolist()
    assert np.isnan(gaps[0])
    assert gaps[1:4] == [7200, 162000, 495000]
    assert np.isnan(gaps[4])


def test_time_parts() -> None:
    frame, y = _tiny(), np.zeros(5)
    out = FeatureBuilder(SPEC).fit(frame, y).transform(frame)
    assert out["hour"].tolist() == [10, 12, 9, 2.5, 10]
    assert out["is_night"].tolist() == [0, 0, 0, 1, 0]
    assert out["is_weekend"].tolist() == [0, 0, 0, 0, 1]
    assert out["weekday"].tolist() == [0, 0, 2, 1, 5]
    assert out["hour_sin"].iloc[0] == pytest.approx(np.sin(2 * np.pi * 10 / 24))


def test_terminal_risk_sees_labels_only_after_the_delay() -> None:
    frame = pd.DataFrame(
        {
            "ts": [f"2024-01-{d:02d} 10:00:00" for d in (1, 2, 5, 8, 9, 20)],
            "amount": 1.0,
            "customer": "c",
            "terminal": 7,
            "channel": "web",
        }
    )
    y = np.array([1.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    out = FeatureBuilder(SPEC).fit(frame, y).transform_labelled(frame, y)
    # a row on day t sees the labels of (t - 7 - w, t - 7]: the day-1 fraud shows on day 8
    week = out["counterparty0_risk_7d"].to_numpy()
    assert np.isnan(week[:3]).all()
    assert week[3:].tolist() == [1.0, 0.5, 0.0]
    day = out["counterparty0_risk_1d"].to_numpy()
    assert np.isnan(day[:3]).all()
    assert day[3:5].tolist() == [1.0, 0.0]
    assert np.isnan(day[5])
    assert out["counterparty0_count_30d"].tolist() == [1, 2, 3, 4, 5, 6]


def test_without_label_features_the_risk_is_unknown_as_in_an_unlabelled_file() -> None:
    frame = pd.DataFrame(
        {
            "ts": [f"2024-01-{d:02d} 10:00:00" for d in (1, 2, 5, 8, 9, 20)],
            "amount": 1.0,
            "customer": "c",
            "terminal": 7,
            "channel": "web",
        }
    )
    y = np.array([1.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    builder = FeatureBuilder(SPEC, label_features=False).fit(frame, y)
    labelled = builder.transform_labelled(frame, y)
    risk = [c for c in labelled.columns if "_risk_" in c]
    assert risk and labelled[risk].isna().all().all()
    assert builder.history_ is not None and builder.history_["__label"].isna().all()
    unlabelled = builder.transform(frame, history=False)
    pd.testing.assert_frame_equal(labelled, unlabelled)
    old = FeatureBuilder(SPEC).fit(frame, y)
    del old.label_features  # saved before the option existed: labels feed the risk
    assert old.uses_labels and old.get_params()["label_features"] is True
    assert "FeatureBuilder" in repr(old)
    assert old.transform_labelled(frame, y)["counterparty0_risk_7d"].notna().any()


def test_features_of_a_row_never_depend_on_later_rows() -> None:
    data = generate("card_payments", 6000, fraud_rate=0.05, seed=8)
    frame = data.frame
    analysis = analyze(frame)
    spec = FeatureSpec.from_analysis(analysis)
    y = label_vector(frame[data.target], analysis.positive)
    builder = FeatureBuilder(spec).fit(frame, y)
    before = builder.transform_labelled(frame, y)
    cut = len(frame) // 2  # the generator's rows are in time order
    future = frame.copy()
    rng = np.random.default_rng(0)
    later = slice(cut + 1, None)
    future.loc[future.index[later], data.columns["amount"]] *= rng.uniform(
        0.1, 50, len(frame) - cut - 1
    )
    customer = data.columns["customer"]
    future.loc[future.index[later], customer] = future[customer].iloc[::-1].to_numpy()[later]
    y_future = y.copy()
    y_future[later] = 1.0 - y_future[later]
    after = builder.transform_labelled(future, y_future)
    stamp = data.columns["timestamp"]
    parsed = parse_times(frame[stamp], spec.time_format or "")
    earlier = (parsed < parsed.iloc[cut + 1]).to_numpy()
    assert earlier.sum() > 2000
    pd.testing.assert_frame_equal(before[earlier], after[earlier])
    assert not before[~earlier].equals(after[~earlier])  # the change did reach later rows


def test_categories_learnt_at_fit_are_reused_unknown_and_missing_handled() -> None:
    train = pd.DataFrame({"channel": ["web"] * 5 + ["app"] * 3 + ["phone"]})
    spec = FeatureSpec(categoricals=("channel",))
    builder = FeatureBuilder(spec, max_levels=2).fit(train)
    new = pd.DataFrame({"channel": ["app", "phone", "fax", None]})
    out = builder.transform(new)
    assert out["channel__code"].iloc[:3].tolist() == [1, 2, -1]  # app, rare-seen, unseen
    assert np.isnan(out["channel__code"].iloc[3])
    assert out["channel__freq"].iloc[:3].tolist() == pytest.approx([3 / 9, 1 / 9, 0.0])
    assert np.isnan(out["channel__freq"].iloc[3])


def test_absent_columns_are_read_as_missing_and_reported() -> None:
    frame, y = _tiny(), np.zeros(5)
    builder = FeatureBuilder(SPEC).fit(frame, y)
    partial = frame.drop(columns=["channel", "amount"])
    out = builder.transform(partial)
    assert builder.missing_columns(partial) == ["amount", "channel"]
    assert out["amount"].isna().all()
    assert out["channel__code"].isna().all()
    assert list(out.columns) == builder.feature_names_


def test_scoring_continues_the_history_of_the_training_rows() -> None:
    data = generate("retail_pos", 5000, seed=2, variety=False)
    frame = data.frame
    analysis = analyze(frame)
    spec = FeatureSpec.from_analysis(analysis)
    y = label_vector(frame["is_fraud"], analysis.positive)
    old, new = frame.iloc[:4000], frame.iloc[4000:]
    builder = FeatureBuilder(spec).fit(old, y[:4000])
    assert builder.history_ is not None
    assert len(builder.history_) < 4000  # only the last window plus the delay is kept
    seen_fresh = builder.transform(new)
    whole = builder.transform_labelled(frame, np.r_[y[:4000], np.full(1000, np.nan)])
    counts = [c for c in seen_fresh.columns if "_count_" in c]
    pd.testing.assert_frame_equal(seen_fresh[counts], whole.iloc[4000:][counts])


def test_sklearn_compatibility() -> None:
    builder = FeatureBuilder(SPEC, windows=(1, 7))
    copy = clone(builder)
    assert copy.get_params()["windows"] == (1, 7)
    frame = _tiny()
    fitted = copy.fit(frame, np.zeros(5))
    assert list(fitted.get_feature_names_out()) == list(fitted.transform(frame).columns)
    assert "customer0_count_7d" in fitted.feature_names_
    assert "customer0_count_30d" not in fitted.feature_names_


def test_the_matrix_is_the_transform_without_a_frame() -> None:
    data = generate("card_payments", 3000, seed=5)
    frame = data.frame
    analysis = analyze(frame)
    builder = FeatureBuilder(FeatureSpec.from_analysis(analysis)).fit(frame.iloc[:2000])
    for history in (True, False):
        expected = builder.transform(frame.iloc[2000:], history=history).to_numpy(dtype=float)
        np.testing.assert_array_equal(builder.matrix(frame.iloc[2000:], history=history), expected)
    timestamp = analysis.timestamp
    assert timestamp is not None
    time_format = analysis.column(timestamp).time_format
    assert time_format is not None
    stamps = parse_times(frame[timestamp], time_format)
    out = builder.transform(frame)
    np.testing.assert_array_equal(out["day_of_month"], stamps.dt.day.to_numpy(dtype=float))
    np.testing.assert_array_equal(out["weekday"], stamps.dt.day_of_week.to_numpy(dtype=float))


def test_category_codes_ignore_how_numbers_are_written() -> None:
    spec = FeatureSpec(categoricals=("mcc",))
    builder = FeatureBuilder(spec).fit(pd.DataFrame({"mcc": [5411.0, 5411.0, np.nan, 5812.0]}))
    out = builder.transform(pd.DataFrame({"mcc": ["5411", 5812, 7995]}))
    assert out["mcc__code"].tolist() == [0, 1, -1]


def test_a_model_reads_timestamps_parsed_from_another_format() -> None:
    frame, y = _tiny(), np.zeros(5)
    builder = FeatureBuilder(SPEC).fit(frame, y)
    parsed = frame.assign(ts=pd.to_datetime(frame["ts"]))
    pd.testing.assert_frame_equal(builder.transform(parsed), builder.transform(frame))


@pytest.mark.parametrize("rows", [None, np.asarray([4, 0, 2])])
def test_a_feature_the_builder_names_but_never_makes_is_an_error_not_garbage(
    rows: np.ndarray | None,
) -> None:
    # The matrix is filled as each feature is made: a column left unfilled would hold
    # whatever the memory held, so it is refused.
    frame = _tiny()
    builder = FeatureBuilder(SPEC).fit(frame, np.zeros(5))
    assert builder.matrix(frame, rows=rows).shape[1] == len(builder.feature_names_)
    builder.feature_names_ = [*builder.feature_names_, "never_made"]
    with pytest.raises(ValueError, match="never_made"):
        builder.matrix(frame, rows=rows)


@pytest.mark.parametrize("rows", [np.asarray([0, -1]), np.asarray([5]), np.asarray([2, 0, 4])])
def test_the_rows_asked_of_the_matrix_are_the_table_s_or_refused(rows: np.ndarray) -> None:
    # each feature is gathered straight into its column without a bounds check of its own
    # (issue 40 item 4): a row outside the table is refused, never read as a clipped one
    frame = _tiny()
    builder = FeatureBuilder(SPEC).fit(frame, np.zeros(5))
    if rows.min() < 0 or rows.max() >= len(frame):
        with pytest.raises(IndexError, match="outside"):
            builder.matrix(frame, rows=rows)
        return
    whole = builder.matrix(frame)
    assert builder.matrix(frame, rows=rows).tobytes() == np.ascontiguousarray(whole[rows]).tobytes()
