"""The README's commands run verbatim, in order, as one script (issue 42 item 6): every
``bash`` block the README marks as part of its script, joined in the README's order and
run by ``bash -euo pipefail`` in a fresh folder beside the installed ``.venv``, with the
service it starts in the background on a free port (``ENTREPOT_PORT``). Nothing is
rewritten: the only inputs are the environment (the port, a step-counted training clock,
smaller reference samples, a smaller budget for the trainings that name none) and the
password ``entrepot users create`` asks for on its standard input.

The blocks left out need what a laptop does not have: ``make run``/``make test`` (the
set-up commands, which start this suite), Docker, a deployed service on another machine,
and a production database and bucket (``tests/e2e/test_laptop_to_team.py`` runs that
move on local servers)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.network import free_port

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
#: The line that marks a block as part of the README's script.
MARK = "<!-- a script: tests/e2e/test_readme_script.py runs the blocks marked so"
#: Generous: the script trains five models and builds the reference library.
SCRIPT_GUARD = 1800

#: Reference models built from smaller samples with a smaller budget: the script checks
#: that the commands work as written, not the library's quality (``tests/unit/fraud``).
SMALL_REFERENCES = {
    "ENTREPOT_REFERENCE_ROWS": "4000",
    "ENTREPOT_REFERENCE_MIN_FRAUDS": "100",
    "ENTREPOT_REFERENCE_BUDGET": "1",
}

#: The trainings that name no ``--time-budget`` (the service's, ``--user``'s, the
#: ``--label-delay-days`` one) take this many seconds of steps instead of 60.
SMALL_TRAININGS = {"ENTREPOT_TRAINING_BUDGET": "10"}

pytestmark = pytest.mark.slow


def script_blocks(text: str) -> list[str]:
    """The marked ``bash`` blocks of ``text``, in their order."""
    found = re.findall(r"^(<!--[^\n]*)\n```bash\n(.*?)^```", text, flags=re.M | re.S)
    return [body for mark, body in found if mark.startswith(MARK)]


def test_the_marked_blocks_are_the_local_ones() -> None:
    blocks = script_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 5, "the README marks its local blocks"
    joined = "\n".join(blocks)
    for command in ("entrepot serve &", "entrepot fraud train", "entrepot city run"):
        assert command in joined, f"{command!r} is in the script"
    assert "docker compose" not in joined and "example.org" not in joined


def test_the_readme_runs_verbatim_as_one_script(tmp_path: Path) -> None:
    blocks = script_blocks(README.read_text(encoding="utf-8"))
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))
    script = "\n".join(["set -euo pipefail", *blocks, "echo README-SCRIPT-DONE"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    env |= {"ENTREPOT_PORT": str(free_port()), "ENTREPOT_TRAINING_CLOCK": "steps"}
    env |= SMALL_REFERENCES | SMALL_TRAININGS
    env.pop("VIRTUAL_ENV", None)
    password = "a readme password 42\n"
    log = tmp_path / "script.log"
    with (
        log.open("w") as out,
        subprocess.Popen(
            ["bash", "-c", script],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.PIPE,
            stdout=out,  # a file: the background service keeps its end open
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # the background service goes with the script's group
        ) as process,
    ):
        try:
            assert process.stdin is not None
            process.stdin.write(password * 2)
            process.stdin.close()
            process.wait(timeout=SCRIPT_GUARD)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    output = log.read_text()
    assert process.returncode == 0, output[-6000:]
    # the script's last line; the service, stopped after it, may still write its goodbye
    assert "\nREADME-SCRIPT-DONE\n" in output, output[-3000:]
    scores = tmp_path / "predictions.csv"
    assert scores.is_file() and scores.read_text().count("\n") > 5000, output[-3000:]
    assert "Traceback" not in output, output[-6000:]
