"""A counterparty's amounts against its customers' habits: exact values, no look-ahead."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.model.amount_shift import amount_shift_features
from entrepot.fraud.model.features import FeatureBuilder, FeatureSpec

DAY = 86_400
T0 = 1_700_000_000
_NAT = np.iinfo(np.int64).min


def _hand_made() -> dict[str, np.ndarray]:
    # Log amounts (log1p) 1, 3, 2, 5, 4 on days 0, 0.5, 2, 3, 10.
    logs = np.array([1.0, 3.0, 2.0, 5.0, 4.0])
    return {
        "counterparty": np.array([0, 1, 0, 0, 0]),
        "customer": np.array([0, 0, 1, 0, 1]),
        "seconds": T0 + (np.array([0, 0.5, 2, 3, 10]) * DAY).astype(np.int64),
        "amount": np.expm1(logs),
    }


def _shift(data: dict[str, np.ndarray], windows: tuple[int, ...] = (1, 7)) -> dict[str, np.ndarray]:
    return amount_shift_features(
        data["counterparty"], data["customer"], data["seconds"], data["amount"], windows, "cp"
    )


def test_shift_and_evidence_on_a_hand_made_table() -> None:
    # Residuals against the customer's 7-day mean log amount (the row included):
    # row 0: 1 - 1 = 0; row 1: 3 - 2 = 1; row 2: 2 - 2 = 0; row 3: 5 - (1+3+5)/3 = 2;
    # row 4: 4 - 4 = 0 (its customer's row of day 2 is 8 days back).
    out = _shift(_hand_made())
    assert out["cp_amount_shift_1d"] == pytest.approx([0, 1, 0, 2, 0])
    # Counterparty 0 holds rows 0, 2, 3, 4; a row exactly one window back is out of it.
    assert out["cp_amount_shift_7d"] == pytest.approx([0, 1, 0, 2 / 3, 0])
    assert out["cp_amount_evidence_7d"] == pytest.approx([0, 1, 0, 2 / math.sqrt(3), 0])
    assert out["cp_amount_evidence_1d"] == pytest.approx([0, 1, 0, 2, 0])


def test_missing_amount_entity_or_time_is_left_out() -> None:
    data = _hand_made()
    data["amount"][0] = np.nan  # row 3's customer mean becomes (3+5)/2: residual 1
    data["customer"][2] = -1  # row 2 has no residual
    data["seconds"][4] = _NAT
    out = _shift(data)
    shift = out["cp_amount_shift_7d"]
    assert np.isnan(shift[0])  # no residual known in its window
    assert shift[1] == pytest.approx(0.0)  # row 1's customer mean is 3 now
    assert np.isnan(shift[2])
    assert shift[3] == pytest.approx(1.0)  # rows 0 and 2 known without a residual
    assert np.isnan(shift[4])
    assert out["cp_amount_evidence_7d"][3] == pytest.approx(1.0)


def test_a_row_never_depends_on_later_rows() -> None:
    rng = np.random.default_rng(3)
    n = 400
    data = {
        "counterparty": rng.integers(0, 6, n),
        "customer": rng.integers(0, 15, n),
        "seconds": np.sort(T0 + rng.integers(0, 40 * DAY, n)),
        "amount": rng.lognormal(3, 1, n),
    }
    full = _shift(data, (1, 7, 30))
    cut = 250
    head = _shift({k: v[:cut] for k, v in data.items()}, (1, 7, 30))
    for name, values in head.items():
        # Equal up to the rounding of sums running over the other entities' rows.
        np.testing.assert_allclose(values, full[name][:cut], rtol=1e-9, atol=1e-12, err_msg=name)
    # And later rows do see the earlier ones.
    assert np.isfinite(full["cp_amount_shift_30d"]).all()


def test_a_terminal_whose_amounts_rise_stands_out() -> None:
    rng = np.random.default_rng(0)
    n = 3000
    terminal = rng.integers(0, 10, n)
    seconds = np.sort(T0 + rng.integers(0, 60 * DAY, n))
    amount = rng.lognormal(3, 0.3, n)
    raised = (terminal == 4) & (seconds > T0 + 30 * DAY)
    amount[raised] *= 1.5
    data = {
        "counterparty": terminal,
        "customer": rng.integers(0, 100, n),
        "seconds": seconds,
        "amount": amount,
    }
    shift = _shift(data)["cp_amount_shift_7d"]
    late = seconds > T0 + 40 * DAY
    others = late & (terminal != 4)
    assert shift[late & (terminal == 4)].min() > np.percentile(shift[others], 90)


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ts": ["2024-01-01 10:00:00", "2024-01-02 12:00:00", "2024-01-03 09:00:00"],
            "amount": [10.0, 30.0, 20.0],
            "customer": ["c1", "c2", "c1"],
            "terminal": [1, 1, 2],
        }
    )


SPEC = FeatureSpec(
    timestamp="ts",
    time_format="%Y-%m-%d %H:%M:%S",
    amount="amount",
    customers=("customer",),
    counterparties=("terminal",),
)


def test_the_builder_adds_them_per_counterparty_and_window() -> None:
    frame, y = _frame(), np.zeros(3)
    builder = FeatureBuilder(SPEC).fit(frame, y)
    names = [n for n in builder.feature_names_ if "_amount_" in n and "counterparty" in n]
    assert names == [
        f"counterparty0_amount_{kind}_{w}d" for w in (1, 7, 30) for kind in ("shift", "evidence")
    ]
    assert builder.sources()["counterparty0_amount_shift_7d"] == (
        "terminal",
        "ts",
        "customer",
        "amount",
    )
    out = builder.transform(frame, history=False)
    assert out["counterparty0_amount_shift_30d"].tolist() == pytest.approx(
        [0.0, 0.0, math.log1p(20) - (math.log1p(10) + math.log1p(20)) / 2]
    )


def test_none_without_a_customer_or_when_off_or_for_a_builder_saved_before() -> None:
    frame, y = _frame(), np.zeros(3)
    no_customer = FeatureSpec(**{**SPEC.__dict__, "customers": ()})
    off = FeatureBuilder(SPEC, amount_shift=False).fit(frame, y)
    old = FeatureBuilder(SPEC)
    del old.amount_shift  # as unpickled from a version without the option
    old.fit(frame, y)
    for builder in (FeatureBuilder(no_customer).fit(frame, y), off, old):
        assert not any("_amount_shift_" in n for n in builder.feature_names_)
        assert not builder.makes_amount_shift
