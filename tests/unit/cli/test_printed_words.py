"""The command line's own lines come from the catalogs (issue 44, item 3): no module of
``entrepot.cli`` prints an English word of its own (a literal given to ``print``,
``echo``, ``note``, a table's title, header or cell, a listing's footer), so that
``LANG=fr_FR.UTF-8`` gets French. Command lines to type (in backticks), options
(``--json``), Rich markup and format fields are not words. One failure lists every
offender, each module parsed once."""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from entrepot.cli.output import HEADERS

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
    r"|sha256"  # the name of a hash
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
            if untitled := _untitled_column(node):
                where = path.relative_to(CLI.parent.parent)
                found.append(f"{where}:{node.lineno}: a column {untitled!r} with no header")
            for arg in _read(node):
                text = _NOT_WORDS.sub(" ", _literal_text(arg))
                if _WORD.search(text):
                    where = path.relative_to(CLI.parent.parent)
                    found.append(f"{where}:{node.lineno}: {_literal_text(arg)[:70]!r}")
    return found


#: The modules whose lines are not in the catalogs yet, and how many of their calls print
#: English (issue 44, item 3, left): the count may only go down, to none.
NOT_YET = {
    "entrepot/cli/city/collect.py": 7,
    "entrepot/cli/city/imports.py": 9,
    "entrepot/cli/city/runs.py": 3,
    "entrepot/cli/db_copy.py": 9,
    "entrepot/cli/demo.py": 8,
    "entrepot/cli/fraud/data_commands.py": 18,
    "entrepot/cli/fraud/train_commands.py": 1,
    "entrepot/cli/import_tree.py": 3,
    "entrepot/cli/model_transfer.py": 3,
    "entrepot/cli/model_upkeep.py": 5,
    "entrepot/cli/reference_build.py": 3,
    "entrepot/cli/remote/account.py": 7,
    "entrepot/cli/remote/listings.py": 2,
    "entrepot/cli/remote/model_push.py": 1,
    "entrepot/cli/remote/models.py": 2,
    "entrepot/cli/renamed.py": 1,
    "entrepot/cli/runner.py": 6,
    "entrepot/cli/secrets.py": 4,
    "entrepot/cli/serve.py": 4,
}


def test_the_command_line_prints_no_english_of_its_own() -> None:
    found = offenders()
    counts = Counter(line.split(":")[0] for line in found)
    over = [
        line for line in found if counts[line.split(":")[0]] > NOT_YET.get(line.split(":")[0], 0)
    ]
    assert over == [], (
        f"{len(over)} lines the command line prints in English; give each a key in both "
        "catalogs (`t = words(); t('cli.…')`, cli/language.py):\n" + "\n".join(over)
    )
    fewer = {m: counts[m] for m, n in NOT_YET.items() if counts[m] < n}
    assert fewer == {}, f"fewer English lines left than NOT_YET says: lower it to {fewer}"
