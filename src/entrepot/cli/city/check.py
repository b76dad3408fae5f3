"""``entrepot city check``: the stored metrics of some days recomputed by the second
computation (:mod:`entrepot.city.check`) and every difference listed; exits 1 when there is
one, as ``entrepot verify`` does when a check fails."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from entrepot.cli.context import console, current_app, progress_console
from entrepot.cli.language import reader_language, words
from entrepot.cli.output import Column, JsonFlag, print_json, table
from entrepot.i18n.catalogs import translator
from entrepot.messages import N_, Np_

if TYPE_CHECKING:
    from entrepot.city.check.records import CheckResult


def _cell(value: Any) -> str:
    return "—" if value is None else str(value)


def check_command(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD.")] = None,
    prefix: Annotated[str, typer.Option(help="Store prefix holding the raw/ layout.")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Recompute every stored traffic and weather metric of the days from the lake, by a
    second computation that shares no code with the processors, and list each difference
    (day, metric, stored, recomputed). Exits 1 when there is one."""
    from entrepot.cli.progress import bar

    app = current_app(ctx)
    app.catalog.require_instance()  # no instance here: said so (exit 75), never created
    with bar(progress_console, words()(N_("cli.bar.city_check"))) as on_progress:
        result = app.city.check(since, until, prefix=prefix, on_progress=on_progress)
    if as_json:
        print_json(result.as_dict())
    else:
        _show(result)
    if result.differences:
        raise typer.Exit(1)


def _show(result: CheckResult) -> None:
    t = translator(reader_language())
    if result.days == 0:
        console.print(t("cli.city_check.nothing"), markup=False)
    if result.differences:
        columns = (
            Column("day", t("cli.city_check.day")),
            Column("metric", t("cli.city_check.metric"), fold=True),
            Column("stored", t("cli.city_check.stored"), show=_cell),
            Column("recomputed", t("cli.city_check.recomputed"), show=_cell),
        )
        console.print(table([d.as_dict() for d in result.differences], columns))
    # the counts, zeros included: the table says what the JSON says
    summary = t(
        "cli.city_check.summary",
        days=t.plural(Np_("cli.city_check.days"), result.days),
        metrics=t.plural(Np_("cli.city_check.metrics"), result.metrics_checked),
        differences=t.plural(Np_("cli.city_check.differences"), len(result.differences)),
    )
    console.print(summary, markup=False)
    if result.not_checked:
        listed = ", ".join(result.not_checked)
        console.print(t("cli.city_check.not_checked", what=listed), markup=False)


def register(app: typer.Typer) -> None:
    """Add ``check`` to the ``city`` sub-app."""
    app.command("check")(check_command)
