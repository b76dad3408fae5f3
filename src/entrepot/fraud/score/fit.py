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

**The file-fitted member** (``entrepot.fraud.score.file_member``, ADR 0085): a label-free
score fitted on the file itself (the amount, the entity's own habits, an isolation
forest) pools with every fitted ensemble, weighed on the references' scale
(:func:`file_raw_weight`): it reads the file's own columns and values (schema and
distribution fit 1) and claims the worth of chance (the references' training fraud
rate, a random ranking's AUPRC on a file of their kind). References
that read the file like their own data outweigh it; when none does (the handbook's weeks:
``distribution³²`` under 10⁻⁵), it carries the pool, so the ensemble is never far below
ranking the file by its amount. On a labelled history it is measured there like them.
``(1 - f) Σ w_i logit(p_i) + f logit(file score)``, ``f`` its share of the weights.

**Calibration.** The file's fraud rate is estimated from the *core*: the 3 heaviest members
weighing at least half the heaviest, as the larger of their weighted mean probability on
the file and their weighted training fraud rate. A light member fed the wrong columns can
read most rows as frauds (mean probability 0.7): it barely moves the ranking but would move
the rate (982 rows flagged for 60 frauds). Their mean probability alone under-counts:
references read the recent frauds of a customer or a terminal from past labels, which an
unlabelled file lacks, and without them each member is several times less sure (a tenth to
a half of the true rate on generated files, against 0.5-2.8 times for the training rate,
ADR 0045). Their mean probability is evidence only as far as they read the file: the
file member's share ``f`` of the weights falls back to their training rate,
``(1 - f) max(mean, training) + f training`` (ADR 0085). A constant ``shift`` of the
pooled log-odds makes the pooled mean equal that estimate, so ``Σ p`` (the expected
frauds, ``entrepot.fraud.score.expected``) is it. The threshold maximises the expected F1
(``2 Σ_{p≥t} p / (flagged + Σ p)``), as each member's threshold maximised F1 on its
validation data: the flagged count follows the expected frauds instead of thresholds
chosen on other populations (which flagged no row of most generated files); it is kept
between half and twice the expected frauds (:data:`FLAGGED_WITHIN`): a flat pool's F1
peaks far out (4,785 rows flagged for about 300 expected frauds with 40 references, issue 41).
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
from entrepot.fraud.score.file_member import file_score as file_member_score
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
#: The threshold flags between ``1 / FLAGGED_WITHIN`` and ``FLAGGED_WITHIN`` times the
#: expected frauds (ADR 0085): more than twice cannot reach a precision of one half even
#: if every fraud is among them, fewer than half cannot reach a recall of one half.
FLAGGED_WITHIN = 2.0


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
    ``prevalence``, and the threshold maximising their expected F1 among those flagging
    between half and twice the expected frauds (:data:`FLAGGED_WITHIN`)."""
    target = min(max(prevalence, 1e-6), 1 - 1e-6)

    def gap(shift: float) -> float:
        return float(sigmoid(pooled + shift).mean() - target)

    shift = float(brentq(gap, -50.0, 50.0, xtol=1e-9))
    p = np.sort(sigmoid(pooled + shift))[::-1]
    expected_tp = np.cumsum(p)
    f1 = 2 * expected_tp / (np.arange(1, len(p) + 1) + p.sum())
    frauds = float(p.sum())
    low = max(int(np.ceil(frauds / FLAGGED_WITHIN)), 1)
    high = max(int(np.floor(frauds * FLAGGED_WITHIN)), low)
    flagged = int(np.clip(int(np.argmax(f1)) + 1, low, min(high, len(p))))
    return shift, float(p[flagged - 1])


def fit_weights(
    members: Sequence[Member],
    probabilities: np.ndarray,
    anomalies: np.ndarray,
    *,
    rule: Rule = RULE,
    measured: Measured | None = None,
    file_score: np.ndarray | None = None,
) -> FileFit:
    """Weights and calibration from the candidates' probabilities and anomaly scores on
    the file, both ``(members, rows)`` (see the module docstring and :class:`Rule`); with
    ``measured`` (the members on a labelled history), ``weight ∝ AUPRC^``
    :data:`MEASURED_POWER` there and the history's fraud rate as the file's. With
    ``file_score`` (``entrepot.fraud.score.file_member``), the file-fitted member pools
    too, weighed as the references are (:func:`file_raw_weight`)."""
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
    evidence = raw
    if raw.max() <= 0:
        raw = np.ones(len(raw))
    weights = _heaviest(raw, rule.pool_keep, rule.pool_cut)
    means = probs.mean(axis=1)
    f = 0.0
    if measured is None:
        core = _heaviest(raw, rule.rate_keep, rule.rate_cut)
        base = float(core @ np.asarray([m.base_rate for m in members]))
        read = float(max(core @ means, base))
        chance = base if base > 0 else read
        if file_score is not None:
            own = file_raw_weight(chance, None)
            f = own / (own + float(evidence[weights > 0].sum()))
        # The members' mean probability on the file says something of its rate only as
        # far as they read it: the file member's share falls back to their training rate.
        prevalence = (1 - f) * read + f * chance
    else:
        prevalence = measured.rate
        if file_score is not None:
            own = file_raw_weight(prevalence, measured)
            f = own / (own + float(evidence[weights > 0].sum())) if own > 0 else 0.0
    pooled_file = weights @ z
    if f > 0 and file_score is not None:
        pooled_file = (1 - f) * pooled_file + f * logit(file_score)
    shift, threshold = calibrate(pooled_file, prevalence)
    calibration = Calibration(
        shift=shift, threshold=threshold, prevalence=prevalence, file_weight=float(f)
    )
    if measured is not None:
        pooled = weights @ logit(measured.probabilities)
        if f > 0 and measured.file_score is not None:
            pooled = (1 - f) * pooled + f * logit(measured.file_score)
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


def file_raw_weight(prevalence: float, measured: Measured | None) -> float:
    """The file-fitted member's weight before normalising, on the references' scale
    (ADR 0085). Without labels, ``schema × distribution^POWER`` with every factor at its
    most but one: it reads the file's own columns (similarity and coverage 1) and its
    values are the file's own (distribution fit 1), while its worth at home, which a
    reference's validation AUPRC gives, is unknown: the least any ranking is worth, the
    estimated fraud rate (a random ranking's AUPRC). A reference that reads the file as
    its own data then outweighs it by its home AUPRC over chance; one that does not
    (``distribution^POWER`` near 0) leaves it the pool. ``prevalence``: the references'
    training fraud rate (weighted as for the rate, their mean probability on the file
    when none is known). On a labelled history, ``AUPRC^MEASURED_POWER`` there, as the
    references (0 when it was not measured)."""
    if measured is not None:
        found = measured.file_auprc
        return 0.0 if found is None else float(found**MEASURED_POWER)
    return float(min(max(prevalence, 1e-6), 1.0))


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
    own = file_member_score(frame, upload)
    measured = measure(ensemble, known, upload=upload)
    return fitted(ensemble, probs, anomalies, measured=measured, file_score=own)


def fitted(
    ensemble: Ensemble,
    probabilities: np.ndarray,
    anomalies: np.ndarray,
    *,
    rule: Rule = RULE,
    measured: Measured | None = None,
    file_score: np.ndarray | None = None,
) -> tuple[Ensemble, FileFit]:
    """``ensemble`` fitted from its members' probabilities and anomaly scores on a file,
    both ``(members, rows)`` (:func:`fit_weights`), its weightless members left out; with
    ``file_score``, the file-fitted member's score on the file, pooled with them."""
    found = fit_weights(
        ensemble.members,
        probabilities,
        anomalies,
        rule=rule,
        measured=measured,
        file_score=file_score,
    )
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
