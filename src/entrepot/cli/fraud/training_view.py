"""A finished training on the command line, drawn from its facts
(``fraud_service/training_facts.py``): the model search, the metrics, the model card and
the notes, in the reader's language. A training on this machine, one for an account
(``--user``) and one on a deployed service print the same lines from the same facts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from entrepot.cli.language import in_words, words
from entrepot.cli.value_words import metric_name
from entrepot.i18n.formats import Formats
from entrepot.messages import N_, Np_, message_of

#: How the rows were split into fit, validation and test (``protocol["split"]``).
_SPLITS = {
    "time": N_("cli.card.split.time"),
    "random": N_("cli.card.split.random"),
    "stratified": N_("cli.card.split.stratified"),
}


def print_training(console: Console, facts: Mapping[str, Any], title: str, done: str) -> None:
    """The search's trials, the metrics under ``title`` (``name@version``), the card, the
    notes, then ``done`` (where the model went and what to do with it)."""
    t = words()
    f = Formats(t.lang)
    trials = Table(
        t("cli.train.trial_model"),
        t("cli.train.trial_auprc"),
        t("cli.train.trial_seconds"),
        t("cli.train.trial_iterations"),
        title=t("cli.train.search_title"),
    )
    for trial in facts.get("trials", []):
        iterations = trial.get("iterations")
        trials.add_row(
            Text(str(trial.get("model"))),
            _figure(f, trial.get("validation_auprc"), 4),
            _figure(f, trial.get("seconds"), 1),
            "" if iterations is None else str(iterations),
        )
    if facts.get("trials"):
        console.print(trials)
    kind = facts.get("model_kind")
    heading = t("cli.train.metrics_title", model=title, kind=kind) if kind else title
    metrics = Table(t("cli.train.metric"), t("cli.train.value"), title=Text(heading))
    for key, value in sorted(dict(facts.get("metrics", {})).items()):
        shown = str(value) if isinstance(value, int) else _figure(f, value, 4)  # a count
        metrics.add_row(metric_name(str(key), of_training=True), shown)
    console.print(metrics)
    print_card(console, facts.get("card"))
    said = [message_of(m) for m in facts.get("warning_messages", [])]
    notes = [in_words(m) for m in said if m is not None] or list(facts.get("warnings", []))
    for text in notes:  # in the reader's language where the training kept the message
        console.print(Text.assemble((t("cli.note"), "yellow"), " ", str(text)))
    console.print(done, markup=False, highlight=False)


def print_card(console: Console, card: Mapping[str, Any] | None) -> None:
    """The model card of a training: the out-of-time figure first, then validation, the
    threshold's precision and alerts a day, and card precision@k per day."""
    if not card:
        return
    t = words()
    f = Formats(t.lang)
    head, protocol = card["headline"], card["protocol"]
    interval = head.get("interval")
    span = (
        f" [{_figure(f, interval['low'], 3)}-{_figure(f, interval['high'], 3)}, "
        f"{f.percent(interval['level'], 0)}]"
        if interval
        else ""
    )
    key = (
        N_("cli.card.headline_time") if head.get("out_of_time") else N_("cli.card.headline_random")
    )
    console.print(Text(t(key, value=_figure(f, head.get("value"), 3), interval=span), "bold"))
    order = protocol.get("time_order") or t("cli.card.no_time_order")
    split_key = _SPLITS.get(str(protocol.get("split")))
    split = "-" if split_key is None else t(split_key)
    days = int(protocol.get("label_delay_days") or 0)
    gap = int(protocol.get("gap_rows") or 0)
    console.print(
        "  "
        + t(
            "cli.card.validation",
            value=_figure(f, card["validation"].get("value"), 3),
            split=split,
            order=order,
            days=t.plural(Np_("cli.card.days"), days),
            gap=t.plural(Np_("cli.card.gap_rows"), gap),
        ),
        markup=False,
    )
    at = card["at_threshold"]
    per_day = at.get("alerts_per_day")
    line = t(
        "cli.card.at_threshold",
        threshold=_figure(f, at.get("threshold"), 4),
        precision=_figure(f, at.get("precision"), 3),
    )
    if per_day is not None:
        line = t("cli.card.at_threshold_alerts", at=line, alerts=_figure(f, per_day, 1))
    console.print("  " + line, markup=False)
    review = card.get("review") or {}
    if review.get("card_precision") is not None:
        over = t.plural(Np_("cli.card.days"), int(review.get("days") or 0))
        console.print(
            "  "
            + t(
                "cli.card.card_precision",
                k=review.get("cards_per_day"),
                value=_figure(f, review["card_precision"], 3),
                days=over,
            ),
            markup=False,
        )


def _figure(f: Formats, value: Any, digits: int) -> str:
    """``value`` with ``digits`` decimals as the reader's language writes it; ``–`` for
    none (a figure that was not finite)."""
    return f.number(value, digits)
