"""Each family of ``city check`` agrees with the processors on real Paris exports, through
the library (the command line's test is ``tests/e2e/test_city_check.py``), and a changed
stored value of each family is named."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from entrepot.city.check.checker import check
from entrepot.city.lake import Lake
from entrepot.city.metrics.url import open_metrics
from entrepot.city.pipeline import DayProcessor
from tests.support.real_paris import AS_OF, CHANTIERS, REFERENTIEL, imported, real

COUNTERS = "comptage-velo-donnees-compteurs.csv"
NOT_CHECKED = {"roadworks": "top_works", "bikes": "counters.anomalies"}
CASES = [
    ("roadworks", (CHANTIERS, REFERENTIEL), AS_OF.date() - timedelta(days=3), "total_score"),
    ("bikes", (COUNTERS,), date(2021, 9, 1), "counters.total_count"),
]


@pytest.mark.parametrize(("kind", "names", "day", "changed"), CASES)
def test_a_family_checks_clean_and_a_changed_value_is_named(
    tmp_path: Path, kind: str, names: tuple[str, ...], day: date, changed: str
) -> None:
    store, _ = imported(*(real(n) for n in names))
    document = getattr(DayProcessor(Lake(store)), kind)(day)
    with open_metrics(f"sqlite:///{tmp_path / 'metrics.db'}") as metrics:
        metrics.put(kind, day, document)
        clean = check(store, metrics)
        assert (clean.days, clean.differences) == (1, [])
        assert clean.metrics_checked >= 10
        assert f"{kind}.{NOT_CHECKED[kind]}" in clean.not_checked  # said, not left out
        held = document["metrics"]
        for part in changed.split(".")[:-1]:
            held = held[part]
        last = changed.rsplit(".", 1)[-1]
        was = held[last]
        held[last] = was + 1
        metrics.put(kind, day, document)
        found = check(store, metrics).as_dict()["differences"]
    assert [(d["metric"], d["stored"], d["recomputed"]) for d in found] == [
        (f"{kind}.{changed}", was + 1, was)
    ]


def test_a_stored_day_without_its_raw_objects_is_named_not_checked(tmp_path: Path) -> None:
    store, _ = imported(real(COUNTERS))
    document = DayProcessor(Lake(store)).bikes(date(2021, 9, 1))
    gone = date(2019, 1, 1)  # a document kept with its input missing: no object that day
    with open_metrics(f"sqlite:///{tmp_path / 'metrics.db'}") as metrics:
        metrics.put("bikes", gone, document)
        found = check(store, metrics)
    assert (found.days, found.differences) == (0, [])
    assert "bikes:2019-01-01" in found.not_checked
