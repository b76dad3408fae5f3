"""A label candidate is judged on the whole column: the first rows only rule a column out
when they already hold three values."""

from __future__ import annotations

import pandas as pd

from entrepot.fraud.schema.target import _PEEK, score_candidate


def test_a_label_whose_frauds_all_come_late_is_still_found() -> None:
    flags = [0] * (_PEEK * 3) + [1] * 50
    candidate = score_candidate(pd.DataFrame({"is_fraud": flags}), "is_fraud")
    assert candidate is not None and candidate.positive == 1


def test_a_third_value_after_the_first_rows_still_rules_it_out() -> None:
    values = ["yes", "no"] * _PEEK + ["maybe"]
    assert score_candidate(pd.DataFrame({"fraud": values}), "fraud") is None


def test_three_values_in_the_first_rows_rule_it_out() -> None:
    values = ["yes", "no", "maybe"] + ["yes"] * (_PEEK * 2)
    assert score_candidate(pd.DataFrame({"fraud": values}), "fraud") is None
