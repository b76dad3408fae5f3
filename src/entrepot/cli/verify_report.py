"""What ``entrepot verify`` shows: the damaged objects the maintenance service found and
recorded in the catalog's damage register (which ``/health`` reports) and, with
``--repair``, what it restored from the cache."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text

from entrepot.cli.context import console
from entrepot.cli.language import words
from entrepot.cli.output import Column, print_json, table
from entrepot.cli.value_words import CACHED_COPIES, PROBLEMS, value_words, values_words
from entrepot.messages import Np_

if TYPE_CHECKING:
    from entrepot.services.records import Verified

_COLUMNS = (
    Column("key", fold=True),
    Column("store", fold=True),
    Column("problem", show=lambda found: values_words(PROBLEMS, found)),
    Column("detail", fold=True),
    Column("cached copy", show=lambda copy: value_words(CACHED_COPIES, copy)),
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
    t = words()
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
        console.print(t.plural(Np_("cli.verify.recorded"), len(findings)), markup=False)
    if findings and outcome is None and copies:
        console.print(t.plural(Np_("cli.verify.cached_copies"), len(copies)), markup=False)
    if outcome is not None:
        if outcome.restored:
            restored = t.plural(Np_("cli.verify.restored"), len(outcome.restored))
            console.print(Text(restored, "green"))
        for key, reason in outcome.left:
            console.print(Text(t("cli.verify.not_repaired", key=key, reason=reason)))
    checked = t.plural(Np_("cli.verify.checked"), report.checked)
    verdict = (
        Text(t("cli.verify.all_verified"), "green")
        if report.ok
        else Text(t.plural(Np_("cli.verify.problems"), len(problems)), "red")
    )
    console.print(Text.assemble(checked, t("cli.head.colon"), verdict))
    return left == 0
