"""Scoring a table, once for every door: the late labels merged, the ensemble chosen, every
row scored, and the figures said of it (realised and estimated precision and recall, the
trust, the summary). The command line writes the scores to a file; the job handlers store
them as a prediction: both get them from :func:`score_frame`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import partial as partial_call
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from entrepot.fraud.match.description import Upload
    from entrepot.fraud.score.ensemble import Ensemble
    from entrepot.fraud.score.known_labels import KnownLabels
    from entrepot.fraud.score.scoring import Explanations
    from entrepot.fraud.score.spilled_scores import SpilledScores
    from entrepot.fraud.tables.handed import HandedTable
    from entrepot.fraud.tables.sliced import SlicedTable
    from entrepot.fraud_service.pipeline.partitioned import Spread
    from entrepot.fraud_service.pipeline.scorers import Scorer
    from entrepot.jobs.runner import Progress
    from entrepot.messages import Message


@dataclass(frozen=True, slots=True)
class LabelsGiven:
    """The labels a scoring reads beyond the file's rows: a labelled ``history`` of earlier
    transactions, and the labels confirmed on the scored rows, from a ``column`` of the file
    or from the analysts' ``(row, label)`` ``decisions``."""

    history: pd.DataFrame | None = None
    column: str | None = None
    decisions: Sequence[Sequence[int]] | None = None


@dataclass(frozen=True, slots=True)
class ScoringOutcome:
    """A scored table and every figure said of it."""

    ensemble: Ensemble
    upload: Upload
    #: One row per scored row: probability, prediction, risk level, anomaly, explanation;
    #: held on disk but for the figures' columns where the table was on disk in slices
    #: (``fraud.score.spilled_scores``: written a slice at a time, closed by the caller).
    scored: pd.DataFrame | SpilledScores
    #: Each explained row's explanation, as messages (row index -> parts).
    explained: Explanations
    known: KnownLabels | None
    #: Precision and recall on the rows whose label is known, or ``None``.
    realised: dict[str, Any] | None
    #: Precision and recall estimated without labels, with the realised ones beside them.
    estimate: dict[str, Any]
    #: The late labels given and how many models read them, or ``None``.
    known_labels: dict[str, Any] | None
    #: Rows, flagged, risk counts, trust and members (``summary.summarize``).
    summary: dict[str, Any] = field(default_factory=dict)
    #: Where the rows were scored: ``parts``, ``spread`` (over workers) and ``in_process``
    #: (the message key saying why not, or ``None``; ``pipeline.partitioned``).
    spread: dict[str, Any] = field(default_factory=dict)

    @property
    def scores(self) -> pd.DataFrame:
        """The scores as one frame (read back whole where they are held on disk)."""
        from entrepot.fraud.score.spilled_scores import as_frame

        return as_frame(self.scored)

    def close(self) -> None:
        """Let go of the scores held on disk, if any."""
        from entrepot.fraud.score.spilled_scores import SpilledScores

        if isinstance(self.scored, SpilledScores):
            self.scored.close()

    @property
    def expected(self) -> dict[str, Any] | None:
        """What the model's card promises of this file, by the label horizon of each row
        (``entrepot.fraud.score.promise``), or ``None`` (a pool of references, a card
        without horizons)."""
        promise: dict[str, Any] | None = self.summary.get("expected")
        return promise

    @property
    def trust(self) -> dict[str, Any]:
        """How far to trust the scores (``summary.trust``)."""
        trusted: dict[str, Any] = self.summary["trust"]
        return trusted


