"""What a fraud training holds, against what the job's memory estimate said before it
started, and beside plain LightGBM on the same file (issue 40 item 4, issue 42 item 1).

Run: ``python -m bench.fraud_memory [--rows 1000000] [--serve ROWS]``; writes
``bench/results/fraud_memory.md``.

- **Three shapes**, each trained by ``entrepot fraud train FILE --out DIR`` on the step clock
  (a 2-second budget: the same trials on any load) in a fresh process: generated card
  payments (``--rows``, 11 columns), a wide table (200,000 rows of 120 numbers, a time, a
  customer and an amount) and the Fraud Detection Handbook's transactions (the shared
  data, when present). Each figure is the process tree's CPU seconds and peak resident
  memory (sampled every 50 ms); the estimate is
  :func:`entrepot.fraud_service.memory_budget.estimate` of the file's rows, columns and
  size, as a job submitted on it is checked. The peer reads the same file and trains
  LightGBM (100 rounds, one thread) on its numeric columns.
- **``--serve ROWS``**: ``entrepot serve`` on the embedded defaults with a 12 GiB job budget,
  an enterprise account; a generated file of ``ROWS`` rows is uploaded and trained (the
  job in the worker process) while ``/health/live`` is asked every 0.25 s: its slowest
  answer and its failures, the worker's peak memory against the estimate; then a file of
  about 2 GB (the same rows repeated) is uploaded and its training asked for: refused at
  once (413, the figures), nothing queued.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

from bench._env import environment
from bench._servers import entrepot, free_port, serving
from bench.scale import ENTREPOT, PEER_TRAIN, measured
from entrepot.fraud_service.memory_budget import estimate

RESULTS = Path(__file__).parent / "results"
HANDBOOK = Path(__file__).resolve().parents[2] / "shared" / "data" / "fraud-handbook-raw.parquet"


def wide_table(path: Path, rows: int = 200_000, numbers: int = 120) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, numbers)).round(4)
    frame = pd.DataFrame(x, columns=[f"v{i}" for i in range(numbers)])
    seconds = np.sort(rng.integers(0, 90 * 86_400, rows))
    frame["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(seconds, unit="s")
    frame["customer"] = rng.integers(0, 20_000, rows)
    frame["amount"] = rng.lognormal(3, 1, rows).round(2)
    frame["is_fraud"] = (rng.random(rows) < 0.01 + 0.05 * (x[:, 0] > 2)).astype(int)
    frame.to_csv(path, index=False)


def shape(path: Path) -> tuple[int, int, str]:
    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    target = next(c for c in ("is_fraud", "TX_FRAUD") if c in frame.columns)
    return len(frame), frame.shape[1], target


def one_shape(name: str, path: Path, folder: Path, env: dict[str, str]) -> str:
    rows, columns, target = shape(path)
    train = [ENTREPOT, "fraud", "train", str(path), "--name", "m", "--time-budget", "2"]
    cpu, rss, _ = measured([*train, "--out", str(folder / f"model-{name}")], env)
    if path.suffix == ".parquet":
        csv = folder / f"{name}.csv"
        pd.read_parquet(path).to_csv(csv, index=False)
        path = csv
    peer = [sys.executable, "-c", PEER_TRAIN, str(path), str(folder / "peer.txt"), target]
    peer_cpu, peer_rss, _ = measured(peer, env)
    needed = estimate(rows, columns, path.stat().st_size) / 2**20
    return (
        f"| {name} | {rows:,} × {columns} | {cpu:.1f} | {rss:,.0f} | {needed:,.0f} "
        f"({rss / needed:.2f}) | {peer_cpu:.1f} / {peer_rss:,.0f} | "
        f"{cpu / peer_cpu:.2f}× / {rss / peer_rss:.2f}× |"
    )


def shapes(rows: int, folder: Path, env: dict[str, str]) -> list[str]:
    generated = folder / "generated.csv"
    subprocess.run(
        [ENTREPOT, "fraud", "generate", str(generated), "--rows", str(rows), "--canonical"],
        env=env,
        check=True,
        capture_output=True,
    )
    wide = folder / "wide.csv"
    wide_table(wide)
    found = [("generated", generated), ("wide", wide)]
    if HANDBOOK.exists():
        found.append(("handbook", HANDBOOK))
    lines = [
        "| table | rows × columns | CPU s | peak MiB | estimate MiB (peak/estimate) "
        "| LightGBM peer CPU s / MiB | ratio CPU / memory |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, path in found:
        lines.append(one_shape(name, path, folder, env))
        print(lines[-1], flush=True)
    return lines


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _post(url: str, headers: dict[str, str], body: dict[str, object]) -> tuple[int, dict]:
    data = json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, headers={**headers, "Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _upload(url: str, token: str, path: Path) -> dict:
    done = subprocess.run(
        ["curl", "-s", "-H", f"Authorization: Bearer {token}", "-F", f"file=@{path}", url],
        capture_output=True,
        check=True,
    )
    return json.loads(done.stdout)


def serve(rows: int, folder: Path, env: dict[str, str], big_gib: float = 2.0) -> list[str]:
    env = {**env, "ENTREPOT_JOB_MEMORY_BUDGET": "12GiB", "ENTREPOT_TRAINING_BUDGET": "10"}
    env["ENTREPOT_REFERENCE_COUNT"] = "0"
    port = free_port()
    entrepot(folder, env, "db", "upgrade")
    user = "big@example.com"
    entrepot(folder, env, "users", "create", user, "--password-stdin", stdin="pw-long-enough-1\n")
    entrepot(folder, env, "users", "licence", "big@example.com", "--plan", "enterprise")
    token = entrepot(folder, env, "users", "token", "big@example.com").strip().split()[-1]
    auth = {"Authorization": f"Bearer {token}"}
    data = folder / "large.csv"
    subprocess.run(
        [ENTREPOT, "fraud", "generate", str(data), "--rows", str(rows), "--canonical"],
        env=env,
        check=True,
        capture_output=True,
    )
    lines = []
    with serving(folder, env, port) as server:
        base = f"http://127.0.0.1:{port}"
        dataset = _upload(f"{base}/api/upload", token, data)
        info = dataset.get("analysis", {})
        needed = estimate(rows, len(info.get("columns", [])) or 11, data.stat().st_size)
        began = time.monotonic()
        code, job = _post(
            f"{base}/api/train", auth, {"dataset_id": dataset["dataset_id"], "model_name": "large"}
        )
        assert code < 300, job
        slowest, failures, probes, peak = 0.0, 0, 0, 0
        state = "queued"
        root = psutil.Process(server.pid)
        while state not in ("succeeded", "failed"):
            t0 = time.monotonic()
            status, _ = _get(f"{base}/health/live")
            slowest = max(slowest, time.monotonic() - t0)
            failures += status != 200
            probes += 1
            for child in root.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    peak = max(peak, child.memory_info().rss)
            if probes % 8 == 0:
                state = json.loads(_get(f"{base}/api/jobs/{job['job_id']}", auth)[1])["state"]
            time.sleep(0.25)
        lines.append(
            f"- training {rows:,} rows ({data.stat().st_size / 2**20:,.0f} MiB): job {state} in "
            f"{time.monotonic() - began:,.0f} s; worker peak {peak / 2**20:,.0f} MiB against an "
            f"estimate of {needed / 2**20:,.0f} MiB; `/health/live`: {probes} probes, "
            f"{failures} failed, slowest {slowest * 1000:,.0f} ms"
        )
        print(lines[-1], flush=True)
        big = folder / "two-gb.csv"
        header, body = data.read_bytes().split(b"\n", 1)
        with big.open("wb") as out:
            out.write(header + b"\n")
            while out.tell() < big_gib * 1024**3:
                out.write(body)
        t0 = time.monotonic()
        dataset = _upload(f"{base}/api/upload", token, big)
        uploaded = time.monotonic() - t0
        t0 = time.monotonic()
        code, answer = _post(
            f"{base}/api/train", auth, {"dataset_id": dataset["dataset_id"], "model_name": "huge"}
        )
        lines.append(
            f"- a {big.stat().st_size / 2**30:.2f} GiB CSV within the enterprise plan: uploaded "
            f"in {uploaded:,.0f} s; training asked: {code} `{answer.get('code')}` in "
            f"{(time.monotonic() - t0) * 1000:,.0f} ms: {answer.get('message')}"
        )
        print(lines[-1], flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--serve", type=int, default=0, help="rows of the served training")
    parser.add_argument("--skip-shapes", action="store_true")
    parser.add_argument("--big-gib", type=float, default=2.0, help="the refused file's size")
    args = parser.parse_args()
    env = {**os.environ, "ENTREPOT_TRAINING_CLOCK": "steps"}
    lines = [f"Run {environment('lightgbm', 'pandas', 'numpy')}; load {os.getloadavg()[0]:.1f}", ""]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.skip_shapes:
            lines += shapes(args.rows, folder, env)
        if args.serve:
            lines += ["", *serve(args.serve, folder, env, args.big_gib)]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "fraud_memory.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
