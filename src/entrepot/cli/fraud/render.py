"""Rich renderings of match results, ensembles and evaluations for the command line."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from entrepot.cli.language import in_words, words
from entrepot.fraud.match.matching import Match, MatchResult
from entrepot.messages import N_, Message, Np_, message_of


def print_match(console: Console, result: MatchResult) -> None:
    """The candidates, each with its column mapping and explanation."""
    ranked = Table("reference", "score", "model inputs supplied", "upload read", "mapped")
    for m in result.candidates:
        ranked.add_row(
            m.reference,
            f"{m.score:.2f}",
            f"{m.model_coverage:.0%}",
            f"{m.upload_share:.0%}",
            f"{len(m.columns)} / {len(m.columns) + len(m.missing)}",
        )
    console.print(ranked)
    for m in result.candidates:
        print_mapping(console, m)
    console.print(
        f"[dim]{result.references} references scored in {result.seconds * 1000:.1f} ms; "
        f"threshold {result.threshold:.2f}[/]"
    )


def print_mapping(console: Console, match: Match) -> None:
    """One candidate's mapping: upload column -> model input, confidence, why."""
    table = Table("upload column", "model input", "confidence", "why", title=match.reference)
    for col in match.columns:
        table.add_row(col.upload, col.model, f"{col.confidence:.2f}", col.reason)
    for missing in match.missing:
        table.add_row("[yellow](missing)[/]", missing, "", "read as missing values")
    console.print(table)
    console.print(match.explain(), highlight=False)


def print_ensemble(console: Console, members: Sequence[Mapping[str, Any]]) -> None:
    """The members, their weights and what they read (a summary's ``members``, as
    ``fraud_service/summary.py`` ``summarize`` gives them, locally or from the service);
    one model is one line, not an "ensemble" table of one row."""
    if len(members) == 1:
        (m,) = members
        read = m.get("column_coverage")
        t = words()
        auprc = _figure(m.get("validation_auprc"), ".3f")
        said = (
            t("cli.score.one_model", model=m.get("name"), auprc=auprc)
            if read is None
            else t(
                "cli.score.one_model_reads",
                model=m.get("name"),
                auprc=auprc,
                share=_figure(read, ".0%"),
            )
        )
        console.print(said, markup=False, highlight=False)
        return
    t = words()
    table = Table(
        t("cli.ensemble.member"), t("cli.ensemble.weight"), t("cli.ensemble.similarity"),
        t("cli.train.trial_auprc"), t("cli.ensemble.coverage"), t("cli.ensemble.threshold"),
        title=t("cli.ensemble.title"),
    )  # fmt: skip
    for m in members:
        table.add_row(
            str(m.get("name")),
            _figure(m.get("weight"), ".2f"),
            _figure(m.get("similarity"), ".2f"),
            _figure(m.get("validation_auprc"), ".3f"),
            t(
                "cli.ensemble.covered",
                rows=_figure(m.get("coverage"), ".0%"),
                columns=_figure(m.get("column_coverage"), ".0%"),
            ),
            _figure(m.get("threshold"), ".3f"),
        )
    console.print(table)


def print_scores(console: Console, summary: Mapping[str, Any]) -> None:
    """How many rows at each risk level (in the levels' order, low to critical, as the
    summary lists them; those with none left out), and the share predicted fraudulent,
    from a summary as ``summarize`` gives it."""
    rows, flagged = int(summary["rows"]), int(summary["flagged"])
    risk = summary.get("risk") or {}
    levels = ", ".join(f"{lvl} {int(n)}" for lvl, n in risk.items() if n)
    share = f"{flagged / rows:.2%}" if rows else "-"
    t = words()
    console.print(
        t(
            "cli.score.summary",
            rows=t.plural(Np_("cli.score.rows"), rows),
            flagged=flagged,
            share=share,
            threshold=_figure(summary.get("threshold"), ".3f"),
            levels=levels,
        ),
        markup=False,
    )


def _figure(value: Any, spec: str) -> str:
    """``value`` formatted by ``spec``; ``-`` for none (a figure that is not finite)."""
    return "-" if value is None else format(float(value), spec)


def print_trust(console: Console, found: dict[str, Any] | None) -> None:
    """How far to trust the scores: match quality, estimated fraud rate, and what to do."""
    if not found:
        return
    rate = found.get("estimated_fraud_rate")
    line = f"trust {found['level']}: match quality {found['match_quality']:.2f}"
    if found.get("distribution_fit") is not None:
        line += f", distribution fit {found['distribution_fit']:.2f}"
    if rate is not None:
        line += f", estimated fraud rate {rate:.2%}"
    console.print(line, highlight=False, soft_wrap=True)  # one line for scripts
    message = message_of(found.get("message"))
    if message is not None:
        console.print(in_words(message), highlight=False)


