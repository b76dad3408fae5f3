"""The counterparty features routed from the cut that makes them to the cut that reads
them (``counterparty_cut.RoutedMade``, issue 40 item 3): each customer part is given its
rows' features in its order, whatever the number of parts, each row's part held in the
narrowest integer that numbers them."""

from __future__ import annotations

import numpy as np
import pytest

from entrepot.fraud.score.counterparty_cut import Made, RoutedMade

ROWS = 3_000


@pytest.mark.parametrize(("parts", "dtype"), [(1, np.uint8), (3, np.uint8), (300, np.uint16)])
def test_each_part_is_given_its_rows_features_in_its_order(parts: int, dtype: type) -> None:
    rng = np.random.default_rng(parts)
    owner = rng.integers(0, parts, ROWS)
    owner[:parts] = np.arange(parts)  # every part holds a row
    customer = [rng.permutation(np.flatnonzero(owner == part)) for part in range(parts)]
    values = rng.random((ROWS, 2))
    with RoutedMade(customer, ROWS) as routed:
        assert routed._owner is not None and routed._owner.dtype == dtype
        # made in another cut: the rows in four counterparty parts, in another order
        for made in np.array_split(rng.permutation(ROWS), 4):
            routed.put([Made(("a", "b"), values[made])], made)
        routed.seal()
        for part, rows in enumerate(customer):
            (given,) = routed.given(part)
            np.testing.assert_array_equal(given["a"], values[rows, 0])
            np.testing.assert_array_equal(given["b"], values[rows, 1])
