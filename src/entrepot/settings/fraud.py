"""The fraud service: training, uploads, the reference library."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from entrepot.settings import setting


@dataclass(frozen=True)
class FraudSettings:
    """What the fraud service reads (``fraud_service.options.ServiceOptions`` holds it)."""

    #: Seconds of model search per training.
    training_budget: float = 60.0
    #: What the training and reference budgets are read on: ``wall`` (seconds), or
    #: ``steps`` (one per boosting round: the same file and seed give the same model on
    #: any machine, however loaded; ``entrepot.fraud.train.clocks``).
    training_clock: Literal["wall", "steps"] = "wall"
    #: Where the search's XGBoost trials boost: ``cpu``, or ``cuda`` (an NVIDIA GPU and an
    #: XGBoost built with CUDA; ``entrepot.fraud.train.devices``). The other kinds, the
    #: features and scoring stay on the CPU, and the model saved predicts on any machine.
    training_device: Literal["cpu", "cuda"] = "cpu"
    #: No upload may exceed this, whatever the plan (bytes; ``10GiB`` is read).
    upload_limit: int = setting(10 * 1024**3, ge=1, before="size")
    #: The reference library built on first start.
    reference_count: int = 13
    reference_rows: int = 20_000
    reference_min_frauds: int = 400
    reference_budget: float = 9.0
    #: The reference models of ``entrepot fraud`` as a folder instead of the registry's
    #: library (``--library`` and ``--into`` take precedence).
    library: Path | None = field(default=None, metadata={"name": "fraud_library"})
