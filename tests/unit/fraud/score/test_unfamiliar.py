"""A fitted ensemble whose members read a file unlike their own data is *unfamiliar*
(ADR 0045, round 8): its trust is low, whatever the names' match, and its estimated
precision and recall no longer claim a floor their ranking may not reach."""

from __future__ import annotations

from typing import cast

import numpy as np
import pytest

from entrepot.fraud.model.saved import FraudModel
from entrepot.fraud.score.ensemble import UNFAMILIAR_FIT, Calibration, Ensemble, Member
from entrepot.fraud.score.expected import expected_performance, unsupported
from entrepot.fraud_service.summary import trust

FITTED = Calibration(shift=0.0, threshold=0.5, prevalence=0.03)


def _member(name: str, weight: float, distribution: float) -> Member:
    return Member(
        name=name,
        version="1",
        similarity=0.8,
        validation_auprc=0.9,
        coverage=1.0,
        column_coverage=1.0,
        weight=weight,
        threshold=0.5,
        mapping={"amount": "amount"},
        confidence={"amount": 1.0},
        distribution=distribution,
    )


def _ensemble(fits: list[tuple[float, float]], calibration: Calibration | None) -> Ensemble:
    members = tuple(_member(f"m{i}", w, d) for i, (w, d) in enumerate(fits))
    models = cast(tuple[FraudModel, ...], tuple(object() for _ in members))
    return Ensemble(members, models, "2026-11-24T00:00:00+00:00", calibration)


@pytest.mark.parametrize(
    ("fits", "expected"),
    [
        ([(1.0, 0.98)], 0.98),
        ([(0.9, 0.895), (0.1, 0.78)], 0.9 * 0.895 + 0.1 * 0.78),
        ([(0.5, 0.95), (0.5, 0.88)], 0.915),
    ],
)
def test_the_distribution_fit_is_the_weighted_mean_of_the_members(
    fits: list[tuple[float, float]], expected: float
) -> None:
    ensemble = _ensemble(fits, FITTED)
    assert ensemble.distribution_fit == pytest.approx(expected)
    assert ensemble.unfamiliar == (expected < UNFAMILIAR_FIT)


def test_only_a_fitted_ensemble_can_be_unfamiliar() -> None:
    # An unfitted ensemble (a saved model, a format /1 ensemble) keeps its members' own
    # distribution (1.0 unless fitted): nothing measured says the file is unfamiliar.
    assert not _ensemble([(1.0, 0.5)], None).unfamiliar
    assert _ensemble([(1.0, 0.5)], FITTED).unfamiliar


def test_an_unfamiliar_file_is_trusted_low_with_its_fit_named() -> None:
    # The handbook's week: the match quality alone said "medium" (0.46).
    found = trust(_ensemble([(0.9, 0.895), (0.1, 0.78)], FITTED))
    assert found["level"] == "low"
    assert found["message"]["key"] == "trust.unfamiliar"
    assert found["message"]["params"]["fit"]["number"] == pytest.approx(0.8835)
    assert found["distribution_fit"] == pytest.approx(0.8835)
    familiar = trust(_ensemble([(1.0, 0.97)], FITTED))
    assert familiar["level"] != "low" and familiar["message"]["key"] != "trust.unfamiliar"


def _realised_precision(p: np.ndarray, y: np.ndarray, threshold: float) -> float:
    return float(y[p >= threshold].mean())


def test_when_the_ranking_is_at_chance_only_the_unsupported_interval_covers() -> None:
    # Probabilities as the references give them (a third of the file looks risky to
    # them) on a file whose frauds they do not see: the labels ignore the probabilities.
    rng = np.random.default_rng(11)
    p = rng.beta(0.4, 8.0, 30_000)
    threshold = 0.2
    found = expected_performance(p, threshold)
    opened = unsupported(found)
    plain_in = opened_in = 0
    for _ in range(50):
        y = (rng.random(len(p)) < 0.01).astype(int)  # 1 % fraud, whatever p says
        real = _realised_precision(p, y, threshold)
        assert found.precision.low is not None and found.precision.high is not None
        assert opened.precision.low is not None and opened.precision.high is not None
        plain_in += found.precision.low <= real <= found.precision.high
        opened_in += opened.precision.low <= real <= opened.precision.high
    assert plain_in == 0  # the plain estimate claims far more (as 44-52 % against 1.5 %)
    assert opened_in == 50
    # The figures and the upper ends are kept; only the lower ends open.
    assert opened.precision.value == found.precision.value
    assert opened.precision.high == found.precision.high
    assert opened.recall.value == found.recall.value and opened.recall.low == 0.0


def test_an_undefined_figure_stays_undefined() -> None:
    found = unsupported(expected_performance(np.full(100, 0.01), 0.5))  # nothing flagged
    assert (found.precision.value, found.precision.low, found.precision.high) == (None,) * 3
    assert found.recall.value == 0.0 and found.recall.low == 0.0
