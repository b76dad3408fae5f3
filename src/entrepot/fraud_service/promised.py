"""The card's promise beside the label-free estimate (issue 41 items 1 and 2, ADR 0087).

Two figures speak of a scored file's precision and recall at the threshold: the
label-free estimate (``estimate``: the probabilities taken as calibrated on this file)
and the card's promise (``expected``: what the model delivered on its out-of-time test
period replayed at this file's label horizons, widened to the file's size). Each rests on
an assumption the other does not share: the estimate, that the link between inputs and
fraud is the training one; the promise, that this file resembles the test period. When
they disagree, which one is right cannot be told without labels, so the estimate's
interval is widened to hold the promise's (:func:`with_promise`) and says so.

And where the file lies mostly beyond the horizons the card replayed (most rows further
from any label they can read than the card's last horizon), nothing measured covers it:
the trust is never ``high`` (``trust.beyond_labels``); nor where the card's figures moved
so much from one period to the next that its promise spans more than half the scale
(``trust.card_unsettled``), or the file lies so long after the card's test period that
its promise widened that far (``trust.card_aged``, ADR 0096).
"""

from __future__ import annotations

from typing import Any

from entrepot.messages import N_, Count, Message, Np_, Number

#: Share of a file's rows beyond the card's horizons from which its trust is not high.
BEYOND_SHARE = 0.5
#: A promise whose AUPRC interval is wider than this promises nothing: the card's figures
#: moved too much from one period to the next (``trust.card_unsettled``); ``expected``
#: then says ``promises: false`` and the entrypoints show its range without a figure.
UNSETTLED_WIDTH = 0.5
#: What the estimate says when its interval was widened to the card's promise.
WIDENED = N_("estimate.widened_to_card")


def with_promise(
    summary: dict[str, Any], estimate: dict[str, Any], promise: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``summary`` and ``estimate`` once the card's ``promise`` is beside them (see the
    module's docstring); unchanged without a promise."""
    if promise is None:
        return summary, estimate
    found = dict(estimate)
    widened = False
    for name in ("precision", "recall"):
        ours, card = found.get(name) or {}, promise.get(name)
        if card is None or ours.get("value") is None or ours.get("low") is None:
            continue
        low, high = min(ours["low"], card["low"]), max(ours["high"], card["high"])
        if (low, high) != (ours["low"], ours["high"]):
            found[name] = {**ours, "low": low, "high": high}
            widened = True
    if widened:
        widening = Message(WIDENED, {"days": promise["covered_days"]}).to_json()
        found["assumptions"] = [*found.get("assumptions", []), widening]
        found["widened_to_card"] = True
    auprc = promise.get("auprc") or {}
    unsettled = bool(auprc) and auprc["high"] - auprc["low"] > UNSETTLED_WIDTH
    # an interval that wide promises no figure: the entrypoints show the range, not a value
    out = {**summary, "expected": {**promise, "promises": bool(auprc) and not unsettled}}
    rows = sum(part["rows"] for part in promise.get("rows_by_horizon", []))
    beyond = promise.get("beyond_rows", 0)
    trusted = dict(summary.get("trust") or {})
    said: Message | None = None
    if rows and beyond / rows > BEYOND_SHARE:
        said = Message(N_("trust.beyond_labels"), {"rows": beyond, "days": promise["covered_days"]})
    elif unsettled:
        low, high = Number(auprc["low"], 2), Number(auprc["high"], 2)
        said = Message(N_("trust.card_unsettled"), {"low": low, "high": high})
        elapsed, observed = promise.get("elapsed_days"), promise.get("observed_days")
        if elapsed is not None and observed and elapsed > observed:  # ADR 0096
            days = Count(round(elapsed), Np_("common.day_count"))
            span = Count(round(observed), Np_("common.day_count"))
            said = Message(
                N_("trust.card_aged"), {"days": days, "observed": span, "low": low, "high": high}
            )
    if said is not None and trusted.get("level") == "high":
        trusted.update(level="medium", message=said.to_json())
        out["trust"] = trusted
    return out, found
