"""Fit an unlabelled ensemble to the file it scores: members weighted by how well they fit
it, pooled and calibrated to the file's estimated fraud rate (ADR 0045).

The reference library offers the best-matching references by their column names and
types (``entrepot.fraud.match``). Names say little about whether a model *reads* the file
the way it read its training data, so each candidate member is first run on the file and
judged on three facts that share nothing with names:

* **schema fit**: the match score times the share of the model's feature importance the
  mapping feeds (``coverage``), times its validation AUPRC (what it is worth at home);
* **distribution fit**: ``1 - KS``, the Kolmogorov-Smirnov distance between the file's
  anomaly scores under the member and the uniform law. A member's anomaly score is the
  share of its legitimate training rows less unusual than the row; on a file its model
  reads like its training data, the (mostly legitimate) rows spread uniformly over
  ``[0, 1]``; a member fed the wrong columns, units or habits sees every row as unusual
  (scores piled near 1);
``weight ∝ schema × distribution³²`` (:data:`POWER`), and every candidate pools with its
weight (:data:`RULE`): keeping only the 3 heaviest weighing at least half the heaviest
ranked worse, and worse with more references (ADR 0045, round 5 in ``docs/benchmarks.md``).
The power keeps a larger library from scoring a file worse than its subset: a reference of
another domain often matches the names better (a mobile-money model on a card-payments
file: schema 0.44 against 0.31) while reading the file less like its own data (1 - KS 0.88
against 0.98). To the 4th power, that ratio halved the fitting member's weight and cost the
file 0.02 AUPRC; to the 32nd, a member 0.1 further from uniform weighs about 1/30 as much at
equal schema, so a reference a larger library adds takes weight from the best-fitting
member only when it reads the file about as well (round 6 in ``docs/benchmarks.md``: powers
24-48 measured alike; with 4 or 16 a larger library scored some file lower by more than
0.01). The pool is the weighted mean of their logits (members trained at other base rates
differ by a shift of log-odds, which a mean of logits carries as a constant and a mean of
probabilities lets the highest-rate member dominate). Measured and left out (ADR 0045):
agreement with the other members' consensus (among few candidates of several domains, the
one fitting member disagrees with the others and was the one silenced), agreement with the
heaviest member (no better than the power, and a larger library below its subset on some
file), and a weighted mean of the members' ranks instead of their logits (lower on every
measure).

**With a labelled history** (``entrepot.fraud.score.measured``): the candidates are
measured on its labels instead, ``weight ∝ AUPRC^8`` there (:data:`MEASURED_POWER`), and
the pool is calibrated to its fraud rate; the label-free facts above only guess what the
labels then say (ADR 0045, round 8: 0.02 to 0.64 AUPRC on the handbook's last week).

**Calibration.** The file's fraud rate is estimated from the *core*: the 3 heaviest members
weighing at least half the heaviest, as the larger of their weighted mean probability on
the file and their weighted training fraud rate. A light member fed the wrong columns can
read most rows as frauds (mean probability 0.7): it barely moves the ranking but would move
the rate (982 rows flagged for 60 frauds). Their mean probability alone under-counts:
references read the recent frauds of a customer or a terminal from past labels, which an
unlabelled file lacks, and without them each member is several times less sure (a tenth to
a half of the true rate on generated files, against 0.5-2.8 times for the training rate,
ADR 0045). A constant ``shift`` of the pooled log-odds makes the pooled mean equal that
estimate, so ``Σ p`` (the expected frauds, ``entrepot.fraud.score.expected``) is it. The
threshold maximises the expected F1 (``2 Σ_{p≥t} p / (flagged + Σ p)``), as each member's
threshold maximised F1 on its validation data: the flagged count follows the expected
frauds instead of thresholds chosen on other populations (which flagged no row of most
generated files).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.stats import kstest
from sklearn.metrics import average_precision_score

from entrepot.fraud.match.description import Upload
from entrepot.fraud.score.ensemble import Calibration, Ensemble, Member, logit, sigmoid
from entrepot.fraud.score.known_labels import KnownLabels
from entrepot.fraud.score.measured import Measured, measure
from entrepot.fraud.score.scoring import member_scores

#: The exponent of the distribution fit in the weight: ``d³²`` is about ``e^(-32 KS)``
#: for a KS distance near 0 (ADR 0045, 2026-11-24: 4 until then).
POWER = 32
#: Candidates the library offers before the fit chooses.
CANDIDATES = 8
#: The exponent of a member's AUPRC on a labelled history in its weight
#: (``entrepot.fraud.score.measured``): a member at 0.6 weighs 100 times one at 0.34.
MEASURED_POWER = 8


@dataclass(frozen=True)
class Rule:
    """Which members pool (``pool_keep`` heaviest, each weighing at least ``pool_cut`` of
    the heaviest), which estimate the file's fraud rate (``rate_keep``, ``rate_cut``), and
    the exponent of the distribution fit in the weight (``power``)."""

    pool_keep: int = CANDIDATES
    pool_cut: float = 0.0
    rate_keep: int = 3
    rate_cut: float = 0.5
    power: float = POWER


#: Every candidate pools, weighted by ``schema × distribution³²``; the rate comes from the 3
#: heaviest weighing at least half the heaviest (ADR 0045, 2026-11-24).
RULE = Rule()


@dataclass(frozen=True)
class MemberFit:
    """How one candidate member fits the file."""

    name: str
    schema: float
    distribution: float
    mean_probability: float
    weight: float  # 0 for a member left out


@dataclass(frozen=True)
class FileFit:
    """The members' fits, the kept ones' weights and the calibration."""

    members: tuple[MemberFit, ...]
    calibration: Calibration


def distribution_fit(anomaly: np.ndarray) -> float:
    """``1 - KS`` of the anomaly scores against the uniform law on ``[0, 1]``; 1 when no
    score is known (a member without an anomaly model says nothing either way)."""
    known = np.asarray(anomaly, dtype=float)
    known = known[np.isfinite(known)]
    if not len(known):
        return 1.0
    return float(1.0 - kstest(known, "uniform").statistic)


def calibrate(pooled: np.ndarray, prevalence: float) -> tuple[float, float]:
    """The shift of the pooled log-odds ``pooled`` whose probabilities average
    ``prevalence``, and the threshold maximising their expected F1."""
    target = min(max(prevalence, 1e-6), 1 - 1e-6)

    def gap(shift: float) -> float:
        return float(sigmoid(pooled + shift).mean() - target)

    shift = float(brentq(gap, -50.0, 50.0, xtol=1e-9))
    p = np.sort(sigmoid(pooled + shift))[::-1]
    expected_tp = np.cumsum(p)
    f1 = 2 * expected_tp / (np.arange(1, len(p) + 1) + p.sum())
    return shift, float(p[int(np.argmax(f1))])


def fit_weights(
    members: Sequence[Member],
    probabilities: np.ndarray,
    anomalies: np.ndarray,
    *,
    rule: Rule = RULE,
    measured: Measured | None = None,
) -> FileFit:
    """Weights and calibration from the candidates' probabilities and anomaly scores on
    the file, both ``(members, rows)`` (see the module docstring and :class:`Rule`); with
    ``measured`` (the members on a labelled history), ``weight ∝ AUPRC^``
    :data:`MEASURED_POWER` there and the history's fraud rate as the file's."""
    probs = np.asarray(probabilities, dtype=float)
    schema = np.asarray(
        [m.similarity * m.coverage * max(m.validation_auprc, 1e-6) for m in members]
    )
    distribution = np.asarray([distribution_fit(a) for a in anomalies])
    z = logit(probs)
    if measured is None:
        raw = schema * distribution**rule.power
    else:
        raw = measured.auprc**MEASURED_POWER
    if raw.max() <= 0:
        raw = np.ones(len(raw))
    weights = _heaviest(raw, rule.pool_keep, rule.pool_cut)
    means = probs.mean(axis=1)
    if measured is None:
        core = _heaviest(raw, rule.rate_keep, rule.rate_cut)
        base = np.asarray([m.base_rate for m in members])
        prevalence = float(max(core @ means, core @ base))
    else:
        prevalence = measured.rate
    shift, threshold = calibrate(weights @ z, prevalence)
    calibration = Calibration(shift=shift, threshold=threshold, prevalence=prevalence)
    if measured is not None:
        pooled = weights @ logit(measured.probabilities)
        calibration = replace(
            calibration,
            measured_auprc=float(average_precision_score(measured.labels, pooled)),
            measured_frauds=measured.frauds,
        )
    fits = tuple(
        MemberFit(m.name, float(s), float(d), float(mp), float(w))
        for m, s, d, mp, w in zip(members, schema, distribution, means, weights, strict=True)
    )
    return FileFit(fits, calibration)


def _heaviest(raw: np.ndarray, keep: int, cut: float) -> np.ndarray:
    """Weights summing to 1 over the ``keep`` largest of ``raw`` at least ``cut`` of the
    largest, 0 for the others."""
    kept = [i for i in np.argsort(-raw, kind="stable")[:keep] if raw[i] >= cut * raw.max()]
    weights = np.zeros(len(raw))
    weights[kept] = raw[kept] / raw[kept].sum()
    return weights


def fit_to_file(
    ensemble: Ensemble, frame: pd.DataFrame, upload: Upload, known: KnownLabels | None = None
) -> tuple[Ensemble, FileFit]:
    """``ensemble``'s members reweighted, the best kept, and calibrated on ``frame``, as
    they will score it: reading ``known``'s labels (late labels), and weighed on its
    labelled history when it has one (``entrepot.fraud.score.measured``)."""
    probs, anomalies = member_scores(frame, ensemble, upload=upload, known=known)
    return fitted(ensemble, probs, anomalies, measured=measure(ensemble, known))


def fitted(
    ensemble: Ensemble,
    probabilities: np.ndarray,
    anomalies: np.ndarray,
    *,
    rule: Rule = RULE,
    measured: Measured | None = None,
) -> tuple[Ensemble, FileFit]:
    """``ensemble`` fitted from its members' probabilities and anomaly scores on a file,
    both ``(members, rows)`` (:func:`fit_weights`), its weightless members left out."""
    found = fit_weights(ensemble.members, probabilities, anomalies, rule=rule, measured=measured)
    chosen = [
        (replace(m, weight=f.weight, distribution=f.distribution), model)
        for m, model, f in zip(ensemble.members, ensemble.models, found.members, strict=True)
        if f.weight > 0
    ]
    result = Ensemble(
        tuple(m for m, _ in chosen),
        tuple(model for _, model in chosen),
        ensemble.created,
        found.calibration,
    )
    return result, found
