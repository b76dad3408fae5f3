"""The unlabelled ensemble fitted to its file (ADR 0045): weights by schema and
distribution fit, calibration to an estimated fraud rate, more references never worse."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score

from entrepot.fraud.library.libraries import MemoryLibrary, ReferenceInfo, ReferenceSource
from entrepot.fraud.match.description import describe
from entrepot.fraud.model.saved import FraudModel
from entrepot.fraud.score.assemble import from_library
from entrepot.fraud.score.ensemble import Ensemble, Member
from entrepot.fraud.score.fit import (
    CANDIDATES,
    POWER,
    Rule,
    calibrate,
    distribution_fit,
    fit_to_file,
    fit_weights,
)
from entrepot.fraud.score.scoring import score
from entrepot.fraud.synth.generator import generate
from entrepot.fraud.tables.io import read_table, write_table
from entrepot.registry.keyring import KeyRing
from tests.support.fraud import small_library

RING = KeyRing.of("fit-tests-" + "f" * 40)


class Subset:
    """The first ``count`` references of a library: a smaller library of the same models."""

    def __init__(self, library: MemoryLibrary, count: int) -> None:
        self.library, self.count = library, count

    def references(self) -> Sequence[ReferenceInfo]:
        return list(self.library.references())[: self.count]

    def load(self, name: str) -> FraudModel:
        return self.library.load(name)

    def record_use(self, name: str, score: float) -> None:
        del name, score


def test_distribution_fit_is_one_minus_the_ks_distance_to_uniform() -> None:
    rng = np.random.default_rng(7)
    for sample in (rng.random(500), rng.beta(8, 1, 500), rng.beta(1, 3, 200)):
        # The KS distance by its definition (the product asks scipy): the largest gap
        # between the sample's step function and the uniform law's.
        x, n = np.sort(sample), len(sample)
        expected = 1 - max((np.arange(1, n + 1) / n - x).max(), (x - np.arange(n) / n).max())
        assert distribution_fit(sample) == pytest.approx(expected, abs=1e-12)
    assert distribution_fit(np.full(3, np.nan)) == 1.0


def test_calibration_meets_the_rate_and_maximises_expected_f1() -> None:
    rng = np.random.default_rng(11)
    pooled = rng.normal(-6, 2, 3000)
    shift, threshold = calibrate(pooled, 0.03)
    p = 1 / (1 + np.exp(-(pooled + shift)))
    assert p.mean() == pytest.approx(0.03, rel=1e-6)
    # Expected F1 of every possible cut, computed directly from the definition.
    best = max((2 * p[p >= t].sum() / ((p >= t).sum() + p.sum()), t) for t in np.unique(p))
    assert threshold == pytest.approx(best[1])


def _member(name: str, similarity: float, base_rate: float) -> Member:
    return Member(
        name=name, version="1", similarity=similarity, validation_auprc=1.0, coverage=1.0,
        column_coverage=1.0, weight=0.0, threshold=0.5, mapping={}, confidence={},
        base_rate=base_rate,
    )  # fmt: skip


def test_every_candidate_pools_and_the_heaviest_estimate_the_rate() -> None:
    # Four members that read the file alike (no anomaly model: distribution fit 1), so
    # their weights are their similarities; the two lightest weigh under half the heaviest.
    # The lightest reads every row as likely fraud (mean 0.7), as a reference of another
    # domain fed the wrong columns does (ATM with 13 references, ADR 0045): it pools with
    # its small weight, but estimating the rate from it flagged 982 rows for 60 frauds.
    members = [
        _member("a", 0.8, 0.01),
        _member("b", 0.6, 0.02),
        _member("c", 0.3, 0.01),
        _member("d", 0.1, 0.2),
    ]
    rng = np.random.default_rng(5)
    means = np.array([0.005, 0.01, 0.02, 0.7])
    probs = np.clip(rng.normal(means[:, None], 0.002, (4, 2000)), 1e-4, 1 - 1e-4)
    found = fit_weights(members, probs, np.full((4, 2000), np.nan))
    weights = [f.weight for f in found.members]
    assert weights == pytest.approx([0.8 / 1.8, 0.6 / 1.8, 0.3 / 1.8, 0.1 / 1.8])
    # The rate: the members at least half the heaviest (a, b), weighted 0.8 : 0.6, the
    # larger of their mean probability on the file and their training fraud rate.
    core = np.array([0.8, 0.6]) / 1.4
    expected = max(core @ probs[:2].mean(axis=1), core @ np.array([0.01, 0.02]))
    assert found.calibration.prevalence == pytest.approx(expected, rel=1e-9)


def _ks_fit(sample: np.ndarray) -> float:
    """1 - the KS distance to the uniform law, by its definition (no scipy)."""
    x, n = np.sort(sample), len(sample)
    return float(1 - max((np.arange(1, n + 1) / n - x).max(), (x - np.arange(n) / n).max()))


def _pooled_auprc(found: Sequence[float], probs: np.ndarray, y: np.ndarray) -> float:
    weights = np.asarray(found)
    q = np.clip(probs, 1e-6, 1 - 1e-6)
    return float(average_precision_score(y, weights @ (np.log(q) - np.log1p(-q))))


def test_a_member_reading_the_file_less_like_its_own_data_weighs_far_less() -> None:
    # Two members of equal schema fit: one reads the file like its training data (anomaly
    # scores uniform), the other sees the rows as more unusual (scores pushed towards 1).
    rng = np.random.default_rng(3)
    anomalies = np.vstack([rng.random(4000), rng.random(4000) ** 0.72])
    fits = [_ks_fit(a) for a in anomalies]
    assert 0.09 < fits[0] - fits[1] < 0.15
    found = fit_weights([_member("a", 0.5, 0.01), _member("b", 0.5, 0.01)],
                        np.full((2, 4000), 0.01), anomalies)  # fmt: skip
    weights = np.array([f.weight for f in found.members])
    assert weights.sum() == pytest.approx(1.0)
    assert weights[1] / weights[0] == pytest.approx((fits[1] / fits[0]) ** POWER, rel=1e-9)
    # A tenth further from uniform: under 1/20 of the weight (1/2 to the 4th power).
    assert weights[1] / weights[0] < 1 / 20


def test_a_better_named_member_that_fits_worse_does_not_dilute_the_fitting_one() -> None:
    # The case of a larger library on a card-payments file (ADR 0045, round 6): the added
    # reference of another domain matches the names better (similarity 0.44 against 0.31)
    # and ranks the frauds worse; its anomaly scores sit 0.1 further from uniform.
    rng = np.random.default_rng(19)
    n = 6000
    y = (rng.random(n) < 0.01).astype(int)
    signal = rng.normal(0, 1, n) + 2.5 * y
    fitting = 1 / (1 + np.exp(-(signal - 6)))
    other = 1 / (1 + np.exp(-(0.4 * signal + rng.normal(0, 1, n) - 5)))
    anomalies = np.vstack([rng.random(n), rng.random(n) ** 0.72])
    assert _ks_fit(anomalies[0]) - _ks_fit(anomalies[1]) == pytest.approx(0.1, abs=0.03)
    members = [_member("fits", 0.31, 0.01), _member("named", 0.44, 0.01)]
    probs = np.vstack([fitting, other])
    alone = float(average_precision_score(y, fitting))
    assert _pooled_auprc([1.0, 0.0], probs, y) == pytest.approx(alone)
    # Under the rule the fitting member keeps most of the weight and the ranking holds...
    found = fit_weights(members, probs, anomalies)
    weights = [f.weight for f in found.members]
    assert weights[0] > 0.9
    assert _pooled_auprc(weights, probs, y) >= alone - 0.01
    # ... where the distribution fit to the 4th power (until round 6) split the weight and
    # lost the ranking: the test tells the two rules apart.
    before = [f.weight for f in fit_weights(members, probs, anomalies, rule=Rule(power=4)).members]
    assert before[0] < 0.7
    assert _pooled_auprc(before, probs, y) < alone - 0.01


def _file(
    domain: str, lang: Literal["en", "fr"], seed: int, tmp_path: Path
) -> tuple[pd.DataFrame, np.ndarray]:
    """A new file of ``domain`` at the fraud rate its reference was trained at: the rate
    estimate assumes no shift of the rate itself (ADR 0045)."""
    rate = next(i.metrics["base_rate"] for i in small_library().references() if i.domain == domain)
    data = generate(domain, 6000, fraud_rate=rate, seed=seed, lang=lang)
    hidden = data.frame.drop(columns=[data.target])
    if lang == "fr":  # French number formats: `;`, decimal commas, read back
        path = write_table(hidden, tmp_path / f"{domain}-{seed}.csv", lang="fr")
        hidden = read_table(path)
    return hidden, data.labels


def _fitted_auprc(
    frame: pd.DataFrame, y: np.ndarray, library: ReferenceSource
) -> tuple[float, int]:
    upload = describe(frame)
    candidates, _ = from_library(upload, library, top=CANDIDATES)
    ensemble, _ = fit_to_file(candidates, frame, upload)
    scores = score(frame, ensemble, upload=upload, explain=False)
    proba = scores["fraud_probability"].to_numpy()
    return float(average_precision_score(y, proba)), int(scores["prediction"].sum())


@pytest.mark.parametrize(
    ("domain", "lang", "seed", "smaller"),
    [
        ("card_payments", "fr", 901, 2),
        ("ecommerce", "en", 902, 2),
        # Its 4 references scored it 0.343 against 0.362 for its first 2 until round 6
        # (ADR 0045): the added mobile-money reference took half the weight.
        ("card_payments", "en", 903, 2),
        ("card_payments", "en", 902, 2),  # 0.397 against 0.318 until round 6
        ("card_payments", "fr", 902, 2),
        ("ecommerce", "fr", 903, 2),
        ("wire_transfers", "en", 904, 2),  # the first 2 hold no wire-transfers reference
        ("mobile_money", "fr", 905, 3),  # nor do they match a mobile-money file
    ],
)
@pytest.mark.slow  # a training over 15 s (make unit leaves it out)
def test_more_references_never_score_worse_and_flag_about_the_frauds(
    domain: str, lang: Literal["en", "fr"], seed: int, smaller: int, tmp_path: Path
) -> None:
    library = small_library()  # card payments, e-commerce, mobile money, wire transfers
    frame, y = _file(domain, lang, seed, tmp_path)
    small, _ = _fitted_auprc(frame, y, Subset(library, smaller))
    large, flagged = _fitted_auprc(frame, y, library)
    assert large >= small - 0.01, (small, large)
    # The goal is a factor 2; members of other domains in this 4-reference library, trained
    # at 2-3 % in a few seconds, move the estimate between runs (99-151 flagged for 48
    # frauds seen): a factor 3 here, the factor 2 measured in the bench (ADR 0045).
    frauds = int(y.sum())
    assert frauds / 3 <= flagged <= 3 * frauds, (flagged, frauds)


def test_a_fitted_ensemble_saves_and_replays_its_calibration(tmp_path: Path) -> None:
    frame, _ = _file("card_payments", "en", 904, tmp_path)
    upload = describe(frame)
    candidates, _ = from_library(upload, small_library(), top=CANDIDATES)
    ensemble, fit = fit_to_file(candidates, frame, upload)
    assert ensemble.calibration is not None
    assert sum(m.weight for m in ensemble.members) == pytest.approx(1.0)
    assert [m.name for m in ensemble.members] == [f.name for f in fit.members if f.weight > 0]
    loaded = Ensemble.load(ensemble.save(tmp_path / "saved", RING), RING)
    assert loaded.calibration == ensemble.calibration
    first = score(frame, ensemble, upload=upload, explain=False)
    again = score(frame, loaded, upload=upload, explain=False)
    assert np.array_equal(first["fraud_probability"], again["fraud_probability"])
    # The pooled mean is the estimated rate the calibration was fitted to.
    assert first["fraud_probability"].mean() == pytest.approx(
        ensemble.calibration.prevalence, rel=1e-4
    )
