"""What the fraud engine's use cases on local files (:mod:`entrepot.fraud_service.local_files`)
answer: a generated file, a trained model, a scored file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from entrepot.catalog.models.records import ModelVersionRecord
    from entrepot.fraud.score.ensemble import Ensemble
    from entrepot.fraud.score.spilled_scores import SpilledScores
    from entrepot.fraud.train.result import TrainingResult

__all__ = ["Generated", "Scored", "Trained", "sheet_facts"]


def sheet_facts(frame: pd.DataFrame) -> dict[str, Any]:
    """The sheet a table was read from and the workbook's others, from its ``attrs``
    (:func:`entrepot.fraud.tables.io.read_bytes`); nothing for a table of one sheet."""
    return {k: frame.attrs[k] for k in ("sheet", "other_sheets") if k in frame.attrs}


@dataclass(frozen=True, slots=True)
class Generated:
    """A generated labelled file."""

    path: Path
    domain: str
    rows: int
    frauds: int
    target: str
    time_format: str


@dataclass(frozen=True, slots=True)
class Trained:
    """A model trained on a file: saved to ``folder``, or registered as ``version``."""

    result: TrainingResult
    folder: Path | None = None
    version: ModelVersionRecord | None = None
    #: The workbook's sheet read and its other sheets, as :attr:`Scored.sheet`.
    sheet: dict[str, Any] = field(default_factory=dict)

    @property
    def facts(self) -> dict[str, Any]:
        """What the training shows its user, as a training job's result holds it
        (:func:`~entrepot.fraud_service.training_facts.training_facts`)."""
        from entrepot.fraud_service.training_facts import training_facts

        return training_facts(self.result.performance)


@dataclass(frozen=True, slots=True)
class Scored:
    """A scored file: the model or ensemble used, the scores, where they were written."""

    ensemble: Ensemble
    #: The scores, or where the table was read in slices, what held them on disk, closed
    #: once they were written to ``out`` (``fraud.score.spilled_scores``): their rows'
    #: count alone is read after.
    scores: pd.DataFrame | SpilledScores
    out: Path
    saved_ensemble: Path | None
    #: Precision and recall estimated without labels (``fraud_service/estimate.py``), with
    #: the realised figures when the file holds its label.
    estimate: dict[str, Any] | None = None
    #: The late labels given and how many models read them (``known_labels_summary``),
    #: or ``None``.
    known_labels: dict[str, Any] | None = None
    #: How far to trust the scores (``fraud_service/summary.py`` ``trust``), as a stored
    #: prediction's summary says it.
    trust: dict[str, Any] | None = None
    #: Rows, flagged, risk counts and members, as a stored prediction's summary says them
    #: (``fraud_service/summary.py`` ``summarize``): what the command line prints, on a
    #: local instance and on a deployed service alike.
    summary: dict[str, Any] | None = None
    #: Where the rows were scored (``parts``, ``spread``, ``in_process``: the message key
    #: saying why not over the workers; ``pipeline.partitioned``).
    spread: dict[str, Any] = field(default_factory=dict)
    #: The workbook's sheet read and its other sheets (``sheet``, ``other_sheets``), or
    #: nothing for a table of one sheet.
    sheet: dict[str, Any] = field(default_factory=dict)
