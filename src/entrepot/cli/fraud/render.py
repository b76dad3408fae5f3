"""Rich renderings of match results, ensembles and evaluations for the command line."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from entrepot.cli.language import figure, in_words, share, words
from entrepot.cli.value_words import RISK_LEVELS, TRUST_LEVELS, metric_name, value_words
from entrepot.fraud.match.matching import Match, MatchResult
from entrepot.messages import N_, Message, Np_, message_of


def print_match(console: Console, result: MatchResult) -> None:
    """The candidates, each with its column mapping and explanation."""
    t = words()
    ranked = Table(
        t("cli.match.reference"), t("cli.match.score"), t("cli.match.inputs_supplied"),
        t("cli.match.upload_read"), t("cli.match.mapped"),
    )  # fmt: skip
    for m in result.candidates:
        ranked.add_row(
            m.reference,
            figure(m.score, 2),
            share(m.model_coverage, 0),
            share(m.upload_share, 0),
            f"{len(m.columns)} / {len(m.columns) + len(m.missing)}",
        )
    console.print(ranked)
    for m in result.candidates:
        print_mapping(console, m)
    said = t.plural(
        Np_("cli.match.scored"),
        result.references,
        ms=figure(result.seconds * 1000, 1),
        threshold=figure(result.threshold, 2),
    )
    console.print(Text(said, "dim"))


def print_mapping(console: Console, match: Match) -> None:
    """One candidate's mapping: upload column -> model input, confidence, why."""
    t = words()
    table = Table(
        t("cli.match.upload_column"), t("cli.match.model_input"), t("cli.match.confidence"),
        t("cli.match.why"), title=Text(match.reference),
    )  # fmt: skip
    for col in match.columns:
        table.add_row(col.upload, col.model, figure(col.confidence, 2), col.reason)
    for missing in match.missing:
        table.add_row(
            Text(t("cli.match.missing"), "yellow"), missing, "", t("cli.match.as_missing")
        )
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
    t = words()
    levels = ", ".join(f"{value_words(RISK_LEVELS, lvl)} {int(n)}" for lvl, n in risk.items() if n)
    flagged_share = share(flagged / rows, 2) if rows else "-"
    console.print(
        t(
            "cli.score.summary",
            rows=t.plural(Np_("cli.score.rows"), rows),
            flagged=flagged,
            share=flagged_share,
            threshold=_figure(summary.get("threshold"), ".3f"),
            levels=levels,
        ),
        markup=False,
    )


def _figure(value: Any, spec: str) -> str:
    """``value`` with the decimals ``spec`` names (``.3f``, or ``.0%`` for a share) as the
    reader's language writes it; ``-`` for none (a figure that is not finite)."""
    digits = int(spec[1:-1])
    return share(value, digits) if spec.endswith("%") else figure(value, digits)


def print_trust(console: Console, found: dict[str, Any] | None) -> None:
    """How far to trust the scores: match quality, estimated fraud rate, and what to do."""
    if not found:
        return
    rate, t = found.get("estimated_fraud_rate"), words()
    level = value_words(TRUST_LEVELS, found["level"])
    parts = [t("cli.trust.quality", level=level, quality=figure(found["match_quality"], 2))]
    if found.get("distribution_fit") is not None:
        parts.append(t("cli.trust.fit", fit=figure(found["distribution_fit"], 2)))
    if rate is not None:
        parts.append(t("cli.trust.rate", rate=share(rate, 2)))
    console.print(", ".join(parts), markup=False, highlight=False, soft_wrap=True)  # one line
    message = message_of(found.get("message"))
    if message is not None:
        console.print(in_words(message), highlight=False)


def print_spread(console: Console, spread: Mapping[str, Any]) -> None:
    """Over how many parts the rows were scored, or why in process after all."""
    if spread.get("in_process"):
        console.print(in_words(Message(spread["in_process"])), highlight=False)
    elif spread.get("spread"):
        said = words().plural(Np_("cli.score.spread"), int(spread["parts"]))
        console.print(said, markup=False, highlight=False)


def print_known_labels(console: Console, known: dict[str, Any] | None) -> None:
    """How many late labels were given, and whether any model read them."""
    if known is None:
        return
    t = words()
    said = t(
        "cli.score.late_labels",
        labels=known["labels"],
        frauds=t.plural(Np_("cli.score.frauds"), int(known["frauds"])),
        history=t.plural(Np_("cli.score.history_rows"), int(known["history_rows"])),
    )
    console.print(said, markup=False)
    note = message_of(known.get("note"))
    if note is not None:
        console.print(in_words(note), highlight=False)


