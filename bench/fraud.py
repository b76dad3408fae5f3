"""Benchmarks of the fraud engine: matching, scoring, transfer, and training against peers.

    python -m bench.fraud matching --library DIR     # top-1 under renaming, rejection, speed
    python -m bench.fraud scoring --library DIR      # 1-row latency per model, 3-model batch
        [--baseline]                                 # ... and the general path alongside
    python -m bench.fraud transfer --library DIR     # ensemble on hidden labels vs trained
        [--baseline-library DIR] [--min-frauds 400]  # ... another library on the same sets
    python -m bench.fraud training --rows 50000 --budget 20 [--handbook PATH] [--seed N]

``DIR`` is a reference library built by ``entrepot fraud build-references --into DIR``; run
the benchmark from the instance that built it (its key ring signed the references, and a
reference is unpickled only when it checks the signature).
Every section writes ``bench/results/fraud-SECTION.json``; ``bench/results/fraud.md``
summarises them.

Training: every contender sees the same rows, the same train / validation / test split
and the same features (the engine's own, built from the raw columns: behaviour features
from the ids and timestamps), and is scored by AUPRC on the same test split. FLAML gets
the same time budget, metric and ``--seed`` (the data sets do not depend on it). The
handbook data is read where it lies, never copied; its ``TX_FRAUD_SCENARIO`` column is the
label in disguise and is dropped.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import platform
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from entrepot.fraud.library.build import plan
from entrepot.fraud.library.libraries import FolderLibrary
from entrepot.fraud.match.description import describe
from entrepot.fraud.match.matching import ReferenceIndex
from entrepot.fraud.match.signature import ColumnSignature
from entrepot.fraud.schema.names import tokens
from entrepot.fraud.schema.target import label_vector
from entrepot.fraud.score.assemble import from_library, from_model
from entrepot.fraud.score.fit import CANDIDATES, fit_to_file
from entrepot.fraud.score.scoring import score
from entrepot.fraud.synth.domains import domains
from entrepot.fraud.synth.generator import generate
from entrepot.fraud.tables.io import read_table, write_table
from entrepot.fraud.train.result import TrainingResult
from entrepot.fraud.train.training import train

RESULTS = Path(__file__).parent / "results"
# Renaming vocabulary of the benchmark, written independently of the engine's synonyms.
TRANSLATE = {
    "amount": "montant", "customer": "client", "merchant": "commercant", "country": "pays",
    "time": "heure", "transaction": "operation", "type": "nature", "device": "appareil",
    "channel": "canal", "card": "carte", "account": "compte", "balance": "solde",
    "payment": "reglement", "number": "numero", "user": "usager", "category": "rubrique",
    "code": "code", "date": "date", "sender": "expediteur", "receiver": "receveur",
    "montant": "amount", "client": "customer", "pays": "country", "compte": "account",
    "horodatage": "timestamp", "carte": "card", "appareil": "device", "canal": "channel",
    "solde": "balance", "numero": "number", "marchand": "merchant", "valeur": "value",
}  # fmt: skip
ABBREVIATE = {
    "transaction": "txn", "amount": "amt", "customer": "cust", "number": "nbr",
    "account": "acc", "category": "cat", "merchant": "mrch", "timestamp": "ts",
    "country": "ctry", "device": "dev", "balance": "bal", "payment": "pmt", "montant": "mnt",
    "identifiant": "ident", "quantity": "qty", "distance": "dist", "session": "sess",
}  # fmt: skip
GENERATED = (
    ("card_payments", 0.01),
    ("ecommerce", 0.02),
    ("mobile_money", 0.03),
    ("wire_transfers", 0.005),
    ("insurance_claims", 0.06),
)


def rename(name: str, rng: random.Random) -> str:
    """``name`` translated, abbreviated and re-styled at random."""
    words = list(tokens(name)) or [name]
    if rng.random() < 0.5:
        words = [TRANSLATE.get(w, w) for w in words]
    if rng.random() < 0.4:
        words = [ABBREVIATE.get(w, w) if rng.random() < 0.7 else w for w in words]
    style = rng.choice(("snake", "camel", "upper", "spaced"))
    if style == "camel":
        return "".join(w.capitalize() for w in words)
    if style == "upper":
        return "_".join(words).upper()
    if style == "spaced":
        return " ".join(w.capitalize() for w in words)
    return "_".join(words)


def renamed(frame: pd.DataFrame, rng: random.Random) -> pd.DataFrame:
    names: dict[str, str] = {}
    for col in frame.columns:
        new = rename(str(col), rng)
        while new in names.values():
            new += "_2"
        names[str(col)] = new
    return frame.rename(columns=names)


def unrelated_tables(count: int, seed: int) -> list[pd.DataFrame]:
    """Tables that are not transactions: weather, staff, stock, web visits, sensors..."""
    rng = np.random.default_rng(seed)
    n = 800
    stamp = pd.Timestamp("2024-03-01") + pd.to_timedelta(rng.integers(0, 9e6, n), unit="s")
    themes: list[dict[str, Any]] = [
        {"station": rng.choice(["north", "south", "east"], n), "temperature_c":
         rng.normal(12, 6, n).round(1), "humidity_pct": rng.uniform(20, 95, n).round(),
         "wind_kmh": rng.gamma(2, 7, n).round(1), "observed_at": stamp},
        {"employee": [f"E{i:04d}" for i in rng.integers(0, 300, n)], "department":
         rng.choice(["sales", "it", "hr", "ops"], n), "salary": rng.normal(42e3, 9e3, n).round(),
         "hire_date": stamp.normalize(), "grade": rng.integers(1, 8, n)},
        {"sku": [f"SKU{i}" for i in rng.integers(0, 500, n)], "warehouse":
         rng.choice(["lyon", "lille", "nantes"], n), "stock_qty": rng.integers(0, 900, n),
         "reorder_level": rng.integers(10, 90, n), "unit_weight_kg": rng.gamma(2, 1.5, n)},
        {"page": rng.choice(["/", "/shop", "/blog", "/faq"], n), "dwell_seconds":
         rng.gamma(2, 30, n).round(), "referrer": rng.choice(["google", "direct", "mail"], n),
         "scroll_depth": rng.uniform(0, 1, n).round(2), "visited_at": stamp},
        {"sensor": rng.choice(["s1", "s2", "s3", "s4"], n), "reading": rng.normal(0, 1, n),
         "battery_pct": rng.uniform(5, 100, n).round(), "firmware": rng.choice(["1.2", "1.3"], n)},
        {"a": rng.random(n), "b": rng.random(n) * 50, "c": rng.integers(0, 5, n),
         "d": rng.normal(size=n), "e": rng.choice(["x", "y", "z"], n)},
        {"arc": rng.integers(0, 60, n), "flow": rng.poisson(300, n), "occupancy":
         rng.uniform(0, 40, n).round(1), "traffic_state": rng.choice(["fluid", "dense"], n),
         "counted_at": stamp},
    ]  # fmt: skip
    tables = []
    for i in range(count):
        theme = pd.DataFrame(themes[i % len(themes)])
        keep = sorted(rng.choice(len(theme.columns), rng.integers(3, len(theme.columns) + 1),
                                 replace=False))  # fmt: skip
        tables.append(theme.iloc[:, keep])
    return tables


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {"median_ms": round(statistics.median(values) * 1e3, 3), "p95_ms": round(p95 * 1e3, 3)}


def _timed(fn: Any, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        began = time.perf_counter()
        fn()
        out.append(time.perf_counter() - began)
    return out


def _library(folder: Path) -> FolderLibrary:
    """The library in ``folder``, its references checked with the key ring of the instance
    this runs in (the one whose ``build-references`` signed them), or with the user's own
    key where there is no instance (``build-references`` signs with it then, ADR 0082)."""
    from entrepot.bootstrap import bootstrap
    from entrepot.bootstrap.user_key import user_key, user_key_path
    from entrepot.config import load_settings
    from entrepot.errors import EntrepotError
    from entrepot.registry.keyring import KeyRing

    try:
        ring = bootstrap(load_settings()).operations.keys.ring()
    except EntrepotError:  # no instance here
        ring = KeyRing.of(user_key(user_key_path()))
    return FolderLibrary(folder, lambda: ring)


def bench_matching(library: FolderLibrary, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    infos = library.references()
    specs = {s.name: s for s in plan(len(infos))}
    index = ReferenceIndex([i.name for i in infos], [i.columns for i in infos])
    domain_of = {i.name: i.domain for i in infos}
    exact = same_domain = 0
    true_scores, uploads = [], []
    for info in infos:
        spec = specs[info.name]
        data = generate(spec.domain, 4000, fraud_rate=spec.fraud_rate, seed=spec.seed,
                        lang=spec.lang)  # fmt: skip
        upload = describe(renamed(data.frame.drop(columns=[data.target]), rng))
        uploads.append(upload.columns)
        found = index.match(upload.columns, top=3)
        top = found.candidates[0].reference if found.candidates else None
        exact += top == info.name
        same_domain += top is not None and domain_of[top] == info.domain
        best = found.candidates or found.below
        true_scores.append(best[0].score if best else 0.0)
    unrelated = [describe(t).columns for t in unrelated_tables(70, seed)]
    rejected, unrelated_scores = 0, []
    for cols in unrelated:
        found = index.match(cols)
        rejected += not found.candidates
        best = found.candidates or found.below
        unrelated_scores.append(best[0].score if best else 0.0)
    big_names, big = [], []
    for i in range(10_000):
        info = infos[i % len(infos)]
        cols = tuple(
            ColumnSignature(rename(c.name, rng), c.role, c.scale, c.values, c.weight)
            for c in info.columns
            if rng.random() > 0.1
        )
        big_names.append(f"{info.name}~{i}")
        big.append(cols)
    began = time.perf_counter()
    big_index = ReferenceIndex(big_names, big)
    build_seconds = time.perf_counter() - began
    times40 = [t for cols in uploads for t in _timed(lambda c=cols: index.match(c), 5)]
    times10k = [t for cols in uploads for t in _timed(lambda c=cols: big_index.match(c), 3)]
    sample = generate("card_payments", 20_000, seed=seed).frame
    return {
        "references": len(infos),
        "renamed_uploads": len(infos),
        "top1_exact_reference": round(exact / len(infos), 4),
        "top1_same_domain": round(same_domain / len(infos), 4),
        "renamed_score_min": round(min(true_scores), 3),
        "renamed_score_median": round(statistics.median(true_scores), 3),
        "unrelated_tables": len(unrelated),
        "unrelated_rejected": round(rejected / len(unrelated), 4),
        "unrelated_score_max": round(max(unrelated_scores), 3),
        "unrelated_score_median": round(statistics.median(unrelated_scores), 3),
        "match_40": _ms(times40),
        "match_10000": _ms(times10k),
        "index_10000_build_seconds": round(build_seconds, 3),
        "describe_20000_rows": _ms(_timed(lambda: describe(sample), 5)),
    }


def _cpu_timed(fn: Any) -> tuple[float, float]:
    """Wall and CPU seconds of one call."""
    began, began_cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - began, time.process_time() - began_cpu


def _median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1e3, 3)


def bench_scoring(
    library: FolderLibrary, seed: int, rows: int, baseline: bool = False
) -> dict[str, Any]:
    """1-row latency per model and a 3-model batch, on the fast path; with ``baseline``,
    the general path (``score(fast=False)``) too, alternating with it call by call."""
    paths = {"fast": True, "general": False} if baseline else {"fast": True}
    per_model = []
    for spec in plan(len(library.references())):
        data = generate(spec.domain, spec.rows, fraud_rate=spec.fraud_rate, seed=spec.seed,
                        lang=spec.lang)  # fmt: skip
        frame = data.frame.drop(columns=[data.target])
        upload = describe(frame)
        folder = library.folder(spec.name)  # the library's own load (a reference folder)
        ensemble = from_model(
            library.load(spec.name),
            json.loads((folder / "schema.json").read_text()),
            json.loads((folder / "performance.json").read_text()),
            upload,
            name=spec.name,
            version="",
        )
        picks = np.random.default_rng(seed).integers(0, len(frame), 15)
        walls: dict[str, list[float]] = {p: [] for p in paths}
        cpus: dict[str, list[float]] = {p: [] for p in paths}
        for i in picks:
            row = frame.iloc[[i]]
            for path, fast in paths.items():
                wall, cpu = _cpu_timed(partial(score, row, ensemble, upload=upload, fast=fast))
                walls[path].append(wall)
                cpus[path].append(cpu)
        entry: dict[str, Any] = {
            "reference": spec.name,
            "model": ensemble.models[0].kind,
            **_ms(walls["fast"]),
            "cpu_median_ms": _median_ms(cpus["fast"]),
        }
        if baseline:
            entry["general_median_ms"] = _median_ms(walls["general"])
            entry["general_cpu_median_ms"] = _median_ms(cpus["general"])
        per_model.append(entry)
        print(json.dumps(entry), flush=True)
    out: dict[str, Any] = {"one_row_latency_per_model": per_model}
    keys = {"": ("median_ms", "cpu_median_ms")}
    if baseline:
        keys["general_"] = ("general_median_ms", "general_cpu_median_ms")
    for prefix, (wall_key, cpu_key) in keys.items():
        medians = [m[wall_key] for m in per_model]
        out[f"{prefix}one_row_median_of_medians_ms"] = round(statistics.median(medians), 3)
        out[f"{prefix}one_row_cpu_median_of_medians_ms"] = round(
            statistics.median(m[cpu_key] for m in per_model), 3
        )
        out[f"{prefix}one_row_worst_median_ms"] = round(max(medians), 3)
        out[f"{prefix}one_row_by_family_wall_cpu_ms"] = {
            kind: [
                round(statistics.median(m[wall_key] for m in per_model if m["model"] == kind), 3),
                round(statistics.median(m[cpu_key] for m in per_model if m["model"] == kind), 3),
                sum(m["model"] == kind for m in per_model),
            ]
            for kind in sorted({m["model"] for m in per_model})
        }
    if baseline:
        out["one_row_general_over_fast"] = {
            "wall": round(statistics.median(
                m["general_median_ms"] / m["median_ms"] for m in per_model), 2),
            "cpu": round(statistics.median(
                m["general_cpu_median_ms"] / m["cpu_median_ms"] for m in per_model), 2),
        }  # fmt: skip
    data = generate("card_payments", rows, fraud_rate=0.01, seed=seed + 9_999)
    frame = data.frame.drop(columns=[data.target])
    began = time.perf_counter()
    upload = describe(frame)
    describe_seconds = time.perf_counter() - began
    ensemble, _ = from_library(upload, library)
    out["batch_rows"] = rows
    out["batch_members"] = [
        (m.name, ensemble.models[i].kind, round(m.weight, 3))
        for i, m in enumerate(ensemble.members)
    ]
    out["batch_describe_seconds"] = round(describe_seconds, 3)
    batch: dict[str, dict[str, list[float]]] = {p: {"wall": [], "cpu": []} for p in paths}
    for _ in range(3):  # the paths alternate; the best of 3 for each
        for path, fast in paths.items():
            call = partial(score, frame, ensemble, upload=upload, explain=False, fast=fast)
            wall, cpu = _cpu_timed(call)
            batch[path]["wall"].append(wall)
            batch[path]["cpu"].append(cpu)
    for path in paths:
        prefix = "" if path == "fast" else "general_"
        out[f"{prefix}batch_rows_per_second"] = round(rows / min(batch[path]["wall"]))
        out[f"{prefix}batch_rows_per_second_cpu"] = round(rows / min(batch[path]["cpu"]))
    if baseline:
        out["batch_fast_over_general"] = {
            kind: round(min(batch["general"][kind]) / min(batch["fast"][kind]), 2)
            for kind in ("wall", "cpu")
        }
    two = min(_timed(lambda: score(frame, ensemble, upload=upload, explain=False, threads=2), 2))
    explained = min(_timed(lambda: score(frame, ensemble, upload=upload), 2))
    out["batch_rows_per_second_two_threads"] = round(rows / two)
    out["batch_rows_per_second_with_explanations"] = round(rows / explained)
    out["load_average_1min"] = round(os.getloadavg()[0], 2)
    return out


def transfer_rows(rate: float, rows: int, min_frauds: int, max_rows: int) -> int:
    """Rows of an unseen dataset: at least ``rows``, enough to hold ``min_frauds`` frauds
    (so its test split holds about a fifth of them), at most ``max_rows``."""
    return min(max(rows, math.ceil(min_frauds / rate)), max_rows)


def french_round_trip(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` written as a French CSV (``;``, decimal commas) and read back."""
    with tempfile.TemporaryDirectory(prefix="bench-fr-") as tmp:
        return read_table(write_table(frame, Path(tmp) / "file.csv", lang="fr"))


