"""The model card's warnings as :class:`~entrepot.messages.Message`s (ADR 0036, ADR 0039).

A warning is a catalog key (``fraud.card.*``) with typed values: the card stores it as
``{"key": ..., "params": {...}}`` (:meth:`Message.to_json`, as ``warning_messages``), each
reader writes it in its own language and nothing parses the sentence; the training's
English ``warnings`` come from the key (:func:`entrepot.i18n.messages.english`).
"""

from __future__ import annotations

from entrepot.messages import N_, Count, Message, Np_, Number, Word

VALIDATION_OUTSIDE = "fraud.card.validation_outside_interval"
SUSPECTED_LEAK = "fraud.card.suspected_leak"
LEAK_KEPT = "fraud.card.leak_kept"
RANDOM_SPLIT = "fraud.card.random_split"
NO_GAP = "fraud.card.no_gap"

#: Why a split is random: no time order at all, too few frauds in a time-ordered one, or a
#: time window holding one class (too few legitimate rows).
NO_TIME_ORDER = "no_time_order"
TOO_FEW_FRAUDS = "too_few_frauds"
ONE_CLASS = "one_class"
#: The word (catalog key) of a reason.
REASON_WORDS = {
    NO_TIME_ORDER: N_("fraud.card.random_reason.no_time_order"),
    TOO_FEW_FRAUDS: N_("fraud.card.random_reason.too_few_frauds"),
    ONE_CLASS: N_("fraud.card.random_reason.one_class"),
}


def validation_outside(
    validation: float, test: float, low: float, high: float, level: float
) -> Message:
    """The validation AUPRC lies outside the out-of-time test's interval."""
    return Message(
        N_("fraud.card.validation_outside_interval"),
        {
            "validation": Number(validation, 3),
            "level": Number(level * 100, 0),
            "low": Number(low, 3),
            "high": Number(high, 3),
            "test": Number(test, 3),
        },
    )


def suspected_leak(column: str, auprc: float) -> Message:
    """``column`` alone separates the label and is left out."""
    return Message(N_("fraud.card.suspected_leak"), {"column": column, "auprc": Number(auprc, 3)})


def leak_kept(column: str, auprc: float) -> Message:
    """``column`` alone separates the label and is kept as asked."""
    return Message(N_("fraud.card.leak_kept"), {"column": column, "auprc": Number(auprc, 3)})


def random_split(reason: str) -> Message:
    """The split is random, for ``reason`` (:data:`NO_TIME_ORDER`, :data:`TOO_FEW_FRAUDS`
    or :data:`ONE_CLASS`)."""
    return Message(N_("fraud.card.random_split"), {"reason": Word(REASON_WORDS[reason])})


def reason_of(message: Message) -> str | None:
    """The reason code of a :func:`random_split` message."""
    word = message.params.get("reason")
    if not isinstance(word, Word):
        return None
    return next((code for code, key in REASON_WORDS.items() if key == word.key), None)


def no_gap(days: int) -> Message:
    """A gap of ``days`` of label delay would leave validation or test too few frauds."""
    return Message(N_("fraud.card.no_gap"), {"days": Count(days, Np_("common.day_count"))})


def data_parallel(workers: int, tolerance: float) -> Message:
    """The model was fitted data-parallel over ``workers`` workers: approximate, its
    validation AUPRC within ``tolerance`` of one machine's as measured, a row's score not."""
    return Message(
        N_("fraud.card.data_parallel"),
        {"workers": workers, "tolerance": Number(tolerance, 3)},
    )
