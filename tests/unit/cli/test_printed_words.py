"""The command line's own lines come from the catalogs (issue 44, item 3): no module of
``entrepot.cli`` prints an English word of its own (a literal given to ``print``,
``echo``, ``note``, a table's title, header or cell, a listing's footer), so that
``LANG=fr_FR.UTF-8`` gets French. Command lines to type (in backticks), options
(``--json``), Rich markup and format fields are not words. One failure lists every
offender, each module parsed once."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from entrepot.cli.output import HEADERS

CLI = Path(__file__).resolve().parents[3] / "src" / "entrepot" / "cli"
#: Calls whose arguments people read: printing, tables, their columns and rows.
PRINTERS = {
    *("print", "echo", "note", "secho", "log", "Table", "Column", "add_row", "add_column"),
    *("status", "confirm", "prompt", "add_task", "TextColumn"),  # progress and questions
}
#: Keywords of those calls that people read.
READ_KEYWORDS = {"title", "footer", "header", "caption", "description"}
_NOT_WORDS = re.compile(
    r"`[^`]*`"  # a command to type
    r"|\[/?[a-z ]*\]"  # Rich markup
    r"|--?[a-z][a-z-]*"  # an option
    r"|\{[^}]*\}"  # a format field
    r"|%[a-z]"  # a %-field
    r"|sha256"  # the name of a hash
    r"|Entrepôt"  # the product's name
    r"|\b[A-Z][A-Z_]+\b"  # a placeholder (FILE, NAME@VERSION) or an acronym (AUPRC)
)
_WORD = re.compile(r"[A-Za-z]{3,}")


#: Calls that build what is printed from their arguments: a Rich ``Text`` (its first
#: argument; the second is a style), ``Text.assemble`` (each part, or a part's text in a
#: ``(text, style)`` pair), ``escape``, ``str``.
WRAPPERS = {"Text", "assemble", "escape", "str"}
#: Assignments of each function (and of the module): a name -> the values given to it.
Assigned = dict[str, list[ast.expr]]


def _literal_text(node: ast.expr, assigned: Assigned | None = None, depth: int = 0) -> str:
    """The literal parts of a string or f-string (its fields left out), also through a Rich
    ``Text`` and a name assigned a sentence before it is printed (``line = f"…"``)."""
    if depth > 3:
        return ""
    again = lambda n: _literal_text(n, assigned, depth + 1)  # noqa: E731
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return " ".join(_literal_text(v) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):
        return again(node.left) + " " + again(node.right)
    if isinstance(node, ast.IfExp):
        return again(node.body) + " " + again(node.orelse)
    if isinstance(node, ast.Tuple) and node.elts:  # a (text, style) part of Text.assemble
        return again(node.elts[0])
    if isinstance(node, ast.Call) and _name(node) in WRAPPERS:
        parts = node.args if _name(node) == "assemble" else node.args[:1]
        return " ".join(again(part) for part in parts)
    if isinstance(node, ast.Name) and assigned is not None:
        return " ".join(again(value) for value in assigned.get(node.id, []))
    return ""


def _assignments(scope: ast.AST) -> Assigned:
    """Every ``name = value`` and ``name += value`` of ``scope`` (not of nested functions)."""
    found: Assigned = {}
    for node in _own_nodes(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
        elif (
            isinstance(node, ast.AugAssign | ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.value is not None
        ):
            found.setdefault(node.target.id, []).append(node.value)
    return found


def _own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of ``scope``, leaving out the bodies of the functions it defines."""
    for child in ast.iter_child_nodes(scope):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        yield child
        yield from _own_nodes(child)


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _untitled_column(call: ast.Call) -> str:
    """The key of a ``Column(key)`` with no title whose key has no header of its own."""
    if (
        _name(call) != "Column"
        or len(call.args) != 1
        or (call.keywords and any(k.arg == "title" for k in call.keywords))
    ):
        return ""
    key = call.args[0]
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return "" if key.value in HEADERS else key.value
    return ""


def _read(call: ast.Call) -> Iterator[ast.expr]:
    name = _name(call)
    if name in ("confirm", "prompt") and not isinstance(call.func, ast.Attribute):
        return  # the command line's own ``confirm(what, command)``, not ``typer.confirm``
    if name not in PRINTERS and not any(k.arg == "footer" for k in call.keywords):
        return
    if name in PRINTERS:
        yield from call.args[1:2] if name == "Column" else call.args
    yield from (k.value for k in call.keywords if k.arg in READ_KEYWORDS)


def offenders_in(tree: ast.Module, where: str) -> list[str]:
    """``where:line: text`` for each printed English sentence of one module."""
    found = []
    scopes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))]
    for scope in scopes:
        assigned = _assignments(scope)
        for node in _own_nodes(scope):
            if not isinstance(node, ast.Call):
                continue
            if untitled := _untitled_column(node):
                found.append(f"{where}:{node.lineno}: a column {untitled!r} with no header")
            for arg in _read(node):
                said = _literal_text(arg, assigned)
                if _WORD.search(_NOT_WORDS.sub(" ", said)):
                    found.append(f"{where}:{node.lineno}: {said[:70]!r}")
    return found


def offenders() -> list[str]:
    found = []
    for path in sorted(CLI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += offenders_in(tree, str(path.relative_to(CLI.parent.parent)))
    return found


@pytest.mark.parametrize(
    "source",
    [
        'console.print("stored it")',
        'line = f"wrote {n} rows"\nconsole.print(line)',
        'said = "moved"\nsaid += f" {n} objects"\necho(said, err=True)',
        'console.print(Text.assemble(("warning", "yellow"), f" {x}"))',
        'progress.add_task(f"put {key}", total=None)',
        'typer.prompt("Password", hide_input=True)',
        'emit_rows(rows, columns, footer=f"{n} dataset(s)")',
    ],
)
def test_the_walk_catches(source: str) -> None:
    assert offenders_in(ast.parse(source), "m.py"), source


@pytest.mark.parametrize(
    "source",
    [
        't = words()\nconsole.print(t("cli.ls.listing"))',
        'console.print(Text(said, "green"))',
        'console.print("`entrepot move --resume`")',
        'console.print(f"{key}: {value}")',
    ],
)
def test_the_walk_lets_pass(source: str) -> None:
    assert offenders_in(ast.parse(source), "m.py") == [], source


def test_the_command_line_prints_no_english_of_its_own() -> None:
    found = offenders()
    assert found == [], (
        f"{len(found)} lines the command line prints in English; give each a key in both "
        "catalogs (`t = words(); t('cli.…')`, cli/language.py):\n" + "\n".join(found)
    )
