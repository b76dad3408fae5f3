"""Jobs: training and scoring requests, and their state."""

from __future__ import annotations

from pydantic import BaseModel, Field

from entrepot.api.schemas.base import Body
from entrepot.catalog.jobs.records import JobRecord
from entrepot.registry.names import NAME_MAX

#: A bound on the field's size only: the name rule itself (``registry/names.py``) is the
#: service's, so every door answers a bad name the same way (``invalid_name``).
_MODEL_NAME = Field(
    max_length=255,
    description=f"1 to {NAME_MAX} letters, digits, '.', '_' or '-', starting with a letter "
    "or digit",
)


class TrainIn(BaseModel):
    """``filepath`` is named only to refuse it with a clear message (the seeds sent one)."""

    dataset_id: str | None = Field(default=None, max_length=32)
    model_name: str = _MODEL_NAME
    target_column: str | None = Field(default=None, max_length=255)
    filepath: str | None = None
    label_delay_days: int | None = Field(
        default=None,
        ge=0,
        le=365,
        description="Days after a transaction its label is known: features read only older "
        "labels, and the test period starts that long after the rows that fit (default 7)",
    )
    keep_columns: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="Columns kept as inputs even if they alone separate the label "
        "(suspected leaks, left out otherwise)",
    )
    cards_per_day: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description="Cards the analysts review a day: the model card's precision@k per day "
        "(default 100)",
    )
    time_column: str | None = Field(
        default=None,
        max_length=255,
        description="The date column that orders the rows in time (default: the analysis's "
        "choice, the event's date before a contract's start)",
    )
    entity_columns: list[str] = Field(
        default_factory=list,
        max_length=10,
        description="Columns that identify a customer or a counterparty (default: the "
        "analysis's guess)",
    )


class PredictIn(Body):
    model_id: int
    dataset_id: str = Field(max_length=32)


class EvaluateIn(Body):
    dataset_id: str = Field(max_length=32)
    #: ``None``: the reference ensemble fitted to the dataset.
    model_id: int | None = None
    target_column: str | None = Field(default=None, max_length=255)


class ApplyIn(BaseModel):
    dataset_id: str | None = Field(default=None, max_length=32)
    filepath: str | None = None
    model_name: str | None = Field(
        default=None, max_length=255, description=_MODEL_NAME.description
    )
    #: One of your labelled datasets of the same source's earlier transactions: the
    #: reference models read its labels (a terminal's recent confirmed frauds) and are
    #: weighed on them, and the trust says what they reach there (``trust.measured``).
    history_dataset_id: str | None = Field(default=None, max_length=32)


class JobAccepted(BaseModel):
    job_id: str
    state: str
    status_url: str


def accepted(job: JobRecord) -> JobAccepted:
    return JobAccepted(job_id=job.id, state=job.state.value, status_url=f"/api/jobs/{job.id}")
