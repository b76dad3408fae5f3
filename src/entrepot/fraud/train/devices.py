"""Where the search's XGBoost trials boost: the CPU (the default), or an NVIDIA GPU
(``device="cuda"``, the ``training_device`` setting; issue 40 item 6, ADR 0103).

Only XGBoost's boosting moves: the features, the other kinds, calibration, the card and
scoring stay on the CPU, and a model boosted on the GPU is saved set back to the CPU, so
it predicts on any machine. Nothing depends on a GPU: ``cpu`` never looks for one, and
``cuda`` is refused before any trial where XGBoost was built without CUDA or sees no
device, with the setting that turns it off."""

from __future__ import annotations

import json
import warnings
from typing import Any

from entrepot.fraud.errors import NoGpu
from entrepot.messages import N_, Message

#: The values of the ``training_device`` setting.
DEVICES = ("cpu", "cuda")


def check_device(device: str) -> None:
    """Refuse a device the search cannot boost on: an unknown name (``ValueError``), or
    ``cuda`` without an XGBoost built with CUDA and a GPU it can see (:class:`NoGpu`)."""
    if device not in DEVICES:
        raise ValueError(f"unknown training device {device!r}; known: {', '.join(DEVICES)}")
    if device == "cpu":
        return
    import xgboost as xgb

    if not xgb.build_info().get("USE_CUDA"):
        raise NoGpu(
            "ENTREPOT_TRAINING_DEVICE=cuda: this XGBoost was built without CUDA",
            said=Message(N_("error.fraud.no_cuda_build")),
        )
    if not _gpu_answers():
        raise NoGpu(
            "ENTREPOT_TRAINING_DEVICE=cuda: XGBoost sees no GPU on this machine",
            said=Message(N_("error.fraud.no_gpu")),
        )


def _gpu_answers() -> bool:
    """Whether one boosting round stays on the GPU (XGBoost without one warns and boosts on
    the CPU instead, or fails)."""
    import numpy as np
    import xgboost as xgb

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # XGBoost's "Device is changed from GPU to CPU"
        try:
            booster = xgb.train(
                {"device": "cuda", "tree_method": "hist"},
                xgb.DMatrix(np.zeros((2, 1)), label=np.array([0.0, 1.0])),
                num_boost_round=1,
            )
        except xgb.core.XGBoostError:
            return False
    used = json.loads(booster.save_config())["learner"]["generic_param"]["device"]
    return str(used).startswith("cuda")


def boosting_params(device: str) -> dict[str, Any]:
    """XGBoost's parameters for ``device``: none on the CPU (the model's bits are those
    of a search that never heard of devices)."""
    return {} if device == "cpu" else {"device": device}


def to_cpu(model: Any, device: str) -> None:
    """Set a model boosted on ``device`` to predict on the CPU (where it is scored)."""
    if device != "cpu":
        model.set_params(device="cpu")
