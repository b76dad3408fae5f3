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

CLI = Path(__file__).resolve().parents[3] / "src" / "entrepot" / "cli"
#: Calls whose arguments people read: printing, tables, their columns and rows.
PRINTERS = {"print", "echo", "note", "secho", "log", "Table", "Column", "add_row", "add_column"}
#: Keywords of those calls that people read.
READ_KEYWORDS = {"title", "footer", "header", "caption", "description"}
_NOT_WORDS = re.compile(
    r"`[^`]*`"  # a command to type
    r"|\[/?[a-z ]*\]"  # Rich markup
    r"|--?[a-z][a-z-]*"  # an option
    r"|\{[^}]*\}"  # a format field
    r"|%[a-z]"  # a %-field
    r"|\b[A-Z][A-Z_]+\b"  # a placeholder (FILE, NAME@VERSION) or an acronym (AUPRC)
)
_WORD = re.compile(r"[A-Za-z]{3,}")


def _literal_text(node: ast.expr) -> str:
    """The literal parts of a string or f-string (its fields left out)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return " ".join(_literal_text(v) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _literal_text(node.left) + " " + _literal_text(node.right)
    if isinstance(node, ast.IfExp):
        return _literal_text(node.body) + " " + _literal_text(node.orelse)
    return ""


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _read(call: ast.Call) -> Iterator[ast.expr]:
    name = _name(call)
    if name not in PRINTERS and not any(k.arg == "footer" for k in call.keywords):
        return
    if name in PRINTERS:
        yield from call.args[1:2] if name == "Column" else call.args
    yield from (k.value for k in call.keywords if k.arg in READ_KEYWORDS)


def offenders() -> list[str]:
    found = []
    for path in sorted(CLI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for arg in _read(node):
                text = _NOT_WORDS.sub(" ", _literal_text(arg))
                if _WORD.search(text):
                    where = path.relative_to(CLI.parent.parent)
                    found.append(f"{where}:{node.lineno}: {_literal_text(arg)[:70]!r}")
    return found


def test_the_command_line_prints_no_english_of_its_own() -> None:
    found = offenders()
    assert found == [], (
        f"{len(found)} lines the command line prints in English; give each a key in both "
        "catalogs (`t = words(); t('cli.…')`, cli/language.py):\n" + "\n".join(found)
    )
