"""Every listing and status command of the installed ``entrepot`` takes ``--json`` and
prints one JSON document on stdout, with the rows its table shows.

The commands are read from the CLI's own parser: a new command fails
:func:`test_every_command_is_a_listing_or_an_action` until it is put in one of the two
tables below, and a new listing fails until it takes ``--json``."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import typer
from typer.core import TyperGroup

from entrepot.cli.main import build_app
from tests.support.cli import ENTRY_POINT

#: A key longer than any terminal is wide: a table shows it whole (stdout is a pipe here).
LONG_KEY = "reports/" + "-".join(f"quarterly-fraud-review-part-{n}" for n in range(6)) + ".txt"


class Listing(NamedTuple):
    """A listing's arguments on the instance below, and the values of its JSON document
    that its table must show too (its rows, by what names them)."""

    args: tuple[str, ...]
    shown: Callable[[Any], list[str]]


def _each(key: str, under: str | None = None) -> Callable[[Any], list[str]]:
    def pick(document: Any) -> list[str]:
        rows = document[under] if under else document
        return [str(row[key]) for row in rows]

    return pick


def _field(*path: str) -> Callable[[Any], list[str]]:
    def pick(document: Any) -> list[str]:
        for name in path:
            document = document[name]
        return [str(document)]

    return pick


#: Every listing and status command, with what its table and its JSON both show.
LISTINGS: dict[tuple[str, ...], Listing] = {
    ("ls",): Listing(("-r",), _each("key", "objects")),
    ("du",): Listing((), _each("name", "folder")),
    ("head",): Listing((LONG_KEY,), _field("sha256")),
    ("doctor",): Listing((), _each("check")),
    ("verify",): Listing((), _field("checked")),
    ("config", "show"): Listing((), _each("env_var")),
    ("cache", "info"): Listing((), _field("folder")),
    ("users", "list"): Listing((), _each("email")),
    ("models", "ls"): Listing((), _each("name")),
    ("models", "versions"): Listing(("m",), _each("version")),
    ("models", "show"): Listing(("m@v1",), _field("version")),
    ("models", "latest"): Listing(("m",), _field("version")),
    ("models", "references"): Listing(("--all",), _each("name")),
    ("secrets", "list"): Listing((), _each("id")),
    ("fraud", "domains"): Listing((), _each("domain")),
    ("city", "status"): Listing((), _each("source")),
    ("city", "check"): Listing((), _field("days")),
    ("move",): Listing(("--status",), lambda document: []),
    ("whoami",): Listing((), _field("store_url")),
}
#: Listings of a deployed service only (a local instance has no such command): they need
#: --json too; their JSON against their table is checked in ``test_cli_remote.py``.
REMOTE_LISTINGS = {("datasets", "ls"), ("predictions", "ls")}

#: Commands that do something (write, move, train, serve, export) or print a document of
#: their own (a URL, a policy, metrics already in JSON): not listings.
ACTIONS = {
    ("put",), ("get",), ("rm",), ("presign",), ("gc",), ("demo",), ("migrate",),
    ("iam-policy",), ("serve",), ("worker",), ("cache", "clear"), ("db", "upgrade"),
    ("db", "copy"), ("bucket", "create"), ("bucket", "exists"), ("users", "create"),
    ("users", "token"), ("users", "admin"), ("users", "licence"), ("models", "push"),
    ("models", "pull"), ("models", "alias"), ("models", "rm"), ("models", "presign"),
    ("models", "verify"), ("models", "export"), ("models", "import-tree"), ("models", "resign"),
    ("secrets", "rotate"),
    ("secrets", "export"), ("secrets", "import"), ("secrets", "rewrap"), ("fraud", "generate"),
    ("fraud", "analyze"), ("fraud", "train"), ("fraud", "build-references"), ("fraud", "match"),
    ("fraud", "score"), ("fraud", "evaluate"), ("city", "generate"), ("city", "process"),
    ("city", "run"), ("city", "metrics"), ("city", "report"), ("city", "copy-metrics"),
    ("city", "migrate-metrics"), ("city", "import"), ("city", "collect"), ("login",),
    ("logout",),
}  # fmt: skip


def _commands() -> dict[tuple[str, ...], list[str]]:
    """Every command of the CLI's parser, with the options it takes."""
    found: dict[tuple[str, ...], list[str]] = {}

    def walk(command: Any, words: tuple[str, ...]) -> None:
        if isinstance(command, TyperGroup):
            for name, sub in command.commands.items():
                walk(sub, (*words, name))
            return
        found[words] = [option for p in command.params for option in p.opts]

    walk(typer.main.get_command(build_app([])), ())
    return found


