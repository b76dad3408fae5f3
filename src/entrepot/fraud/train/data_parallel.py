"""Data-parallel boosting over a Dask cluster, chosen explicitly (``entrepot fraud train
--data-parallel``; issue 40 item 4, ADR 0118).

The search's LightGBM default trial (:data:`~entrepot.fraud.train.space.DEFAULTS`) is
fitted with ``lightgbm.dask`` (``tree_learner="data"``): the fit rows are dealt into one
block a worker (row ``i`` to worker ``i mod n``: each block spans every period of a
time-ordered table, and LightGBM bins each feature on one worker's rows), each worker sums
the histograms of its own block, and the workers add theirs up at every split. No search
runs: one family, its default parameters. Cut into contiguous blocks instead, a 5M-row
table's model landed 0.0108 of validation AUPRC from one machine's; dealt, 0.0003.

LightGBM's Dask interface has no early stopping (its issue 3712: workers that stop apart
hang), so the rounds are chosen afterwards on the validation rows, by the rule an
early-stopped fit follows: the model is fitted with :data:`FIRST_ROUNDS` rounds and its
validation AUPRC read every :data:`STEP` rounds (:func:`best_checkpoint`); while the best
checkpoint lies within :data:`PATIENCE` rounds of the last, its boosting goes on to twice
the rounds (``init_model``: its trees kept, the new ones added; up to
:data:`MAX_ROUNDS`). The model predicts with its best checkpoint's trees, as an
early-stopped one-machine fit predicts with its best round's.

**Approximate**, and the card says so (:func:`distributed_card`): the histograms summed
over workers are not one machine's bits, so neither is the model. What was measured
against one machine on the product's own features is :data:`MEASURED` (docs/benchmarks.md,
"Data-parallel LightGBM against one machine"): the ranking's figure within
:data:`AUPRC_TOLERANCE`, a given row's score not. The features are still made on one
machine: the table must fit in the machine that reads it.
"""

from __future__ import annotations

import contextlib
import io
import time
import warnings
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score

from entrepot.fraud.errors import NeedsCluster
from entrepot.fraud.model.estimator import positive_scores
from entrepot.fraud.train.fits import Data, Trial
from entrepot.fraud.train.space import DEFAULTS
from entrepot.messages import N_, Message
from entrepot.pools import ClusterPool, Pool

#: Rounds of the first fit; each time the boosting goes on, it doubles them.
FIRST_ROUNDS = 256
#: Rounds a fit may have at most.
MAX_ROUNDS = 4096
#: Rounds between two readings of the validation AUPRC.
STEP = 8
#: A best checkpoint this many rounds before the last: the fit went far enough.
PATIENCE = 64
#: The validation AUPRC's distance to one machine's that the card states.
AUPRC_TOLERANCE = 0.005
#: What was measured against one machine (``python -m bench.lightgbm_dask_tolerance``: the
#: product's arrays of generated card payments, two local workers, two runs a size): the
#: rows, the validation AUPRC's difference of the run farthest from one machine, and a
#: row's largest probability difference over the runs.
MEASURED: tuple[dict[str, float], ...] = (
    {
        "rows": 1_000_000,
        "workers": 2,
        "auprc_difference": 0.0010,
        "largest_probability_difference": 0.61,
    },
    {
        "rows": 5_000_000,
        "workers": 2,
        "auprc_difference": -0.0003,
        "largest_probability_difference": 0.69,
    },
)
#: The trial's stage, as the card and the progress say it.
STAGE = "data_parallel"


def cluster_workers(pool: Pool | None) -> int:
    """How many workers ``pool``'s cluster has for a data-parallel fit; refused
    (:class:`~entrepot.fraud.errors.NeedsCluster`) without a cluster of two at least."""
    workers = pool.workers() if isinstance(pool, ClusterPool) else 0
    if workers < 2:
        raise NeedsCluster(
            "--data-parallel fits over a Dask cluster of two workers at least",
            said=Message(N_("error.fraud.data_parallel_needs_cluster")),
        )
    return workers


def data_parallel_trial(pool: ClusterPool, data: Data, seed: int) -> Trial:
    """LightGBM's default trial fitted over ``pool``'s workers, its rounds chosen on the
    validation rows (see the module); each worker boosts on its own threads (Dask's
    ``nthreads``: ``lightgbm.dask`` sets them, ``--jobs`` does not)."""
    import lightgbm as lgb

    began = time.monotonic()
    params = dict(DEFAULTS["lightgbm"])
    arrays = [data.x_fit, data.y_fit] + ([] if data.w_fit is None else [data.w_fit])
    held = pool.blocks(*arrays)
    x, y, weights = held[0], held[1], (held[2] if len(held) > 2 else None)
    rounds, model = FIRST_ROUNDS, None
    while True:
        grown = 0 if model is None else int(model.booster_.current_iteration())
        spread = lgb.DaskLGBMClassifier(
            client=pool.client,
            n_estimators=rounds - grown,
            tree_learner="data",
            random_state=seed,
            verbose=-1,
            **params,
        )
        kept: dict[str, Any] = {} if model is None else {"init_model": model.booster_}
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            # its "Finding random open ports", and a warning that it sets the threads
            warnings.filterwarnings("ignore", "Parameter n_jobs will be ignored", UserWarning)
            spread.fit(x, y, sample_weight=weights, **kept)
        model = spread.to_local()
        best, _ = best_checkpoint(model.booster_, data.x_val, data.y_val)
        if best <= rounds - PATIENCE or rounds >= MAX_ROUNDS:
            break
        rounds *= 2
    model.booster_.best_iteration = best  # predictions and importances read these trees
    scores = positive_scores(model, data.x_val)
    return Trial(
        "lightgbm",
        params,
        float(average_precision_score(data.y_val, scores)),
        time.monotonic() - began,
        best,
        model,
        stage=STAGE,
        validation_scores=scores,
    )


def best_checkpoint(booster: Any, x_val: np.ndarray, y_val: np.ndarray) -> tuple[int, float]:
    """The number of rounds, a multiple of :data:`STEP` (or all of them), whose trees give
    the best validation AUPRC, and that AUPRC (the first best, as early stopping keeps it).
    The trees' raw scores are summed :data:`STEP` rounds at a time: one prediction's cost."""
    total = int(booster.current_iteration())
    raw = np.zeros(len(x_val))
    best, found = 0, -1.0
    for start in range(0, total, STEP):
        count = min(STEP, total - start)
        raw += booster.predict(x_val, start_iteration=start, num_iteration=count, raw_score=True)
        auprc = float(average_precision_score(y_val, raw))  # ranks: raw scores as probabilities
        if auprc > found:
            best, found = start + count, auprc
    return best, found


def distributed_card(workers: int, rounds: int) -> dict[str, object]:
    """What the card says of a data-parallel model: approximate, and by how much."""
    return {
        "mode": "approximate",
        "engine": "lightgbm.dask",
        "tree_learner": "data",
        "workers": workers,
        "rounds": rounds,
        "auprc_tolerance": AUPRC_TOLERANCE,
        "measured": [dict(m) for m in MEASURED],
    }
