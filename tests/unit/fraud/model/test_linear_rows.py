"""A logistic pipeline's probability of a row does not depend on the rows scored beside
it (issue 40: a table scored in parts gave its parts' tail rows other last bits, where a
matrix-vector product rounded each row by its place in the kernel's block)."""

from __future__ import annotations

import numpy as np
import pytest

from entrepot.fraud.model import linear
from entrepot.fraud.train.logistic import logistic_pipeline


@pytest.mark.parametrize("features", [3, 17, 34])
def test_a_rows_probability_is_the_same_bits_in_any_batch(features: int) -> None:
    rng = np.random.default_rng(features)
    x = rng.normal(size=(600, features)) * rng.uniform(0.1, 1e4, features)
    x[rng.random(x.shape) < 0.05] = np.nan
    y = (rng.random(600) < 0.2).astype(int)
    pipeline = logistic_pipeline({}).fit(x, y)
    whole = linear.probabilities(pipeline, x)
    for start, stop in [(599, 600), (598, 600), (0, 1), (3, 10), (101, 333), (0, 599)]:
        part = linear.probabilities(pipeline, x[start:stop])
        assert part.tobytes() == whole[start:stop].tobytes(), (start, stop)
    one_by_one = np.concatenate([linear.probabilities(pipeline, x[i : i + 1]) for i in range(600)])
    assert one_by_one.tobytes() == whole.tobytes()
    # and it is the pipeline's own probability
    np.testing.assert_allclose(whole, pipeline.predict_proba(x)[:, 1], rtol=1e-12, atol=1e-15)
