"""The unlabelled ensemble against the simplest ranking (issue 41 item 4, ADR 0085):
``python -m bench.fraud_ensemble --floor --library LIB40 --baseline-library LIB13``.

Evaluation files, each at most ``--rows`` rows:

* **generated**: ``bench.fraud transfer``'s domains (the first ``--domains``), ``2 × rows``
  generated with seed 60,000 + i, every other one French-named and read back from a
  French CSV; the file is the later half, the history (labelled) the earlier half;
* **the handbook's weeks**: the first ``rows`` rows of each of its last three weeks
  (from 2018-09-10, 09-17, 09-24), the history the ``rows`` rows just before;
* **a fetched public table** (``bench.public_tables``, ``ecommerce-fraud``): the
  ``rows`` purchases from 2015-05-01 in time order, the history the ``rows`` before;
  no reference matches its names, so it is also scored renamed after the e-commerce
  reference's inputs, as the refusal advises.

For each file, with and without its history, and each library, the product's path:
``from_library(top=CANDIDATES)`` (ADR 0096: those among the best when each was added),
the members run once (``member_scores``, reading the
history's labels when given), the file-fitted member (``file_member.file_score``), the
history's measure (``measured.measure``), ``fitted`` and ``Ensemble.pool``: what
``fit_to_file`` then ``score`` compute. Beside it, on the same member probabilities, the
rule before ADR 0085 (no file member, the threshold unbounded), the rule before ADR 0096
(the ``CANDIDATES`` best matching by name, a later reference taking an earlier one's
place), the file member alone and the amount column alone (the floor). AUPRC over all
rows with scikit-learn; the flagged rows against the estimated frauds (the sum of the
pooled probabilities, the estimate's ``expected_frauds``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

from bench.fraud import french_round_trip
from bench.public_tables import load, parsed_time
from entrepot.errors import EntrepotError
from entrepot.fraud.library.libraries import FolderLibrary
from entrepot.fraud.match.description import describe
from entrepot.fraud.score.assemble import from_library
from entrepot.fraud.score.ensemble import Ensemble
from entrepot.fraud.score.file_member import file_score
from entrepot.fraud.score.fit import CANDIDATES, distribution_fit, fitted
from entrepot.fraud.score.known_labels import KnownLabels, labelled_history
from entrepot.fraud.score.measured import measure
from entrepot.fraud.score.scoring import member_scores
from entrepot.fraud.synth.domains import domains
from entrepot.fraud.synth.generator import generate

HANDBOOK_WEEKS = ("2018-09-10", "2018-09-17", "2018-09-24")
PUBLIC_FROM = "2015-05-01"
#: The public table's columns renamed after the English e-commerce reference's inputs.
PUBLIC_RENAMED = {
    "user_id": "id",
    "purchase_time": "event_time",
    "purchase_value": "value",
    "device_id": "buyer_id",
    "browser": "device",
}

#: One evaluation file: its name, the rows to score (no label), their labels, and the
#: labelled history before them (with its label column).
Case = tuple[str, pd.DataFrame, np.ndarray, pd.DataFrame | None]


def generated(rows: int, count: int) -> Iterator[Case]:
    for i, domain in enumerate(list(domains())[:count]):
        lang = "fr" if i % 2 else "en"
        data = generate(domain, 2 * rows, seed=60_000 + i, lang=lang)
        frame = french_round_trip(data.frame) if lang == "fr" else data.frame
        history, later = frame.iloc[:rows], frame.iloc[rows:].reset_index(drop=True)
        y = np.asarray(data.labels, dtype=int)[rows:]
        yield f"generated {domain} ({lang})", later.drop(columns=[data.target]), y, history


def handbook(path: str, rows: int) -> Iterator[Case]:
    columns = ["TRANSACTION_ID", "TX_DATETIME", "CUSTOMER_ID", "TERMINAL_ID", "TX_AMOUNT"]
    raw = pd.read_parquet(path, columns=[*columns, "TX_FRAUD"])
    times = pd.to_datetime(raw["TX_DATETIME"])
    for start in HANDBOOK_WEEKS:
        first = int(np.searchsorted(times.to_numpy(), np.datetime64(start)))
        week = raw.iloc[first : first + rows].reset_index(drop=True)
        history = raw.iloc[max(first - rows, 0) : first].reset_index(drop=True)
        y = week["TX_FRAUD"].to_numpy(dtype=int)
        yield f"handbook week of {start}", week.drop(columns=["TX_FRAUD"]), y, history


def public(rows: int) -> Iterator[Case]:
    table, target = load("ecommerce-fraud")
    order = np.argsort(parsed_time("ecommerce-fraud", table).to_numpy(), kind="stable")
    table = table.iloc[order].reset_index(drop=True)
    first = int((parsed_time("ecommerce-fraud", table) < pd.Timestamp(PUBLIC_FROM)).sum())
    part = table.iloc[first : first + rows].reset_index(drop=True)
    history = table.iloc[max(first - rows, 0) : first].reset_index(drop=True)
    y = part[target].to_numpy(dtype=int)
    yield "public ecommerce-fraud", part.drop(columns=[target]), y, history
    renamed = part.drop(columns=[target]).rename(columns=PUBLIC_RENAMED)
    yield "public ecommerce-fraud, renamed", renamed, y, history.rename(columns=PUBLIC_RENAMED)


def _auprc(y: np.ndarray, score: np.ndarray) -> float:
    return round(float(average_precision_score(y, score)), 4)


def one(
    frame: pd.DataFrame, y: np.ndarray, library: FolderLibrary, known: KnownLabels | None
) -> dict[str, Any]:
    """The product's pool on one file and library (module docstring)."""
    upload = describe(frame)
    try:
        candidates, _ = from_library(upload, library, top=CANDIDATES)
    except EntrepotError as refused:
        return {"refused": type(refused).__name__}
    started = time.perf_counter()
    probs, anomalies = member_scores(frame, candidates, upload=upload, known=known)
    own = file_score(frame, upload)
    measured = measure(candidates, known, upload=upload)
    ensemble, _ = fitted(candidates, probs, anomalies, measured=measured, file_score=own)
    chosen = [[m.name for m in candidates.members].index(m.name) for m in ensemble.members]
    proba = ensemble.pool(probs[chosen], own)
    seconds = time.perf_counter() - started
    # before ADR 0096: the CANDIDATES best matching by name, whenever they were added (the
    # first ones of the candidates, best first)
    top = min(CANDIDATES, len(candidates.members))
    named = Ensemble(candidates.members[:top], candidates.models[:top], candidates.created)
    measured_named = None
    if measured is not None:
        measured_named = replace(
            measured, auprc=measured.auprc[:top], probabilities=measured.probabilities[:top]
        )
    by_name, _ = fitted(
        named,
        probs[:top],
        anomalies[:top],
        measured=measured_named,
        file_score=own,
    )
    picked = [[m.name for m in named.members].index(m.name) for m in by_name.members]
    before_0096 = by_name.pool(probs[:top][picked], own)
    before, _ = fitted(candidates, probs, anomalies, measured=measured)
    kept = [[m.name for m in candidates.members].index(m.name) for m in before.members]
    old = before.pool(probs[kept])
    calibration = ensemble.calibration
    assert calibration is not None
    flagged = int((proba >= ensemble.threshold).sum())
    estimated = float(proba.sum())
    return {
        "auprc": _auprc(y, proba),
        "auprc_before": _auprc(y, old),
        "auprc_before_0096": _auprc(y, before_0096),
        "flagged": flagged,
        "flagged_before": int((old >= before.threshold).sum()),
        "estimated_frauds": round(estimated, 1),
        "flagged_within_2x": bool(estimated / 2 <= flagged <= 2 * estimated),
        "file_weight": round(calibration.file_weight, 4),
        "measured_auprc": calibration.measured_auprc,
        "candidates": len(candidates.members),
        "members": [m.name for m in ensemble.members],
        "weights": [round(m.weight, 3) for m in ensemble.members],
        "distribution_fits": {
            m.name: round(distribution_fit(a), 4)
            for m, a in zip(candidates.members, anomalies, strict=True)
        },
        "member_auprc": {
            m.name: _auprc(y, p) for m, p in zip(candidates.members, probs, strict=True)
        },
        "seconds": round(seconds, 1),
    }


