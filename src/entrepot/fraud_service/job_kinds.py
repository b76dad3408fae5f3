"""The kinds of job the fraud service queues, by name only: the composition root routes
them to their handlers without loading the ML stack (``entrepot worker --queue city``)."""

from __future__ import annotations

from entrepot.accounts.licences import TRAINING_KIND

PREDICT_KIND = "predict"
APPLY_KIND = "apply_unlabeled"
BUILD_KIND = "build_references"
EVALUATE_KIND = "evaluate"
#: Every kind of fraud job: a training, a scoring with a model, one with the reference
#: ensemble, the reference library's build, an evaluation on a labelled file.
FRAUD_JOB_KINDS = (TRAINING_KIND, PREDICT_KIND, APPLY_KIND, BUILD_KIND, EVALUATE_KIND)

__all__ = [
    "APPLY_KIND",
    "BUILD_KIND",
    "EVALUATE_KIND",
    "FRAUD_JOB_KINDS",
    "PREDICT_KIND",
    "TRAINING_KIND",
]
