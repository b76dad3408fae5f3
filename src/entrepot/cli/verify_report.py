"""What ``entrepot verify`` shows: the damaged objects the maintenance service found and
recorded in the catalog's damage register (which ``/health`` reports) and, with
``--repair``, what it restored from the cache."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text

from entrepot.cli.context import console
from entrepot.cli.output import Column, print_json, table

if TYPE_CHECKING:
    from entrepot.services.records import Verified

_COLUMNS = (
    Column("key", fold=True),
    Column("store", fold=True),
    Column("problem"),
    Column("detail", fold=True),
    Column("cached copy"),
)


def _one_row_per_object(verified: Verified, copies: set[str]) -> list[dict[str, Any]]:
    """A row per damaged object, in the report's order: its store, its problems (a size
    and a content that both differ are one object's, one row) and their details."""
    rows: dict[str, dict[str, Any]] = {}
    for p in verified.report.problems:
        row = rows.get(p.key)
        if row is None:
            rows[p.key] = {
                "key": p.key,
                "store": verified.stores.get(p.key, ""),
                "problem": str(p.kind),
                "detail": p.detail,
                "cached copy": "verified" if p.key in copies else "none",
            }
        elif str(p.kind) not in row["problem"].split(", "):
            row["problem"] += f", {p.kind}"
            row["detail"] += f"; {p.detail}"
    return list(rows.values())


def settle(verified: Verified, *, as_json: bool) -> bool:
    """Show the problems (a table, or one JSON document), what was recorded and repaired;
    whether none is left."""
    report, findings, outcome = verified.report, verified.findings, verified.repaired
    copies = {f.problem.key for f in findings if f.copy is not None}
    problems = _one_row_per_object(verified, copies)
    left = verified.left
    if as_json:
        print_json(
            {
                "checked": report.checked,
                "ok": report.ok,
                "problems": problems,
                "restored": [] if outcome is None else list(outcome.restored),
                "not_repaired": [] if outcome is None else [k for k, _ in outcome.left],
            }
        )
        return left == 0
    if problems:
        console.print(table(problems, _COLUMNS))
        console.print(
            f"recorded {len(findings)} damaged object(s) in the catalog "
            "(administrators see them in /health until a check finds them intact)"
        )
    if findings and outcome is None and copies:
        console.print(
            f"{len(copies)} of them have a verified copy in the cache, still served: "
            "`entrepot verify --repair` writes it back to the store"
        )
    if outcome is not None:
        if outcome.restored:
            console.print(
                f"[green]restored {len(outcome.restored)} object(s)[/] from the cache's "
                "verified copy"
            )
        for key, reason in outcome.left:
            console.print(Text(f"not repaired: {key}: {reason}"))
    console.print(
        f"checked {report.checked} object(s): "
        + ("[green]all verified[/]" if report.ok else f"[red]{len(problems)} problem(s)[/]")
    )
    return left == 0