def bench_transfer(
    libraries: dict[str, FolderLibrary],
    budget: float,
    rows: int,
    min_frauds: int = 0,
    max_rows: int = 200_000,
    count: int | None = None,
) -> dict[str, Any]:
    """Each library's top-3 ensemble against a model trained with the labels, on the same
    unseen dataset and the same held-out test split (the peer is trained once), and
    against the same training without past labels among its features.

    ``label_free_ceiling`` is the label-free model's AUPRC over the trained one's: the
    ratio an ensemble reaches if it scores as well as a model trained on the file itself
    from what an unlabelled file holds (ADR 0029).

    ``count``: the first ``count`` domains only (all by default). Every other dataset has
    French names and is written as a French CSV (``;``, decimal commas) and read back, as
    a French user's file reaches the product."""
    out = []
    for i, (domain, spec) in enumerate(list(domains().items())[:count]):
        lang = "fr" if i % 2 else "en"
        size = transfer_rows(spec.fraud_rate, rows, min_frauds, max_rows)
        data = generate(domain, size, seed=50_000 + i, lang=lang)
        frame = french_round_trip(data.frame) if lang == "fr" else data.frame
        result = train(frame, data.target, time_budget=budget)
        assert result.splits is not None
        test = result.splits.test  # all rows are labelled: positions are rows
        hidden = frame.drop(columns=[data.target])
        y = data.labels
        trained = float(result.performance["test"]["auprc"])
        # The same training without past labels in the features: the most a model can
        # learn from the columns an unlabelled file has (the ensemble's situation).
        free = train(frame, data.target, time_budget=budget, label_features=False)
        assert free.splits is not None and np.array_equal(free.splits.test, test)
        entry: dict[str, Any] = {
            "domain": domain, "lang": lang, "rows": size,
            "fraud_rate": round(float(y.mean()), 4), "test_frauds": int(y[test].sum()),
            "trained_auprc_test": round(trained, 4),
            "trained_model": result.performance["model"]["kind"],
            "trained_without_labels_auprc_test": round(free.performance["test"]["auprc"], 4),
            "label_free_ceiling": (
                round(free.performance["test"]["auprc"] / trained, 3) if trained else None
            ),
        }  # fmt: skip
        for label, library in libraries.items():
            try:
                upload = describe(hidden)
                unfitted, _ = from_library(upload, library)  # the top 3, linear pool (peer)
                candidates, _ = from_library(upload, library, top=CANDIDATES)
                ensemble, _ = fit_to_file(candidates, hidden, upload)
            except Exception as exc:  # a refusal is a result too
                entry[label] = {"refused": str(exc)[:160]}
                continue
            scored = score(hidden, ensemble, explain=False)
            proba = scored["fraud_probability"].to_numpy()
            peer = score(hidden, unfitted, explain=False)["fraud_probability"].to_numpy()
            ens_test = float(average_precision_score(y[test], proba[test]))
            entry[label] = {
                "members": [m.name for m in ensemble.members],
                "weights": [round(m.weight, 3) for m in ensemble.members],
                "ensemble_auprc_test": round(ens_test, 4),
                "ensemble_auprc_all": round(float(average_precision_score(y, proba)), 4),
                "unfitted_auprc_test": round(
                    float(average_precision_score(y[test], peer[test])), 4
                ),
                "flagged": int(scored["prediction"].sum()),
                "frauds": int(y.sum()),
                "ratio": round(ens_test / trained, 3) if trained else None,
                "ratio_to_trained_without_labels": round(
                    ens_test / free.performance["test"]["auprc"], 3
                ),
            }
        out.append(entry)
        print(json.dumps(entry), flush=True)
    ratios = {
        label: [e[label]["ratio"] for e in out if e.get(label, {}).get("ratio") is not None]
        for label in libraries
    }
    summary = {
        label: {
            "median_ratio": round(statistics.median(r), 3),
            "mean_ratio": round(statistics.mean(r), 3),
            "min_ratio": round(min(r), 3),
        }
        for label, r in ratios.items()
        if r
    }
    return {"rows": rows, "min_frauds": min_frauds, "max_rows": max_rows,
            "trained_budget_seconds": budget, "datasets": out, "summary": summary}  # fmt: skip