def print_spread(console: Console, spread: Mapping[str, Any]) -> None:
    """Over how many parts the rows were scored, or why in process after all."""
    if spread.get("in_process"):
        console.print(in_words(Message(spread["in_process"])), highlight=False)
    elif spread.get("spread"):
        console.print(f"scored in {spread['parts']} parts by entity", highlight=False)


def print_known_labels(console: Console, known: dict[str, Any] | None) -> None:
    """How many late labels were given, and whether any model read them."""
    if known is None:
        return
    console.print(
        f"late labels read: {known['labels']} ({known['frauds']} frauds), "
        f"{known['history_rows']} history rows"
    )
    note = message_of(known.get("note"))
    if note is not None:
        console.print(in_words(note), highlight=False)


#: Where realised figures come from (``fraud_service/estimate.py`` ``realised``).
_SOURCES = {
    "label": "the label",
    "feedback": "the analysts' decisions",
    "late_labels": "the labels known so far",
}


def print_estimate(console: Console, found: dict[str, Any] | None) -> None:
    """Precision and recall estimated without labels, their interval and assumptions,
    and the realised figures beside them when labels are known."""
    if not found:
        return
    level = f"{found['level']:.0%}"
    real = found.get("realised") or {}
    source = _SOURCES.get(str(real.get("source")), "the labels")
    if real.get("target"):
        source += f" {real['target']!r}"
    for name in ("precision", "recall"):
        figure = found[name]
        if figure["value"] is None:
            console.print(f"estimated {name}: undefined (no row flagged or no fraud expected)")
            continue
        line = (
            f"estimated {name} {figure['value']:.2%} "
            f"({level} interval {figure['low']:.2%} to {figure['high']:.2%})"
        )
        realised = real.get(name)
        if realised is not None:
            line += f"; realised {realised:.2%} on {real['labelled_rows']} rows of {source}"
        console.print(line)
    if real and real.get("precision") is None and real.get("recall") is None:
        console.print(
            f"realised: undefined on {real['labelled_rows']} rows of {source} (none of them "
            "flagged, and no fraud among them)"
        )
    for said in found.get("assumptions", []):
        message = message_of(said)
        if message is not None:
            console.print(f"assumes: {in_words(message)}")


def print_expected(console: Console, found: dict[str, Any] | None) -> None:
    """What the model's card promises of this file, by how old the labels it read are."""
    if not found or not found.get("auprc"):
        return
    level = f"{found['level']:.0%}"
    auprc = found["auprc"]
    horizon = found.get("horizon_days") or {}
    line = (
        f"the card promises AUPRC {auprc['value']:.3f} on this file "
        f"({level} interval {auprc['low']:.3f} to {auprc['high']:.3f})"
    )
    if horizon.get("median") is not None:
        line += (
            f", its rows {horizon['min']:.0f} to {horizon['max']:.0f} days from the newest "
            "label they read"
        )
    console.print(line)
    if found.get("elapsed_days") is not None:
        days = round(found["elapsed_days"])
        console.print(
            f"the file lies {days} day{'s' if days != 1 else ''} on average after the card's "
            "test period: the interval widens below with them, as the model ages"
        )
    if found.get("beyond_rows"):
        console.print(
            f"{found['beyond_rows']} rows lie more than {found['covered_days']} days from "
            "any label: the card does not cover them (give a labelled --history or late "
            "labels)"
        )


def print_evaluation(console: Console, found: dict[str, Any]) -> None:
    """Metrics of scores against the labels."""
    metrics = found["metrics"]
    t = words()
    title = t("cli.evaluate.title", target=found["target"])
    table = Table(t("cli.column.metric"), t("cli.column.value"), title=Text(title))
    for key in ("auprc", "roc_auc", "precision", "recall", "f1", "brier", "threshold"):
        table.add_row(key, f"{metrics[key]:.4f}")
    table.add_row(t("cli.evaluate.base_rate"), f"{metrics['base_rate']:.4f}")
    table.add_row(t("cli.evaluate.flagged_share"), f"{metrics['flagged_share']:.4f}")
    table.add_row("precision@100", f"{metrics['precision_at_k'].get('100', float('nan')):.4f}")
    console.print(table)
    for name, auprc in found["member_auprc"].items():
        console.print(t("cli.evaluate.member", name=name, auprc=f"{auprc:.4f}"), markup=False)


def print_sheet(console: Console, facts: Mapping[str, Any]) -> None:
    """Which sheet of a workbook was read and which others it holds, in the reader's
    language; nothing for a table of one sheet."""
    if not facts.get("sheet") or not facts.get("other_sheets"):
        return

    def named(sheet: object) -> str:
        return in_words(Message(N_("table.sheet_named"), {"sheet": str(sheet)}))

    others = ", ".join(named(sheet) for sheet in facts["other_sheets"])
    line = in_words(
        Message(N_("table.sheet_read"), {"sheet": named(facts["sheet"]), "others": others})
    )
    console.print(line, markup=False, highlight=False)
