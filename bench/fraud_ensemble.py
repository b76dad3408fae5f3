"""The unlabelled ensemble's rules of choice, with a small and a large reference library
(issue 25 item 6, ADR 0045): does a larger library score the same files better?

    python -m bench.fraud_ensemble --library LIB40 --baseline-library LIB13 [--rows 15000]
        [--domains 8] [--handbook PATH]
    python -m bench.fraud_ensemble --floor --library LIB40 --baseline-library LIB13
        [--rows 15000] [--domains 8] [--handbook PATH]   # issue 41 item 4, ADR 0085

The files are ``bench.fraud transfer``'s (the first ``--domains`` domains, seed
50,000 + i, every other one French-named and read back from a French CSV); no model is
trained. For each file and library the 8 candidates (``from_library(top=CANDIDATES)``) are
scored once, and each rule pools the same cached probabilities through the product's own
``fitted`` and ``Ensemble.pool``; the old top-3 linear pool is ``from_library``'s
ensemble on its members' probabilities. Each candidate's own AUPRC is given too.

``--handbook PATH`` (``fraud-handbook-raw.parquet``) adds a file no reference was generated
like: the Fraud Detection Handbook's last week (2018-09-24 to 09-30, 66,715 rows, 597
frauds) as a French user holds it (French column names, French CSV read back), beside the
AUPRC of its amount alone. It is reported apart from the generated files' means.

AUPRC over all rows of the file (no label is used by any rule), computed here with
scikit-learn, and the rows each rule flags. Run it from the instance that built the
libraries (its key ring signed them). Writes
``bench/results/fraud-ensemble.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

from bench.fraud import RESULTS, _library, environment, french_round_trip
from entrepot.fraud.library.libraries import FolderLibrary
from entrepot.fraud.match.description import describe
from entrepot.fraud.score.assemble import from_library
from entrepot.fraud.score.ensemble import Ensemble
from entrepot.fraud.score.fit import CANDIDATES, RULE, FileFit, Rule, fit_to_file, fitted
from entrepot.fraud.score.known_labels import KnownLabels, labelled_history
from entrepot.fraud.score.scoring import member_scores, score
from entrepot.fraud.synth.domains import domains
from entrepot.fraud.synth.generator import generate
from entrepot.fraud_service.estimate import estimate
from entrepot.fraud_service.summary import trust

#: The rules compared: the members offered (the 8 candidates or the old pool's 3) and the
#: fit's rule (``entrepot.fraud.score.fit.Rule``).
RULES: dict[str, tuple[str, Rule]] = {
    "keep 3, cut 0.5, power 4 (ADR 0045 until round 5)": ("candidates", Rule(3, 0.5, 3, 0.5, 4)),
    "all 8, power 4 (round 5)": ("candidates", Rule(power=4)),
    "all 8, power 16": ("candidates", Rule(power=16)),
    "all 8, power 32 (RULE, round 6)": ("candidates", RULE),
    "all 8, power 48": ("candidates", Rule(power=48)),
    "the pool's 3, fitted, power 32": ("pool", Rule(3, 0.0, 3, 0.0)),
}


def _sub(ensemble: Ensemble, names: list[str]) -> Ensemble:
    keep = [i for i, m in enumerate(ensemble.members) if m.name in names]
    return Ensemble(
        tuple(ensemble.members[i] for i in keep),
        tuple(ensemble.models[i] for i in keep),
        ensemble.created,
    )


def _one(frame: Any, y: np.ndarray, library: FolderLibrary) -> dict[str, Any]:
    upload = describe(frame)
    pool, _ = from_library(upload, library)  # the old top 3, linear pool
    candidates, _ = from_library(upload, library, top=CANDIDATES)
    started = time.perf_counter()
    probs, anomalies = member_scores(frame, candidates, upload=upload)
    row = {m.name: i for i, m in enumerate(candidates.members)}
    out: dict[str, Any] = {"scoring_seconds": round(time.perf_counter() - started, 1)}
    out["members"] = {
        m.name: round(float(average_precision_score(y, p)), 4)
        for m, p in zip(candidates.members, probs, strict=True)
    }

    def rows_of(names: list[str]) -> list[int]:
        return [row[n] for n in names]

    pool_names = [m.name for m in pool.members]
    # Every pool member is a candidate (the top 3 of the same match, in the same order).
    assert all(n in row for n in pool_names), (pool_names, list(row))
    old = pool.pool(probs[rows_of(pool_names)])
    out["old top-3 pool"] = {
        "auprc": round(float(average_precision_score(y, old)), 4),
        "flagged": int((old >= pool.threshold).sum()),
        "members": pool_names,
    }
    for name, (offered, rule) in RULES.items():
        base = candidates if offered == "candidates" else _sub(candidates, pool_names)
        picked = rows_of([m.name for m in base.members])
        ensemble, fit = fitted(base, probs[picked], anomalies[picked], rule=rule)
        chosen = rows_of([m.name for m in ensemble.members])
        proba = ensemble.pool(probs[chosen])
        out[name] = {
            "auprc": round(float(average_precision_score(y, proba)), 4),
            "flagged": int((proba >= ensemble.threshold).sum()),
            "members": [m.name for m in ensemble.members],
            "weights": [round(m.weight, 3) for m in ensemble.members],
        }
        if rule == RULE:
            out[name] |= _honesty(ensemble, fit, proba, y)
    return out


def _honesty(ensemble: Ensemble, fit: FileFit, proba: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """What the prediction claims of itself (trust, the estimated precision as the
    service computes it) beside what the labels say, with the label-free facts a trust
    rule may read."""
    flags = proba >= ensemble.threshold
    said = estimate(
        pd.DataFrame({"fraud_probability": proba}),
        ensemble.threshold,
        None,
        ensemble.level_error,
        ensemble.unfamiliar,
    )["precision"]
    realised = float(y[flags].mean()) if flags.any() else None
    low, high = said["low"], said["high"]
    return {
        "match_quality": round(ensemble.match_quality, 4),
        "trust": trust(ensemble)["level"],
        "unfamiliar": ensemble.unfamiliar,
        "distributions": [round(m.distribution, 4) for m in fit.members],
        "weighted_distribution": round(ensemble.distribution_fit, 4),
        "estimated_precision": [said["value"], low, high],
        "realised_precision": None if realised is None else round(realised, 4),
        "covered": None
        if realised is None or low is None or high is None
        else bool(low <= realised <= high),
    }


#: The handbook's columns as a French export names them.
_FRENCH = {
    "TRANSACTION_ID": "id_transaction",
    "TX_DATETIME": "date_heure",
    "CUSTOMER_ID": "id_client",
    "TERMINAL_ID": "id_terminal",
    "TX_AMOUNT": "montant",
}


def handbook_week(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """The handbook's last week, French-named and read back from a French CSV, and its
    labels (the scenario and time-offset columns dropped: the scenario is the label)."""
    raw = pd.read_parquet(path, columns=[*_FRENCH, "TX_FRAUD"])
    week = raw[pd.to_datetime(raw["TX_DATETIME"]) >= pd.Timestamp("2018-09-24")]
    week = week.reset_index(drop=True)
    y = week["TX_FRAUD"].to_numpy(dtype=int)
    return french_round_trip(week.drop(columns=["TX_FRAUD"]).rename(columns=_FRENCH)), y


def label_free_ceiling(path: Path, draws: int = 5) -> float:
    """The best AUPRC a score without labels can reach on the handbook's last week: its
    amount-over-220 and compromised-customer frauds (scenarios 1 and 3) ranked first, its
    compromised-terminal frauds (scenario 2: ordinary amounts at a terminal whose only
    trace is earlier confirmed frauds) at chance among the legitimate rows; the mean of
    ``draws`` random orders."""
    raw = pd.read_parquet(path, columns=["TX_DATETIME", "TX_FRAUD", "TX_FRAUD_SCENARIO"])
    week = raw[pd.to_datetime(raw["TX_DATETIME"]) >= pd.Timestamp("2018-09-24")]
    y = week["TX_FRAUD"].to_numpy(dtype=int)
    visible = week["TX_FRAUD_SCENARIO"].isin([1, 3]).to_numpy()
    rng = np.random.default_rng(0)
    found = [
        average_precision_score(y, np.where(visible, 2.0, rng.random(len(y)))) for _ in range(draws)
    ]
    return round(float(np.mean(found)), 4)


def bench_handbook(libraries: dict[str, FolderLibrary], path: Path) -> dict[str, Any]:
    """Every rule on the handbook's last week, with the amount alone as a floor."""
    frame, y = handbook_week(path)
    amount = frame["montant"].to_numpy(dtype=float)
    entry: dict[str, Any] = {
        "domain": "handbook (last week, French CSV)",
        "rows": len(frame),
        "frauds": int(y.sum()),
        "amount_alone_auprc": round(float(average_precision_score(y, amount)), 4),
        "label_free_ceiling_auprc": label_free_ceiling(path),
    }
    history, known = handbook_history(path)
    entry["history"] = {"rows": len(history), "frauds": int(np.nansum(known.history_labels))}
    for label, library in libraries.items():
        entry[label] = _one(frame, y, library)
        entry[label]["with labelled history"] = _with_history(frame, y, library, known)
    print(json.dumps(entry), flush=True)
    return entry


