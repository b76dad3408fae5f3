"""Parsing and pruning hive partitions, without I/O."""

from __future__ import annotations

from datetime import date

import pytest

from entrepot.city.errors import PartitionError
from entrepot.city.partitions import Partition, parse_key, prune

PREFIX = "raw/api/bikes/"


def test_a_well_formed_key_gives_its_partition_and_name() -> None:
    parsed = parse_key("bikes", PREFIX, PREFIX + "dt=2025-11-04/hour=07/bikes_data.json")
    assert parsed == (Partition("bikes", date(2025, 11, 4), 7), "bikes_data.json")


def test_markers_are_skipped() -> None:
    assert parse_key("bikes", PREFIX, PREFIX + "dt=2025-11-04/hour=07/_SUCCESS") is None
    assert parse_key("bikes", PREFIX, PREFIX + "_temporary/x/y/z.json") is None


@pytest.mark.parametrize(
    ("rest", "reason"),
    [
        ("2025-11-04/hour=07/a.json", "dt=YYYY-MM-DD"),
        ("dt=2025-13-04/hour=07/a.json", "not a real date"),
        ("dt=2025-11-4/hour=07/a.json", "dt=YYYY-MM-DD"),
        ("dt=2025-11-04/hour=24/a.json", "does not exist"),
        ("dt=2025-11-04/hour=7/a.json", "hour=HH"),
        ("dt=2025-11-04/h=07/a.json", "hour=HH"),
        ("dt=2025-03-30/hour=02/a.json", "does not exist on the Paris local day"),
        ("dt=2025-11-04/a.json", "folder level"),
        ("dt=2025-11-04/hour=07/extra/a.json", "folder level"),
    ],
)
def test_a_malformed_key_is_refused_and_named(rest: str, reason: str) -> None:
    key = PREFIX + rest
    with pytest.raises(PartitionError, match=reason) as info:
        parse_key("bikes", PREFIX, key)
    assert info.value.key == key
    assert key in str(info.value)
    assert "dt=YYYY-MM-DD/hour=HH" in str(info.value)  # the hint says the expected layout


def test_prune_keeps_days_within_the_bounds() -> None:
    days = [date(2025, 11, d) for d in (5, 1, 3, 2, 4)]
    assert prune(days, date(2025, 11, 2), date(2025, 11, 4)) == [
        date(2025, 11, d) for d in (2, 3, 4)
    ]
    assert prune(days, start=date(2025, 11, 4)) == [date(2025, 11, 4), date(2025, 11, 5)]
    assert prune(days, end=date(2025, 11, 1)) == [date(2025, 11, 1)]
    assert prune(days) == sorted(days)
