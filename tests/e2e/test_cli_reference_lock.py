"""Issue 44 item 1: two reference builds at once build each reference once (ADR 0092).

Two installed ``entrepot fraud build-references --count 2`` started together on one
instance (SQLite, and PostgreSQL as several machines would share it): each reference has
exactly one version, the two processes together built two, and what one did not build it
says it waited for (or found already there)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import ENTRY_POINT
from tests.support.databases import temporary_database
from tests.support.waiting import HANG_GUARD

#: Small references, budgets counted in steps: the same work on any machine load.
BUILD = (
    "fraud", "build-references", "--count", "2", "--rows", "2000", "--min-frauds", "100",
    "--time-budget", "1",
)  # fmt: skip
_SUMMARY = re.compile(r"(\d+) reference models? built, (\d+) already present")
_ELSEWHERE = re.compile(r"(\d+) reference models? built by another builder")


def _env(folder: Path, database: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    (folder / "tmp").mkdir(exist_ok=True)
    env.update(
        {
            "COLUMNS": "200",
            "TMPDIR": str(folder / "tmp"),
            "ENTREPOT_TRAINING_CLOCK": "steps",
            "ENTREPOT_SECRET_KEY": "reference-lock-secret-0123456789abcdef",
        }
    )
    if database is not None:
        env["ENTREPOT_DATABASE_URL"] = database
    return env


def _run(folder: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ENTRY_POINT, *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )


def _two_builds_at_once(folder: Path, env: dict[str, str]) -> None:
    upgraded = _run(folder, env, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    builders = [
        subprocess.Popen(
            [*ENTRY_POINT, *BUILD],
            cwd=folder,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [builder.communicate(timeout=HANG_GUARD) for builder in builders]
    for builder, (_, err) in zip(builders, outputs, strict=True):
        assert builder.returncode == 0, err
    built = present = elsewhere = 0
    for out, _ in outputs:
        summary = _SUMMARY.search(out)
        assert summary is not None, out
        waited = _ELSEWHERE.search(out)
        mine = (int(summary[1]), int(summary[2]), int(waited[1]) if waited else 0)
        assert sum(mine) == 2, out  # every reference: built, found, or waited for
        built, present, elsewhere = built + mine[0], present + mine[1], elsewhere + mine[2]
    assert built == 2, outputs  # each reference built once, by one of the two
    assert present + elsewhere == 2, outputs  # and the other one said so

    listed = _run(folder, env, "models", "references", "--all", "--json")
    names = [r["name"] for r in json.loads(listed.stdout)]
    assert len(names) == 2, listed.stdout
    for name in names:
        versions = _run(folder, env, "models", "versions", name, "--json")
        assert len(json.loads(versions.stdout)) == 1, versions.stdout


def test_two_builds_at_once_build_each_reference_once(tmp_path: Path) -> None:
    _two_builds_at_once(tmp_path, _env(tmp_path))


@pytest.mark.postgres
def test_two_builds_at_once_on_postgresql(tmp_path: Path) -> None:
    with temporary_database() as url:
        _two_builds_at_once(tmp_path, _env(tmp_path, url))