def _matrices(frame: pd.DataFrame, result: TrainingResult) -> dict[str, Any]:
    """The engine's features and split, rebuilt for the baselines."""
    assert result.splits is not None
    label = result.analysis.target
    assert label is not None
    y_all = label_vector(frame[label], result.analysis.positive)
    known = ~np.isnan(y_all)
    data = frame.loc[known].reset_index(drop=True)
    y = y_all[known].astype(int)
    x = result.model.features.transform_labelled(data, y).to_numpy(dtype=float)
    s = result.splits
    return {"x_train": x[s.train], "y_train": y[s.train], "x_val": x[s.validation],
            "y_val": y[s.validation], "x_test": x[s.test], "y_test": y[s.test]}  # fmt: skip


def _scores(y: np.ndarray, proba: np.ndarray) -> dict[str, float]:
    return {
        "auprc": round(float(average_precision_score(y, proba)), 4),
        "roc_auc": round(float(roc_auc_score(y, proba)), 4),
    }


def lightgbm_defaults(m: dict[str, Any], n_jobs: int) -> dict[str, Any]:
    began = time.monotonic()
    model = lgb.LGBMClassifier(n_jobs=n_jobs, verbose=-1, random_state=0)
    model.fit(m["x_train"], m["y_train"])
    proba = model.predict_proba(m["x_test"])[:, 1]
    return {**_scores(m["y_test"], proba), "seconds": round(time.monotonic() - began, 1)}


