"""The ``entrepot`` command mounts only the command a line names; the table of what
mounts what must name every command, or a command would vanish from its own line."""

from __future__ import annotations

import pytest
import typer.main

from entrepot.cli.main import MOUNTS, build_app


def _names(app: typer.Typer) -> set[str]:
    group = typer.main.get_command(app)
    return set(getattr(group, "commands", {}))


def test_the_full_command_holds_exactly_the_names_of_the_table() -> None:
    assert _names(build_app()) == {name for names, _ in MOUNTS for name in names}


@pytest.mark.parametrize(("names", "mount"), MOUNTS, ids=[n[0] for n, _ in MOUNTS])
def test_a_line_naming_a_command_mounts_its_module_only(
    names: tuple[str, ...], mount: object
) -> None:
    for name in names:
        assert _names(build_app(["-q", name, "--help"])) == set(names)


@pytest.mark.parametrize("argv", [[], ["--help"], ["lss"], ["-v"]])
def test_a_line_naming_no_known_command_mounts_everything(argv: list[str]) -> None:
    assert _names(build_app(argv)) == _names(build_app())


def test_a_group_mounts_only_the_command_named_and_all_of_them_otherwise() -> None:
    def commands(argv: list[str]) -> set[str]:
        group = typer.main.get_command(build_app(argv)).commands["city"]  # type: ignore[attr-defined]
        return set(group.commands)

    assert commands(["city", "status"]) == {"status"}
    every = commands(["city"])
    assert {"status", "run", "generate", "import"} <= every
    assert commands(["city", "statuss"]) == every  # a typo: the whole group, for suggestions
