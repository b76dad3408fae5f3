"""A training's CPU against the CPU of its own trials (issue 40 item 4: "CPU at most 1.5x
LightGBM's for the same trials").

    python -m bench.training_overhead [--rows 100000 1000000] [--budget 20]

The peer is the search's trials themselves: each trial is the library's own fit
(``LGBMClassifier.fit``, ``XGBClassifier.fit``, scikit-learn's) on the product's feature
matrix with early stopping on the validation rows, then its predictions on them; a pool
that runs the trials in this process measures each one's CPU (``time.process_time``).
Everything else is the product's own cost: reading the file, the analysis, the features
(and the test period's replay), the calibration, the card and its horizons, the
importances, the anomaly model, the signature. The budget is counted in steps, so the
trials are the ones ``fraud train`` runs on any machine. Each size runs in a fresh
process (``python -m bench.training_overhead --one ROWS``); the CPU there is the process's
own (``getrusage(RUSAGE_SELF)``, imports included), the peak its ``VmHWM``. Writes
``bench/results/training-overhead.md``.

The memory peer (issue 40 item 4: "peak RSS at most 1.5x plain LightGBM's on the same
features"): the pool saves the search's arrays (fit, validation) as ``.npy`` files, and a
fresh process (``--peer FOLDER``) loads them and fits plain LightGBM with the search's
first trial (its defaults, early stopping on the validation rows, one thread): the same
features, none of the product around them; its ``VmHWM`` is the peer's peak.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench._env import environment

RESULTS = Path(__file__).parent / "results"


class TimedPool:
    """Runs each trial here, one after the other, adding up their CPU seconds; with
    ``keep``, saves the search's arrays there once (the memory peer reads them)."""

    def __init__(self, keep: Path | None = None) -> None:
        self.cpu = 0.0
        self.trials = 0
        self.keep = keep

    def run(self, task: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any]) -> list[Any]:
        if self.keep is not None:
            import numpy as np

            data = shared.data
            for name in ("x_fit", "y_fit", "x_val", "y_val"):
                np.save(self.keep / f"{name}.npy", getattr(data, name))
            self.keep = None
        found = []
        for item in items:
            began = time.process_time()
            found.append(task(shared, item))
            self.cpu += time.process_time() - began
            self.trials += 1
        return found


def _peak_mib() -> float:
    """This process's peak resident set (``VmHWM``: unlike ``ru_maxrss``, not inherited
    from the parent through fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peer(folder: Path) -> dict[str, float]:
    """Plain LightGBM on the arrays a training saved in ``folder``: its peak and CPU."""
    import lightgbm as lgb
    import numpy as np

    from entrepot.fraud.train.space import DEFAULTS

    began = _cpu()
    x_fit, x_val = np.load(folder / "x_fit.npy"), np.load(folder / "x_val.npy")
    y_fit, y_val = np.load(folder / "y_fit.npy"), np.load(folder / "y_val.npy")
    model = lgb.LGBMClassifier(
        n_estimators=5000, metric="average_precision", n_jobs=1, verbose=-1,
        **DEFAULTS["lightgbm"],
    )  # fmt: skip
    model.fit(
        x_fit, y_fit, eval_X=(x_val,), eval_y=(y_val,),
        callbacks=[lgb.early_stopping(50, verbose=False)],
    )  # fmt: skip
    return {
        "cpu": _cpu() - began,
        "peak_mib": _peak_mib(),
        "rounds": float(model.best_iteration_ or 0),
    }


def generated(rows: int, file: Path) -> None:
    """``rows`` generated card payments (2 % fraud, seed 3) written to ``file``."""
    from entrepot.fraud.synth.generator import generate

    generate("card_payments", rows, fraud_rate=0.02, seed=3).frame.to_csv(file, index=False)


def one(rows: int, budget: float, folder: Path) -> dict[str, float]:
    """Generate ``rows`` rows, train on them with the timed pool; the CPU by stage."""
    from entrepot.fraud.tables.handed import HandedTable
    from entrepot.fraud.train.clocks import StepClock
    from entrepot.fraud.train.training import train

    file = folder / "train.csv"
    subprocess.run(  # apart: the generator's peak is not the training's
        [sys.executable, "-m", "bench.training_overhead", "--generate", str(rows), str(file)],
        check=True,
    )
    import pandas as pd

    began = _cpu()
    frame = pd.read_csv(file)
    read = _cpu() - began
    marks: dict[str, float] = {}

    def progress(message: Any) -> None:
        key = str(getattr(message, "key", ""))
        marks.setdefault(key, _cpu())

    pool = TimedPool(keep=folder)
    table = HandedTable(frame)  # handed over, as ``fraud train`` hands over the table it read
    del frame
    started = _cpu()
    train(table, time_budget=budget, clock=StepClock(), pool=pool, progress=progress)
    ended = _cpu()
    features = marks.get("progress.features", started) - started
    found = subprocess.run(
        [sys.executable, "-m", "bench.training_overhead", "--peer", str(folder)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    lightgbm = json.loads(found.stdout.strip().splitlines()[-1])
    return {
        "rows": rows,
        "peer_peak_mib": lightgbm["peak_mib"],
        "peer_cpu": lightgbm["cpu"],
        "total": ended,  # the whole process: imports, generating excluded below
        "imports": began,
        "read": read,
        "features": features,
        "trials": pool.cpu,
        "count": pool.trials,
        "training": ended - started,
        "peak_mib": _peak_mib(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--budget", type=float, default=20.0)
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--peer", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=2, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate is not None:
        generated(int(args.generate[0]), Path(args.generate[1]))
        return
    if args.peer is not None:
        print(json.dumps(peer(args.peer)))
        return
    if args.one is not None:
        with tempfile.TemporaryDirectory(prefix="bench-overhead-") as tmp:
            print(json.dumps(one(args.one, args.budget, Path(tmp))))
        return
    RESULTS.mkdir(exist_ok=True)
    lines = [
        f"Measured {environment('lightgbm', 'xgboost-cpu', 'scikit-learn', 'pandas')} · load "
        f"{Path('/proc/loadavg').read_text().split()[:3]} · budget {args.budget:g} s in steps",
        "",
        "| rows | trials | training CPU s | of which trials | of which features | "
        "the rest | training / trials | peak RSS MiB | LightGBM on the same features, "
        "peak MiB | peak / peer |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for rows in args.rows:
        done = subprocess.run(
            [sys.executable, "-m", "bench.training_overhead", "--one", str(rows),
             "--budget", str(args.budget)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        found = json.loads(done.stdout.strip().splitlines()[-1])
        rest = found["training"] - found["trials"] - found["features"]
        lines.append(
            f"| {rows:,} | {found['count']} | {found['training']:.1f} | {found['trials']:.1f} | "
            f"{found['features']:.1f} | {rest:.1f} | {found['training'] / found['trials']:.2f} | "
            f"{found['peak_mib']:,.0f} | {found['peer_peak_mib']:,.0f} | "
            f"{found['peak_mib'] / found['peer_peak_mib']:.2f} |"
        )
        print("\n".join(lines), flush=True)
    (RESULTS / "training-overhead.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
