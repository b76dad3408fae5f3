"""Evaluation on a labelled table, once for every door: the table scored without its label
by the ensemble a scorer chooses, and the scores measured against the label by the
engine's one evaluation (``evaluate_frame``): AUPRC, ROC-AUC, precision, recall and the
confusion counts at the threshold, each member's AUPRC."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from entrepot.fraud_service.pipeline.partitioned import Spread
    from entrepot.fraud_service.pipeline.scorers import Scorer
    from entrepot.jobs.runner import Progress


def evaluate_table(
    frame: pd.DataFrame,
    scorer: Scorer,
    *,
    target: str | None,
    what: str = "the file",
    progress: Progress | None = None,
    spread: Spread | None = None,
) -> dict[str, Any]:
    """``frame``'s label (``target``, else the one the analysis finds) against the scores of
    its other columns; raises when it has no label. ``progress(fraction, message)`` hears
    each step; ``spread``: the workers the rows are scored over, in parts by entity (the
    same figures; without one, in process, a large table in parts one after the other)."""
    from entrepot.fraud.match.description import describe
    from entrepot.fraud.schema.analysis import analyze, require_target
    from entrepot.fraud.score.scoring import evaluate_frame
    from entrepot.messages import N_, Message

    label = require_target(analyze(frame, target=target))
    unlabelled = frame.drop(columns=[label])
    upload = describe(unlabelled)
    if progress is not None:
        progress(0.3, Message(scorer.step))
    chosen = scorer.choose(unlabelled, upload, None, what)
    if progress is not None:
        progress(0.5, Message(N_("progress.scoring")))
    from entrepot.fraud.score.spilled_scores import as_frame
    from entrepot.fraud_service.pipeline.partitioned import Spread, score_spread

    scored, _ = score_spread(
        unlabelled,
        chosen,
        spread or Spread(),
        upload=upload,
        explain=False,
        threads=1,
        explained={},
        known=None,
    )
    return evaluate_frame(frame, chosen, target=label, upload=upload, scored=as_frame(scored))
