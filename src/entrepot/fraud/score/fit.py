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
``weight ∝ schema × distribution⁴`` (a member the file does not resemble loses fast); the
:data:`KEEP` heaviest members weighing at least :data:`CUT` of the heaviest are kept, so a
larger library adds members only when they fit as well as the best. The pool is the
weighted mean of their logits (members trained at other base rates differ by a shift of
log-odds, which a mean of logits carries as a constant and a mean of probabilities lets the
highest-rate member dominate). Agreement with the other members' consensus was measured
and left out: among few candidates of several domains, the one fitting member disagrees
with the others and was the one silenced (ADR 0045).

**Calibration.** The file's fraud rate is estimated as the larger of the kept members'
weighted mean probability on the file and their weighted training fraud rate. Their mean
probability alone under-counts: references read the recent frauds of a customer or a
terminal from past labels, which an unlabelled file lacks, and without them each member is
several times less sure (a tenth to a half of the true rate on generated files, against
0.5-2.8 times for the training rate, ADR 0045). A constant ``shift`` of the pooled log-odds
makes the pooled mean equal that estimate, so ``Σ p`` (the expected frauds,
``entrepot.fraud.score.expected``) is it. The threshold maximises the expected F1
(``2 Σ_{p≥t} p / (flagged + Σ p)``), as each member's threshold maximised F1 on its
validation data: the flagged count follows the expected frauds instead of thresholds
chosen on other populations (which flagged no row of most generated files).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.stats import kstest

from entrepot.fraud.match.description import Upload
from entrepot.fraud.score.ensemble import Calibration, Ensemble, Member, logit, sigmoid
from entrepot.fraud.score.scoring import member_scores

#: Members kept after weighting, at most.
KEEP = 3
#: A member is kept if it weighs at least this share of the heaviest.
CUT = 0.5
#: The exponent of the distribution fit in the weight.
POWER = 4
#: Candidates the library offers before the fit chooses.
CANDIDATES = 8


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
    members: Sequence[Member], probabilities: np.ndarray, anomalies: np.ndarray
) -> FileFit:
    """Weights and calibration from the candidates' probabilities and anomaly scores on
    the file, both ``(members, rows)`` (see the module docstring)."""
    probs = np.asarray(probabilities, dtype=float)
    schema = np.asarray(
        [m.similarity * m.coverage * max(m.validation_auprc, 1e-6) for m in members]
    )
    distribution = np.asarray([distribution_fit(a) for a in anomalies])
    z = logit(probs)
    raw = schema * distribution**POWER
    if raw.max() <= 0:
        raw = np.ones(len(raw))
    kept = [i for i in np.argsort(-raw, kind="stable")[:KEEP] if raw[i] >= CUT * raw.max()]
    weights = np.zeros(len(raw))
    weights[kept] = raw[kept] / raw[kept].sum()
    means = probs.mean(axis=1)
    base = np.asarray([m.base_rate for m in members])
    prevalence = float(max(weights @ means, weights @ base))
    shift, threshold = calibrate(weights @ z, prevalence)
    fits = tuple(
        MemberFit(m.name, float(s), float(d), float(mp), float(w))
        for m, s, d, mp, w in zip(members, schema, distribution, means, weights, strict=True)
    )
    return FileFit(fits, Calibration(shift=shift, threshold=threshold, prevalence=prevalence))


def fit_to_file(
    ensemble: Ensemble, frame: pd.DataFrame, upload: Upload
) -> tuple[Ensemble, FileFit]:
    """``ensemble``'s members reweighted, the best kept, and calibrated on ``frame``."""
    probs, anomalies = member_scores(frame, ensemble, upload=upload)
    found = fit_weights(ensemble.members, probs, anomalies)
    chosen = [
        (replace(m, weight=f.weight, distribution=f.distribution), model)
        for m, model, f in zip(ensemble.members, ensemble.models, found.members, strict=True)
        if f.weight > 0
    ]
    fitted = Ensemble(
        tuple(m for m, _ in chosen),
        tuple(model for _, model in chosen),
        ensemble.created,
        found.calibration,
    )
    return fitted, found