def case(
    name: str,
    frame: pd.DataFrame,
    y: np.ndarray,
    history: pd.DataFrame | None,
    libraries: dict[str, FolderLibrary],
) -> dict[str, Any]:
    """Every library on one file, without and with its history, beside the floors."""
    upload = describe(frame)
    amount = upload.analysis.amount
    values = pd.to_numeric(frame[amount], errors="coerce") if amount else None
    entry: dict[str, Any] = {
        "file": name,
        "rows": len(frame),
        "frauds": int(y.sum()),
        "amount_column": amount,
        "amount_floor_auprc": None if values is None else _auprc(y, values.fillna(-np.inf)),
        "file_member_auprc": _auprc(y, file_score(frame, upload)),
        "chance_auprc": round(float(y.mean()), 4),
    }
    known = None if history is None else labelled_history(history)
    if known is not None:
        entry["history"] = {"rows": len(history), "frauds": int(np.nansum(known.history_labels))}
    for label, library in libraries.items():
        entry[label] = one(frame, y, library, None)
        if known is not None:
            entry[f"{label} with history"] = one(frame, y, library, known)
    return entry


def checks(files: list[dict[str, Any]], libraries: list[str]) -> dict[str, Any]:
    """The promises of issue 41 item 4 over every file, run and library."""
    runs = [lab for lib in libraries for lab in (lib, f"{lib} with history")]
    below, flagged, worse, worse_0096 = [], [], [], []
    for f in files:
        floor = f["amount_floor_auprc"]
        for run in runs:
            got = f.get(run)
            if not got or "refused" in got:
                continue
            if floor is not None and got["auprc"] < floor - 0.02:
                below.append(f"{f['file']} / {run}: {got['auprc']} < {floor} - 0.02")
            if not got["flagged_within_2x"]:
                flagged.append(
                    f"{f['file']} / {run}: {got['flagged']} vs {got['estimated_frauds']}"
                )
        for suffix in ("", " with history"):
            small, large = f.get(f"small{suffix}"), f.get(f"large{suffix}")
            both = small and large and "auprc" in small and "auprc" in large
            if both and large["auprc"] < small["auprc"] - 0.01:
                worse.append(f"{f['file']}{suffix}: {large['auprc']} < {small['auprc']}")
            if both and large["auprc_before_0096"] < small["auprc_before_0096"] - 0.01:
                worse_0096.append(
                    f"{f['file']}{suffix}: {large['auprc_before_0096']} "
                    f"< {small['auprc_before_0096']}"
                )
    return {
        "below_amount_floor_by_over_0.02": below,
        "flagged_outside_2x_of_estimate": flagged,
        "large_below_small_by_over_0.01": worse,
        "large_below_small_by_over_0.01_before_0096": worse_0096,
    }


def bench_floor(
    libraries: dict[str, FolderLibrary], rows: int, count: int, handbook_path: str | None
) -> dict[str, Any]:
    import json

    cases: list[Case] = [*generated(rows, count)]
    if handbook_path:
        cases += [*handbook(handbook_path, rows)]
    cases += [*public(rows)]
    files = []
    for name, frame, y, history in cases:
        files.append(case(name, frame, y, history, libraries))
        print(json.dumps(files[-1]), flush=True)
    return {"rows": rows, "files": files, "checks": checks(files, list(libraries))}
