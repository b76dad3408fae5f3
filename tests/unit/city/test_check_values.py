"""How ``city check`` compares a stored value with its recomputed one: integers, words and
None exactly; floats within one step of their documented digits."""

from __future__ import annotations

from entrepot.city.check.values import MISSING, lookup, same


def test_a_float_is_equal_within_one_step_of_its_digits() -> None:
    assert same(987.0, 987.1, 1) and same(45.509, 45.51, 3)
    assert not same(987.0, 987.2, 1) and not same(45.509, 45.511, 3)


def test_integers_words_and_none_are_exact() -> None:
    assert same(24, 24, None) and not same(24, 25, None)
    assert not same(None, 0.0, 1) and not same("fluid", "dense", None)
    assert not same(True, 1, None)


def test_a_metric_is_found_by_its_path() -> None:
    doc = {"hourly": [{"hour": 0, "rows": 3}, {"hour": 7, "rows": 5}], "max_flow": {"arc": 1}}
    assert lookup(doc, "hourly.hour=7.rows") == 5 and lookup(doc, "max_flow.arc") == 1
    assert lookup(doc, "hourly.hour=8.rows") is MISSING and lookup(doc, "nope") is MISSING
