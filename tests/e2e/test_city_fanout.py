"""``entrepot city run --jobs``: a backfill's (type, day) units on the job queue, worked by
the command's worker processes (and any ``entrepot worker`` sharing the queue); one unit's
failure leaves the others."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

from tests.support.cli import Cli

SMALL = ["--arcs", "20", "--stations", "8", "--counters", "3", "--roadworks", "15"]


def test_a_backfill_fanned_out_matches_one_run_and_isolates_a_failure(
    cli: Cli, tmp_path: Path
) -> None:
    assert cli("db", "upgrade").returncode == 0
    made = cli("city", "generate", "--start", "2025-11-03", "--days", "3", *SMALL)
    assert made.returncode == 0, made.stderr
    hour = tmp_path / "var/store/raw/api/weather/dt=2025-11-04/hour=06/weather_data.json"
    hour.write_bytes(hour.read_bytes()[:100])  # one day's weather is truncated

    run = cli(
        "city", "run", "--since", "2025-11-03", "--until", "2025-11-05", "--jobs", "--workers", "2",
        "--json",
    )  # fmt: skip
    assert run.returncode != 0
    summary = json.loads(run.stdout)
    assert (summary["computed"], summary["failed"]) == (17, 1)  # 5 types x 3 days + 3 reports
    (failed,) = [r for r in summary["results"] if r["status"] == "failed"]
    assert (failed["source"], failed["date"]) == ("weather", "2025-11-04")
    assert "hour=06/weather_data.json" in failed["error"]
    assert "Traceback" not in run.stderr

    status = {
        (s["source"], s["date"]): s["state"]
        for s in json.loads(cli("city", "status", "--json").stdout)
    }
    assert status[("traffic", "2025-11-05")] == "ok"
    assert status[("weather", "2025-11-04")] == "failed"

    again = cli("city", "run", "--since", "2025-11-03", "--until", "2025-11-05", "--jobs", "--json")
    repeat = json.loads(again.stdout)
    assert repeat["skipped"] >= 14 and repeat["failed"] == 1  # unchanged units are skipped

    metrics = json.loads(cli("city", "metrics", "traffic", "2025-11-05").stdout)
    assert metrics["metrics"]["arcs"] == 20


def test_workers_elsewhere_share_the_backfill_through_redis(cli: Cli, tmp_path: Path) -> None:
    env = {
        "ENTREPOT_JOBS_URL": "redis://127.0.0.1:6379/0",
        "ENTREPOT_JOBS_NAME": f"fanout-{uuid.uuid4().hex[:8]}",
    }
    assert cli("db", "upgrade").returncode == 0
    assert cli("city", "generate", "--start", "2025-11-03", "--days", "2", *SMALL).returncode == 0
    base = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    other = subprocess.Popen(  # a worker "on another machine": only the queue in common
        [sys.executable, "-m", "entrepot", "worker", "--queue", "city"],
        cwd=tmp_path,
        env=base | env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        run = cli(
            "city", "run", "--since", "2025-11-03", "--until", "2025-11-04", "--jobs",
            "--workers", "0", "--json", extra_env=env,
        )  # fmt: skip
    finally:
        other.send_signal(signal.SIGTERM)
        other.wait(timeout=60)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["computed"] == 12
    with sqlite3.connect(tmp_path / "var/entrepot.db") as db:
        workers = {row[0] for row in db.execute("SELECT worker FROM jobs WHERE kind='city-unit'")}
    assert workers == {f"{os.uname().nodename}:{other.pid}"}