def score_frame(
    frame: pd.DataFrame | HandedTable | SlicedTable,
    scorer: Scorer,
    *,
    labels: LabelsGiven | None = None,
    label: str | None = None,
    what: str = "the file",
    explain: bool = True,
    threads: int = 1,
    progress: Progress | None = None,
    partial: tuple[int, int] | None = None,
    spread: Spread | None = None,
) -> ScoringOutcome:
    """Score every row of ``frame`` with the ensemble ``scorer`` chooses, reading the late
    ``labels`` given; ``label``: the file's own label column, if any, against which the
    realised figures are measured (else against the labels confirmed on its rows);
    ``progress(fraction, message)`` hears each step; ``partial``: ``(references, total)``
    when the reference library the scorer chose from was still being built (the summary
    says "partial: N of M references", its trust never ``high``); ``spread``: the pool of
    workers the rows are scored over, in parts by entity (the same bits as in process).

    A ``frame`` handed over (:class:`~entrepot.fraud.tables.handed.HandedTable`) is let go
    as soon as its parts are cut (``pipeline.partitioned``): what the figures after the
    scoring read of it (its labels, its row count, the card's row times) is taken first.
    A table held on disk in slices (:class:`~entrepot.fraud.tables.sliced.SlicedTable`,
    ADR 0127) is never whole in memory: its description reads its sample rows, the figures
    its label and time columns alone, and its parts are routed to disk slice by slice
    (``pipeline.sliced_parts``), their scores held on disk but for the probability and
    the prediction (the outcome's ``scored``: the caller writes and closes them); it is
    read whole where late labels, a labelled history
    or the analysts' decisions are given, or where the scorer fits a pool to its rows."""
    from entrepot.fraud.match.description import describe, sample_positions
    from entrepot.fraud.score.promise import ensemble_times, promise_of, sliced_times
    from entrepot.fraud.score.row_slices import Flagged
    from entrepot.fraud.score.spilled_scores import SpilledScores, held_column, held_values
    from entrepot.fraud.tables.handed import HandedTable, taken
    from entrepot.fraud.tables.sliced import SlicedTable
    from entrepot.fraud_service.estimate import estimate, file_labels, sliced_realised
    from entrepot.fraud_service.known import known_labels, known_labels_summary
    from entrepot.fraud_service.pipeline.partitioned import Spread, score_spread
    from entrepot.fraud_service.promised import with_promise
    from entrepot.fraud_service.summary import (
        summarized,
        tally,
        with_partial_library,
    )
    from entrepot.freed_memory import give_back
    from entrepot.messages import N_, Message

    say = progress or _silent
    given = labels or LabelsGiven()
    labelled = given.history is not None or given.column is not None or bool(given.decisions)
    if isinstance(frame, SlicedTable) and (labelled or scorer.reads_rows):
        frame = HandedTable(frame.joined())  # read whole: the labels or the pool read it
    to_score: pd.DataFrame | HandedTable | SlicedTable
    own: _Own | None = None  # a sliced table's labels are counted from disk once scored
    if isinstance(frame, SlicedTable):
        known, read, times = None, None, None
        upload = describe(frame.rows_at(sample_positions(frame.rows)), rows=frame.rows)
        say(0.3, Message(scorer.step))
        ensemble = scorer.choose(frame.head(0), upload, read, what)
        to_score = frame
    else:
        table, handed = taken(frame)
        scored_frame, known = known_labels(
            table, history=given.history, column=given.column, decisions=given.decisions
        )
        own = _Own(len(table), file_labels(table, label), label)
        del table
        upload = describe(scored_frame)
        read = _readable(known, given)
        say(0.3, Message(scorer.step))
        ensemble = scorer.choose(scored_frame, upload, read, what)
        times = ensemble_times(ensemble, scored_frame, read, upload)  # before the scores
        to_score = HandedTable(scored_frame) if handed else scored_frame
        del scored_frame
    give_back()  # the description's and the row times' buffers, before the parts' arrays
    say(0.5, Message(N_("progress.scoring")))
    explained: Explanations = {}
    scores, where = score_spread(
        to_score,
        ensemble,
        spread or Spread(),
        upload=upload,
        explain=explain,
        threads=threads,
        explained=explained,
        known=read,
        tally=partial_call(tally, ensemble=ensemble),
    )
    give_back()  # the parts' and the explanations' freed buffers, before the estimate's
    try:
        # the probabilities and the predictions read a slice at a time where the scores are
        # on disk (ADR 0136: at 20M rows 180 MB held through the figures, their largest)
        proba = held_column(scores, "fraud_probability")
        counts = scores.tallied if isinstance(scores, SpilledScores) else tally(scores, ensemble)
        if isinstance(frame, SlicedTable):  # from disk, never held through the parts (20M
            # rows: 160 MB each): its labels counted, its rows' instants parsed a slice at a time
            real = sliced_realised(frame, label, Flagged(held_column(scores, "prediction")))
            times = sliced_times(ensemble, frame, upload)
        else:
            assert own is not None  # taken from every table in memory
            real = _realised(own, held_values(scores, "prediction") == 1, given, known)
        found = estimate(proba, ensemble.threshold, real, ensemble.level_error, ensemble.unfamiliar)
        give_back()  # the estimate's buffers, before the promise's (20M rows: 300 MiB each)
        promise = promise_of(times, proba)
        summary = summarized(counts, proba, ensemble)
        del proba, times
        if isinstance(scores, SpilledScores):  # the writing reads them from each piece
            scores.let_go_held()
    except BaseException:
        if isinstance(scores, SpilledScores):
            scores.close()
        raise
    summary, found = with_promise(summary, found, promise)
    if partial is not None:
        summary = with_partial_library(summary, *partial)
    give_back()  # the figures' buffers (the estimate's, the promise's): the writing next
    return ScoringOutcome(
        ensemble=ensemble,
        upload=upload,
        scored=scores,
        explained=explained,
        known=known,
        realised=real,
        estimate=found,
        known_labels=known_labels_summary(known, ensemble),
        summary=summary,
        spread=where,
    )


def _readable(known: KnownLabels | None, given: LabelsGiven) -> KnownLabels | None:
    """The labels the features and a pool's weights may read (ADR 0088): a labelled
    history and a column of labels confirmed so far, never the analysts' decisions.

    Analysts decide the rows they choose to review, the highest-scored first: not a sample
    of the file. Read by the features, a terminal's recent fraud rate became its frauds
    among the reviewed rows (near 1 wherever one was confirmed, where training learnt rates
    over every row); a pool weighed on them saw a fraud rate many times the file's. The
    decisions measure the realised figures, stand on the review page, and feed a
    retraining (``fraud_service/retraining.py``), where they are rows like any other."""
    if known is None or not given.decisions or known.rows is None:
        return known
    if known.history is None:
        return None
    return replace(known, rows=None)


def _silent(fraction: float, message: Message) -> None:
    """No one listens to the progress."""


@dataclass(frozen=True, slots=True)
class _Own:
    """What the realised figures read of a scored table in memory, taken before it is
    scored: its row count and its own ``label`` column's labels (``None``: none; a table
    on disk in slices has its labels counted from disk once scored,
    ``estimate.sliced_realised``)."""

    rows: int
    labels: np.ndarray | None
    label: str | None


def _realised(
    own: _Own,
    flagged: np.ndarray,
    given: LabelsGiven,
    known: KnownLabels | None,
) -> dict[str, Any] | None:
    """The realised figures: against the late-labels column when one was named, else the
    file's own label, else the analysts' decisions on its rows; ``None`` without labels."""
    from entrepot.fraud_service.estimate import realised
    from entrepot.fraud_service.known import decided

    if given.column is not None and known is not None and known.rows is not None:
        return realised(flagged, known.rows, "late_labels", given.column)
    if own.labels is not None:
        return realised(flagged, own.labels, "label", own.label)
    if given.decisions is None:
        return None
    return realised(flagged, decided(own.rows, given.decisions), "feedback")
