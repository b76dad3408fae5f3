"""Errors of the fraud service, beyond the engine's own (``entrepot.fraud.errors``).

::

    FraudServiceError (EntrepotError)
    ├── UnsupportedFileType (ValueError)  not a CSV, Parquet or XLSX file
    ├── LibraryNotReady                   the reference library is still being built
    ├── NotInNamespace (PermissionError)  a key outside the caller's folder
    ├── InvalidThreshold (ValueError)     a decision threshold outside (0, 1)
    ├── NothingToLearn                    a retrain without any analyst decision
    ├── UnlabelledDataset                 a training asked of a dataset without a label
    ├── UnknownRiskFilter (ValueError)    a review filter that is not a risk level
    ├── TrainingFailed                    a training run in this process failed
    └── OverMemoryBudget                  a job would read more than a worker's memory budget
"""

from __future__ import annotations

from entrepot.errors import EntrepotError
from entrepot.messages import N_, Message


class FraudServiceError(EntrepotError):
    """The fraud service refused the request."""


class UnsupportedFileType(FraudServiceError, ValueError):
    """The upload is not a table in a supported format."""

    hint = "upload a CSV (.csv), Parquet (.parquet) or Excel (.xlsx) file"


class LibraryNotReady(FraudServiceError):
    """The reference models are not built yet."""

    hint = "the service builds them on its first start; retry in a few minutes"


class NotInNamespace(FraudServiceError, PermissionError):
    """A key outside the caller's folder."""

    hint = "download your predictions by id: GET /api/predictions/{id}/download"


class InvalidThreshold(FraudServiceError, ValueError):
    """A decision threshold outside (0, 1)."""

    hint = "give a probability strictly between 0 and 1, such as 0.12"


class NothingToLearn(FraudServiceError):
    """A retrain asked for while no analyst decision exists for the model."""

    hint = (
        "score a file with the model, label rows with POST /api/predictions/{id}/feedback "
        "(or on the review page), then retrain"
    )


class UnlabelledDataset(FraudServiceError):
    """A training asked, from a form that only offers the label the upload's analysis
    found, of a dataset in which it found none."""

    hint = (
        "add a column that says which rows are frauds (1) and which are not (0) and upload "
        "the file again, or name the label column (target_column) if the file has one"
    )

    def __init__(self, dataset: str) -> None:
        super().__init__(
            f"{dataset} has no label column, so there is nothing to train on: add a column "
            "that says which rows are frauds (1) and which are not (0), then upload the file "
            "again",
            said=Message(N_("error.fraud.unlabelled_dataset"), {"dataset": dataset}),
        )


class UnknownRiskFilter(FraudServiceError, ValueError):
    """A review asked for a risk filter the queue does not know."""

    hint = "filter by flagged, critical, high or medium (?risk=critical), or by none"


class TrainingFailed(FraudServiceError):
    """A training run in the caller's process (``fraud train --user``) failed; the message is
    the job's error, ``code`` its error code."""

    hint = "the job stays in the account's history with this error; fix the file and retry"

    def __init__(
        self, message: str, *, code: str | None = None, said: Message | None = None
    ) -> None:
        super().__init__(message, said=said)
        self.code = code or "training_failed"


class OverMemoryBudget(FraudServiceError):
    """A training or scoring would hold more in memory than a job worker may use."""

    hint = (
        "use a smaller file (fewer rows or columns), a plan with a larger limit, or a job "
        "worker with more memory (ENTREPOT_JOB_MEMORY_BUDGET)"
    )
