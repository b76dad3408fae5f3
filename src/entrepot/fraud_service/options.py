"""Typed options of the fraud service, built by the entrypoints from the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

GIB = 1024**3


@dataclass(frozen=True)
class ServiceOptions:
    """What the services need to know beyond the store, the catalog and the registry."""

    #: Signs sessions and model versions.
    secret_key: str
    #: Local working folder: the embedded job queue and temporary files.
    var_dir: Path = Path("var")
    #: ``None``: the embedded queue in ``var_dir``; ``redis://...`` to share the work.
    jobs_url: str | None = None
    #: The queue's name (several installations may share one Redis).
    jobs_name: str = "entrepot"
    #: Seconds of model search per training.
    training_budget: float = 60.0
    #: No upload may exceed this, whatever the plan.
    upload_limit: int = 10 * GIB
    #: Bytes read from the head of a large upload to analyse it.
    analysis_sample_bytes: int = 4 * 1024 * 1024
    #: The reference library built on first start.
    reference_count: int = 13
    reference_rows: int = 20_000
    reference_min_frauds: int = 400
    reference_budget: float = 9.0
    #: Jobs: heartbeat period, silence after which a job is reaped, threads per worker.
    heartbeat_seconds: float = 10.0
    stale_after_seconds: float = 120.0
    worker_threads: int = 2
    #: Rows of scores shown in the page and stored with the prediction.
    preview_rows: int = 20
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def temp_dir(self) -> Path:
        """Where uploads are spooled and jobs unpack files (removed after each use)."""
        return self.var_dir / "tmp"
