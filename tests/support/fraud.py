"""Fraud models for tests, built once per process: a small reference library, and models
of every family trained on text timestamps."""

from __future__ import annotations

from functools import cache
from typing import TypedDict

import pandas as pd

from entrepot.fraud.library.build import build_references
from entrepot.fraud.library.libraries import (
    MemoryLibrary,
)
from entrepot.fraud.match.description import describe
from entrepot.fraud.model.saved import FraudModel
from entrepot.fraud.synth.generator import generate
from entrepot.fraud.tables.timeparse import parse_times
from entrepot.fraud.train.training import train
from tests.support.clock import TickingClock


class LibraryOptions(TypedDict, total=False):
    """Keyword arguments of :func:`build_references` (all but the library, the progress
    and the clock: a new one for each build)."""

    count: int
    seed: int
    rows: int
    min_frauds: int
    max_rows: int
    time_budget: float
    models: tuple[str, ...]
    fit_legitimate: int | None
    n_jobs: int


#: The reference library of :func:`small_library`. Its budgets are read on a ticking
#: clock (one thread per fit; pass a new one, ``clock=TickingClock()``, to each build), so
#: its models are the same on any machine load: under a wall clock a loaded machine cut
#: the search short and the mobile-money reference was sometimes a weaker model, which
#: failed tests of the scores depending on it.
SMALL_LIBRARY: LibraryOptions = {
    "count": 4,
    "rows": 4000,
    "min_frauds": 80,
    "time_budget": 1.0,
    "models": ("lightgbm", "xgboost"),
    "n_jobs": 1,
}


@cache
def small_library() -> MemoryLibrary:
    """card payments (en), e-commerce (fr), mobile money (en), wire transfers (fr)."""
    library = MemoryLibrary()
    build_references(library, clock=TickingClock(), **SMALL_LIBRARY)
    return library


TEXT_FORMAT = "%Y-%m-%d %H:%M:%S"


@cache
def training_frame() -> tuple[pd.DataFrame, str]:
    """Card payments whose timestamp is text, so the models learn a text format."""
    data = generate("card_payments", 4000, fraud_rate=0.05, seed=3)
    frame = data.frame.copy()
    stamp = data.columns["timestamp"]
    fmt = describe(frame.drop(columns=[data.target])).time_format(stamp)
    assert fmt is not None
    frame[stamp] = parse_times(frame[stamp], fmt).dt.strftime(TEXT_FORMAT)
    return frame, data.target


@cache
def trained(kind: str) -> FraudModel:
    """A model of ``kind`` on :func:`training_frame`, its budget read on a ticking clock."""
    frame, target = training_frame()
    model = train(frame, target, time_budget=2, models=(kind,), clock=TickingClock()).model
    spec = model.features.spec
    assert spec.time_format == TEXT_FORMAT and spec.customers and spec.counterparties
    assert model.features.history_ is not None and model.anomaly is not None
    return model
