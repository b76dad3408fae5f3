# ruff: noqa: E501 - tables of sentences, one entry per line
"""Names people read, in English and French: each metric with a one-line meaning, and each
model feature (``customer0_amount_ratio_30d``) as a phrase naming the columns it comes
from (``amount vs this customer's 30-day mean (client_id)``)."""

from __future__ import annotations

import re
from collections.abc import Sequence

LANGS = ("en", "fr")

#: key -> {lang: (name, meaning)}
METRICS: dict[str, dict[str, tuple[str, str]]] = {
    "auprc": {
        "en": ("Precision-recall area", "How well frauds rank above legitimate rows; chance = the fraud rate."),
        "fr": ("Aire précision-rappel", "Les fraudes sont-elles classées avant les opérations saines ; le hasard vaut le taux de fraude."),
    },
    "validation_auprc": {
        "en": ("Precision-recall area (validation)", "The same, on the rows that chose the model; the test figure is the honest one."),
        "fr": ("Aire précision-rappel (validation)", "La même, sur les lignes qui ont choisi le modèle ; le chiffre du test est le juste."),
    },
    "roc_auc": {
        "en": ("ROC area", "Chance that a fraud scores above a legitimate row; 0.5 is chance."),
        "fr": ("Aire ROC", "Probabilité qu'une fraude ait un score plus haut qu'une opération saine ; 0,5 = hasard."),
    },
    "brier": {
        "en": ("Brier score", "Mean squared error of the probabilities; lower is better, 0 is perfect."),
        "fr": ("Score de Brier", "Erreur quadratique moyenne des probabilités ; plus bas est mieux, 0 est parfait."),
    },
    "precision": {
        "en": ("Precision", "Share of flagged rows that are frauds."),
        "fr": ("Précision", "Part des opérations signalées qui sont des fraudes."),
    },
    "recall": {
        "en": ("Recall", "Share of frauds that are flagged."),
        "fr": ("Rappel", "Part des fraudes qui sont signalées."),
    },
    "f1": {
        "en": ("F1 score", "Balance of precision and recall (their harmonic mean)."),
        "fr": ("Score F1", "Équilibre entre précision et rappel (leur moyenne harmonique)."),
    },
    "threshold": {
        "en": ("Decision threshold", "Rows at or above this probability are flagged."),
        "fr": ("Seuil de décision", "Les opérations dont la probabilité atteint ce seuil sont signalées."),
    },
    "flagged_share": {
        "en": ("Flagged share", "Share of rows flagged for review."),
        "fr": ("Part signalée", "Part des opérations signalées pour revue."),
    },
    "base_rate": {
        "en": ("Fraud rate", "Share of frauds among the test rows."),
        "fr": ("Taux de fraude", "Part des fraudes parmi les lignes de test."),
    },
    "rows": {
        "en": ("Test rows", "Rows used only to measure the model."),
        "fr": ("Lignes de test", "Lignes servant uniquement à mesurer le modèle."),
    },
    "frauds": {
        "en": ("Frauds in test", "Frauds among the test rows."),
        "fr": ("Fraudes en test", "Fraudes parmi les lignes de test."),
    },
    "labelled_rows": {
        "en": ("Labelled rows", "Rows with a known label the model learnt and was measured on."),
        "fr": ("Lignes étiquetées", "Lignes à l'étiquette connue pour apprendre et mesurer."),
    },
    "feedback_rows": {
        "en": ("Analyst decisions", "Rows an analyst labelled that joined the training data."),
        "fr": ("Décisions d'analyste", "Lignes étiquetées par un analyste ajoutées à l'apprentissage."),
    },
}  # fmt: skip

_WINDOW = re.compile(r"^(customer|counterparty)(\d+)_(.+?)(?:_(\d+)d)?$")

_TIME: dict[str, dict[str, str]] = {
    "hour": {"en": "hour of day", "fr": "heure"},
    "weekday": {"en": "day of week", "fr": "jour de la semaine"},
    "day_of_month": {"en": "day of month", "fr": "jour du mois"},
    "is_weekend": {"en": "weekend", "fr": "week-end"},
    "is_night": {"en": "at night", "fr": "la nuit"},
    "amount": {"en": "amount", "fr": "montant"},
    "amount_log": {"en": "amount (log scale)", "fr": "montant (échelle log)"},
}

_BEHAVIOUR: dict[str, dict[str, str]] = {
    "count": {"en": "{who}'s transactions over {span}", "fr": "opérations du {who} sur {span}"},
    "mean_amount": {"en": "{who}'s mean amount over {span}", "fr": "montant moyen du {who} sur {span}"},
    "amount_ratio": {"en": "amount vs this {who}'s {days}-day mean", "fr": "montant rapporté à la moyenne du {who} sur {span}"},
    "risk": {"en": "{who}'s fraud rate over {span}", "fr": "taux de fraude du {who} sur {span}"},
    "seconds_since_previous": {"en": "time since the {who}'s previous transaction", "fr": "temps depuis l'opération précédente du {who}"},
}  # fmt: skip

_WHO = {
    "customer": {"en": "customer", "fr": "client"},
    "counterparty": {"en": "counterparty", "fr": "bénéficiaire"},
}


def lang_of(value: str | None) -> str:
    """``fr`` or ``en`` (the default) from a language tag such as ``fr-FR``."""
    return "fr" if (value or "").lower().startswith("fr") else "en"


def metric(key: str, lang: str = "en") -> tuple[str, str]:
    """A metric's readable name and one-line meaning (the key itself when unknown)."""
    found = METRICS.get(key)
    return found[lang_of(lang)] if found else (key, "")


def feature(
    name: str,
    lang: str = "en",
    customers: Sequence[str] = (),
    counterparties: Sequence[str] = (),
) -> str:
    """A feature's readable name; the entity column it counts over in brackets."""
    lang = lang_of(lang)
    base = name.removesuffix("_sin").removesuffix("_cos")
    if base in _TIME:
        return _TIME[base][lang]
    if name.endswith("__code"):
        return name.removesuffix("__code")
    if name.endswith("__freq"):
        col = name.removesuffix("__freq")
        return f"how common {col} is" if lang == "en" else f"fréquence de {col}"
    matched = _WINDOW.match(name)
    if matched and matched.group(3) in _BEHAVIOUR:
        kind, index, what, days = matched.groups()
        columns = customers if kind == "customer" else counterparties
        unit = ("day", "days") if lang == "en" else ("jour", "jours")
        span = f"{days} {unit[days != '1']}"
        text = _BEHAVIOUR[what][lang].format(who=_WHO[kind][lang], days=days or "", span=span)
        position = int(index)
        return f"{text} ({columns[position]})" if position < len(columns) else text
    return name