def handbook_history(path: Path, weeks: int = 4) -> tuple[pd.DataFrame, KnownLabels]:
    """The ``weeks`` labelled weeks before the handbook's last one, as a user gives them
    (``entrepot fraud score … --history``): French names and CSV, the label ``fraude``."""
    raw = pd.read_parquet(path, columns=[*_FRENCH, "TX_FRAUD"])
    times = pd.to_datetime(raw["TX_DATETIME"])
    last = pd.Timestamp("2018-09-24")
    chosen = raw[(times >= last - pd.Timedelta(weeks=weeks)) & (times < last)]
    history = chosen.rename(columns={**_FRENCH, "TX_FRAUD": "fraude"}).reset_index(drop=True)
    history = french_round_trip(history)
    return history, labelled_history(history)


def _with_history(
    frame: pd.DataFrame, y: np.ndarray, library: FolderLibrary, known: KnownLabels
) -> dict[str, Any]:
    """The service's path for a file scored with a labelled history: the candidates
    weighed on it (``entrepot.fraud.score.measured``), then scored reading its labels."""
    upload = describe(frame)
    candidates, _ = from_library(upload, library, top=CANDIDATES)
    started = time.perf_counter()
    ensemble, fit = fit_to_file(candidates, frame, upload, known)
    scores = score(frame, ensemble, upload=upload, explain=False, known=known)
    seconds = time.perf_counter() - started
    proba = scores["fraud_probability"].to_numpy(dtype=float)
    calibration = ensemble.calibration
    assert calibration is not None
    return {
        "auprc": round(float(average_precision_score(y, proba)), 4),
        "flagged": int((proba >= ensemble.threshold).sum()),
        "measured_auprc": calibration.measured_auprc,
        "members": [m.name for m in ensemble.members],
        "weights": [round(m.weight, 3) for m in ensemble.members],
        "seconds": round(seconds, 1),
        **_honesty(ensemble, fit, proba, y),
    }


