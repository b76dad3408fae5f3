"""Issue 41 item 3: the analysts' decisions read for what they are."""

from __future__ import annotations

import numpy as np

from entrepot.fraud.score.known_labels import KnownLabels
from entrepot.fraud.score.passed_over import with_passed_over


def test_rows_passed_over_up_to_the_newest_decision_are_taken_as_legitimate() -> None:
    rng = np.random.default_rng(2)
    n = 300
    times = rng.permutation(n).astype(float)  # a file not in time order
    times[rng.random(n) < 0.05] = np.nan
    rows = np.full(n, np.nan)
    chosen = rng.choice(np.flatnonzero(np.isfinite(times)), 20, replace=False)
    rows[chosen] = rng.integers(0, 2, 20)
    found = with_passed_over(KnownLabels(rows=rows), times)
    assert found.rows is not None
    newest = max(times[i] for i in chosen)
    for i in range(n):  # row by row, from the rule's words
        if i in chosen:
            assert found.rows[i] == rows[i]
        elif np.isfinite(times[i]) and times[i] <= newest:
            assert found.rows[i] == 0.0
        else:
            assert np.isnan(found.rows[i])
    passed = sum(1 for i in range(n) if i not in chosen and times[i] <= newest)
    assert found.passed_over == passed
    assert found.count == 20  # the labels given, not the rows taken as legitimate


def test_no_decision_changes_nothing() -> None:
    known = KnownLabels(rows=np.full(5, np.nan))
    assert with_passed_over(known, np.arange(5.0)) is known
