"""A day on which no roadworks are running: the real chantiers export collected long after
its last work ended (as ``entrepot city collect`` stores it, as of the day it was fetched)
gives a day of zero works, never an internal error (pandas refused to multiply the weights
of an empty text column)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd

from entrepot.city.processors.roadworks import ROADWORKS_COLUMNS, roadworks_metrics
from entrepot.city.readers import read_csv
from entrepot.city.referentiel import empty_referentiel
from tests.support.real_paris import real


def test_a_day_after_every_work_ended_has_no_work_and_no_error() -> None:
    path = Path(real("chantiers-perturbants.csv"))
    ends = pd.read_csv(path, sep=";", encoding="utf-8-sig", usecols=["Date de fin"])
    after = pd.to_datetime(ends["Date de fin"], errors="coerce").max().date() + timedelta(days=1)
    frame = read_csv(path.read_bytes(), path.name, ROADWORKS_COLUMNS)
    metrics = roadworks_metrics(frame, empty_referentiel(), after)
    assert metrics["active_works"] == 0 and metrics["top_works"] == []
    assert metrics["total_score"] == 0 and metrics["by_arrondissement"] == []
