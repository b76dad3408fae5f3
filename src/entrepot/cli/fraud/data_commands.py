"""``entrepot fraud domains|generate|analyze``: the generator's domains, labelled data
written by seed, and what a table holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from entrepot.cli.format import finite
from entrepot.cli.fraud.command_options import (
    EntityColumnOption,
    SheetOption,
    TimeColumnOption,
    results_console,
)
from entrepot.cli.fraud.sources import local
from entrepot.cli.language import figure, reader_language, share, words
from entrepot.cli.output import JsonFlag, print_json
from entrepot.cli.value_words import DOMAIN_TITLES, SCENARIOS, value_words
from entrepot.messages import Np_


def domains_command(as_json: JsonFlag = False) -> None:
    """List the domains the generator knows."""
    found = local(None).domains()
    if as_json:
        print_json(
            [
                {
                    "domain": d.name,
                    "description": d.title,
                    "fraud_rate": d.fraud_rate,
                    "scenarios": [{"name": n, "share": share} for n, share in d.scenarios],
                }
                for d in found
            ]
        )
        return
    t = words()
    table = Table(
        t("cli.domains.domain"), t("cli.domains.description"), t("cli.domains.fraud_rate"),
        t("cli.domains.scenarios"),
    )  # fmt: skip
    for d in found:
        scenarios = ", ".join(value_words(SCENARIOS, n) for n, _ in d.scenarios)
        title = value_words(DOMAIN_TITLES, d.name) if d.name in DOMAIN_TITLES else d.title
        table.add_row(d.name, title, share(d.fraud_rate, 1), scenarios)
    results_console().print(table)


def generate_command(
    out: Annotated[Path, typer.Argument(help="Output file: .csv, .parquet or .xlsx")],
    domain: Annotated[str, typer.Option(help="See `entrepot fraud domains`")] = "card_payments",
    rows: Annotated[int, typer.Option(min=1)] = 10_000,
    fraud_rate: Annotated[
        float | None,
        typer.Option(min=0.0, max=0.5, callback=finite, help="Default: the domain's own"),
    ] = None,
    seed: Annotated[int, typer.Option()] = 0,
    lang: Annotated[str, typer.Option(help="Column names in 'en' or 'fr'")] = "en",
    canonical: Annotated[
        bool, typer.Option(help="Canonical names and types, nothing missing")
    ] = False,
) -> None:
    """Write realistic labelled transactions (deterministic by seed)."""
    if lang not in ("en", "fr"):
        raise typer.BadParameter("use 'en' or 'fr'", param_hint="--lang")
    made = local(None).generate(
        out,
        domain=domain,
        rows=rows,
        fraud_rate=fraud_rate,
        seed=seed,
        lang="fr" if lang == "fr" else "en",
        variety=not canonical,
    )
    t = words()
    said = t(
        "cli.generate.wrote",
        path=made.path,
        rows=t.plural(Np_("cli.generate.rows"), made.rows, domain=made.domain),
        frauds=t.plural(Np_("cli.score.frauds"), made.frauds),
        share=share(made.frauds / made.rows, 2),
        target=made.target,
        format=made.time_format,
    )
    results_console().print(said, markup=False)


def analyze_command(
    file: Annotated[Path, typer.Argument(help="CSV, Parquet or XLSX file")],
    target: Annotated[str | None, typer.Option(help="The label column, if known")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    time_column: TimeColumnOption = None,
    entity_column: EntityColumnOption = None,
    sheet: SheetOption = None,
) -> None:
    """Show each column's role, the detected label and its top candidates, the fraud rate."""
    from entrepot.cli.fraud.render import print_sheet
    from entrepot.i18n.messages import speaker

    analysis = local(None).analyze(
        file,
        target=target,
        time_column=time_column,
        entity_columns=tuple(entity_column or ()),
        sheet=sheet,
    )
    console = results_console()
    if as_json:
        console.print_json(json.dumps(analysis.to_dict(), default=str))
        return
    t = words()
    columns = Table(title=Text(str(file)))
    columns.add_column(t("cli.analyze.column"), no_wrap=True)  # a name is never cut: the why wraps
    columns.add_column(t("cli.analyze.role"))
    columns.add_column(t("cli.analyze.type"))
    columns.add_column(t("cli.analyze.missing"))
    columns.add_column(t("cli.analyze.distinct"))
    columns.add_column(t("cli.analyze.why"), ratio=1)
    said = speaker(reader_language())
    for col in analysis.columns:
        role = said.role(col.role, col.entity_kind)
        columns.add_row(
            col.name,
            role,
            said.column_type(col.dtype),
            str(col.missing),
            str(col.distinct),
            said(col.why),
        )
    console.print(columns)
    print_sheet(console, {"sheet": analysis.sheet, "other_sheets": analysis.other_sheets})
    candidates = Table(
        t("cli.analyze.candidate"), t("cli.match.score"), t("cli.domains.fraud_rate"),
        t("cli.analyze.reasons"),
    )  # fmt: skip
    for cand in analysis.candidates:
        reasons = said.parts(cand.said)
        candidates.add_row(cand.column, figure(cand.score, 2), share(cand.fraud_rate, 2), reasons)
    if analysis.candidates:
        console.print(candidates)
    if analysis.labelled:
        rate = analysis.fraud_rate or 0.0
        line = t(
            "cli.analyze.labelled",
            rows=t.plural(Np_("cli.score.rows"), analysis.rows),
            target=analysis.target,
            frauds=t.plural(Np_("cli.score.frauds"), analysis.frauds),
            share=share(rate, 2),
        )
        console.print(line, markup=False)
    else:
        rows = t.plural(Np_("cli.score.rows"), analysis.rows)
        console.print(
            Text.assemble(
                rows, ", ", (t("cli.analyze.no_label"), "yellow"), t("cli.analyze.unlabelled")
            )
        )
    for note in analysis.notes:
        console.print(Text.assemble((t("cli.analyze.note"), "yellow"), " ", said(note)))
