"""Many ``entrepot`` command lines at the cost of one Python start-up.

Run as a script by the installed interpreter (``python cli_driver.py``): it imports the
CLI once, then for each request read on stdin (one JSON line: ``{"args": [...], "cwd":
"..."}``) forks a child that runs the real entry function :func:`entrepot.cli.main.main`
from ``cwd`` with ``TMPDIR`` there, stdin on ``/dev/null`` and file descriptors 1 and 2 on
files, exactly as the console script would; it answers one JSON line ``{"code", "stdout",
"stderr"}``. A fork per case: no state a case leaves (caches, environment, working folder)
reaches the next one, whatever the order.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import tempfile
import traceback
from pathlib import Path

#: Libraries the commands import when they run (a few seconds each time otherwise):
#: imported once in the parent, where they cost nothing to a forked child. Importing runs
#: no work (house rule), so a child behaves as the console script does.
WARM = (
    "numpy",
    "pandas",
    "pyarrow",
    "scipy",
    "sklearn",
    "sklearn.ensemble",
    "sklearn.linear_model",
    "lightgbm",
    "xgboost",
    "sqlalchemy",
    "alembic",
    "entrepot.bootstrap",
    "entrepot.fraud.model",
    "entrepot.fraud.match",
    "entrepot.fraud.score",
)

#: Seconds a case may run before its child is stopped (answered as code -14, SIGALRM): a
#: hang guard only, no case comes near it even on a loaded machine.
LIMIT = 600


def _child(args: list[str], cwd: Path) -> None:
    """Run one command line in this (forked) process and exit with its code."""
    signal.alarm(LIMIT)
    os.chdir(cwd)
    os.environ["TMPDIR"] = str(cwd)
    tempfile.tempdir = None
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    sys.stdin = open(os.devnull)  # noqa: SIM115 - the child's stdin until it exits
    for fd, name in ((1, "stdout"), (2, "stderr")):
        out = os.open(cwd.parent / f"{cwd.name}.{name}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(out, fd)
    code = 1
    try:
        from entrepot.cli.main import main

        code = main(args)
    except SystemExit as exc:  # what the console script's sys.exit would turn into a code
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # the interpreter would print it: the test looks for it
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _case(args: list[str], cwd: Path) -> dict[str, object]:
    pid = os.fork()
    if pid == 0:
        _child(args, cwd)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    said = {
        name: (cwd.parent / f"{cwd.name}.{name}").read_text(errors="replace")
        for name in ("stdout", "stderr")
    }
    return {"code": code, **said}


def serve() -> None:
    """Answer each request line on stdin with its result line on stdout."""
    from entrepot.cli.main import build_app

    build_app([])  # every command module imported once, in the parent
    for name in WARM:
        importlib.import_module(name)
    answers = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        answer = _case([str(a) for a in request["args"]], Path(request["cwd"]))
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


if __name__ == "__main__":
    serve()