def bench_ensemble(
    libraries: dict[str, FolderLibrary], rows: int, count: int | None
) -> dict[str, Any]:
    files = []
    for i, (domain, _spec) in enumerate(list(domains().items())[:count]):
        lang = "fr" if i % 2 else "en"
        data = generate(domain, rows, seed=50_000 + i, lang=lang)
        frame = french_round_trip(data.frame) if lang == "fr" else data.frame
        hidden = frame.drop(columns=[data.target]).reset_index(drop=True)
        y = np.asarray(data.labels, dtype=int)
        entry: dict[str, Any] = {"domain": domain, "lang": lang, "frauds": int(y.sum())}
        for label, library in libraries.items():
            entry[label] = _one(hidden, y, library)
        files.append(entry)
        print(json.dumps(entry), flush=True)
    rules = ["old top-3 pool", *RULES]
    summary: dict[str, Any] = {}
    for rule in rules:
        got = {lab: [f[lab][rule]["auprc"] for f in files] for lab in libraries}
        summary[rule] = {
            **{f"mean_{lab}": round(statistics.mean(v), 4) for lab, v in got.items()},
            **{
                f"flagged_within_2x_{lab}": sum(
                    f["frauds"] / 2 <= f[lab][rule]["flagged"] <= 2 * f["frauds"] for f in files
                )
                for lab in libraries
            },
        }
        for lab in libraries:
            said = [f[lab][rule] for f in files if "covered" in f[lab][rule]]
            if said:
                summary[rule][f"estimate_covered_{lab}"] = sum(bool(h["covered"]) for h in said)
                summary[rule][f"unfamiliar_{lab}"] = [
                    f["domain"] for f in files if f[lab][rule].get("unfamiliar")
                ]
        if set(libraries) == {"small", "large"}:
            lower = [
                f["domain"]
                for f in files
                if f["large"][rule]["auprc"] < f["small"][rule]["auprc"] - 0.01
            ]
            summary[rule]["large_below_small_by_over_0.01"] = lower
    return {"rows": rows, "files": files, "summary": summary}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, required=True, help="the larger library")
    parser.add_argument("--baseline-library", type=Path, help="the smaller library")
    parser.add_argument("--rows", type=int, default=15_000)
    parser.add_argument("--domains", type=int, default=8, help="the first N domains")
    parser.add_argument("--handbook", type=Path, help="fraud-handbook-raw.parquet (a real file)")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="the ensemble against the amount floor, with and without history "
        "(bench.fraud_ensemble_floor); writes fraud-ensemble-floor.json",
    )
    args = parser.parse_args()
    libraries = {"large": _library(args.library)}
    if args.baseline_library:
        libraries = {"small": _library(args.baseline_library), **libraries}
    start = environment()
    if args.floor:
        from bench.fraud_ensemble_floor import bench_floor

        handbook = None if args.handbook is None else str(args.handbook)
        floor = bench_floor(libraries, args.rows, args.domains, handbook)
        floor = {"environment": start, "environment_at_end": environment(), **floor}
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / "fraud-ensemble-floor.json"
        out.write_text(json.dumps(floor, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(floor["checks"], indent=2))
        return
    found = bench_ensemble(libraries, args.rows, args.domains)
    if args.handbook:
        found["handbook"] = bench_handbook(libraries, args.handbook)
    found = {"environment": start, "environment_at_end": environment(), **found}
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "fraud-ensemble.json"
    path.write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(found["summary"], indent=2))


if __name__ == "__main__":
    main()
