"""What the prediction page shows of a table of scores: risk counts, anomalies, the
members' agreement, and a preview of the first rows."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from entrepot.fraud.score.ensemble import Ensemble
from entrepot.fraud.score.row_slices import Sliced, sliced_sum
from entrepot.fraud.score.scoring import RISK_LEVELS
from entrepot.messages import N_, Message, Number

#: An anomaly: a row more unusual than this share of the legitimate training rows.
ANOMALY_LEVEL = 0.99
#: Match qualities from which the scores are trusted, and under which they are not.
TRUST_HIGH, TRUST_LOW = 0.6, 0.3
#: AUPRCs on a labelled history from which the scores are trusted, and under which not.
MEASURED_HIGH, MEASURED_LOW = 0.5, 0.2


def summarize(scores: pd.DataFrame, ensemble: Ensemble) -> dict[str, Any]:
    """Counts per risk level, flagged rows, anomalies and agreement of the members.

    ``agreement`` is the share of rows on which every member takes the same decision at
    its own threshold (1.0 for a single model); low agreement means the members read the
    file differently and the scores deserve a second look.
    """
    proba = scores["fraud_probability"].to_numpy(dtype=float)
    return summarized(tally(scores, ensemble), proba, ensemble)


def tally(scores: pd.DataFrame, ensemble: Ensemble) -> dict[str, int]:
    """What the summary counts of ``scores``: its rows, each risk level's rows, the flagged
    rows, the anomalies and the rows every member decides alike. Counts, so that a table's
    are the sums of its parts' in any order (``fraud.score.spilled_scores``)."""
    levels = scores["risk_level"].value_counts()
    anomaly = scores["anomaly_score"].to_numpy(dtype=float)
    decisions = np.vstack(
        [scores[m.column].to_numpy(dtype=float) >= m.threshold for m in ensemble.members]
    )
    counts = {
        "rows": len(scores),
        "flagged": int(scores["prediction"].sum()),
        "anomalies": int(np.nansum(anomaly >= ANOMALY_LEVEL)),
        "agreeing": int((decisions.all(axis=0) | ~decisions.any(axis=0)).sum()),
    }
    return counts | {f"risk.{level}": int(levels.get(level, 0)) for level in RISK_LEVELS}


def summarized(counts: Mapping[str, int], proba: Sliced, ensemble: Ensemble) -> dict[str, Any]:
    """:func:`summarize`'s summary from its :func:`tally` ``counts`` and the rows'
    probabilities ``proba`` (their mean: their slices' sums added in order, over their
    count; an array, or read a slice at a time)."""
    rows = counts.get("rows", 0)
    return {
        "rows": rows,
        "risk": {level: counts.get(f"risk.{level}", 0) for level in RISK_LEVELS},
        "flagged": counts.get("flagged", 0),
        "mean_probability": number(sliced_sum(proba) / len(proba)) if rows and len(proba) else None,
        "anomalies": counts.get("anomalies", 0),
        "anomaly_level": ANOMALY_LEVEL,
        "agreement": number(counts.get("agreeing", 0) / rows if rows else 1.0),
        "threshold": number(ensemble.threshold),
        "trust": trust(ensemble),
        "members": [
            {
                "name": m.name,
                "version": m.version,
                "weight": number(m.weight),
                "similarity": number(m.similarity),
                "validation_auprc": number(m.validation_auprc),
                "coverage": number(m.coverage),
                "column_coverage": number(m.column_coverage),
                "distribution": number(m.distribution),
                "threshold": number(m.threshold),
                "mapping": dict(m.mapping),
            }
            for m in ensemble.members
        ],
    }


def trust(ensemble: Ensemble) -> dict[str, Any]:
    """How far to trust the scores: the match quality (``Ensemble.match_quality``), the
    members' distribution fit (``Ensemble.distribution_fit``), the fraud rate the
    probabilities were calibrated to (``None`` without a calibration) and a message key:
    by the pool's AUPRC on a labelled history when its members were weighed on one
    (``trust.measured``: ``high`` from :data:`MEASURED_HIGH`, ``low`` under
    :data:`MEASURED_LOW`; the message says the figure was measured on the history, never
    that the file reaches it); else ``low`` when the file is unfamiliar
    (``Ensemble.unfamiliar``: no member reads its values like its own data,
    ``trust.unfamiliar``); else by quality: ``high`` from :data:`TRUST_HIGH`, ``low``
    under :data:`TRUST_LOW`. ``file_member_weight``: the file-fitted member's share of the
    pool (``entrepot.fraud.score.file_member``, ADR 0085)."""
    quality = ensemble.match_quality
    level = _level(quality, TRUST_HIGH, TRUST_LOW)
    calibration = ensemble.calibration
    keys = {
        "high": N_("trust.high"),
        "medium": N_("trust.medium"),
        "low": N_("trust.low"),
    }
    fit = ensemble.distribution_fit
    message = Message(keys[level])
    if ensemble.unfamiliar:
        level, message = "low", Message(N_("trust.unfamiliar"), {"fit": Number(fit, 2)})
    measured = None if calibration is None else calibration.measured_auprc
    if calibration is not None and measured is not None:
        level = _level(measured, MEASURED_HIGH, MEASURED_LOW)
        frauds = calibration.measured_frauds
        message = Message(N_("trust.measured"), {"auprc": Number(measured, 2), "frauds": frauds})
    return {
        "match_quality": number(quality),
        "distribution_fit": number(fit),
        "measured_auprc": None if measured is None else number(measured),
        "estimated_fraud_rate": None if calibration is None else number(calibration.prevalence),
        "file_member_weight": None if calibration is None else number(calibration.file_weight),
        "level": level,
        "message": message.to_json(),
    }


def with_partial_library(summary: dict[str, Any], references: int, total: int) -> dict[str, Any]:
    """``summary`` of scores the reference ensemble gave while the library's build had made
    ``references`` of its ``total``: it says so (``partial_library``), and its trust is
    never ``high`` (``trust.partial_library``: the members were chosen among a part of the
    references, a later scoring may choose others)."""
    trusted = dict(summary["trust"])
    if trusted["level"] == "high":
        said = Message(N_("trust.partial_library"), {"references": references, "total": total})
        trusted.update(level="medium", message=said.to_json())
    partial = {"references": references, "total": total}
    return {**summary, "trust": trusted, "partial_library": partial}


def _level(value: float, high: float, low: float) -> str:
    """``high`` from ``high``, ``low`` under ``low``, else ``medium``."""
    return "high" if value >= high else "low" if value < low else "medium"


def preview(scores: pd.DataFrame, rows: int) -> dict[str, Any]:
    """The first ``rows`` rows as ``{"columns": [...], "rows": [[...], ...]}``, JSON-ready."""
    head = scores.head(rows)
    return {
        "columns": [str(c) for c in head.columns],
        "rows": [[cell(v) for v in record] for record in head.itertuples(index=False)],
    }


def number(value: Any) -> float | None:
    """A finite float rounded to 6 digits; ``None`` for NaN or an infinity."""
    number = float(value)
    return round(number, 6) if math.isfinite(number) else None


def cell(value: Any) -> Any:
    """A table cell as a JSON value."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return round(value, 6) if math.isfinite(value) else None
    if value is None or isinstance(value, str | int | bool):
        return value
    if pd.isna(value):
        return None
    return str(value)
