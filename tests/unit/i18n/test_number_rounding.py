"""A figure is rounded from the float's exact value, as ``round()`` rounds it: Babel alone
rounded its shortest text half-even, so 19.905 (stored as 19.90500...1) showed 19.90 on the
review page where the API's figure rounds to 19.91."""

from __future__ import annotations

import pytest

from entrepot.i18n.formats import Formats


@pytest.mark.parametrize("value", [19.905, 0.125, 2.675, 1.005, 784.365, 1234567.891, -3.335])
@pytest.mark.parametrize("digits", [0, 1, 2])
def test_a_number_is_written_as_round_rounds_it(value: float, digits: int) -> None:
    expected = f"{round(value, digits):,.{digits}f}"
    assert Formats("en").number(value, digits) == expected
    french = expected.replace(",", "\u202f").replace(".", ",")
    assert Formats("fr").number(value, digits).replace("\u00a0", "\u202f") == french
