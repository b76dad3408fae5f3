"""Every command of the installed ``entrepot``, given a bad value for each of its
parameters in turn: a refusal (one message and a documented exit code other than 0), never
a traceback; the few values a command rightly takes as they are (a filter that matches
nothing, a relative folder as a destination) are listed in ``TAKEN``, each with its reason,
and the list holds no stale entry.

The commands and their parameters are read from the CLI's own parser, so a new command or
option is covered without touching this file. The cases run through one driver process of
the installed interpreter (``tests/support/cli_driver.py``: the real entry function, a
fork per case, in a fresh copy of a migrated instance); a few also run through the
installed ``entrepot`` itself, as a control that the driver sees what the command sees."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
import typer
from typer.core import TyperGroup, TyperOption

from entrepot.cli.main import build_app
from tests.support.cli import ENTRY_POINT
from tests.support.waiting import HANG_GUARD

#: The README's exit codes (## Exit codes).
DOCUMENTED = {0, 1, 2, 65, 66, 69, 73, 74, 75, 77, 78}

#: A value of each parameter type that no command should take as it is.
BAD = {
    "int": "-1",
    "int range": "-1",
    "float range": "nan",
    "path": "no-such-dir/file",
    "choice": "bad",
}
#: Options that reach the network (no internet here), or start work that runs for minutes
#: (a server, the reference build) when a value is taken: left to their own tests.
NETWORK = {("city", "collect"), ("serve",), ("worker",), ("fraud", "build-references")}


def _cases() -> list[list[str]]:
    root = typer.main.get_command(build_app([]))
    cases: list[list[str]] = []

    def walk(command: object, words: list[str]) -> None:
        if isinstance(command, TyperGroup):
            for name, sub in command.commands.items():
                walk(sub, [*words, name])
            return
        params = getattr(command, "params", [])
        args = [BAD.get(p.type.name, "bad value") for p in params if not isinstance(p, TyperOption)]
        if args:
            cases.append([*words, *args])
        if tuple(words) in NETWORK:
            return
        for p in params:
            if isinstance(p, TyperOption) and not p.is_flag and p.opts[0] != "--help":
                cases.append([*words, *args, p.opts[0], BAD.get(p.type.name, "bad value")])

    walk(root, [])
    return cases


def _choice_cases() -> list[tuple[list[str], tuple[str, ...]]]:
    """Every option that takes one of a list of values, given one it does not take: the
    words to type, and the values the usage error must list."""
    root = typer.main.get_command(build_app([]))
    cases: list[tuple[list[str], tuple[str, ...]]] = []

    def walk(command: object, words: list[str]) -> None:
        if isinstance(command, TyperGroup):
            for name, sub in command.commands.items():
                walk(sub, [*words, name])
            return
        params = getattr(command, "params", [])
        args = [BAD.get(p.type.name, "bad value") for p in params if not isinstance(p, TyperOption)]
        for p in params:
            if isinstance(p, TyperOption) and p.type.name == "choice":
                choices = tuple(str(c) for c in p.type.choices)  # type: ignore[attr-defined]
                cases.append(([*words, *args, p.opts[0], "gold"], choices))

    walk(root, [])
    return cases


#: A bad value of a choice is a usage error (exit 2) listing the values it takes: the
#: parser's choices, and the values a service checks itself (issue 28: ``--plan gold``,
#: any case accepted by the admin service, exited 65; before the account was looked up).
USAGE_ERRORS: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "users licence --plan gold": (
        ["users", "licence", "someone@example.com", "--plan", "gold"],
        ("trial", "basic", "premium", "enterprise"),
    ),
} | {" ".join(words): (words, choices) for words, choices in _choice_cases()}


#: Cases whose "bad" value is one the command rightly takes (exit 0), with the reason; the
#: words are the case's, as typed.
TAKEN = {
    "ls bad value": "a prefix is a filter: one that matches nothing lists nothing",
    "du bad value": "a prefix is a filter: one that matches nothing counts nothing",
    "verify --prefix bad value": "a prefix is a filter: nothing under it, nothing to check",
    "city check --prefix bad value": "a folder name like others: nothing stored, nothing to check",
    "users list --query bad value": "a search that matches no account lists none",
    "move --to bad value": "a relative folder is a destination store (file://)",
    "migrate --to bad value": "the old name of `move`: the same",
}


#: The driver script (run by the installed interpreter, beside the ``entrepot`` script).
DRIVER = Path(__file__).parents[1] / "support" / "cli_driver.py"

CASES = _cases()
#: Cases also run through the installed ``entrepot``: one per top-level command group.
CONTROLS = list({case[0]: case for case in reversed(CASES)}.values())[:6]


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated instance, copied for each case (a case may write to it)."""
    folder = tmp_path_factory.mktemp("instance")
    made = subprocess.run(
        [*ENTRY_POINT, "db", "upgrade"], cwd=folder, env=_env(folder), capture_output=True
    )
    assert made.returncode == 0, made.stderr
    return folder


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[subprocess.Popen[str]]:
    """The driver process, answering one case a line."""
    folder = tmp_path_factory.mktemp("driver")
    process = subprocess.Popen(
        [sys.executable, str(DRIVER)],
        cwd=folder,
        env=_env(folder),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.close()
        process.wait(timeout=60)
        process.stdout.close()  # an open pipe is an unraisable ResourceWarning at exit


def _env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    return {**env, "COLUMNS": "200", "TMPDIR": str(folder)}


def _through_driver(driver: subprocess.Popen[str], args: list[str], here: Path) -> Said:
    assert driver.stdin is not None and driver.stdout is not None
    driver.stdin.write(json.dumps({"args": args, "cwd": str(here)}) + "\n")
    driver.stdin.flush()
    line = driver.stdout.readline()
    assert line, f"the driver stopped (exit {driver.poll()})"
    answer = json.loads(line)
    return Said(answer["code"], answer["stdout"], answer["stderr"])


def _through_entrepot(args: list[str], here: Path) -> Said:
    result = subprocess.run(
        [*ENTRY_POINT, *args],
        cwd=here,
        env=_env(here),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    return Said(result.returncode, result.stdout, result.stderr)


class Said(NamedTuple):
    code: int
    stdout: str
    stderr: str

    def mentioning(self, here: Path) -> Said:
        """The same, with the case's folder written as ``HERE`` (to compare two runs)."""
        return Said(
            self.code,
            self.stdout.replace(str(here), "HERE"),
            self.stderr.replace(str(here), "HERE"),
        )


def _check(result: Said, here: Path, args: list[str] | None = None) -> None:
    said = result.stdout + result.stderr
    assert "Traceback" not in said, said
    assert "unexpected failure" not in said, said
    assert result.code in DOCUMENTED, said
    if args is not None:
        taken = " ".join(args) in TAKEN
        assert (result.code == 0) == taken, (
            f"exit {result.code}: a bad value is refused, unless TAKEN lists it: {said}"
        )
    if result.code:
        assert result.stderr.strip(), "an error says what went wrong"
    assert not (here / "no-such-dir").exists(), "no folder tree made for a mistyped path"


def test_every_taken_value_is_a_case() -> None:
    assert sorted(set(TAKEN) - {" ".join(c) for c in CASES}) == []


@pytest.mark.parametrize("args", CASES, ids=" ".join)
def test_a_bad_value_is_one_message_and_a_documented_exit_code(
    instance: Path, driver: subprocess.Popen[str], tmp_path: Path, args: list[str]
) -> None:
    here = tmp_path / "here"
    shutil.copytree(instance, here)
    _check(_through_driver(driver, args, here), here, args)


@pytest.mark.parametrize("args", CONTROLS, ids=" ".join)
def test_the_installed_entrepot_says_what_the_driver_says(
    instance: Path, driver: subprocess.Popen[str], tmp_path: Path, args: list[str]
) -> None:
    by_driver, by_command = tmp_path / "driver", tmp_path / "command"
    shutil.copytree(instance, by_driver)
    shutil.copytree(instance, by_command)
    command = _through_entrepot(args, by_command)
    _check(command, by_command)
    assert _through_driver(driver, args, by_driver).mentioning(by_driver) == command.mentioning(
        by_command
    )


@pytest.mark.parametrize(("args", "choices"), USAGE_ERRORS.values(), ids=USAGE_ERRORS.keys())
def test_a_bad_choice_is_a_usage_error_listing_the_choices(
    instance: Path,
    driver: subprocess.Popen[str],
    tmp_path: Path,
    args: list[str],
    choices: tuple[str, ...],
) -> None:
    here = tmp_path / "here"
    shutil.copytree(instance, here)
    said = _through_driver(driver, args, here)
    _check(said, here)
    assert said.code == 2, said.stderr
    error = " ".join(said.stderr.split())  # the terminal may wrap it
    assert all(choice in error for choice in choices), error