def flaml_automl(
    m: dict[str, Any], budget: float, n_jobs: int, seed: int = 0
) -> dict[str, Any] | None:
    try:
        from flaml import AutoML
    except ImportError:
        return None
    began, began_cpu = time.monotonic(), time.process_time()
    automl = AutoML()
    automl.fit(
        m["x_train"], m["y_train"], X_val=m["x_val"], y_val=m["y_val"],
        task="classification", metric="ap",
        estimator_list=["lgbm", "xgboost", "xgb_limitdepth", "rf", "extra_tree"],  # NaN-able
        time_budget=budget, n_jobs=n_jobs, verbose=0, seed=seed,
    )  # fmt: skip
    proba = automl.predict_proba(m["x_test"])[:, 1]
    return {**_scores(m["y_test"], proba), "seconds": round(time.monotonic() - began, 1),
            "cpu_seconds": round(time.process_time() - began_cpu, 1),
            "model": str(automl.best_estimator)}  # fmt: skip


def run_one(
    name: str, frame: pd.DataFrame, budget: float, n_jobs: int, seed: int = 0
) -> dict[str, Any]:
    began, began_cpu = time.monotonic(), time.process_time()
    result = train(frame, time_budget=budget, n_jobs=n_jobs, seed=seed)
    seconds, cpu = time.monotonic() - began, time.process_time() - began_cpu
    test = result.performance["test"]
    row: dict[str, Any] = {
        "dataset": name,
        "rows": len(frame),
        "fraud_rate": round(result.performance["data"]["fraud_rate"], 4),
        "entrepot": {"auprc": round(test["auprc"], 4), "roc_auc": round(test["roc_auc"], 4),
                     "seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1),
                     "model": result.performance["model"]["kind"],
                     "stage": result.performance["model"]["stage"],
                     "trials": len(result.trials)},
    }  # fmt: skip
    matrices = _matrices(frame, result)
    row["lightgbm_defaults"] = lightgbm_defaults(matrices, n_jobs)
    row["flaml"] = flaml_automl(matrices, budget, n_jobs, seed)
    flaml = row["flaml"]
    if flaml:
        row["ratio_to_flaml"] = {
            "auprc": round(test["auprc"] / flaml["auprc"], 3),
            "seconds": round(seconds / flaml["seconds"], 3),
        }
    row["load_average_1min"] = round(os.getloadavg()[0], 2)
    print(json.dumps(row), flush=True)
    return row


