"""``in_parts`` takes each cited column's cells once: the same messages as reading each
cell alone (``frame.iat``), for every kind of column, NaN contributions and repeated
rows."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from entrepot.fraud.score.words import cell_value, in_parts
from entrepot.messages import Message


def _cell_by_cell(
    frame: pd.DataFrame, rows: np.ndarray, pushed: np.ndarray, top: int, minimum: float
) -> list[tuple[Message, ...]]:
    order = np.argsort(-pushed, axis=1, kind="stable")[:, :top]
    return [
        tuple(
            Message(
                "explanation.cell",
                {"column": frame.columns[j], "value": cell_value(frame.iat[row, j])},
            )
            for j in order[i].tolist()
            if not pushed[i, j] <= minimum
        )
        for i, row in enumerate(rows.tolist())
    ]


def test_the_same_messages_as_one_cell_at_a_time() -> None:
    rng = np.random.default_rng(3)
    n = 50
    frame = pd.DataFrame(
        {
            "amount": rng.normal(100, 30, n),
            "count": rng.integers(0, 10**6, n),
            "merchant": [("a", "b", None)[i] for i in rng.integers(0, 3, n)],
            "when": pd.to_datetime("2025-01-01") + pd.to_timedelta(rng.integers(0, 90, n), "D"),
            "flag": rng.random(n) > 0.5,
            "nullable": pd.array([None if i % 7 == 0 else i for i in range(n)], dtype="Int64"),
            "kind": pd.Categorical(rng.choice(["x", "y"], n)),
        }
    )
    frame.loc[3, "amount"] = math.nan
    rows = np.array([5, 3, 3, 49, 0, 17])
    pushed = rng.normal(0, 1, (len(rows), frame.shape[1]))
    pushed[1, 2] = math.nan  # cited when the top reaches it, as before
    pushed[4, :] = -1.0  # nothing pushes this row up
    got = in_parts(frame, rows, pushed, [str(c) for c in frame.columns], top=3, minimum=1e-3)
    assert got == _cell_by_cell(frame, rows, pushed, 3, 1e-3)
    assert got[4] == ()
    every = in_parts(frame, rows, pushed, [str(c) for c in frame.columns], top=7, minimum=1e-3)
    assert every == _cell_by_cell(frame, rows, pushed, 7, 1e-3)
    assert any(m.params["column"] == "merchant" for m in every[1])  # NaN sorts last


def test_a_category_code_is_written_as_its_digits_never_grouped() -> None:
    """Regression: a merchant category code of the generated files (a number the model reads
    as a category) showed as ``mcc 7,995``; a category shows its digits (``mcc 7995``), a
    number keeps its grouping (``amount 2,340``)."""
    from entrepot.i18n.messages import english_parts, speaker

    frame = pd.DataFrame(
        {"mcc": [7995, 5411], "zone": [7995.0, math.nan], "amount": [2340, 12.5], "w": ["a", "b"]}
    )
    pushed = np.array([[3.0, 2.0, 1.0, 0.0], [1.0, 0.5, 2.0, 0.0]])
    labels = list(frame.columns)
    said = in_parts(frame, np.array([0, 1]), pushed, labels, categories=frozenset({"mcc", "zone"}))
    assert english_parts(said[0]) == "mcc 7995; zone 7995; amount 2,340"
    assert english_parts(said[1]) == "amount 12.50; mcc 5411; zone missing"
    assert speaker("fr").parts(said[0]) == "mcc 7995\u202f; zone 7995\u202f; amount 2\u202f340"
