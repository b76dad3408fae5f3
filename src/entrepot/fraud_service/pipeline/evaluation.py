"""Evaluation on a labelled table, once for every door: the table scored without its label
by the ensemble a scorer chooses, and the scores measured against the label by the
engine's one evaluation (``fraud.score.label_figures``, which ``evaluate_frame`` reads):
AUPRC, ROC-AUC, precision, recall and the confusion counts at the threshold, each
member's AUPRC. A large CSV or Parquet file held on disk in slices is evaluated without
being read whole (:func:`evaluate_sliced`, ADRs 0130, 0131)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from entrepot.fraud.match.description import Upload
    from entrepot.fraud.score.ensemble import Ensemble
    from entrepot.fraud.score.spilled_scores import SpilledScores
    from entrepot.fraud.tables.sliced import SlicedTable
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
    from entrepot.fraud.schema.analysis import label_candidate
    from entrepot.fraud.score.scoring import evaluate_frame
    from entrepot.messages import N_, Message

    label = label_candidate(frame, target).column  # the analysis's label, not the analysis
    unlabelled = frame.drop(columns=[label])
    upload = describe(unlabelled)
    if progress is not None:
        progress(0.3, Message(scorer.step))
    chosen = scorer.choose(unlabelled, upload, None, what)
    if progress is not None:
        progress(0.5, Message(N_("progress.scoring")))
    from entrepot.fraud.score.spilled_scores import as_frame

    scored = _scored(unlabelled, chosen, upload, spread)
    return evaluate_frame(frame, chosen, target=label, upload=upload, scored=as_frame(scored))


def evaluate_file(
    found: pd.DataFrame | SlicedTable,
    scorer: Scorer,
    *,
    target: str | None,
    what: str = "the file",
    spread: Spread | None = None,
) -> dict[str, Any]:
    """:func:`evaluate_table` of a file read whole, :func:`evaluate_sliced` of a large
    file's slices on disk (closed after)."""
    from entrepot.fraud.tables.sliced import SlicedTable

    if not isinstance(found, SlicedTable):
        return evaluate_table(found, scorer, target=target, what=what, spread=spread)
    with found:
        return evaluate_sliced(found, scorer, target=target, what=what, spread=spread)


def evaluate_sliced(
    table: SlicedTable,
    scorer: Scorer,
    *,
    target: str | None,
    what: str = "the file",
    spread: Spread | None = None,
) -> dict[str, Any]:
    """:func:`evaluate_table` of a large file held on disk in slices (ADR 0130), never whole
    in memory: its label found as the analysis finds it, counting the columns that may be
    one a slice at a time (``fraud.tables.label_counts``), its labels read a slice at a
    time, its other columns described from their sample rows and scored in parts routed to disk as
    :func:`~entrepot.fraud_service.pipeline.scoring.score_frame` scores them, the members'
    scores read back from disk. The same figures. Read whole where the scorer fits a pool
    to the file's rows."""
    if scorer.reads_rows:
        return evaluate_table(table.joined(), scorer, target=target, what=what, spread=spread)
    import numpy as np

    from entrepot.fraud.match.description import describe, sample_positions
    from entrepot.fraud.schema.analysis import label_candidate
    from entrepot.fraud.schema.target import label_vector
    from entrepot.fraud.score.label_figures import check_classes, measured
    from entrepot.fraud.score.spilled_scores import SpilledScores, held_values, score_columns
    from entrepot.fraud.tables.label_counts import sliced_counter

    if target is None:  # each column that may be one counted a slice at a time
        candidate = label_candidate(table.head(table.rows), counted=sliced_counter(table))
    else:  # the user's column checked whole, as its values are listed where it is none
        chosen = table.columns_of([target]) if target in table.columns else table.head(0)
        candidate = label_candidate(chosen, target)
    label = candidate.column
    pieces = [label_vector(piece[label], candidate.positive) for piece in table.pieces([label])]
    y = np.concatenate(pieces) if pieces else np.zeros(0)
    del pieces
    check_classes(label, y)  # before any row is scored
    sample = table.rows_at(sample_positions(table.rows)).drop(columns=[label])
    upload = describe(sample, rows=table.rows)
    del sample
    chosen = scorer.choose(table.head(0).drop(columns=[label]), upload, None, what)
    scored = _scored(table, chosen, upload, spread)
    try:
        proba = held_values(scored, "fraud_probability")
        read = score_columns(scored, [member.column for member in chosen.members])
        return measured(label, y, proba, read.__getitem__, chosen)
    finally:
        if isinstance(scored, SpilledScores):
            scored.close()


def _scored(
    table: pd.DataFrame | SlicedTable, chosen: Ensemble, upload: Upload, spread: Spread | None
) -> pd.DataFrame | SpilledScores:
    """``table``'s scores without explanations, over ``spread``'s workers: what an
    evaluation measures."""
    from entrepot.fraud_service.pipeline.partitioned import Spread, score_spread

    scored, _ = score_spread(
        table,
        chosen,
        spread or Spread(),
        upload=upload,
        explain=False,
        threads=1,
        explained={},
        known=None,
    )
    return scored