def handbook(path: Path) -> pd.DataFrame:
    """The handbook's raw data, 2018-06-06 + 56 + 14 days, without the scenario column."""
    frame = pd.read_parquet(path).drop(columns=["TX_FRAUD_SCENARIO"])
    start = pd.Timestamp("2018-06-06")
    stamps = pd.to_datetime(frame["TX_DATETIME"])
    keep = (stamps >= start) & (stamps < start + pd.Timedelta(days=70))
    return frame.loc[keep].reset_index(drop=True)


def bench_training(args: argparse.Namespace) -> dict[str, Any]:
    results = []
    for seed, (domain, rate) in enumerate(GENERATED):
        data = generate(domain, args.rows, fraud_rate=rate, seed=seed)
        results.append(
            run_one(f"generated/{domain}", data.frame, args.budget, args.jobs, args.seed)
        )
    if args.handbook:
        frame = handbook(args.handbook)
        results.append(run_one("handbook", frame, args.handbook_budget, args.jobs, args.seed))
    return {"budget": args.budget, "handbook_budget": args.handbook_budget, "jobs": args.jobs,
            "seed": args.seed, "datasets": results}  # fmt: skip


def environment() -> dict[str, str]:
    versions = {}
    # xgboost is installed as the xgboost-cpu distribution: ask the module, not the wheel.
    for package in ("sklearn", "lightgbm", "xgboost", "flaml", "numpy", "pandas"):
        try:
            versions[package] = str(importlib.import_module(package).__version__)
        except ImportError:
            versions[package] = "absent"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, {platform.system()}",
        "load_average_1_5_15_min": " / ".join(f"{v:.2f}" for v in os.getloadavg()),
        **versions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("section", choices=("matching", "scoring", "transfer", "training"))
    parser.add_argument("--library", type=Path, help="reference library folder")
    parser.add_argument(
        "--baseline-library", type=Path, help="transfer: a second library, same datasets"
    )
    parser.add_argument(
        "--min-frauds", type=int, default=0, help="transfer: frauds per unseen dataset"
    )
    parser.add_argument("--domains", type=int, help="transfer: the first N domains only")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rows", type=int, default=50_000, help="rows per generated set")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per training")
    parser.add_argument("--handbook", type=Path, help="path of fraud-handbook-raw.parquet")
    parser.add_argument("--handbook-budget", type=float, default=60.0)
    parser.add_argument("--jobs", type=int, default=1, help="threads per model fit")
    parser.add_argument(
        "--baseline", action="store_true", help="scoring: time the general path alongside"
    )
    args = parser.parse_args()
    if args.section != "training" and args.library is None:
        parser.error(f"{args.section} needs --library DIR (entrepot fraud build-references)")
    library = _library(args.library) if args.library else None
    if args.section == "matching":
        assert library is not None
        found = bench_matching(library, args.seed)
    elif args.section == "scoring":
        assert library is not None
        found = bench_scoring(library, args.seed, rows=200_000, baseline=args.baseline)
    elif args.section == "transfer":
        assert library is not None
        libraries = {"ensemble": library}
        if args.baseline_library:
            libraries["baseline"] = _library(args.baseline_library)
        found = bench_transfer(
            libraries, args.budget, args.rows, args.min_frauds, count=args.domains
        )
    else:
        found = bench_training(args)
    found = {"environment": environment(), **found}
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"fraud-{args.section}.json"
    path.write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(found, indent=2))


if __name__ == "__main__":
    main()
