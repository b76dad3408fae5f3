"""Command-line start-up benchmark: each catalog command against importing its libraries.

Run: ``python -m bench.cli_startup [--runs N]``. Builds a throw-away installation (a local
folder store and a migrated SQLite catalog) and times, in fresh processes:

- *baseline*: ``python -c "import sqlalchemy, typer, rich"``, the libraries any catalog
  command needs;
- each catalog command as a user types it (``entrepot ls``, ``models ls``, ``users list``,
  ``city status``), through the installed entry point.

Runs alternate (baseline, command, baseline, ...) so that both see the same load. Two
figures per case: the wall time (median) and the CPU time of the process (user + system,
minimum), which a machine shared with other work disturbs much less. The target is a
ratio (command / baseline) of at most 1.6. Writes ``bench/results/cli_startup.md``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._env import environment

BASELINE = [sys.executable, "-c", "import sqlalchemy, typer, rich"]
COMMANDS = (("ls",), ("models", "ls"), ("users", "list"), ("city", "status"))
TARGET = 1.6
RESULTS = Path(__file__).with_name("results")


def _entry_point() -> list[str]:
    installed = Path(sys.executable).with_name("entrepot")
    return [str(installed)] if installed.is_file() else [sys.executable, "-m", "entrepot"]


def _timed(argv: list[str], folder: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(argv, cwd=folder, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _installation(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    env.update(
        ENTREPOT_STORE_URL=str(folder / "store"),
        ENTREPOT_DATABASE_URL=f"sqlite:///{folder / 'catalog.db'}",
        ENTREPOT_VAR_DIR=str(folder / "var"),
        ENTREPOT_CACHE_DIR=str(folder / "cache"),
    )
    subprocess.run([*_entry_point(), "db", "upgrade"], cwd=folder, env=env, check=True)
    return env


def measure(runs: int) -> list[tuple[str, float, float, float, float]]:
    """Per command: (name, median wall, baseline median wall, min CPU, baseline min CPU)."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="entrepot-cli-bench-") as tmp:
        folder = Path(tmp)
        env = _installation(folder)
        for command in COMMANDS:
            argv = [*_entry_point(), *command]
            ours, base = [], []
            for _ in range(runs):
                base.append(_timed(BASELINE, folder, env))
                ours.append(_timed(argv, folder, env))
            rows.append(
                (
                    "entrepot " + " ".join(command),
                    statistics.median(w for w, _ in ours),
                    statistics.median(w for w, _ in base),
                    min(c for _, c in ours),
                    min(c for _, c in base),
                )
            )
    return rows


def report(rows: list[tuple[str, float, float, float, float]]) -> str:
    """A Markdown table of the ratios."""
    lines = [
        f"Measured {environment('sqlalchemy', 'typer', 'rich', 'pydantic-settings')} · "
        f"load average {os.getloadavg()[0]:.1f}",
        "",
        "| command | wall (median) | baseline wall | ratio | CPU (min) | baseline CPU | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, wall, base_wall, cpu, base_cpu in rows:
        lines.append(
            f"| `{name}` | {wall * 1000:.0f} ms | {base_wall * 1000:.0f} ms | "
            f"{wall / base_wall:.2f} | {cpu * 1000:.0f} ms | {base_cpu * 1000:.0f} ms | "
            f"{cpu / base_cpu:.2f} |"
        )
    lines.append("")
    lines.append(
        f"Target: a ratio of at most {TARGET} (baseline: `import sqlalchemy, typer, rich`)."
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    """Measure, print and save the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command")
    text = report(measure(parser.parse_args().runs))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "cli_startup.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
