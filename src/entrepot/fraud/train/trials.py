"""The model search's trials run as tasks: each proposal fitted and scored on validation,
here or on a pool's workers, the same bits either way (issue 40 item 4, ADR 0100).

A trial reads only what it is sent: the search's arrays, seed and threads once for every
trial (:class:`TrialInputs`, a pool sends them once to each worker), and one
:class:`Proposal` (a family, its parameters and the seconds it may take). On a step clock
each trial counts its own steps from a :func:`~entrepot.fraud.train.clocks.fresh` clock,
so its boosting stops at the same round whichever process runs it and whatever ran
before; the search adds up the steps in the proposals' order."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sklearn.metrics import average_precision_score
from threadpoolctl import threadpool_limits

from entrepot.fraud.model.estimator import positive_scores
from entrepot.fraud.train.clocks import Clock, fresh
from entrepot.fraud.train.fits import Data, Trial, fit_one
from entrepot.pools import Pool, run_here


@dataclass(frozen=True)
class Proposal:
    """A trial to run: ``kind`` with ``params``, its stage, and ``cap``, the seconds of its
    clock the fit may take before the deadline stops its boosting."""

    kind: str
    params: dict[str, Any]
    stage: str
    cap: float = 0.0
    refines: int | None = None


@dataclass(frozen=True)
class TrialInputs:
    """What every trial of a search reads: sent once to each worker."""

    data: Data = field(repr=False)
    seed: int
    n_jobs: int
    clock: Clock
    #: Where XGBoost boosts (``cpu`` or ``cuda``); the other kinds run on the CPU.
    device: str = "cpu"


@dataclass
class Ran:
    """A trial run, and the seconds of budget it spent (on its own fresh clock: every
    reading since it began; on a shared clock the search measures the round instead)."""

    trial: Trial
    spent: float


def run_trial(inputs: TrialInputs, proposal: Proposal) -> Ran:
    """Fit ``proposal`` on ``inputs`` and score it on the validation rows."""
    own = fresh(inputs.clock)
    clock = inputs.clock if own is None else own
    data = inputs.data
    with threadpool_limits(limits=inputs.n_jobs):
        began = clock()
        deadline = began + max(proposal.cap, 0.0)
        model, iterations = fit_one(
            proposal.kind,
            proposal.params,
            data,
            deadline,
            inputs.seed,
            inputs.n_jobs,
            clock,
            inputs.device,
        )
        ended = clock()
        scores = positive_scores(model, data.x_val)
    trial = Trial(
        proposal.kind,
        proposal.params,
        float(average_precision_score(data.y_val, scores)),
        ended - began,
        iterations,
        model,
        proposal.stage,
        refines=proposal.refines,
        cut_short=ended >= deadline,
        validation_scores=scores,
    )
    return Ran(trial, ended if own is not None else ended - began)


def run_trials(pool: Pool | None, inputs: TrialInputs, proposals: Sequence[Proposal]) -> list[Ran]:
    """Each proposal run, in their order: over ``pool``'s workers, or here without one."""
    if pool is None:
        # as a worker sends it back, serialised: an estimator fitted here may share objects
        # with what fitted it, one rebuilt from its pickle holds its own, and the model's
        # file (``model.joblib``) would tell them apart
        return [pickle.loads(pickle.dumps(ran)) for ran in run_here(run_trial, inputs, proposals)]
    return pool.run(run_trial, inputs, proposals)
