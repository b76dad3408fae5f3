"""What ``performance.json`` and ``schema.json`` record beside the figures: the data and its
splits, the input schema a scoring checks, and the library versions that trained."""

from __future__ import annotations

from importlib import metadata
from typing import Any

import numpy as np
import pandas as pd

from entrepot.fraud.model.features import FeatureSpec
from entrepot.fraud.schema.analysis import Analysis
from entrepot.fraud.tables.timeparse import parse_times
from entrepot.fraud.train.result import json_ready
from entrepot.fraud.train.splits import Splits

SCHEMA_FORMAT = "entrepot.fraud.schema/1"


def data_summary(
    analysis: Analysis,
    data: pd.DataFrame,
    y: np.ndarray,
    splits: Splits,
    spec: FeatureSpec,
    names: list[str],
) -> dict[str, Any]:
    """The data ``performance.json`` describes: rows, frauds, splits, inputs, features."""
    parts: dict[str, Any] = {}
    times = parse_times(data[spec.timestamp], spec.time_format) if spec.time_format else None
    for part, rows in (
        ("train", splits.train),
        ("validation", splits.validation),
        ("gap", splits.gap),
        ("test", splits.test),
    ):
        entry: dict[str, Any] = {"rows": len(rows), "frauds": int(y[rows].sum())}
        if times is not None and splits.kind == "time" and len(rows):
            entry["start"] = str(times.iloc[rows].min())
            entry["end"] = str(times.iloc[rows].max())
        parts[part] = entry
    return {
        "rows": analysis.rows,
        "labelled_rows": len(y),
        "frauds": int(y.sum()),
        "fraud_rate": float(y.mean()),
        "target": analysis.target,
        "split": splits.kind,
        "splits": parts,
        "input_columns": spec.input_columns,
        "ignored_columns": {
            c.name: c.role for c in analysis.columns if c.name not in spec.input_columns
        },
        "features": names,
    }


def input_schema(analysis: Analysis, spec: FeatureSpec, names: list[str]) -> dict[str, Any]:
    """``schema.json``: the label, the time, the inputs and every column's role."""
    return {
        "format": SCHEMA_FORMAT,
        "target": analysis.target,
        "positive": json_ready(analysis.positive),
        "timestamp": spec.timestamp,
        "time_format": spec.time_format,
        "amount": spec.amount,
        "id_columns": analysis.with_role("id"),
        "input_columns": spec.input_columns,
        "columns": [c.to_dict() for c in analysis.columns],
        "features": names,
    }


def library_versions() -> dict[str, str]:
    """The installed versions of the libraries a model depends on."""
    found = {}
    for package in ("entrepot", "scikit-learn", "lightgbm", "xgboost", "pandas", "numpy"):
        found[package] = "not installed"
        for name in (package, f"{package}-cpu"):  # xgboost ships as xgboost-cpu too
            try:
                found[package] = metadata.version(name)
                break
            except metadata.PackageNotFoundError:
                continue
    return found
