"""``entrepot city generate`` for a later window adds to the lake and never rewrites the
days it was not asked for: before, its counts export replaced the earlier one, and a run
found every earlier day's traffic "input missing"."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import Cli

SMALL = ["--arcs", "20", "--stations", "8", "--counters", "3", "--roadworks", "15"]


def _traffic(cli: Cli, *days: str) -> dict[str, str]:
    run = cli("city", "run", "--since", days[0], "--until", days[-1], "--type", "traffic")
    assert run.returncode == 0, run.stdout + run.stderr
    found = {}
    for day in days:
        shown = cli("city", "metrics", "traffic", day)
        assert shown.returncode == 0, shown.stderr
        found[day] = json.dumps(json.loads(shown.stdout)["metrics"], sort_keys=True)
    return found


def test_a_later_window_keeps_the_earlier_days(cli: Cli, tmp_path: Path) -> None:
    assert cli("db", "upgrade").returncode == 0
    made = cli("city", "generate", "--start", "2025-11-03", "--days", "2", *SMALL)
    assert made.returncode == 0, made.stderr
    batch = tmp_path / "var/store/raw/batch"
    first = {p.relative_to(batch): p.read_bytes() for p in batch.rglob("*") if p.is_file()}
    before = _traffic(cli, "2025-11-03", "2025-11-04")

    later = cli("city", "generate", "--start", "2025-11-05", "--days", "1", *SMALL)
    assert later.returncode == 0, later.stderr
    # the earlier files are still there, byte for byte; the later ones beside them
    for path, data in first.items():
        assert (batch / path).read_bytes() == data, path
    assert len([p for p in batch.rglob("*") if p.is_file()]) > len(first)

    rerun = cli("city", "run", "--since", "2025-11-03", "--until", "2025-11-05", "--json")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    summary = json.loads(rerun.stdout)
    assert summary["failed"] == 0 and summary.get("input_missing", {}) == {}, summary
    after = _traffic(cli, "2025-11-03", "2025-11-04", "2025-11-05")
    assert {d: after[d] for d in before} == before
