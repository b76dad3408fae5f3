"""Model search under a time budget: four model families, early stopping, local tuning.

Every trial fits on all the training rows, stops boosting when average precision on the
validation rows stops improving (validation chooses the number of rounds, as it chooses
every other hyperparameter) and is scored by AUPRC there; the test rows are never seen.
The search runs in three stages (``entrepot.fraud.train.space`` holds the configurations):

1. each family's defaults, LightGBM first, at a learning rate of 0.1;
2. tuning: neighbours of the best LightGBM or XGBoost configuration while time remains;
3. refinement: the best boosted configuration fitted again with its learning rate
   multiplied by the smallest factor from 0.2 to 0.7 that the time left affords.

The first boosted fit shows what a fit costs: time for stage 3 (at most 65 % of the
budget) is set aside then, and a default or tuning trial that would eat into it waits
until after the refinement, if time remains. Boosting stops at the deadline, and no trial
of stages 1-2 may take more than 35 % of the budget, so that a slow family's defaults
leave time for the others. :func:`choose` keeps the best configuration, refined.

The trials run in rounds (``entrepot.fraud.train.trials``): the first default alone, the
other defaults together, then up to :data:`ROUND` neighbours at a time, the refinement
alone. A round is proposed from the trials of the rounds before it, never from how many
workers run it, and each trial of a round may take its share of the time left: over a
pool of workers (``fraud train --workers N``) the rounds run one trial per worker and, on
a step clock, give the same trials, the same choice and the same model as in process.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
from threadpoolctl import threadpool_limits

from entrepot.fraud.train.clocks import Clock, counts_steps
from entrepot.fraud.train.fits import KINDS, Data, Trial, fit_one
from entrepot.fraud.train.space import BOOSTED, DEFAULTS, TUNABLE, neighbour, slower
from entrepot.fraud.train.trials import Proposal, TrialInputs, run_trials
from entrepot.pools import Pool

__all__ = ["KINDS", "Data", "Trial", "choose", "fit_one", "search"]

#: The longest share of the budget one trial of the defaults or the tuning may take.
TRIAL_SHARE = 0.35
#: The refinement multiplies the learning rate by the smallest factor the time left
#: affords, at least the first of these; it is skipped if that exceeds the second.
REFINE_FACTORS = (0.2, 0.7)
#: The largest share of the budget set aside for the refinement.
REFINE_SHARE = 0.65
#: Margin on the expected cost of the refinement: a fit's time varies by a third on a
#: shared machine, and a refinement the deadline cuts short is rarely worth keeping.
_REFINE_MARGIN = 1.25
#: Tuning trials proposed at once, whatever the number of workers: one a worker for up to
#: four workers, and the same rounds, so the same model, on one process or on eight.
ROUND = 4

#: Rough cost of a family relative to LightGBM, to skip what cannot finish in time.
_RELATIVE_COST = {
    "lightgbm": 1.0,
    "logistic_regression": 0.3,
    "hist_gradient_boosting": 1.5,
    "xgboost": 1.5,
}


def search(
    data: Data,
    *,
    budget_seconds: float,
    kinds: tuple[str, ...] = KINDS,
    seed: int = 0,
    n_jobs: int = 1,
    on_trial: Callable[[Trial], None] | None = None,
    clock: Clock = time.monotonic,
    pool: Pool | None = None,
    device: str = "cpu",
) -> list[Trial]:
    """Run trials until the budget is spent; at least one trial always completes.

    ``n_jobs`` threads per fit: on a shared machine more threads than free cores make
    OpenMP libraries many times slower, so the default is one. ``clock`` measures the
    budget (seconds). ``pool``: the workers each round's trials run on, one trial per
    worker (``None``: one after the other, here); the rounds are the same whatever the
    number of workers, so on a step clock the trials, and the model, are the same bits.
    ``device``: where XGBoost's trials boost (``cpu``, or ``cuda``:
    :mod:`entrepot.fraud.train.devices`).
    """
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        found = ", ".join(unknown) or "none given"
        raise ValueError(f"unknown model kinds: {found}; known: {', '.join(KINDS)}")
    inputs = TrialInputs(data, seed, n_jobs, clock, device)
    with threadpool_limits(limits=n_jobs):
        return _Search(inputs, budget_seconds, on_trial, pool).run(kinds)


def choose(trials: list[Trial]) -> Trial:
    """The model to keep: the unrefined trial with the best validation AUPRC, replaced by
    its refinement unless the deadline cut that short; a refinement cut short, or of
    another trial, wins only on its own validation AUPRC.

    Among configurations compared at the same learning rate the validation AUPRC chooses;
    the same configuration at a smaller rate generalises at least as well, and the small
    gaps between their scores on a few hundred validation frauds are noise.
    """
    if not trials:
        raise ValueError("no trial to choose from")
    refined = [t for t in trials if t.stage == "refined"]
    best = max([t for t in trials if t.stage != "refined"] or trials, key=_score)
    for t in refined:
        if not t.cut_short and t.refines is not None and trials[t.refines] is best:
            return t
    return max([best, *refined], key=_score)


def _score(trial: Trial) -> float:
    return trial.validation_auprc


def refine_factor(seconds: float, left: float) -> float | None:
    """The learning-rate factor that refines, in ``left`` seconds, a boosted model whose
    fit took ``seconds``; ``None`` when even the largest of :data:`REFINE_FACTORS` cannot."""
    low, high = REFINE_FACTORS
    factor = max(low, _REFINE_MARGIN * seconds / max(left, 1e-9))
    return round(factor, 3) if factor <= high else None


def refine_reserve(seconds: float, budget_seconds: float) -> float:
    """Seconds to set aside for refining a boosted model whose fit took ``seconds``: at
    most :data:`REFINE_SHARE` of the budget, 0 if that cannot afford a refinement."""
    low, _ = REFINE_FACTORS
    reserve = min(_REFINE_MARGIN * seconds / low, REFINE_SHARE * budget_seconds)
    return reserve if refine_factor(seconds, reserve) is not None else 0.0


class _Search:
    """The search's state between rounds: what each round proposes depends on the trials
    of the rounds before it alone, never on how many workers ran them."""

    def __init__(
        self,
        inputs: TrialInputs,
        budget: float,
        on_trial: Callable[[Trial], None] | None,
        pool: Pool | None,
    ) -> None:
        self.inputs, clock, seed = inputs, inputs.clock, inputs.seed
        self.budget, self.on_trial, self.clock, self.pool = budget, on_trial, clock, pool
        # a step clock: each trial counts its own steps, the search adds them up; the
        # wall clock: the search reads how long each round took
        self.counted = counts_steps(clock)
        self.now = 0.0 if self.counted else clock()
        self.spent = 0.0  # seconds of the budget spent
        self.rng = np.random.default_rng(seed)
        self.trials: list[Trial] = []
        self.unit: float | None = None  # seconds of one default LightGBM-sized trial
        self.reserve = 0.0  # seconds kept for the refinement
        self.reserved = False  # whether the reserve was set (by the first boosted trial)

    @property
    def left(self) -> float:
        return self.budget - self.spent

    def run(self, kinds: tuple[str, ...]) -> list[Trial]:
        self.defaults(kinds[:1])  # the first fit shows what a fit costs
        self.defaults(kinds)
        tunable = [k for k in TUNABLE if k in kinds]
        while tunable:
            proposals = self.tuning(tunable)
            if not proposals:
                break
            self.round(proposals)
        self.refine([k for k in BOOSTED if k in kinds])
        self.reserve, self.reserved = 0.0, True  # time left: the defaults skipped for it
        self.defaults(kinds)
        return self.trials

    def defaults(self, kinds: tuple[str, ...]) -> None:
        tried = {t.kind for t in self.trials}
        proposals: list[Proposal] = []
        for kind in kinds:
            if kind not in tried and self.affordable([*(p.kind for p in proposals), kind]):
                proposals.append(Proposal(kind, dict(DEFAULTS[kind]), "default"))
        self.round(proposals)

    def tuning(self, tunable: list[str]) -> list[Proposal]:
        """Up to :data:`ROUND` neighbours of the best configurations so far, as many as the
        time left affords."""
        proposals: list[Proposal] = []
        while len(proposals) < ROUND:
            leader = self.best(tunable)
            kind = (
                leader.kind
                if leader is not None and self.rng.random() < 0.8
                else str(self.rng.choice(tunable))
            )
            if not self.affordable([*(p.kind for p in proposals), kind]):
                break
            base = self.best((kind,))
            start = base.params if base is not None else DEFAULTS[kind]
            proposals.append(Proposal(kind, neighbour(kind, start, self.rng), "tuned"))
        return proposals

    def best(self, kinds: tuple[str, ...] | list[str]) -> Trial | None:
        found = [t for t in self.trials if t.kind in kinds]
        return max(found, key=lambda t: t.validation_auprc) if found else None

    def affordable(self, kinds: list[str]) -> bool:
        """Whether a round of trials of these kinds is expected to end before the reserve."""
        if not self.trials:
            return len(kinds) == 1
        expected = sum((self.unit or 0.0) * _RELATIVE_COST[kind] for kind in kinds)
        return expected <= self.left - self.reserve

    def refine(self, boosted: list[str]) -> None:
        """The best boosted configuration again at the smallest affordable learning rate."""
        base = self.best(boosted)
        if base is None or base.cut_short:  # a slower rate would be cut shorter still
            return
        factor = refine_factor(base.seconds, self.left)
        if factor is not None:
            at = self.trials.index(base)
            refined = Proposal(base.kind, slower(base.params, factor), "refined", refines=at)
            self.round([refined], cap=self.left)

    def round(self, proposals: list[Proposal], cap: float | None = None) -> None:
        """Run ``proposals`` at once and record them in order. Outside the refinement no
        trial may take more than a share of the budget (a slow family's defaults must
        leave time for the others), nor more than its share of the time left."""
        if not proposals:
            return
        if cap is None:
            cap = min(self.budget * TRIAL_SHARE, self.left / len(proposals))
        sent = [replace(p, cap=max(cap, 0.0)) for p in proposals]
        ran = run_trials(self.pool, self.inputs, sent)
        if self.counted:
            self.spent += sum(r.spent for r in ran)
        else:
            now = self.clock()
            self.spent, self.now = self.spent + (now - self.now), now
        for done in ran:
            self.record(done.trial)

    def record(self, trial: Trial) -> None:
        self.trials.append(trial)
        kind = trial.kind
        if self.unit is None or (kind == "lightgbm" and trial.stage != "refined"):
            self.unit = trial.seconds / _RELATIVE_COST[kind]
        if kind in BOOSTED and not self.reserved:
            reserve = 0.0 if trial.cut_short else refine_reserve(trial.seconds, self.budget)
            self.reserve, self.reserved = reserve, True
        if self.on_trial is not None:
            self.on_trial(trial)