#: Where realised figures come from (``fraud_service/estimate.py`` ``realised``).
_SOURCES = {
    "label": N_("cli.estimate.from_label"),
    "feedback": N_("cli.estimate.from_feedback"),
    "late_labels": N_("cli.estimate.from_late_labels"),
}
#: The estimated figures' names.
_FIGURES = {"precision": N_("cli.estimate.precision"), "recall": N_("cli.estimate.recall")}


def print_estimate(console: Console, found: dict[str, Any] | None) -> None:
    """Precision and recall estimated without labels, their interval and assumptions,
    and the realised figures beside them when labels are known."""
    if not found:
        return
    level, t = share(found["level"], 0), words()
    real = found.get("realised") or {}
    anyone = N_("cli.estimate.from_labels")
    source = t(_SOURCES.get(str(real.get("source")), anyone))
    if real.get("target"):
        source = t("cli.estimate.of_label", source=source, label=real["target"])
    for name in ("precision", "recall"):
        estimated, named = found[name], t(_FIGURES[name])
        if estimated["value"] is None:
            console.print(t("cli.estimate.undefined", name=named), markup=False)
            continue
        parts = [
            t(
                "cli.estimate.figure",
                name=named,
                value=share(estimated["value"], 2),
                level=level,
                low=share(estimated["low"], 2),
                high=share(estimated["high"], 2),
            )
        ]
        realised = real.get(name)
        if realised is not None:
            rows = int(real["labelled_rows"])
            parts.append(
                t.plural(
                    Np_("cli.estimate.realised"), rows, value=share(realised, 2), source=source
                )
            )
        console.print(t("cli.estimate.parts").join(parts), markup=False)
    if real and real.get("precision") is None and real.get("recall") is None:
        rows = int(real["labelled_rows"])
        said = t.plural(Np_("cli.estimate.realised_undefined"), rows, source=source)
        console.print(said, markup=False)
    for said in found.get("assumptions", []):
        message = message_of(said)
        if message is not None:
            console.print(t("cli.estimate.assumes", what=in_words(message)), markup=False)


#: A promise whose range is too wide to be one: the range, no figure (``promises: false``).
NO_PROMISE = N_("cli.expected.no_promise")


def print_expected(console: Console, found: dict[str, Any] | None) -> None:
    """What the model's card promises of this file, by how old the labels it read are."""
    if not found or not found.get("auprc"):
        return
    level, t = share(found["level"], 0), words()
    auprc = found["auprc"]
    horizon = found.get("horizon_days") or {}
    said = N_("cli.expected.promise") if found.get("promises", True) else NO_PROMISE
    promise = t(
        said,
        value=figure(auprc["value"], 3),
        level=level,
        low=figure(auprc["low"], 3),
        high=figure(auprc["high"], 3),
    )
    if horizon.get("median") is not None:
        promise += t(
            "cli.expected.horizon", low=figure(horizon["min"], 0), high=figure(horizon["max"], 0)
        )
    console.print(promise, markup=False)
    if found.get("elapsed_days") is not None:
        aged = t.plural(Np_("cli.expected.elapsed"), round(found["elapsed_days"]))
        console.print(aged, markup=False)
    if found.get("beyond_rows"):
        days = t.plural(Np_("cli.expected.days"), int(found["covered_days"]))
        said = t.plural(Np_("cli.expected.beyond"), int(found["beyond_rows"]), days=days)
        console.print(said, markup=False)


def print_evaluation(console: Console, found: dict[str, Any]) -> None:
    """Metrics of scores against the labels."""
    metrics = found["metrics"]
    t = words()
    title = t("cli.evaluate.title", target=found["target"])
    table = Table(t("cli.column.metric"), t("cli.column.value"), title=Text(title))
    for key in ("auprc", "roc_auc", "precision", "recall", "f1", "brier", "threshold"):
        table.add_row(metric_name(key), figure(metrics[key], 4))
    for key in ("base_rate", "flagged_share"):
        table.add_row(metric_name(key), figure(metrics[key], 4))
    at_100 = figure(metrics["precision_at_k"].get("100", float("nan")), 4)
    table.add_row(t("cli.evaluate.precision_at", k=100), at_100)
    console.print(table)
    for name, auprc in found["member_auprc"].items():
        console.print(t("cli.evaluate.member", name=name, auprc=figure(auprc, 4)), markup=False)


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
