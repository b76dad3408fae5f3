"""Names people read, in English and French: each metric with a one-line meaning, and each
model feature (``customer0_amount_ratio_30d``) as a phrase naming the columns it comes
from (``amount vs this customer's 30-day mean (client_id)``). The words live in the
gettext catalogs (``metric.*``, ``feature.*``; ADR 0021)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from entrepot.i18n import translator
from entrepot.i18n.catalogs import N_, Np_

LANGS = ("en", "fr")

#: Metric key -> its name's and meaning's catalog keys.
METRICS: dict[str, tuple[str, str]] = {
    "auprc": (N_("metric.auprc.name"), N_("metric.auprc.meaning")),
    "validation_auprc": (N_("metric.validation_auprc.name"), N_("metric.validation_auprc.meaning")),
    "roc_auc": (N_("metric.roc_auc.name"), N_("metric.roc_auc.meaning")),
    "brier": (N_("metric.brier.name"), N_("metric.brier.meaning")),
    "precision": (N_("metric.precision.name"), N_("metric.precision.meaning")),
    "recall": (N_("metric.recall.name"), N_("metric.recall.meaning")),
    "f1": (N_("metric.f1.name"), N_("metric.f1.meaning")),
    "threshold": (N_("metric.threshold.name"), N_("metric.threshold.meaning")),
    "flagged_share": (N_("metric.flagged_share.name"), N_("metric.flagged_share.meaning")),
    "base_rate": (N_("metric.base_rate.name"), N_("metric.base_rate.meaning")),
    "rows": (N_("metric.rows.name"), N_("metric.rows.meaning")),
    "frauds": (N_("metric.frauds.name"), N_("metric.frauds.meaning")),
    "labelled_rows": (N_("metric.labelled_rows.name"), N_("metric.labelled_rows.meaning")),
    "feedback_rows": (N_("metric.feedback_rows.name"), N_("metric.feedback_rows.meaning")),
    "fraud_rate": (N_("metric.fraud_rate.name"), N_("metric.fraud_rate.meaning")),
}

_WINDOW = re.compile(r"^(customer|counterparty)(\d+)_(.+?)(?:_(\d+)d)?$")

#: Time and amount features -> catalog keys.
_TIME = {
    "hour": N_("feature.time.hour"),
    "weekday": N_("feature.time.weekday"),
    "day_of_month": N_("feature.time.day_of_month"),
    "is_weekend": N_("feature.time.is_weekend"),
    "is_night": N_("feature.time.is_night"),
    "amount": N_("feature.time.amount"),
    "amount_log": N_("feature.time.amount_log"),
}
#: Behaviour over a window -> catalog keys (``{who}``, ``{span}``; the ratio: plural).
_BEHAVIOUR = {
    "count": N_("feature.count"),
    "mean_amount": N_("feature.mean_amount"),
    "risk": N_("feature.risk"),
    "seconds_since_previous": N_("feature.seconds_since_previous"),
    "amount_ratio": Np_("feature.amount_ratio"),
}
_WHO = {"customer": N_("feature.who.customer"), "counterparty": N_("feature.who.counterparty")}


def lang_of(value: str | None) -> str:
    """``fr`` or ``en`` (the default) from a language tag such as ``fr-FR``."""
    return "fr" if (value or "").lower().startswith("fr") else "en"


def metric(key: str, lang: str = "en") -> tuple[str, str]:
    """A metric's readable name and one-line meaning (the key itself when unknown)."""
    found = METRICS.get(key)
    if found is None:
        return key, ""
    t = translator(lang_of(lang))
    return t(found[0]), t(found[1])


def feature(
    name: str,
    lang: str = "en",
    customers: Sequence[str] = (),
    counterparties: Sequence[str] = (),
) -> str:
    """A feature's readable name; the entity column it counts over in brackets."""
    t = translator(lang_of(lang))
    base = name.removesuffix("_sin").removesuffix("_cos")
    if base in _TIME:
        return t(_TIME[base])
    if name.endswith("__code"):
        return name.removesuffix("__code")
    if name.endswith("__freq"):
        return t("feature.freq", column=name.removesuffix("__freq"))
    matched = _WINDOW.fullmatch(name)
    if matched and matched.group(3) in _BEHAVIOUR:
        kind, index, what, days = matched.groups()
        columns = customers if kind == "customer" else counterparties
        who, count = t(_WHO[kind]), int(days or 0)
        if what == "amount_ratio":
            text = t.plural(_BEHAVIOUR[what], count, who=who)
        else:
            span = t.plural("common.day_count", count)
            text = t(_BEHAVIOUR[what], who=who, span=span)
        position = int(index)
        return f"{text} ({columns[position]})" if position < len(columns) else text
    return name