def test_every_command_is_a_listing_or_an_action() -> None:
    commands = _commands()
    listings = set(LISTINGS) | REMOTE_LISTINGS
    unsorted = set(commands) - listings - ACTIONS
    assert not unsorted, f"put each in LISTINGS (it then needs --json) or ACTIONS: {unsorted}"
    assert not listings & ACTIONS
    assert listings | ACTIONS == set(commands), "a command named here no longer exists"
    without = [" ".join(words) for words in listings if "--json" not in commands[words]]
    assert not without, f"listings without --json: {without}"


def _env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    env.pop("COLUMNS", None)  # stdout is a pipe: no width is assumed
    return {**env, "TMPDIR": str(folder)}


def _entrepot(
    folder: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ENTRY_POINT, *args],
        cwd=folder,
        env=_env(folder),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An instance with a row in each listing: an object with a long key, a model, a
    reference model and an account."""
    folder = tmp_path_factory.mktemp("instance")
    (folder / "a.txt").write_text("hello\n")
    tree = folder / "tree" / "dataset2"
    tree.mkdir(parents=True)
    (tree / "model.txt").write_text("tree\nversion=v4\n")
    steps: list[tuple[tuple[str, ...], str | None]] = [
        (("db", "upgrade"), None),
        (("put", "a.txt", LONG_KEY), None),
        (("models", "push", "a.txt", "--name", "m", "--version", "v1"), None),
        (("models", "import-tree", "tree", "--untrusted"), None),
        (("users", "create", "analyst@example.com", "--password-stdin"), "long enough pw 123"),
    ]
    for args, stdin in steps:
        done = _entrepot(folder, *args, stdin=stdin)
        assert done.returncode == 0, done.stdout + done.stderr
    return folder


@pytest.mark.parametrize("words", list(LISTINGS), ids=" ".join)
def test_a_listing_prints_one_json_document_with_the_rows_of_its_table(
    instance: Path, words: tuple[str, ...]
) -> None:
    listing = LISTINGS[words]
    as_json = _entrepot(instance, *words, *listing.args, "--json")
    as_table = _entrepot(instance, *words, *listing.args)
    assert as_json.returncode == as_table.returncode == 0, as_json.stderr + as_table.stderr
    document = json.loads(as_json.stdout)  # the whole of stdout: one document, nothing else
    assert "Traceback" not in as_json.stderr + as_table.stderr
    for value in listing.shown(document):
        assert value in as_table.stdout, f"{value!r} is in the JSON, not in the table"
    assert "None" not in as_table.stdout, "nothing is shown as None"


def test_a_pipe_gets_whole_lines(instance: Path) -> None:
    listed = _entrepot(instance, "ls", "-r", "reports/")
    lines = listed.stdout.splitlines()
    assert len(lines) == 3, lines  # the header, the one object, the count
    assert lines[1].split()[0] == LONG_KEY
    put = _entrepot(instance, "put", "a.txt", "docs/b.txt")
    assert put.returncode == 0, put.stderr
    assert put.stdout.count("\n") == 1 and put.stdout.rstrip().endswith(")"), put.stdout
